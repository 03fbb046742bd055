"""The calendar (page and private .ics feed): what it shows equals what the selectors say, scoped like them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from giaoban.reporting import periods
from giaoban.reporting import selectors as reporting_selectors
from giaoban.reporting import services as reporting_services
from giaoban.work import calendar as cal
from giaoban.work import selectors, services
from giaoban.work.models import CalendarFeed, Meeting
from tests.reporting.conftest import Catalog

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FEB_START, FEB_END = date(2026, 2, 1), date(2026, 2, 28)


def at(y, m, d, h=8):
    return datetime(y, m, d, h, tzinfo=VN)


def meeting(committee, day: date, title: str, **extra) -> Meeting:
    return services.meeting_create(
        committee=committee, kind="giao_ban_thang", title=title, starts_at=at(day.year, day.month, day.day), **extra
    )


@pytest.fixture(autouse=True)
def today_is_15_february_2026(monkeypatch):
    """The feed holds three months back and a year ahead of today, and the page opens on today's month."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 2, 15))


@pytest.fixture
def catalog(tree):
    return Catalog()


@pytest.fixture
def february(world, catalog):
    """February 2026 (Tết: 16–20/02) at province 38: a draft and an invited meeting, two tasks (one overdue on
    25/02), and the same at province 01 for the outsider."""
    draft = meeting(world.committee, date(2026, 2, 5), "Giao ban tháng 1", place="Phòng họp số 2")
    invited = meeting(
        world.committee,
        date(2026, 2, 26),
        "Giao ban tháng 2",
        ends_at=at(2026, 2, 26, 11),
        place="Hội trường Tỉnh ủy",
        online_url="https://hop.example.invalid/bcd35",
        invited_members=world.members[:1],
    )
    services.meeting_invite(meeting=invited, invited_on=date(2026, 2, 10))
    meeting(world.committee, date(2026, 3, 2), "Giao ban tháng 3")  # next month: not in February
    other = meeting(world.other_committee, date(2026, 2, 12), "Giao ban Hà Nội")
    done = services.task_create(
        committee=world.committee,
        title="Tổng hợp báo cáo tháng",
        agency=world.police,
        assigned_on=date(2026, 1, 20),
        due_on=date(2026, 2, 13),
    )
    done = services.task_report_done(task=done, actor=None, reported_on=date(2026, 2, 12))
    done = services.task_confirm(task=done, actor=None)
    late = services.task_create(
        committee=world.committee,
        title="Rà soát kênh thông tin",
        agency=world.youth,
        assigned_on=date(2026, 1, 20),
        due_on=date(2026, 2, 24),
    )
    outside = services.task_create(
        committee=world.other_committee,
        title="Nhiệm vụ Hà Nội",
        agency=world.other_agency,
        assigned_on=date(2026, 1, 20),
        due_on=date(2026, 2, 13),
    )
    return {"draft": draft, "invited": invited, "other": other, "done": done, "late": late, "outside": outside}


def test_it_shows_what_the_selectors_say_for_a_committee_and_a_month(world, catalog, february):
    today = date(2026, 2, 25)
    user = world.approver
    entries = cal.calendar_entries(user, FEB_START, FEB_END, committee=world.committee, today=today)
    # Meetings: the committee's of the month, drafts included and marked.
    expected_meetings = (
        selectors.meetings_for(user)
        .filter(committee=world.committee, starts_at__gte=at(2026, 2, 1, 0), starts_at__lt=at(2026, 3, 1, 0))
        .order_by("starts_at")
    )
    got = [e for e in entries if e.kind == "meeting"]
    assert [e.uid for e in got] == [f"meeting-{m.pk}@giaoban" for m in expected_meetings]
    assert [(e.title, e.draft) for e in got] == [("Giao ban tháng 1", True), ("Giao ban tháng 2", False)]
    # Task deadlines with the status of work.status as of today: the one due 24/02 is overdue on 25/02.
    expected_tasks = selectors.tasks_with_status(
        selectors.tasks_for(user).filter(committee=world.committee, due_on__range=(FEB_START, FEB_END)), today
    )
    got = [e for e in entries if e.kind == "task"]
    assert sorted((e.uid, e.day, e.status, e.overdue) for e in got) == sorted(
        (f"task-{t.pk}@giaoban", t.due_on, t.status, t.status == "overdue") for t in expected_tasks
    )
    assert {e.title for e in got if e.overdue} == {"Rà soát kênh thông tin"}
    # Report deadlines: those of the communes' weekly form, as the communes' status page computes them; the
    # districts' monthly form has no district left to file it in 2026 (closed on 30/06/2025).
    rows = reporting_selectors.unit_periods(world.tree.n1, date(2026, 3, 20), count=12)
    expected = sorted(
        (r.deadline, f"report-{r.form.code}-{r.period}@giaoban") for r in rows if FEB_START <= r.deadline <= FEB_END
    )
    assert sorted((e.day, e.uid) for e in entries if e.kind == "report") == expected
    # Tết: the weeks ending 15/02 and 22/02 are both due on 24/02 (16–20/02 are days off), not on 17/02.
    by_uid = {e.uid: e.day for e in entries if e.kind == "report"}
    assert by_uid["report-W35-2026W07@giaoban"] == date(2026, 2, 24)
    assert by_uid["report-W35-2026W08@giaoban"] == date(2026, 2, 24)
    assert reporting_services.deadline_for(catalog.weekly, "2026W07") == date(2026, 2, 24)
    assert not any("M35" in e.uid for e in entries)
    # Nothing of another committee.
    assert f"meeting-{february['other'].pk}@giaoban" not in {e.uid for e in entries}


def test_it_shows_the_monthly_form_while_districts_still_filed_it(world, catalog):
    entries = cal.calendar_entries(world.approver, date(2025, 5, 1), date(2025, 5, 31), kinds=["report"])
    # April 2025 (cut-off 30/04; 01/05 and, swapped, 02/05 off) is due three working days later: 07/05.
    april = {e.uid: e.day for e in entries}["report-M35-2025-04@giaoban"]
    assert april == reporting_services.deadline_for(catalog.monthly, "2025-04") == date(2025, 5, 7)
    assert periods.cutoff("2025-04", "calendar") == date(2025, 4, 30)


def test_the_page_shows_the_month_grid_and_the_days_list_in_vietnamese(client, world, february):
    client.force_login(world.approver)
    page = client.get(f"/calendar/?month=2026-02&committee={world.committee.pk}").content.decode()
    assert "Tháng Hai năm 2026" in page
    assert 'id="grid"' in page and "T2" in page and "CN" in page
    assert "Thứ Năm, ngày 05 tháng 02 năm 2026" in page  # the list of days (what a phone shows)
    assert f'href="/meetings/{february["draft"].pk}/"' in page and "Dự thảo" in page
    assert "Hạn nộp Báo cáo tuần BCĐ 35, kỳ tuần 7/2026" in page
    assert f'href="/tasks/{february["late"].pk}/"' in page
    assert f'href="/meetings/{february["other"].pk}/"' not in page
    # Previous / next month keep the committee.
    assert f"month=2026-01&amp;committee={world.committee.pk}" in page
    assert f"month=2026-03&amp;committee={world.committee.pk}" in page
    # Only the meetings: no deadline.
    only = client.get(f"/calendar/?month=2026-02&committee={world.committee.pk}&kind=meeting&view=list").content
    assert "Giao ban tháng 1" in only.decode() and "Hạn nộp" not in only.decode() and 'id="grid"' not in only.decode()


@pytest.mark.usefixtures("compiled_locale")
def test_month_and_day_names_in_english():
    from django.utils import translation

    with translation.override("en"):
        assert cal.month_title(date(2026, 2, 1)) == "February 2026"
        assert [str(d) for d in cal.WEEKDAY_SHORT] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        assert str(cal.WEEKDAY_NAMES[6]) == "Sunday"


def test_an_out_of_scope_committee_is_404_on_the_page_and_in_the_feed(client, world, february):
    client.force_login(world.approver)
    assert client.get(f"/calendar/?committee={world.other_committee.pk}").status_code == 404
    assert client.get("/calendar/?committee=x").status_code == 404
    feed = services.calendar_feed_rotate(user=world.approver)
    r = client.get(f"/api/v1/calendar.ics?token={feed.token}&committee={world.other_committee.pk}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def _events(body: bytes) -> dict:
    return {str(ev["UID"]): ev for ev in Calendar.from_ical(body).walk("VEVENT")}


def test_the_feed_parses_back_with_icalendar(client, world, february):
    feed = services.calendar_feed_rotate(user=world.approver)
    r = client.get(f"/api/v1/calendar.ics?token={feed.token}&month=ignored")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    parsed = Calendar.from_ical(r.content)
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    events = _events(r.content)
    invited = events[f"meeting-{february['invited'].pk}@giaoban"]
    assert invited["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert invited.decoded("DTSTART") == at(2026, 2, 26) and invited.decoded("DTEND") == at(2026, 2, 26, 11)
    assert str(invited["LOCATION"]) == "Hội trường Tỉnh ủy · https://hop.example.invalid/bcd35"
    assert str(invited["STATUS"]) == "CONFIRMED"
    assert str(invited["URL"]) == f"http://testserver/meetings/{february['invited'].pk}/"
    draft = events[f"meeting-{february['draft'].pk}@giaoban"]
    assert str(draft["SUMMARY"]) == "[Dự thảo] Giao ban tháng 1" and str(draft["STATUS"]) == "TENTATIVE"
    # Deadlines are all-day events.
    task = events[f"task-{february['late'].pk}@giaoban"]
    assert task.decoded("DTSTART") == date(2026, 2, 24) and task.decoded("DTEND") == date(2026, 2, 25)
    week = events["report-W35-2026W07@giaoban"]
    assert week.decoded("DTSTART") == date(2026, 2, 24)
    # The same UIDs on the next fetch: a calendar application updates, never duplicates.
    assert set(_events(client.get(f"/api/v1/calendar.ics?token={feed.token}").content)) == set(events)


def test_the_feed_of_a_user_never_shows_another_provinces_items(client, world, february):
    mine = _events(
        client.get(f"/api/v1/calendar.ics?token={services.calendar_feed_rotate(user=world.approver).token}").content
    )
    theirs = _events(
        client.get(f"/api/v1/calendar.ics?token={services.calendar_feed_rotate(user=world.outsider).token}").content
    )
    assert f"meeting-{february['invited'].pk}@giaoban" in mine and f"task-{february['late'].pk}@giaoban" in mine
    assert f"meeting-{february['other'].pk}@giaoban" not in mine
    assert f"task-{february['outside'].pk}@giaoban" not in mine
    assert f"meeting-{february['other'].pk}@giaoban" in theirs and f"task-{february['outside'].pk}@giaoban" in theirs
    ours = {f"meeting-{february[k].pk}@giaoban" for k in ("draft", "invited")}
    ours |= {f"task-{february[k].pk}@giaoban" for k in ("done", "late")}
    assert not ours & set(theirs)
    # The officer of the police sees its agency's task, nothing of the other agency's or of another province.
    officer = _events(
        client.get(
            f"/api/v1/calendar.ics?token={services.calendar_feed_rotate(user=world.police_officer).token}"
        ).content
    )
    assert {u for u in officer if u.startswith("task-")} == {f"task-{february['done'].pk}@giaoban"}
    assert not any(u.startswith("report-") for u in officer)


def test_a_new_link_revokes_the_old_one(client, world, february):
    client.force_login(world.approver)
    page = client.get("/calendar/").content.decode()
    assert 'id="feed-url"' not in page and 'id="new-feed"' in page
    client.post("/calendar/feed/", {"back": "month=2026-02"})
    old = CalendarFeed.objects.get(user=world.approver).token
    page = client.get("/calendar/?month=2026-02").content.decode()
    assert f"http://testserver/api/v1/calendar.ics?token={old}" in page and 'id="copy-feed"' in page
    client.logout()
    assert client.get(f"/api/v1/calendar.ics?token={old}").status_code == 200
    client.force_login(world.approver)
    response = client.post("/calendar/feed/", {"back": "month=2026-02"})
    assert response.status_code == 302 and response["Location"] == "/calendar/?month=2026-02"
    new = CalendarFeed.objects.get(user=world.approver).token
    assert new != old
    client.logout()
    gone = client.get(f"/api/v1/calendar.ics?token={old}")
    assert gone.status_code == 404 and set(gone.json()) == {"message", "code", "extra"}
    assert gone.json()["code"] == "not_found"
    assert client.get(f"/api/v1/calendar.ics?token={new}").status_code == 200
    assert client.get("/api/v1/calendar.ics").status_code == 404
    asked_json = client.get(f"/api/v1/calendar.ics?token={new}", HTTP_ACCEPT="application/json")
    assert asked_json.status_code == 406 and asked_json.json()["code"] == "not_acceptable"
    assert client.get("/api/v1/calendar.ics?token=" + "x" * 500).status_code == 404
    # A deactivated user's link is dead too.
    world.approver.is_active = False
    world.approver.save(update_fields=["is_active"])
    assert client.get(f"/api/v1/calendar.ics?token={new}").status_code == 404


def _grow(world, n: int, day0: int) -> None:
    for i in range(n):
        day = date(2026, 2, 2 + (day0 + i) % 25)
        meeting(world.committee, day, f"Họp {day0 + i}")
        services.task_create(
            committee=world.committee,
            title=f"Việc {day0 + i}",
            agency=world.police,
            assigned_on=date(2026, 1, 20),
            due_on=day,
        )


def test_the_page_and_the_feed_take_the_same_number_of_queries_as_meetings_and_tasks_grow(client, world, catalog):
    client.force_login(world.approver)
    token = services.calendar_feed_rotate(user=world.approver).token

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _grow(world, 2, 0)
    few = (count("/calendar/?month=2026-02"), count(f"/api/v1/calendar.ics?token={token}"))
    _grow(world, 12, 2)
    many = (count("/calendar/?month=2026-02"), count(f"/api/v1/calendar.ics?token={token}"))
    assert many == few
    assert few[0] <= 14 and few[1] <= 11, few


def test_the_month_and_query_parsing():
    assert cal.month_grid(date(2026, 2, 1))[0][0] == date(2026, 1, 26)  # weeks start on Monday
    assert cal.month_title(date(2026, 10, 1)) == "Tháng Mười năm 2026"
    assert cal.CalendarQuery(month=date(2026, 2, 1), kinds=["meeting"]).params(view="list") == (
        "month=2026-02&kind=meeting&view=list"
    )
