"""The audit log of figures: who changed what when, old and new value, on /audit/ and the API, for approvers
and unit admins of the unit (and system admins) only, with the access matrix."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from giaoban.reporting import services
from tests.access import Endpoint, check, matrix

from .helpers import at


def _history(unit, catalog, actor, values_seq, period="2025W28"):
    s = services.submission_open(unit=unit, form=catalog.weekly, period=period)
    for i, values in enumerate(values_seq):
        s = services.submission_save_draft(
            submission=s, values=values, expected_version=s.version, actor=actor, at=at(2025, 7, 14 + i)
        )
    return s


@pytest.fixture
def world(tree, catalog, make_user):
    class World:
        pass

    w = World()
    w.secretary = make_user("secretary", tree.p1, username="thu-ky", first_name="Lan", last_name="Nguyễn Thị")
    other = make_user("secretary", tree.p2, username="thu-ky-hn")
    w.submission = {
        "in": _history(tree.n1, catalog, w.secretary, [{"POSTS": "555"}, {"POSTS": "1"}]),
        "out": _history(tree.q1, catalog, other, [{"POSTS": "777"}]),
    }
    w.unit_name = {"in": tree.n1.name, "out": tree.q1.name}
    return w


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_lists_each_figure_change_with_old_and_new_value_in_the_api(tree, world, make_user):
    approver = make_user("approver", tree.p1)
    rows = _api(approver).get("/api/v1/audit/").json()["results"]
    assert [(r["indicator"], r["old"], r["new"], r["actor"], r["unit"]) for r in rows] == [
        ("POSTS", "555", "1", "thu-ky", "15061"),
        ("POSTS", "", "555", "thu-ky", "15061"),
    ]
    assert rows[0]["at"].startswith("2025-07-15")


def test_it_filters_by_unit_dates_and_actor(tree, world, make_user):
    client = _api(make_user("system_admin", tree.vn))

    def count(query):
        r = client.get(f"/api/v1/audit/?{query}")
        assert r.status_code == 200, r.content
        return r.json()["count"]

    assert count("") == 3
    assert count("unit=38") == 2 and count("unit=01") == 1 and count("unit=VN") == 3
    assert count("from=2025-07-15") == 1 and count("to=2025-07-14") == 2
    assert count("from=2025-07-14&to=2025-07-14") == 2
    assert count("actor=thu-ky") == 2 and count("actor=nobody") == 0
    bad = client.get("/api/v1/audit/?from=15-07-2025")
    assert bad.status_code == 400 and set(bad.json()) == {"message", "code", "extra"}


def test_it_lists_one_reports_changes_oldest_first(tree, world, make_user):
    sid = world.submission["in"].pk
    rows = _api(make_user("unit_admin", tree.p1)).get(f"/api/v1/submissions/{sid}/changes/").json()["results"]
    assert [(r["old"], r["new"]) for r in rows] == [("", "555"), ("555", "1")]


def test_it_shows_the_changes_on_the_audit_page_in_vietnamese_format(client, tree, world, make_user):
    client.force_login(make_user("approver", tree.p1))
    page = client.get(f"/audit/?submission={world.submission['in'].pk}").content.decode()
    assert "Lịch sử thay đổi" in page and "Nguyễn Thị Lan" in page and "Số bài đăng" in page
    assert "555" in page and "—" in page
    entry = client.get("/reports/15061/W35/2025W28/").content.decode()
    assert f"/audit/?submission={world.submission['in'].pk}" in entry


def test_it_hides_the_log_from_roles_that_do_not_audit(client, tree, world, make_user):
    secretary = world.secretary
    assert _api(secretary).get(f"/api/v1/submissions/{world.submission['in'].pk}/changes/").status_code == 404
    assert _api(secretary).get("/api/v1/audit/").json()["count"] == 0
    client.force_login(secretary)
    entry = client.get("/reports/15061/W35/2025W28/").content.decode()
    assert "/audit/?submission=" not in entry


ENDPOINTS = [
    Endpoint("audit-page", lambda w, s: "/audit/", marker=lambda w, s: w.unit_name[s], action="audit"),
    Endpoint(
        "audit-page-report",
        lambda w, s: f"/audit/?submission={w.submission[s].pk}",
        marker=lambda w, s: w.unit_name[s],
        action="audit",
    ),
    Endpoint("api-audit", lambda w, s: "/api/v1/audit/", marker=lambda w, s: w.unit_name[s], api=True, action="audit"),
    Endpoint(
        "api-audit-unit",
        lambda w, s: f"/api/v1/audit/?unit={'38' if s == 'in' else '01'}",
        marker=lambda w, s: w.unit_name[s],
        api=True,
        action="audit",
    ),
    Endpoint(
        "api-submission-changes",
        lambda w, s: f"/api/v1/submissions/{w.submission[s].pk}/changes/",
        api=True,
        action="audit",
    ),
    Endpoint(
        "api-submission-narrative-changes",
        lambda w, s: f"/api/v1/submissions/{w.submission[s].pk}/narrative-changes/",
        api=True,
        action="audit",
    ),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_the_audit_page_and_endpoints(client, tree, world, make_user, endpoint, role, scope):
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, world, endpoint, role, scope, user)


@pytest.mark.parametrize("url", ["/api/v1/audit/", "/audit/"])
def test_it_keeps_the_audit_lists_query_count_constant_as_changes_grow(client, tree, catalog, make_user, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    secretary = make_user("secretary", tree.p1)
    approver = make_user("approver", tree.p1)
    client.force_login(approver)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _history(tree.n1, catalog, secretary, [{"POSTS": "1"}], period="2025W28")
    few = count()
    for week in range(29, 35):
        _history(tree.n2, catalog, secretary, [{"POSTS": "2", "ORIGINAL": "1"}, {"POSTS": "3"}], period=f"2025W{week}")
    assert count() == few


def test_it_shows_each_narrative_sections_old_and_new_text(client, tree, catalog, make_user):
    secretary = make_user("secretary", tree.p1, username="thu-ky-2")
    s = services.submission_open(unit=tree.n1, form=catalog.weekly, period="2025W30")
    for text in ("Bản đầu.", "Bản sửa."):
        s = services.submission_save_draft(
            submission=s, values={}, narrative={"results": text}, expected_version=s.version, actor=secretary
        )
    approver = _api(make_user("approver", tree.p1))
    rows = approver.get(f"/api/v1/submissions/{s.pk}/narrative-changes/").json()
    assert [(r["section"], r["old"], r["new"], r["actor"]) for r in rows] == [
        ("results", "", "Bản đầu.", "thu-ky-2"),
        ("results", "Bản đầu.", "Bản sửa.", "thu-ky-2"),
    ]
    assert rows[0]["title"] == "Kết quả đạt được"
    assert _api(secretary).get(f"/api/v1/submissions/{s.pk}/narrative-changes/").status_code == 404
    client.force_login(make_user("unit_admin", tree.p1))
    page = client.get(f"/audit/?submission={s.pk}").content.decode()
    assert 'id="narrative-changes"' in page and "Bản đầu." in page and "Bản sửa." in page
