"""Report pages through HTTP, and the access matrix of every reporting page and endpoint."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giaoban.reporting import services
from giaoban.reporting.models import DataValue, Submission

from .helpers import at

ROLES = ["secretary", "approver", "viewer", "member", "unit_admin"]


@dataclass
class Endpoint:
    name: str
    method: str
    url: str  # formatted with {sid}
    in_scope: dict  # role -> expected status (default 200)
    data: dict | None = None


ENDPOINTS = [
    Endpoint("my reports", "get", "/reports/?unit=90001", {}),
    Endpoint("entry page", "get", "/reports/90001/W35/2025W10/", {}),
    Endpoint("status page", "get", "/reports/389/W35/2025W10/status/", {}),
    Endpoint("rollup page", "get", "/reports/rollup/?indicator=POSTS&unit=389&period=2025W10", {}),
    Endpoint(
        "save on the entry page",
        "post",
        "/reports/90001/W35/2025W10/",
        {"secretary": 409, "approver": 404, "viewer": 404, "member": 404, "unit_admin": 404},
        {"version": "0", "v_POSTS": "1", "action": "save"},
    ),
    Endpoint(
        "approve on a page",
        "post",
        "/submissions/{sid}/approve/",
        {"approver": 302, "secretary": 404, "viewer": 404, "member": 404, "unit_admin": 404},
    ),
    Endpoint("api submission", "get", "/api/v1/submissions/{sid}/", {}),
    Endpoint(
        "api approve",
        "post",
        "/api/v1/submissions/{sid}/approve/",
        {"approver": 200, "secretary": 403, "viewer": 403, "member": 403, "unit_admin": 403},
    ),
    Endpoint("api rollup", "get", "/api/v1/rollup/?indicator=POSTS&unit=389&period=2025W10", {}),
]


def _call(client, ep: Endpoint, sid: int):
    url = ep.url.format(sid=sid)
    if ep.method == "get":
        return client.get(url)
    return client.post(url, ep.data or {})


@pytest.fixture
def submitted(tree, catalog, report):
    return report(tree.c1, catalog.weekly, "2025W10", {"POSTS": "12"})


@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", ["in", "out"])
def test_it_scopes_every_reporting_page_and_endpoint(client, tree, make_user, submitted, ep, role, scope):
    user = make_user(role, tree.d1 if scope == "in" else tree.p2)
    client.force_login(user)
    expected = ep.in_scope.get(role, 200) if scope == "in" else 404
    response = _call(client, ep, submitted.pk)
    assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda e: e.name)
def test_it_sends_anonymous_users_to_log_in(client, submitted, ep):
    assert _call(client, ep, submitted.pk).status_code in (302, 401, 403)


@pytest.fixture
def secretary_client(client, tree, make_user, catalog):
    user = make_user("secretary", tree.c1)
    client.force_login(user)
    client.user = user
    return client


def test_it_lists_my_units_periods_with_status_and_deadline(secretary_client, tree, catalog, report):
    page = secretary_client.get("/reports/").content.decode()
    assert "Thị trấn Ngọc Lặc" in page
    # 90001 closed on 30/06/2025: the latest periods it owes are the last weeks of June 2025.
    assert "2025W26" in page and "01/07/2025" in page  # deadline of week 26 = 2 working days after 29/06


def test_it_saves_a_draft_in_vietnamese_format_and_submits(secretary_client, tree, catalog):
    url = "/reports/90001/W35/2025W10/"
    page = secretary_client.get(url).content.decode()
    assert 'inputmode="decimal"' in page and 'name="v_POSTS"' in page and 'name="n_results"' in page
    r = secretary_client.post(url, {"version": "0", "v_POSTS": "56.000", "v_RATE": "5,6", "action": "save"})
    assert r.status_code == 302
    page = secretary_client.get(url).content.decode()
    assert 'value="56.000"' in page and 'value="5,6"' in page
    s = Submission.objects.get()
    r = secretary_client.post(url, {"version": s.version, "v_POSTS": "56.000", "n_results": "Tốt", "action": "submit", "confirm": "1"})
    s.refresh_from_db()
    assert (r.status_code, s.status, s.narrative["results"]) == (302, "submitted", "Tốt")
    page = secretary_client.get(url).content.decode()
    assert 'name="v_POSTS"' not in page and "56.000" in page  # read-only once submitted


def test_it_shows_each_bad_field_and_keeps_what_was_typed(secretary_client, tree, catalog):
    r = secretary_client.post(
        "/reports/90001/W35/2025W10/", {"version": "0", "v_POSTS": "12.5", "v_RATE": "150", "action": "save"}
    )
    page = r.content.decode()
    assert r.status_code == 400
    assert "Không phải là số: &#x27;12.5&#x27; (not a number)" in page
    assert "must be at most 100" in page and 'value="12.5"' in page and 'value="150"' in page
    assert DataValue.objects.count() == 0 and Submission.objects.count() == 0


def test_it_shows_the_saved_figures_beside_mine_after_a_concurrent_edit(secretary_client, tree, catalog):
    s = services.submission_open(unit=tree.c1, form=catalog.weekly, period="2025W10")
    services.submission_save_draft(submission=s, values={"POSTS": "7"}, expected_version=s.version)
    r = secretary_client.post("/reports/90001/W35/2025W10/", {"version": "1", "v_POSTS": "9", "action": "save"})
    page = r.content.decode()
    assert r.status_code == 409 and "someone else saved this report" in page
    assert 'value="9"' in page and "<strong>7</strong>" in page
    # Saving again from that page (it carries the current version now) keeps the user's figure.
    r = secretary_client.post("/reports/90001/W35/2025W10/", {"version": "2", "v_POSTS": "9", "action": "save"})
    assert r.status_code == 302 and DataValue.objects.get().value == 9


def test_it_answers_htmx_with_the_fragment_only(secretary_client, tree, catalog):
    r = secretary_client.post(
        "/reports/90001/W35/2025W10/",
        {"version": "0", "v_POSTS": "x", "action": "save"},
        headers={"HX-Request": "true"},
    )
    page = r.content.decode()
    assert r.status_code == 200 and r["HX-Retarget"] == "#entry"
    assert page.lstrip().startswith('<div id="entry"') and "<html" not in page


def test_it_lets_an_officer_see_who_is_late_or_missing_and_return_a_report(client, tree, catalog, report, make_user):
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 10}, when=at(2025, 3, 10))
    late = report(tree.c2, catalog.weekly, "2025W10", {"POSTS": "1.000"}, when=at(2025, 3, 14))
    client.force_login(make_user("approver", tree.p1))
    page = client.get("/reports/389/W35/2025W10/status/").content.decode()
    assert "Đúng hạn: 1" in page and "Muộn: 1" in page and "Chưa nộp: 1" in page
    assert "1.010" in page  # the district's total in Vietnamese format
    r = client.post(f"/submissions/{late.pk}/return/", {"reason": "", "next": "/reports/389/W35/2025W10/status/"})
    assert r.status_code == 302
    assert "reason is required" in client.get(r.url).content.decode()
    client.post(f"/submissions/{late.pk}/return/", {"reason": "Số liệu bất thường", "next": "/x/"})
    late.refresh_from_db()
    assert (late.status, late.return_reason) == ("returned", "Số liệu bất thường")


def test_it_shows_a_rollup_with_its_breakdown(client, tree, catalog, report, make_user):
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": "56.000"})
    client.force_login(make_user("viewer", tree.p1))
    page = client.get("/reports/rollup/?indicator=POSTS&unit=389&period=2025-03").content.decode()
    assert "<strong>56.000</strong>" in page and "Thị trấn Ngọc Lặc" in page
    page = client.get("/reports/rollup/?indicator=POSTS&unit=389&period=2025X").content.decode()
    assert "invalid period id" in page


@pytest.mark.parametrize(
    "url", ["/reports/p1/W35/2025W10/status/", "/reports/rollup/?indicator=POSTS&unit=p1&period=2025"]
)
def test_it_keeps_page_query_counts_constant_as_data_grows(client, tree, catalog, report, make_user, url):
    from datetime import date

    from giaoban.orgs import services as org_services
    from giaoban.orgs.models import OrgUnit

    client.force_login(make_user("system_admin", tree.vn))
    url = url.replace("p1", "38")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 1})
    count()
    small = count()
    for i in range(8):
        unit = org_services.orgunit_create(
            code=f"8{i:04d}",
            name=f"Xã {i}",
            kind="commune",
            subtype="xa",
            parent=OrgUnit.objects.get(pk=tree.d1.pk),
            valid_from=date(2020, 1, 1),
            valid_to=date(2025, 6, 30),
        )
        for week in ("2025W10", "2025W11"):
            report(unit, catalog.weekly, week, {"POSTS": i})
    assert count() == small


def test_it_links_an_officer_to_the_forms_reported_below(client, tree, catalog, make_user):
    client.force_login(make_user("approver", tree.p1))
    page = client.get("/reports/").content.decode()
    assert 'id="below"' in page and "/reports/38/W35/" in page and "/reports/38/M35/" in page


def test_it_shows_the_confirmation_once_after_a_plain_post(secretary_client, tree, catalog):
    r = secretary_client.post(
        "/reports/90001/W35/2025W10/", {"version": "0", "v_POSTS": "3", "action": "save"}, follow=True
    )
    assert r.content.decode().count("Đã lưu nháp.") == 1
