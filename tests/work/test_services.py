"""Meetings, conclusion notices and the follow-up of tasks, through the services."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from giaoban.core.errors import Conflict, ServiceError
from giaoban.work import selectors, services
from giaoban.work.models import Attendance, Conclusion, Meeting, Notification, Task, TaskEvent
from giaoban.work.services import PlannedTaskInput, PointInput

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, h=8):
    return datetime(y, m, d, h, tzinfo=VN)


@pytest.fixture
def meeting(world):
    return services.meeting_create(
        committee=world.committee,
        kind=Meeting.Kind.SO_KET_9_THANG,
        title="Hội nghị sơ kết 9 tháng năm 2026",
        period="2026N9",
        starts_at=at(2026, 10, 13),
        ends_at=at(2026, 10, 13, 11),
        place="Hội trường Tỉnh ủy",
        chair=world.members[0],
        secretary=world.members[1],
        invited_members=world.members,
        invited_agencies=[world.police],
        agenda=[services.AgendaInput("Báo cáo sơ kết", "Phó Trưởng ban", 30)],
        actor=world.approver,
    )


def test_it_flags_an_invitation_sent_fewer_than_3_working_days_ahead(meeting):
    services.meeting_invite(meeting=meeting, number="12", invited_on=date(2026, 10, 8))  # Thu -> Tue: 3 days
    meeting.refresh_from_db()
    assert not services.invitation_is_late(meeting)
    services.meeting_invite(meeting=meeting, number="12", invited_on=date(2026, 10, 9))  # Fri -> Tue: 2 days
    meeting.refresh_from_db()
    assert services.invitation_is_late(meeting)
    assert meeting.status == Meeting.Status.INVITED


def test_it_refuses_an_absence_without_a_reason_and_writes_nothing(world, meeting):
    with pytest.raises(ServiceError) as exc:
        services.attendance_record(
            meeting=meeting,
            rows=[
                {"membership": world.members[0], "status": "present"},
                {"membership": world.members[1], "status": "absent"},
                {"membership": world.members[2], "status": "delegated"},
            ],
        )
    assert [e["row"] for e in exc.value.extra["errors"]] == [2, 3]
    assert not Attendance.objects.exists()
    services.attendance_record(
        meeting=meeting,
        rows=[
            {"membership": world.members[0], "status": "present"},
            {"membership": world.members[1], "status": "absent", "reason": "Đi công tác"},
            {"membership": world.members[2], "status": "delegated", "delegate": "Nguyễn Văn Thay"},
        ],
    )
    assert sorted(Attendance.objects.values_list("status", flat=True)) == ["absent", "delegated", "present"]


def test_issuing_the_notice_numbers_it_locks_it_and_gives_its_tasks(world, meeting):
    services.minutes_save(meeting=meeting, proceedings="Hội nghị đã nghe báo cáo.", closed_at=at(2026, 10, 13, 11))
    conclusion = services.conclusion_save(
        meeting=meeting,
        points=[
            PointInput(
                "Duy trì chế độ báo cáo tuần.",
                [PlannedTaskInput("Báo cáo tuần", below=True, due_on=date(2026, 12, 31))],
            ),
            PointInput(
                "Chuẩn bị tổng kết năm.",
                [
                    PlannedTaskInput(
                        "Dự thảo báo cáo tổng kết",
                        agency=world.police,
                        supporting=[world.youth],
                        due_on=date(2026, 11, 30),
                    )
                ],
            ),
        ],
    )
    assert conclusion.version == 1
    services.conclusion_issue(meeting=meeting, number="45-TB/BCĐ", issued_on=date(2026, 10, 16), actor=world.approver)
    conclusion.refresh_from_db()
    assert conclusion.status == Conclusion.Status.ISSUED
    tasks = Task.objects.filter(point__conclusion=conclusion).order_by("point__number", "unit__code")
    # One task for each commune committee below, one for the police.
    assert [(t.point.number, t.unit.code if t.unit else t.agency.short_name) for t in tasks] == [
        (1, "15061"),
        (1, "15085"),
        (2, "CA"),
    ]
    assert list(tasks[2].supporting.all()) == [world.youth]
    with pytest.raises(ServiceError):
        services.conclusion_save(meeting=meeting, points=[PointInput("x")])
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONCLUDED
    # The police officer was told.
    assert Notification.objects.filter(user=world.police_officer, kind="assigned").count() == 1


def test_a_stale_draft_save_is_a_conflict(world, meeting):
    services.conclusion_save(meeting=meeting, points=[PointInput("Một")])
    with pytest.raises(Conflict):
        services.conclusion_save(meeting=meeting, points=[PointInput("Hai")], expected_version=0)


def _task(world, **kw):
    kw.setdefault("agency", world.police)
    kw.setdefault("due_on", date(2026, 10, 20))
    return services.task_create(
        committee=world.committee, title="Xây dựng kế hoạch", assigned_on=date(2026, 10, 1), actor=world.approver, **kw
    )


def test_done_counts_from_the_reported_day_once_confirmed(world):
    task = _task(world)
    services.task_progress(task=task, actor=world.police_officer, note="Đã có dự thảo", percent=50)
    services.task_report_done(
        task=task, actor=world.police_officer, result_document="125/KH-CAT", reported_on=date(2026, 10, 19)
    )
    task.refresh_from_db()
    assert selectors.task_status_of(task, date(2026, 10, 25))[0] == "overdue"  # not confirmed yet
    services.task_confirm(task=task, actor=world.approver)
    task.refresh_from_db()
    assert task.done_on == date(2026, 10, 19)
    assert selectors.task_status_of(task, date(2026, 10, 25))[0] == "done_on_time"
    card = selectors.scorecard(world.tree.p1, date(2026, 10, 25), by="agency")
    assert card.total.counts["done_on_time"] == 1
    assert [(r.label, r.counts["done_on_time"]) for r in card.rows] == [("Công an tỉnh Thanh Hóa", 1)]


def test_a_return_after_done_reopens_the_task_and_its_counts(world):
    task = _task(world)
    services.task_report_done(task=task, actor=world.police_officer, reported_on=date(2026, 10, 10))
    services.task_confirm(task=task, actor=world.approver)
    with pytest.raises(ServiceError):
        services.task_return(task=task, actor=world.approver, reason="")
    services.task_return(task=task, actor=world.approver, reason="Chưa đủ nội dung")
    task.refresh_from_db()
    assert (task.state, task.done_on) == ("open", None)
    card = selectors.scorecard(world.tree.p1, date(2026, 10, 25))
    assert (card.total.counts["done_on_time"], card.total.counts["overdue"]) == (0, 1)
    assert [e.kind for e in task.events.all()] == ["created", "reported_done", "confirmed", "returned"]


def test_an_approved_extension_moves_the_deadline_and_a_refused_one_does_not(world):
    task = _task(world)
    services.task_extension_request(
        task=task, actor=world.police_officer, due_on=date(2026, 11, 5), reason="Chờ số liệu"
    )
    with pytest.raises(Conflict):
        services.task_extension_request(task=task, actor=world.police_officer, due_on=date(2026, 11, 6), reason="x")
    services.task_extension_approve(task=task, actor=world.approver)
    task.refresh_from_db()
    assert task.due_on == date(2026, 11, 5)
    assert selectors.scorecard(world.tree.p1, date(2026, 10, 25)).total.counts["in_time"] == 1
    services.task_extension_request(task=task, actor=world.police_officer, due_on=date(2026, 11, 30), reason="Lần 2")
    services.task_extension_refuse(task=task, actor=world.approver, reason="Không có căn cứ")
    task.refresh_from_db()
    assert task.due_on == date(2026, 11, 5)
    assert TaskEvent.objects.filter(task=task, kind="extension_refused").count() == 1


def test_it_refuses_an_agency_that_is_not_a_member_and_a_unit_not_below(world):
    with pytest.raises(ServiceError):
        _task(world, agency=world.other_agency)
    with pytest.raises(ServiceError):
        _task(world, agency=None, unit=world.tree.q1)
    with pytest.raises(ServiceError):
        _task(world, agency=None, unit=world.tree.p1)


def test_urging_is_counted_by_kind(world):
    task = _task(world)
    services.task_urge(task=task, actor=world.approver, kind="nhac_nho", note="Đề nghị khẩn trương")
    services.task_urge(task=task, actor=world.approver, kind="phe_binh")
    with pytest.raises(ServiceError):
        services.task_urge(task=task, actor=world.approver, kind="khen")
    assert task.events.filter(kind="urged").count() == 2
    assert Notification.objects.filter(user=world.police_officer, kind="urged").count() == 2


def test_an_agency_officer_sees_only_their_agencys_tasks_and_notices(world, meeting):
    mine = _task(world)
    theirs = _task(world, agency=world.youth)
    lower = _task(world, agency=None, unit=world.tree.n1)
    assert set(selectors.tasks_for(world.police_officer)) == {mine}
    assert set(selectors.tasks_for(world.youth_officer)) == {theirs}
    assert set(selectors.tasks_for(world.commune_secretary)) == {lower}
    assert set(selectors.tasks_for(world.approver)) == {mine, theirs, lower}
    assert not selectors.tasks_for(world.outsider).exists()
    assert not selectors.meetings_for(world.police_officer).exists()
    services.conclusion_save(
        meeting=meeting, points=[PointInput("Một", [PlannedTaskInput("Việc", agency=world.police)])]
    )
    services.conclusion_issue(meeting=meeting, number="1-TB/BCĐ", issued_on=date(2026, 10, 14))
    assert list(selectors.meetings_for(world.police_officer)) == [meeting]
    assert not selectors.meetings_for(world.youth_officer).exists()


def test_the_notice_is_due_5_working_days_after_the_meeting(meeting):
    assert services.conclusion_due_on(meeting) == date(2026, 10, 20)
    assert meeting.starts_at.date() + timedelta(days=7) == date(2026, 10, 20)


def test_the_scorecard_downloads_as_xlsx_with_the_same_counts(world):
    import io

    from openpyxl import load_workbook

    from giaoban.work import exports

    _task(world)
    _task(world, agency=None, unit=world.tree.n1, due_on=date(2026, 12, 1))
    card = selectors.scorecard(world.tree.p1, date(2026, 10, 25), by="child")
    ws = load_workbook(io.BytesIO(exports.scorecard_xlsx(card))).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    by_label = {r[0]: r[1:] for r in rows}
    assert by_label["Xã Ngọc Lặc"][:5] == [1, 0, 0, 1, 0]
    assert by_label["Tổng cộng"][:5] == [2, 0, 0, 1, 1]


def test_the_services_refuse_a_person_acting_for_the_wrong_side(world):
    from giaoban.core.errors import Forbidden

    task = _task(world)
    with pytest.raises(Forbidden):
        services.task_progress(task=task, actor=world.youth_officer, note="Không phải việc của Tỉnh đoàn")
    with pytest.raises(Forbidden):
        services.task_confirm(task=task, actor=world.police_officer)
    with pytest.raises(Forbidden):
        services.task_urge(task=task, actor=world.secretary, kind="nhac_nho")
    with pytest.raises(Forbidden):
        services.task_create(committee=world.committee, title="Việc", agency=world.police, actor=world.secretary)
    assert [e.kind for e in task.events.all()] == ["created"]
    # The system (demo, command line, jobs) acts with no person.
    services.task_progress(task=task, actor=None, note="Ghi nhận từ báo cáo giấy", percent=10)
