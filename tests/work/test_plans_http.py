"""Plans over HTTP: the API (CRUD, issue, progress, meetings, files, errors), the pages, and every page and
endpoint in the access matrix (tests/access.py)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from docx import Document as Docx
from rest_framework.test import APIClient

from giaoban.core.access import ROLE_ACTIONS, Role
from giaoban.work import services
from giaoban.work.models import Meeting, Plan, Task
from giaoban.work.services import ItemInput, TargetInput
from tests.access import Endpoint, check, matrix

from .plan_helpers import Figures, draft_plan

ASSIGN = {Role.SYSTEM_ADMIN, Role.APPROVER}
MEET = {Role.SYSTEM_ADMIN, Role.SECRETARY, Role.APPROVER}


class Plans:
    """In each scope ("in": Thanh Hóa's committee, "out": Hà Nội's) an issued plan with a target and two drafts."""

    def __init__(self, world, figures):
        self.world = world
        self.committee = {"in": world.committee, "out": world.other_committee}
        self.agency = {"in": world.police, "out": world.other_agency}
        self.unit = {"in": world.tree.p1, "out": world.tree.p2}
        self.issued, self.draft, self.spare = {}, {}, {}
        for scope, committee in self.committee.items():

            def make(title, scope=scope, committee=committee):
                return services.plan_create(
                    committee=committee,
                    title=title,
                    year=2026,
                    items=[
                        ItemInput(
                            f"Đăng tin, bài ({scope})",
                            self.agency[scope],
                            due_on=date(2026, 12, 31),
                            target=TargetInput(figures.posts, self.unit[scope], "2026", "min", 60),
                        )
                    ],
                )

            self.issued[scope] = services.plan_issue(plan=make(f"Kế hoạch {scope}"), issued_on=date(2026, 2, 2))
            self.draft[scope] = make(f"Dự thảo {scope}")
            self.spare[scope] = make(f"Dự thảo khác {scope}")


@pytest.fixture
def figures(tree):
    return Figures(tree)


@pytest.fixture
def plans(world, figures):
    return Plans(world, figures)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _body(plans, scope, figures):
    return {
        "committee": plans.committee[scope].pk,
        "title": "Kế hoạch năm 2027",
        "year": 2027,
        "items": [
            {
                "content": "Đăng tin, bài",
                "lead_agency": plans.agency[scope].pk,
                "supporting": [],
                "due_on": "2027-12-31",
                "target": {
                    "indicator": "POSTS",
                    "unit": plans.unit[scope].code,
                    "period": "2027",
                    "kind": "min",
                    "value": 40000,
                },
            }
        ],
    }


# --- API ------------------------------------------------------------------------------------------------------


def test_it_creates_issues_and_reads_progress_through_the_api(world, figures):
    client = _api(world.approver)
    plans = Plans(world, figures)
    r = client.post("/api/v1/plans/", _body(plans, "in", figures), format="json")
    assert r.status_code == 201, r.content
    plan = r.json()
    assert plan["status"] == "draft" and plan["items"][0]["target"] == {
        "indicator": "POSTS",
        "unit": "38",
        "period": "2027",
        "kind": "min",
        "value": 40000,
    }
    r = client.patch(
        f"/api/v1/plans/{plan['id']}/", {"title": "Kế hoạch hoạt động năm 2027", "version": 0}, format="json"
    )
    assert r.status_code == 200 and r.json()["title"] == "Kế hoạch hoạt động năm 2027"
    r = client.post(f"/api/v1/plans/{plan['id']}/issue/", {"number": 12, "issued_on": "2026-12-01"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["number"] == "12-KH/BCĐ" and r.json()["items"][0]["task"]
    assert Task.objects.get(pk=r.json()["items"][0]["task"]).source == "plan_item"
    r = client.get(f"/api/v1/plans/{plans.issued['in'].pk}/progress/")
    assert r.status_code == 200
    (row,) = r.json()["targets"]
    assert row | {"item": 0} == {
        "item": 0,
        "indicator": "POSTS",
        "unit": "38",
        "period": "2026",
        "kind": "min",
        "value": 48,
        "target": 60,
        "percent": 80,
        "on_track": row["on_track"],
        "reached": False,
    }


def test_it_answers_errors_as_message_code_extra(world, figures):
    plans = Plans(world, figures)
    client = _api(world.approver)
    # A typed number already taken: 409 number_taken.
    r = client.post(f"/api/v1/plans/{plans.draft['in'].pk}/issue/", {"number": 1}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "number_taken"
    assert set(r.json()) == {"message", "code", "extra"}
    # Issuing twice: 409.
    r = client.post(f"/api/v1/plans/{plans.issued['in'].pk}/issue/", {}, format="json")
    assert r.status_code == 409
    # Bad items: every bad field by row.
    body = _body(plans, "in", figures)
    body["items"][0]["lead_agency"] = world.other_agency.pk
    body["items"][0]["target"]["period"] = "2027X"
    r = client.post("/api/v1/plans/", body, format="json")
    assert r.status_code == 400 and r.json()["code"] == "import_rejected"
    assert {(e["row"], e["column"]) for e in r.json()["extra"]["errors"]} == {(1, "lead_agency"), (1, "target.period")}
    # An unknown indicator code: 400 invalid, naming the field.
    body = _body(plans, "in", figures)
    body["items"][0]["target"]["indicator"] = "NOPE"
    r = client.post("/api/v1/plans/", body, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid" and "items" in r.json()["extra"]["fields"]
    # An issued plan cannot be edited or deleted.
    assert client.patch(f"/api/v1/plans/{plans.issued['in'].pk}/", {"title": "x"}, format="json").status_code == 400
    assert client.delete(f"/api/v1/plans/{plans.issued['in'].pk}/").status_code == 400
    # A file format other than docx|pdf.
    r = client.get(f"/api/v1/plans/{plans.issued['in'].pk}/?format=odt")
    assert r.status_code == 400 and r.json()["extra"]["allowed"] == ["docx", "pdf"]


def test_it_serves_the_plan_as_docx_and_generates_meetings_once(world, figures):
    plans = Plans(world, figures)
    client = _api(world.approver)
    r = client.get(f"/api/v1/plans/{plans.issued['in'].pk}/?format=docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "Số 01-KH/BCĐ" in "\n".join(p.text for p in Docx(BytesIO(r.content)).tables[0].rows[0].cells[0].paragraphs)
    url = f"/api/v1/plans/{plans.issued['in'].pk}/meetings/"
    first = client.post(url, {"cadence": "monthly"}, format="json").json()
    again = client.post(url, {"cadence": "monthly"}, format="json").json()
    assert again["created"] == [] and again["meetings"] == first["meetings"]
    assert Meeting.objects.filter(plan=plans.issued["in"]).count() == len(first["created"])
    assert client.post(url, {"cadence": "daily"}, format="json").status_code == 400


def test_the_list_filters_by_year_and_status(world, figures):
    plans = Plans(world, figures)
    r = _api(world.approver).get("/api/v1/plans/?status=issued&year=2026")
    data = r.json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [p["id"] for p in rows] == [plans.issued["in"].pk]


# --- Access -------------------------------------------------------------------------------------------------


READS = [
    Endpoint(
        "api-plan-list",
        lambda p, s: "/api/v1/plans/?year=2026",
        marker=lambda p, s: f'"id":{p.issued[s].pk},',
        api=True,
    ),
    Endpoint("api-plan", lambda p, s: f"/api/v1/plans/{p.issued[s].pk}/", api=True),
    Endpoint("api-plan-progress", lambda p, s: f"/api/v1/plans/{p.issued[s].pk}/progress/", api=True),
    Endpoint("api-plan-docx", lambda p, s: f"/api/v1/plans/{p.issued[s].pk}/?format=docx", api=True),
    Endpoint("plan-list", lambda p, s: "/plans/", marker=lambda p, s: f'href="/plans/{p.issued[s].pk}/"'),
    Endpoint("plan-page", lambda p, s: f"/plans/{p.issued[s].pk}/"),
    Endpoint("plan-docx", lambda p, s: f"/plans/{p.issued[s].pk}/document.docx"),
    Endpoint("plan-new", lambda p, s: f"/plans/new/?committee={p.committee[s].pk}", action="meet"),
    Endpoint("plan-edit", lambda p, s: f"/plans/{p.draft[s].pk}/edit/", action="meet"),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(READS))
def test_it_scopes_every_plan_page_and_read(client, world, figures, make_user, endpoint, role, scope):
    plans = Plans(world, figures)
    user = make_user(role, world.tree.vn if role == Role.SYSTEM_ADMIN else world.tree.p1)
    check(client, plans, endpoint, role, scope, user)


WRITES = [
    ("api-create", "post", lambda p, s: "/api/v1/plans/", lambda p, s, f: _body(p, s, f), MEET),
    ("api-patch", "patch", lambda p, s: f"/api/v1/plans/{p.draft[s].pk}/", lambda p, s, f: {"title": "Mới"}, MEET),
    (
        "api-put",
        "put",
        lambda p, s: f"/api/v1/plans/{p.draft[s].pk}/",
        lambda p, s, f: {k: v for k, v in _body(p, s, f).items() if k != "committee"},
        MEET,
    ),
    ("api-meetings", "post", lambda p, s: f"/api/v1/plans/{p.draft[s].pk}/meetings/", lambda p, s, f: {}, MEET),
    (
        "api-issue",
        "post",
        lambda p, s: f"/api/v1/plans/{p.draft[s].pk}/issue/",
        lambda p, s, f: {"issued_on": "2026-02-03"},
        ASSIGN,
    ),
    ("api-delete", "delete", lambda p, s: f"/api/v1/plans/{p.spare[s].pk}/", lambda p, s, f: {}, MEET),
]


@pytest.mark.parametrize("scope", ["in", "out"])
@pytest.mark.parametrize("role", Role.values)
def test_it_scopes_every_plan_write(world, figures, make_user, role, scope):
    plans = Plans(world, figures)
    client = _api(make_user(role, world.tree.vn if role == Role.SYSTEM_ADMIN else world.tree.p1))
    visible = (scope == "in" or role == Role.SYSTEM_ADMIN) and "view" in ROLE_ACTIONS[role]
    wrong = []
    for name, method, url, body, allowed in WRITES:
        r = getattr(client, method)(url(plans, scope), body(plans, scope, figures), format="json")
        if name == "api-create":
            # The committee is named in the body: out of reach is 404 like any object.
            expected = (201,) if visible and role in allowed else ((403,) if visible else (404,))
        else:
            expected = (200, 201, 204) if visible and role in allowed else ((403,) if visible else (404,))
        if r.status_code not in expected:
            wrong.append((name, r.status_code, r.content[:200]))
        elif r.status_code in (403, 404):
            assert set(r.json()) == {"message", "code", "extra"}
    assert not wrong, wrong


@pytest.mark.parametrize("path", ["issue", "meetings"])
def test_page_writes_are_404_out_of_scope_and_for_view_only_roles(client, world, figures, make_user, path):
    plans = Plans(world, figures)
    for user in (world.outsider, make_user(Role.VIEWER, world.tree.p1)):
        client.force_login(user)
        assert client.post(f"/plans/{plans.draft['in'].pk}/{path}/", {"cadence": "monthly"}).status_code == 404
    client.force_login(world.secretary)  # may draft, may not issue
    assert client.post(f"/plans/{plans.draft['in'].pk}/issue/", {}).status_code == 404


# --- Pages --------------------------------------------------------------------------------------------------


def test_the_plan_page_shows_progress_in_a_constant_number_of_queries(
    client, world, figures, django_assert_max_num_queries
):
    plans = Plans(world, figures)
    client.force_login(world.approver)
    plan = plans.issued["in"]
    with django_assert_max_num_queries(20):
        r = client.get(f"/plans/{plan.pk}/")
    text = r.content.decode()
    assert r.status_code == 200 and "80 %" in text and "48" in text and "60" in text
    more = [
        ItemInput(f"Việc {n}", world.police, target=TargetInput(i, world.tree.p1, period, "min", 5))
        for n, (i, period) in enumerate([(i, p) for i in figures.all for p in ("2026", "2026S1")])
    ]
    bigger = services.plan_issue(plan=draft_plan(world, figures, items=more), issued_on=date(2026, 2, 2))
    with django_assert_max_num_queries(20):
        assert client.get(f"/plans/{bigger.pk}/").status_code == 200


def test_a_secretary_drafts_through_the_form_and_an_approver_issues(client, world, figures):
    client.force_login(world.secretary)
    r = client.get(f"/plans/new/?committee={world.committee.pk}")
    assert r.status_code == 200 and 'name="items-0-content"' in r.content.decode()
    data = {
        "committee": world.committee.pk,
        "title": "Kế hoạch hoạt động năm 2026",
        "year": "2026",
        "version": "0",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "200",
        "items-0-content": "Đăng tin, bài",
        "items-0-lead_agency": str(world.police.pk),
        "items-0-supporting": [str(world.youth.pk)],
        "items-0-due_on": "2026-12-31",
        "items-0-target_indicator": str(figures.posts.pk),
        "items-0-target_unit": "38",
        "items-0-target_period": "2026",
        "items-0-target_kind": "min",
        "items-0-target_value": "60",
        "action": "add_row",
    }
    r = client.post("/plans/new/", data)
    assert r.status_code == 200 and 'name="items-2-content"' in r.content.decode()
    data["action"] = "save"
    r = client.post("/plans/new/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    plan = Plan.objects.get()
    assert plan.items.get().target.value == 60
    assert client.post(f"/plans/{plan.pk}/issue/", {}).status_code == 404
    client.force_login(world.approver)
    r = client.post(f"/plans/{plan.pk}/issue/", {"issued_on": "2026-02-02"})
    assert r.status_code == 302
    text = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "01-KH/BCĐ" in text and "80 %" in text and "task-link" in text


def test_the_unit_picker_finds_units_without_diacritics_in_scope_only(client, world):
    client.force_login(world.approver)
    r = client.get("/plans/units/?field=items-0&items-0-unit_q=thanh hoa")
    assert 'data-code="38"' in r.content.decode()
    r = client.get("/plans/units/?field=items-0&items-0-unit_q=ngoc lac")
    assert 'data-code="15061"' in r.content.decode()
    r = client.get("/plans/units/?field=items-0&items-0-unit_q=ha noi")
    assert 'data-code="01"' not in r.content.decode()
    r = client.get("/plans/units/pick/?field=items-0&code=38")
    assert 'name="items-0-target_unit" value="38"' in r.content.decode()
    assert client.get("/plans/units/pick/?field=items-0&code=01").status_code == 404
    assert client.get("/plans/units/?field=evil&q=x").status_code == 404
