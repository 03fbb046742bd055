"""The audit page across the platform: memberships, roles, transitions, form versions and consolidated reports
beside the figures; filters, export, scope, and a query count that does not grow with the log."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from giaoban.orgs import services as org_services
from giaoban.orgs.models import Committee
from giaoban.orgs.services import users as user_services
from giaoban.reporting import consolidated, services
from tests.access import Endpoint, check, matrix

from .helpers import at


def _submit(unit, catalog, actor, period="2025W28"):
    s = services.submission_open(unit=unit, form=catalog.weekly, period=period)
    return services.submission_submit(
        submission=s, values={"POSTS": "5"}, expected_version=s.version, actor=actor, at=at(2025, 7, 14), confirm=True
    )


def _committee(unit, admin, name):
    committee = Committee.objects.create(name=f"Ban Chỉ đạo 35 {name}", short_name="BCĐ 35", org_unit=unit)
    org_services.committee_reconstitute(
        committee=committee,
        number=f"1-QĐ/{unit.code}",
        date=date(2025, 7, 1),
        kind="establish",
        start=[{"person_name": f"Trưởng ban {name}", "role": "head"}],
        actor=admin,
    )
    return committee


@pytest.fixture
def world(tree, catalog, make_user):
    class World:
        pass

    w = World()
    w.sysadmin = make_user("system_admin", tree.vn, username="qtht", first_name="Quản", last_name="Trị")
    w.secretary = make_user("secretary", tree.p1, username="thu-ky", first_name="Lan", last_name="Nguyễn Thị")
    w.other = make_user("secretary", tree.p2, username="thu-ky-hn")
    w.submission = {"in": _submit(tree.n1, catalog, w.secretary), "out": _submit(tree.q1, catalog, w.other)}
    w.committee = {"in": _committee(tree.p1, w.sysadmin, "Thanh Hóa"), "out": _committee(tree.p2, w.sysadmin, "Hà Nội")}
    w.grantee = {
        "in": make_user(None, None, username="moi-38", first_name="Một", last_name="Người Mới"),
        "out": make_user(None, None, username="moi-01", first_name="Hai", last_name="Người Khác"),
    }
    for scope, unit in (("in", tree.p1), ("out", tree.p2)):
        user_services.userrole_grant(user=w.grantee[scope], role="viewer", org_unit=unit, actor=w.sysadmin)
    services.reportform_update(form=catalog.weekly, indicators=[catalog.posts, catalog.followers], actor=w.sysadmin)
    form = catalog.weekly
    report = consolidated.report_find_or_build(committee=w.committee["in"], form=form, period="2025W28")
    report = consolidated.report_save(report=report, expected_version=0, actor=w.sysadmin, subject="Báo cáo tuần")
    consolidated.report_issue(report=report, number="12", issued_on=date(2025, 7, 18), actor=w.sysadmin)
    w.marker = {"in": "Trưởng ban Thanh Hóa", "out": "Trưởng ban Hà Nội"}
    return w


def _page(client, user, query="") -> str:
    client.force_login(user)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_every_kind_of_change_to_a_system_admin(client, world):
    page = _page(client, world.sysadmin)
    assert "Trưởng ban Thanh Hóa" in page and "Trưởng ban Hà Nội" in page  # memberships
    assert "Người Mới Một — Người xem @ 38" in page and "Cấp vai trò" in page  # a role granted
    assert "Nộp" in page and "W35 2025W28" in page  # a submission's transition
    assert "W35 v2" in page and "Phiên bản mới" in page  # a form's new version
    assert "Ban hành" in page and "BCĐ 35 · W35 2025W28 · 12" in page  # a consolidated report issued
    assert "/committees/" in page and "/users/" in page and "/reports/15061/W35/2025W28/" in page


def test_it_shows_what_changed_on_an_edit(client, tree, world):
    user_services.user_update(
        user=world.grantee["in"],
        actor=world.sysadmin,
        name="Người Mới Một",
        email="moi@example.vn",
        phone="0912345678",
        org_unit=tree.n1,
    )
    page = _page(client, world.sysadmin, "kind=users")
    assert "Xã Ngọc Lặc" in page and "→" in page


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("kind=memberships", ["Trưởng ban Thanh Hóa"], ["Phiên bản mới", "Cấp vai trò"]),
        ("kind=users", ["Cấp vai trò"], ["Trưởng ban Thanh Hóa"]),
        ("kind=consolidated", ["Ban hành"], ["Cấp vai trò"]),
        ("unit=01", ["Trưởng ban Hà Nội", "Người Khác Hai"], ["Trưởng ban Thanh Hóa", "Người Mới Một"]),
        ("unit=38&kind=transitions", ["W35 2025W28", "Xã Ngọc Lặc"], ["Phường Ba Đình"]),
        ("actor=thu-ky", ["Xã Ngọc Lặc"], ["Trưởng ban", "Phường Ba Đình"]),
        ("user=thu-ky-hn", ["Phường Ba Đình"], ["Xã Ngọc Lặc"]),
        ("from=2099-01-01", ["Không có thay đổi nào."], ["Trưởng ban"]),
        ("to=2025-07-14&kind=transitions", ["Nộp"], ["Trưởng ban"]),
    ],
)
def test_it_filters_by_unit_user_kind_and_date(client, world, query, present, absent):
    page = _page(client, world.sysadmin, query)
    for text in present:
        assert text in page, (query, text)
    for text in absent:
        assert text not in page, (query, text)


def test_it_says_so_when_the_unit_does_not_exist(client, world):
    assert "Không có đơn vị mã 99999." in _page(client, world.sysadmin, "unit=99999")


def test_it_hides_what_lies_outside_the_unit_admins_subtree(client, tree, world, make_user):
    page = _page(client, make_user("unit_admin", tree.p1))
    assert "Trưởng ban Thanh Hóa" in page and "Người Mới Một" in page and "Xã Ngọc Lặc" in page
    assert "Trưởng ban Hà Nội" not in page and "Người Khác Hai" not in page and "Phường Ba Đình" not in page
    # Users and roles are the administrators' business: an approver audits figures and reports only.
    page = _page(client, make_user("approver", tree.p1))
    assert "Xã Ngọc Lặc" in page and "Người Mới Một" not in page


def test_it_exports_the_filtered_rows(client, world):
    client.force_login(world.sysadmin)
    response = client.get("/audit/?unit=01&export=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Lúc" and len(rows) > 2
    assert all(r[5] in ("01", "00004") for r in rows[1:]), rows
    assert any("Trưởng ban Hà Nội" in r[4] for r in rows[1:])

    response = client.get("/audit/?kind=memberships&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    objects = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(o.split(" — ")[0] for o in objects) == ["Trưởng ban Hà Nội", "Trưởng ban Thanh Hóa"]


def test_it_pages_through_the_log_without_losing_or_repeating_a_row(client, tree, catalog, world):
    for week in range(29, 41):
        _submit(tree.n2, catalog, world.secretary, period=f"2025W{week}")
    client.force_login(world.sysadmin)
    from giaoban.reporting.selectors.audit import audit_events

    everything = audit_events(world.sysadmin, limit=1000).events
    seen, cursor = [], None
    while True:
        page = audit_events(world.sysadmin, limit=7, cursor=cursor)
        seen += page.events
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [e.key for e in seen] == [e.key for e in everything]
    older = client.get(
        f"/audit/?cursor={everything[6].key[0].isoformat()}_{everything[6].key[1]}_{everything[6].key[2]}"
    )
    assert older.status_code == 200


def test_it_keeps_the_query_count_constant_as_the_log_grows(client, tree, catalog, world, make_user):
    client.force_login(world.sysadmin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/audit/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for week in range(29, 35):
        _submit(tree.n2, catalog, world.secretary, period=f"2025W{week}")
        grantee = make_user(None, None)
        user_services.userrole_grant(user=grantee, role="viewer", org_unit=tree.p1, actor=world.sysadmin)
        user_services.user_update(
            user=grantee,
            actor=world.sysadmin,
            name=f"Người {week}",
            email=f"n{week}@example.vn",
            phone="",
            org_unit=tree.p1,
        )
    assert count() == few


ENDPOINTS = [
    Endpoint(
        "audit-memberships", lambda w, s: "/audit/?kind=memberships", marker=lambda w, s: w.marker[s], action="audit"
    ),
    Endpoint(
        "audit-export",
        lambda w, s: "/audit/?kind=memberships&export=csv",
        marker=lambda w, s: w.marker[s],
        action="audit",
    ),
    Endpoint(
        "audit-roles",
        lambda w, s: "/audit/?kind=users",
        marker=lambda w, s: "Người Mới Một" if s == "in" else "Người Khác Hai",
        action="manage",
    ),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_the_audit_of_every_kind(client, tree, world, make_user, endpoint, role, scope):
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, world, endpoint, role, scope, user)


def test_it_names_who_made_a_forms_new_version(client, world):
    page = _page(client, world.sysadmin, "kind=forms&actor=qtht")
    assert "W35 v2" in page
    assert "W35 v2" not in _page(client, world.sysadmin, "kind=forms&actor=thu-ky")
