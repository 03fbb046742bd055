"""Every role's day in reporting: the home page's panels by role, the approval queue (filters, query budget,
bulk approval all or nothing, API), figures far outside a unit's history asking for confirmation, closed
units not offered later periods, Excel errors naming indicators, and buttons shown only to roles that can act."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from giaoban.core.access import ROLE_ACTIONS, Action, Role
from giaoban.core.errors import ServiceError
from giaoban.reporting import periods, selectors, services
from giaoban.reporting.models import Submission
from tests.access import Endpoint, check, matrix

from .helpers import at, commune

QUEUE = "/reports/queue/"
D = Decimal


# --- The outlier rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "history", "weekly_count", "unusual"),
    [
        (D(101), [D(10)] * 8, False, True),  # more than 10 x the median
        (D(100), [D(10)] * 8, False, False),  # exactly 10 x is not
        (D(101), [D(10), D(10)], False, False),  # fewer than 3 periods: no history to judge by
        (D(5), [D(0)] * 8, False, False),  # a median of 0 says nothing
        (D(101), [D(10)] * 8 + [D(1000)] * 5, False, True),  # only the last 8 periods count
        (D(300), [D(10), D(20), D(30), D(1000), D(2000)], False, False),  # median 30
        (D(10000), [], True, True),  # a weekly count in the tens of thousands
        (D(9999), [], True, False),
        (D(10000), [], False, False),  # a stock (followers) or a monthly figure is not held to it
        (None, [D(1)] * 8, True, False),
    ],
)
def test_it_flags_figures_far_outside_the_units_history(value, history, weekly_count, unusual):
    assert services.is_unusual(value, history, weekly_count=weekly_count) is unusual


def _weeks(tree, catalog, report, unit, weeks, posts="10"):
    for w in weeks:
        report(unit, catalog.weekly, f"2025W{w:02d}", {"POSTS": posts, "FOLLOWERS": "5000"}, status="approved")


def test_it_asks_to_confirm_an_unusual_figure_and_submits_it_once_confirmed(tree, catalog, report):
    _weeks(tree, catalog, report, tree.c1, range(1, 9))
    s = report(tree.c1, catalog.weekly, "2025W09", {"POSTS": "1"}, status="draft")
    with pytest.raises(services.UnusualFigures) as exc:
        services.submission_submit(submission=s, values={"POSTS": "500", "FOLLOWERS": "5100"}, confirm=False)
    assert exc.value.code == "unusual_figures" and list(exc.value.extra["fields"]) == ["POSTS"]
    assert "trung vị 10" in exc.value.extra["fields"]["POSTS"]
    s.refresh_from_db()
    assert s.status == "draft" and s.values.get(indicator=catalog.posts).value == 1  # nothing written
    services.submission_submit(submission=s, values={"POSTS": "500"}, confirm=True)
    assert Submission.objects.get(pk=s.pk).status == "submitted"


def test_it_asks_on_the_entry_page_with_a_checkbox(client, tree, catalog, report, make_user):
    _weeks(tree, catalog, report, tree.c1, range(1, 9))
    client.force_login(make_user("secretary", tree.c1))
    url = "/reports/90001/W35/2025W09/"
    data = {"action": "submit", "version": "0", "v_POSTS": "500", "v_FOLLOWERS": "5100"}
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400 and "Xác nhận số liệu bất thường" in html and 'name="confirm"' in html
    assert 'id="v_POSTS" name="v_POSTS" value="500"' in html and "is-invalid" in html
    assert not Submission.objects.filter(unit=tree.c1, period="2025W09").exists()
    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    assert Submission.objects.get(unit=tree.c1, period="2025W09").status == "submitted"


# --- Closed units, Excel errors --------------------------------------------------------------------------


def test_it_offers_a_closed_unit_no_period_after_its_closing_date(client, tree, catalog, make_user):
    rows = selectors.unit_periods(tree.c1, timezone.localdate())
    assert rows and all(r.end <= tree.c1.valid_to for r in rows)
    for _form, pids in selectors.forms_below(tree.d1, timezone.localdate()):
        assert all(periods.period_range(p, _form.scheme)[1] <= tree.d1.valid_to for p in pids), pids
    client.force_login(make_user("approver", tree.d1))
    html = client.get("/reports/?unit=389").content.decode()
    assert "2025W26" in html and f"{timezone.localdate().year}W" not in html.replace("2025W", "")
    assert client.get("/reports/90001/W35/2025W27/").status_code == 404  # ends after 30/06/2025


def test_it_names_the_indicator_as_the_sheet_shows_it_in_excel_errors(tree, catalog, make_user):
    from io import BytesIO

    from openpyxl import load_workbook

    from giaoban.reporting import xlsx

    user = make_user("secretary", tree.c1)
    data, _name, _units = xlsx.template_workbook(user, tree.c1, catalog.weekly, "2025W10")
    wb = load_workbook(BytesIO(data))
    ws = wb.worksheets[0]
    for row in ws.iter_rows():
        if row[1].value == "POSTS":
            row[4].value = "abc"
    out = BytesIO()
    wb.save(out)
    with pytest.raises(ServiceError) as exc:
        xlsx.workbook_import(out.getvalue(), actor=user, submit=False)
    messages = [e["message"] for e in exc.value.extra["errors"]]
    assert any(m.startswith("Số bài đăng: ") for m in messages), messages
    assert not any(m.startswith("POSTS") for m in messages)


# --- The approval queue ----------------------------------------------------------------------------------


@pytest.fixture
def three(tree, catalog, report):
    return [
        report(u, catalog.weekly, "2025W10", {"POSTS": str(n)}, when=at(2025, 3, 10))
        for n, u in enumerate((tree.c1, tree.c2, tree.c3), 1)
    ]


def test_it_lists_the_reports_waiting_and_filters_them_as_the_api_does(client, tree, catalog, report, three, make_user):
    report(tree.c1, catalog.weekly, "2025W11", {"POSTS": "4"}, status="approved")
    report(tree.q1, catalog.weekly, "2025W40", {"POSTS": "4"})  # another province
    approver = make_user("approver", tree.p1)
    client.force_login(approver)
    html = client.get(QUEUE).content.decode()
    assert html.count('name="ids"') == 3 and "Phường Ba Đình" not in html
    html = client.get(QUEUE + "?unit=90002").content.decode()
    assert html.count('name="ids"') == 1 and "Xã Ngọc Khê" in html
    html = client.get(QUEUE + "?status=approved").content.decode()
    assert html.count('data-id="') == 1 and 'name="ids"' not in html
    assert client.get(QUEUE + "?status=all&period=2025w10&form=W35").content.decode().count('data-id="') == 3
    api = APIClient()
    api.force_authenticate(approver)
    listed = api.get("/api/v1/submissions/?status=submitted&form=W35&period=2025W10").json()["results"]
    assert sorted(r["id"] for r in listed) == sorted(s.pk for s in three)


def test_it_counts_the_queue_in_the_menu_for_approvers_only(client, tree, three, make_user):
    client.force_login(make_user("approver", tree.p1))
    html = client.get("/").content.decode()
    assert 'id="queue-menu"' in html and 'id="queue-count-badge">3<' in html
    client.force_login(make_user("secretary", tree.p1))
    assert 'id="queue-menu"' not in client.get("/").content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_it_keeps_the_queue_query_count_constant_as_reports_grow(client, tree, catalog, report, three, make_user):
    client.force_login(make_user("approver", tree.p1))
    before = _queries(client, QUEUE)
    for n in range(12):
        tree.d1.refresh_from_db()
        unit = commune(tree.d1, f"91{n:03d}", f"Xã Thử {n}", old=True)
        report(unit, catalog.weekly, "2025W10", {"POSTS": "1"})
    after = _queries(client, QUEUE)
    assert after == before, (before, after)
    assert after <= 12


def test_it_approves_three_at_once(client, tree, three, make_user):
    client.force_login(make_user("approver", tree.p1))
    response = client.post(QUEUE, {"ids": [s.pk for s in three]})
    assert response.status_code == 302
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}
    assert "Đã duyệt 3 báo cáo." in client.get(QUEUE).content.decode()


def test_it_approves_all_or_nothing_naming_each_refused_report(client, tree, catalog, three, make_user):
    approver = make_user("approver", tree.p1)
    mine = services.submission_open(unit=tree.c2, form=catalog.weekly, period="2025W11")
    services.submission_submit(submission=mine, values={"POSTS": "3"}, actor=approver)  # separation of duties
    client.force_login(approver)
    ids = [three[0].pk, three[1].pk, mine.pk]
    response = client.post(QUEUE, {"ids": ids})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="queue-error"' in html and "Không duyệt báo cáo nào" in html
    assert "tự duyệt" in html  # the refused row says why
    assert set(Submission.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"submitted"}


def test_it_approves_several_through_the_api_with_per_row_errors(tree, catalog, three, make_user):
    approver = make_user("approver", tree.p1)
    api = APIClient()
    api.force_authenticate(approver)
    outside = services.submission_open(unit=tree.q1, form=catalog.weekly, period="2025W40")
    r = api.post("/api/v1/submissions/approve/", {"ids": [three[0].pk, outside.pk]}, format="json")
    body = r.json()
    assert r.status_code == 400 and body["code"] == "bulk_rejected" and set(body) == {"message", "code", "extra"}
    assert body["extra"]["errors"] == [
        {"id": outside.pk, "unit": "", "message": "Không tìm thấy báo cáo (not found).", "code": "not_found"}
    ]
    assert Submission.objects.get(pk=three[0].pk).status == "submitted"
    r = api.post("/api/v1/submissions/approve/", {"ids": [s.pk for s in three]}, format="json")
    assert r.status_code == 200 and r.json() == {"approved": sorted(s.pk for s in three), "count": 3}
    viewer = APIClient()
    viewer.force_authenticate(make_user("viewer", tree.p1))
    r = viewer.post("/api/v1/submissions/approve/", {"ids": [three[0].pk]}, format="json")
    assert r.status_code == 400 and r.json()["extra"]["errors"][0]["code"] == "not_found"
    assert api.post("/api/v1/submissions/approve/", {"ids": []}, format="json").status_code == 400


# --- Status page and hidden buttons ---------------------------------------------------------------------


def test_it_puts_the_status_pages_actions_before_its_folded_figures(client, tree, three, make_user):
    client.force_login(make_user("approver", tree.p1))
    html = client.get("/reports/389/W35/2025W10/status/").content.decode()
    assert html.index('id="units"') < html.index('<details class="mb-3" id="totals-fold">') < html.index('id="totals"')


@pytest.mark.parametrize("role", [r for r in Role.values if Action.VIEW in ROLE_ACTIONS[r]])
def test_it_shows_only_the_buttons_a_role_can_use(client, tree, catalog, three, make_user, role):
    user = make_user(role, tree.vn if role == Role.SYSTEM_ADMIN else tree.p1)
    client.force_login(user)
    enter, approve = Action.ENTER in ROLE_ACTIONS[role], Action.APPROVE in ROLE_ACTIONS[role]
    status = client.get("/reports/389/W35/2025W10/status/").content.decode()
    assert ('id="xlsx-template-below"' in status) is enter, role
    assert ('id="xlsx-upload"' in status) is enter, role
    assert ('id="queue-link"' in status) is approve, role
    assert ("/approve/" in status) is approve, role
    entry = client.get("/reports/90001/W35/2025W12/").content.decode()
    assert ('id="xlsx-links"' in entry) is enter, role
    home = client.get("/").content.decode()
    assert ('id="queue-menu"' in home) is approve, role
    # Every link a page shows answers: no button leads to a bare 404.
    for marker, url in (
        ('id="xlsx-template-below"', "/reports/389/W35/2025W10/template.xlsx?below=1"),
        ('id="xlsx-upload"', "/reports/389/W35/2025W10/upload/"),
    ):
        if marker in status:
            assert client.get(url).status_code in (200, 302), (role, url)


# --- Home page by role ----------------------------------------------------------------------------------


def _this_week():
    return periods.period_of(timezone.localdate(), "week", "week_mon")


def test_it_shows_a_secretary_the_reports_due_returned_first_with_its_reason(client, tree, catalog, report, make_user):
    secretary = make_user("secretary", tree.n1)
    last = periods.previous_period(_this_week()).id
    s = report(tree.n1, catalog.weekly, last, {"POSTS": "3"})
    services.submission_return(submission=s, reason="Thiếu số người theo dõi.")
    client.force_login(secretary)
    html = client.get("/").content.decode()
    assert 'id="panel-reports-due"' in html and 'id="panel-approval-queue"' not in html
    items = html.split('id="reports-due"')[1]
    assert items.index('data-status="returned"') < items.index('data-status="missing"')
    assert "Thiếu số người theo dõi." in items and _this_week().id in items


def test_it_shows_an_approver_the_queue_and_the_late_units(client, tree, catalog, report, make_user):
    week = periods.previous_period(_this_week())
    late = periods.period_range(week, "week_mon")[1] + timedelta(days=10)
    report(tree.n1, catalog.weekly, week.id, {"POSTS": "3"}, when=at(late.year, late.month, late.day))
    client.force_login(make_user("approver", tree.p1))
    html = client.get("/").content.decode()
    panel = html.split('id="panel-approval-queue"')[1]
    assert "Xã Ngọc Lặc" in panel.split('id="home-queue"')[1].split("</ul>")[0]
    late_box = panel.split('id="home-late-W35"')[1]
    assert "Xã Thạch Lập" in late_box  # missing
    assert 'id="panel-reports-due"' not in html


def test_it_shows_a_viewer_the_dashboard_and_key_numbers(client, tree, catalog, make_user):
    client.force_login(make_user("viewer", tree.p1))
    html = client.get("/").content.decode()
    assert 'id="panel-key-numbers"' in html and 'id="dashboard-link"' in html
    assert "Phải nộp" in html.split('id="panel-key-numbers"')[1]
    assert 'id="panel-approval-queue"' not in html and 'id="panel-my-tasks"' not in html


def test_it_shows_an_agency_officer_their_tasks(client, tree, committees, make_user):
    from giaoban.orgs.models import Agency
    from giaoban.work import services as work

    police = Agency.objects.create(name="Công an tỉnh Thanh Hóa", org_unit=tree.p1)
    officer = make_user("agency_officer", agency=police)
    assigner = make_user("approver", tree.p1)
    work.task_create(
        committee=committees["38"],
        title="Rà soát trang thông tin",
        agency=police,
        due_on=timezone.localdate() + timedelta(days=20),
        actor=assigner,
    )
    client.force_login(officer)
    html = client.get("/").content.decode()
    assert 'id="panel-my-tasks"' in html and "Rà soát trang thông tin" in html
    assert 'id="panel-reports-due"' not in html and 'id="queue-menu"' not in html


def test_it_answers_the_home_page_in_few_queries(client, tree, catalog, three, make_user, django_assert_max_num_queries):
    client.force_login(make_user("approver", tree.p1))
    client.get("/")
    with django_assert_max_num_queries(40):
        assert client.get("/").status_code == 200


# --- Access matrix ----------------------------------------------------------------------------------------


class World:
    def __init__(self, three):
        self.report = {"in": three[0], "out": None}


ENDPOINTS = [
    Endpoint(
        "approval-queue",
        lambda w, s: QUEUE + "?status=all",
        marker=lambda w, s: f'data-id="{w.report[s].pk}"',
        action=Action.APPROVE,
    ),
    Endpoint(
        "approval-queue-filtered",
        lambda w, s: QUEUE + f"?status=all&unit={w.report[s].unit.code}",
        marker=lambda w, s: f'data-id="{w.report[s].pk}"',
        action=Action.APPROVE,
    ),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_the_queue(client, tree, catalog, report, three, make_user, endpoint, role, scope):
    out = report(tree.q1, catalog.weekly, "2025W40", {"POSTS": "1"})
    world = World(three)
    world.report["out"] = out
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, world, endpoint, role, scope, user)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("scope", ["in", "out"])
def test_it_scopes_bulk_approval_in_the_api(tree, catalog, report, three, make_user, role, scope):
    """The POST endpoint's row of the matrix: in scope with APPROVE approves; anything else is a per-row
    not_found (out of scope looks exactly like a missing report) and nothing changes."""
    target = three[0] if scope == "in" else report(tree.q1, catalog.weekly, "2025W40", {"POSTS": "1"})
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    api = APIClient()
    api.force_authenticate(user)
    r = api.post("/api/v1/submissions/approve/", {"ids": [target.pk]}, format="json")
    allowed = Action.APPROVE in ROLE_ACTIONS[role] and (scope == "in" or role == Role.SYSTEM_ADMIN)
    if allowed:
        assert r.status_code == 200, r.json()
    else:
        assert r.status_code == 400 and r.json()["extra"]["errors"][0]["code"] == "not_found", (role, scope)
        assert Submission.objects.get(pk=target.pk).status == "submitted"


def test_the_confirmation_rule_is_documented_in_the_api_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "unusual_figures" in schema and "bulk_rejected" in schema
