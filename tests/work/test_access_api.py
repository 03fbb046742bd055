"""Every work API endpoint, for every role, in and out of scope.

Reads go through tests/access.py's matrix. Writes are checked here with the same rule and one addition:
an object out of your units is 404 (as if missing); one you can see but whose action your role lacks is
403, as the submission actions answer; one you may act on succeeds. The agency officer of the matrix is
an officer of an agency that leads no task, so it sees nothing; a real officer's reach is tested below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from giaoban.core.access import ROLE_ACTIONS, Role
from giaoban.orgs.models import Agency
from giaoban.work import services
from tests.access import Endpoint, check, matrix

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ASSIGN = {Role.SYSTEM_ADMIN, Role.APPROVER}
MEET = {Role.SYSTEM_ADMIN, Role.SECRETARY, Role.APPROVER}
# A task given to the committee of a unit below: its secretaries and approvers follow it up.
FOLLOW_UP = {Role.SYSTEM_ADMIN, Role.SECRETARY, Role.APPROVER}


class Side:
    """The objects of one scope: a committee, its agency, meetings in each state, tasks in each state."""

    def __init__(self, committee, below, *, writes: bool):
        self.committee = committee
        self.unit = committee.org_unit
        self.agency = Agency.objects.create(name=f"Công an {self.unit.name}", org_unit=self.unit)
        self.members = list(committee.memberships.all())
        self.n = 0
        self.meeting = self.make_meeting()
        self.open = self.make_task(agency=self.agency)
        if writes:
            self.for_writes(below)

    def for_writes(self, below):
        self.cancellable = self.make_meeting()
        self.issuable = self.make_meeting()
        services.conclusion_save(meeting=self.issuable, points=[services.PointInput("Duy trì báo cáo tuần.")])
        # Tasks in each state the actions need.
        self.below = [self.make_task(unit=below) for _ in range(3)]
        self.reported = [self.make_task(agency=self.agency) for _ in range(2)]
        for t in self.reported:
            services.task_report_done(task=t, actor=None, reported_on=date(2026, 10, 10))
        self.pending = [self.make_task(agency=self.agency) for _ in range(2)]
        for t in self.pending:
            services.task_extension_request(task=t, actor=None, due_on=date(2026, 11, 30), reason="Chờ số liệu")

    def make_meeting(self):
        self.n += 1
        return services.meeting_create(
            committee=self.committee,
            kind="giao_ban_thang",
            title=f"Giao ban {self.unit.name} {self.n}",
            starts_at=datetime(2026, 10, 13, 8, tzinfo=VN),
            invited_members=self.members,
        )

    def make_task(self, **kw):
        self.n += 1
        return services.task_create(
            committee=self.committee,
            title=f"Nhiệm vụ {self.unit.name} {self.n}",
            assigned_on=date(2026, 10, 1),
            due_on=date(2026, 10, 20),
            **kw,
        )


class World:
    def __init__(self, tree, committees, *, writes: bool = False):
        self.tree = tree
        self.side = {
            "in": Side(committees["38"], tree.n1, writes=writes),
            "out": Side(committees["01"], tree.q1, writes=writes),
        }
        self.unit = {"in": "38", "out": "01"}


def _m(w, s, tail=""):
    return f"/api/v1/meetings/{w.side[s].meeting.pk}/{tail}"


def _t(w, s):
    return f"/api/v1/tasks/{w.side[s].open.pk}/"


READS = [
    Endpoint(
        "api-agencies",
        lambda w, s: "/api/v1/agencies/?page_size=500",
        marker=lambda w, s: f'"name":"{w.side[s].agency.name}"',
        api=True,
    ),
    Endpoint("api-agency", lambda w, s: f"/api/v1/agencies/{w.side[s].agency.pk}/", api=True),
    Endpoint(
        "api-meetings",
        lambda w, s: "/api/v1/meetings/",
        marker=lambda w, s: f'"title":"{w.side[s].meeting.title}"',
        api=True,
    ),
    Endpoint("api-meeting", lambda w, s: _m(w, s), api=True),
    Endpoint("api-meeting-attendance", lambda w, s: _m(w, s, "attendance/"), api=True),
    Endpoint("api-meeting-minutes", lambda w, s: _m(w, s, "minutes/"), api=True),
    Endpoint("api-meeting-conclusion", lambda w, s: _m(w, s, "conclusion/"), api=True),
    Endpoint(
        "api-tasks",
        lambda w, s: "/api/v1/tasks/?page_size=500",
        marker=lambda w, s: f'"title":"{w.side[s].open.title}"',
        api=True,
    ),
    Endpoint("api-task", lambda w, s: _t(w, s), api=True),
    Endpoint("api-scorecard", lambda w, s: f"/api/v1/tasks/scorecard/?unit={w.unit[s]}&by=agency", api=True),
    Endpoint("api-scorecard-xlsx", lambda w, s: f"/api/v1/tasks/scorecard.xlsx?unit={w.unit[s]}", api=True),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(READS))
def test_it_scopes_every_work_read(client, tree, committees, make_user, endpoint, role, scope):
    world = World(tree, committees)
    user = make_user(role, tree.vn if role == Role.SYSTEM_ADMIN else tree.p1)
    check(client, world, endpoint, role, scope, user)


@dataclass(frozen=True)
class Write:
    name: str
    method: str
    url: Any  # (world, scope) -> url
    body: Any  # (side) -> body
    allowed: set


def _meeting_body(side):
    return {
        "committee": side.committee.pk,
        "kind": "giao_ban_thang",
        "title": "Giao ban tháng 11",
        "starts_at": "2026-11-10T08:00:00+07:00",
    }


WRITES = [
    Write("meeting-create", "post", lambda w, s: "/api/v1/meetings/", _meeting_body, MEET),
    Write("meeting-patch", "patch", lambda w, s: _m(w, s), lambda side: {"place": "Phòng họp 2"}, MEET),
    Write("meeting-put", "put", lambda w, s: _m(w, s), _meeting_body, MEET),
    Write("meeting-invite", "post", lambda w, s: _m(w, s, "invite/"), lambda side: {"number": "12"}, MEET),
    Write(
        "meeting-attendance",
        "post",
        lambda w, s: _m(w, s, "attendance/"),
        lambda side: [{"membership": side.members[0].pk, "status": "present"}],
        MEET,
    ),
    Write("meeting-minutes", "post", lambda w, s: _m(w, s, "minutes/"), lambda side: {"proceedings": "Đã họp."}, MEET),
    Write(
        "meeting-conclusion",
        "put",
        lambda w, s: _m(w, s, "conclusion/"),
        lambda side: {"points": [{"text": "Tiếp tục duy trì."}]},
        MEET,
    ),
    Write(
        "meeting-conclusion-issue",
        "post",
        lambda w, s: f"/api/v1/meetings/{w.side[s].issuable.pk}/conclusion/issue/",
        lambda side: {"number": "45-TB/BCĐ", "issued_on": "2026-10-16"},
        ASSIGN,
    ),
    Write(
        "meeting-delete",
        "delete",
        lambda w, s: f"/api/v1/meetings/{w.side[s].cancellable.pk}/",
        lambda side: {"reason": "Lùi lịch"},
        MEET,
    ),
    Write(
        "task-create",
        "post",
        lambda w, s: "/api/v1/tasks/",
        lambda side: {"committee": side.committee.pk, "title": "Việc mới", "agency": side.agency.pk},
        ASSIGN,
    ),
    Write(
        "task-progress",
        "post",
        lambda w, s: f"/api/v1/tasks/{w.side[s].below[0].pk}/progress/",
        lambda side: {"note": "Đang làm", "percent": 20},
        FOLLOW_UP,
    ),
    Write(
        "task-done",
        "post",
        lambda w, s: f"/api/v1/tasks/{w.side[s].below[1].pk}/done/",
        lambda side: {"result_document": "12/BC"},
        FOLLOW_UP,
    ),
    Write(
        "task-extend",
        "post",
        lambda w, s: f"/api/v1/tasks/{w.side[s].below[2].pk}/extend/",
        lambda side: {"due_on": "2026-12-31", "reason": "Chờ số liệu"},
        FOLLOW_UP,
    ),
    Write(
        "task-confirm",
        "post",
        lambda w, s: f"/api/v1/tasks/{w.side[s].reported[0].pk}/confirm/",
        lambda side: {},
        ASSIGN,
    ),
    Write(
        "task-return",
        "post",
        lambda w, s: f"/api/v1/tasks/{w.side[s].reported[1].pk}/return/",
        lambda side: {"reason": "Thiếu số liệu"},
        ASSIGN,
    ),
    Write(
        "task-extension-approve",
        "post",
        lambda w, s: f"/api/v1/tasks/{w.side[s].pending[0].pk}/extension/approve/",
        lambda side: {},
        ASSIGN,
    ),
    Write(
        "task-extension-refuse",
        "post",
        lambda w, s: f"/api/v1/tasks/{w.side[s].pending[1].pk}/extension/refuse/",
        lambda side: {"reason": "Không có căn cứ"},
        ASSIGN,
    ),
    Write("task-urge", "post", lambda w, s: _t(w, s) + "urge/", lambda side: {"kind": "phe_binh"}, ASSIGN),
]


def test_the_write_table_covers_every_write_route():
    from giaoban.work.api import tasks, views

    actions = {
        name
        for viewset in (views.MeetingViewSet, tasks.TaskViewSet)
        for name, fn in vars(viewset).items()
        if getattr(fn, "mapping", None) and set(fn.mapping) - {"get"}
    }
    assert actions == {
        "invite",
        "attendance",
        "minutes",
        "conclusion",
        "conclusion_issue",
        "progress",
        "done",
        "confirm",
        "return_",
        "extend",
        "extension_approve",
        "extension_refuse",
        "urge",
    }
    assert len(WRITES) == len(actions) + 5  # + meeting create, patch, put, delete; task create


@pytest.mark.parametrize("scope", ["in", "out"])
@pytest.mark.parametrize("role", Role.values)
def test_it_scopes_every_work_write(tree, committees, make_user, role, scope):
    world = World(tree, committees, writes=True)
    client = APIClient()
    client.force_authenticate(make_user(role, tree.vn if role == Role.SYSTEM_ADMIN else tree.p1))
    visible = (scope == "in" or role == Role.SYSTEM_ADMIN) and "view" in ROLE_ACTIONS[role]
    wrong = []
    for w in WRITES:
        r = getattr(client, w.method)(w.url(world, scope), w.body(world.side[scope]), format="json")
        expected = (200, 201, 204) if visible and role in w.allowed else ((403,) if visible else (404,))
        if r.status_code not in expected:
            wrong.append((w.name, r.status_code, r.content[:200]))
        elif r.status_code in (403, 404):
            assert set(r.json()) == {"message", "code", "extra"}
    assert not wrong, wrong


def test_a_member_agencys_officer_reads_and_follows_up_its_tasks_only(tree, committees, make_user):
    world = World(tree, committees, writes=True)
    side = world.side["in"]
    officer = make_user(Role.AGENCY_OFFICER, agency=side.agency)
    meeting = side.issuable
    services.conclusion_save(
        meeting=meeting,
        points=[services.PointInput("Báo cáo.", [services.PlannedTaskInput("Báo cáo quý", agency=side.agency)])],
    )
    services.conclusion_issue(meeting=meeting, number="45-TB/BCĐ", issued_on=date(2026, 10, 16))
    client = APIClient()
    client.force_authenticate(officer)
    # Its agency's tasks and the meeting and notice they came from; nothing else.
    titles = {t["title"] for t in client.get("/api/v1/tasks/?page_size=500").json()["results"]}
    assert side.open.title in titles and "Báo cáo quý" in titles and side.below[0].title not in titles
    assert [m["id"] for m in client.get("/api/v1/meetings/").json()["results"]] == [meeting.pk]
    assert client.get(f"/api/v1/meetings/{meeting.pk}/conclusion/").json()["number"] == "45-TB/BCĐ"
    assert client.get(f"/api/v1/meetings/{side.meeting.pk}/").status_code == 404
    assert client.get(f"/api/v1/tasks/{side.below[0].pk}/").status_code == 404
    assert client.get("/api/v1/agencies/").json()["count"] == 0
    assert client.get("/api/v1/tasks/scorecard/?unit=38").status_code == 404
    # The assignee's actions: yes. The assigner's and the secretary's: 403 on what it can see.
    url = f"/api/v1/tasks/{side.open.pk}/"
    assert client.post(url + "progress/", {"note": "Đang làm"}, format="json").status_code == 200
    assert client.post(url + "urge/", {"kind": "nhac_nho"}, format="json").status_code == 403
    assert client.post(f"/api/v1/tasks/{side.reported[0].pk}/confirm/", {}, format="json").status_code == 403
    assert client.patch(f"/api/v1/meetings/{meeting.pk}/", {"place": "x"}, format="json").status_code == 403
    r = client.post(
        "/api/v1/tasks/", {"committee": side.committee.pk, "title": "x", "agency": side.agency.pk}, format="json"
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/api/v1/agencies/", "/api/v1/meetings/", "/api/v1/tasks/", "/api/v1/tasks/scorecard/?unit=38"],
)
def test_it_refuses_anonymous_calls(client, tree, url):
    response = client.get(url)
    assert response.status_code == 401 and set(response.json()) == {"message", "code", "extra"}
