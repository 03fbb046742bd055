"""The calendar page and the private .ics feed, for every role, in and out of scope (see tests/access.py)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from giaoban.core.access import Role
from giaoban.work import services
from giaoban.work.models import Task
from giaoban.work.services import PlannedTaskInput, PointInput
from tests.access import Endpoint, check, matrix

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class Calendars:
    """A meeting whose notice gave a task, in the user's province ("in") and in another ("out"); `token` is the
    feed of the user under test, set once that user exists."""

    token = ""

    def __init__(self, world):
        self.committee = {"in": world.committee, "out": world.other_committee}
        agency = {"in": world.police, "out": world.other_agency}
        self.meeting, self.task = {}, {}
        for scope, committee in self.committee.items():
            meeting = services.meeting_create(
                committee=committee,
                kind="giao_ban_thang",
                title=f"Giao ban tháng 10 ({scope})",
                starts_at=datetime(2026, 10, 13, 8, tzinfo=VN),
            )
            services.conclusion_save(
                meeting=meeting,
                points=[
                    PointInput(
                        "Kết luận",
                        [PlannedTaskInput(f"Nhiệm vụ {scope}", agency=agency[scope], due_on=date(2026, 10, 30))],
                    )
                ],
            )
            services.conclusion_issue(meeting=meeting, number="", issued_on=date(2026, 10, 15))
            self.meeting[scope] = meeting
            self.task[scope] = Task.objects.get(point__conclusion__meeting=meeting)


ENDPOINTS = [
    Endpoint(
        "calendar",
        lambda c, s: "/calendar/?month=2026-10",
        marker=lambda c, s: f'href="/meetings/{c.meeting[s].pk}/"',
    ),
    Endpoint(
        "calendar-task",
        lambda c, s: "/calendar/?month=2026-10&view=list",
        marker=lambda c, s: f'href="/tasks/{c.task[s].pk}/"',
    ),
    Endpoint("calendar-committee", lambda c, s: f"/calendar/?month=2026-10&committee={c.committee[s].pk}"),
    Endpoint(
        "calendar-feed",
        lambda c, s: f"/api/v1/calendar.ics?token={c.token}",
        marker=lambda c, s: f"UID:meeting-{c.meeting[s].pk}@giaoban",
        api=True,
    ),
    Endpoint(
        "calendar-feed-committee",
        lambda c, s: f"/api/v1/calendar.ics?token={c.token}&committee={c.committee[s].pk}",
        api=True,
    ),
]


@pytest.fixture(autouse=True)
def october_2026(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 10, 20))


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_the_calendar_and_the_feed(client, world, make_user, endpoint, role, scope):
    calendars = Calendars(world)
    user = make_user(role, world.tree.vn if role == Role.SYSTEM_ADMIN else world.tree.p1)
    calendars.token = services.calendar_feed_rotate(user=user).token
    check(client, calendars, endpoint, role, scope, user)


def test_an_officer_of_the_lead_agency_sees_its_meeting_and_task_but_no_committee(client, world):
    calendars = Calendars(world)
    client.force_login(world.police_officer)
    page = client.get("/calendar/?month=2026-10").content.decode()
    assert f'href="/tasks/{calendars.task["in"].pk}/"' in page
    assert f'href="/meetings/{calendars.meeting["in"].pk}/"' in page
    assert f'href="/meetings/{calendars.meeting["out"].pk}/"' not in page
    assert client.get(f"/calendar/?committee={world.committee.pk}").status_code == 404
    token = services.calendar_feed_rotate(user=world.police_officer).token
    body = client.get(f"/api/v1/calendar.ics?token={token}").content.decode()
    assert f"UID:task-{calendars.task['in'].pk}@giaoban" in body
    assert f"UID:task-{calendars.task['out'].pk}@giaoban" not in body


def test_the_calendar_needs_a_signed_in_user_and_the_feed_a_token(client, world):
    assert client.get("/calendar/").status_code == 302
    assert client.post("/calendar/feed/").status_code == 302
    r = client.get("/api/v1/calendar.ics?token=nope")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
