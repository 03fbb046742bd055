"""The work pages: each renders for the right roles, forms write through the services, bad input is a
message in the page, out of scope is 404."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from giaoban.work import selectors, services
from giaoban.work.models import Attendance, Conclusion, Meeting, Notification, Task, TaskEvent
from giaoban.work.services import PlannedTaskInput, PointInput

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into the repository or var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


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


def _task(world, **kw):
    kw.setdefault("agency", world.police)
    kw.setdefault("due_on", date(2026, 10, 20))
    kw.setdefault("assigned_on", date(2026, 10, 1))
    kw.setdefault("title", "Xây dựng kế hoạch")
    return services.task_create(committee=world.committee, actor=world.approver, **kw)


def _issued(world, meeting, number="45-TB/BCĐ"):
    services.conclusion_save(
        meeting=meeting,
        points=[PointInput("Chuẩn bị tổng kết.", [PlannedTaskInput("Dự thảo báo cáo", agency=world.police)])],
    )
    return services.conclusion_issue(meeting=meeting, number=number, issued_on=date(2026, 10, 16))


# --- Meetings ---------------------------------------------------------------------------------------------


def test_it_lists_the_months_meetings_with_their_flags(client, world, meeting):
    client.force_login(world.secretary)
    page = client.get("/meetings/?month=2026-10").content.decode()
    assert "Hội nghị sơ kết 9 tháng năm 2026" in page
    assert "9 tháng 2026" in page
    # Not invited yet and the meeting is past: the notice is late (due 20/10/2026).
    assert "20/10/2026" in page and "conclusion-late" in page
    assert "Hội nghị sơ kết" not in client.get("/meetings/?month=2026-11").content.decode()
    assert (
        "Hội nghị sơ kết"
        not in client.get(f"/meetings/?month=2026-10&committee={world.other_committee.pk}").content.decode()
    )


def test_a_bad_month_is_a_message_not_a_500(client, world):
    client.force_login(world.secretary)
    response = client.get("/meetings/?month=2026-13")
    assert response.status_code == 200
    assert "Tháng không hợp lệ" in response.content.decode()


def test_it_schedules_a_meeting_through_the_form(client, world):
    client.force_login(world.secretary)
    form = client.get(f"/meetings/new/?committee={world.committee.pk}")
    assert form.status_code == 200
    assert world.members[0].person_name in form.content.decode()
    response = client.post(
        "/meetings/new/",
        {
            "committee": world.committee.pk,
            "kind": "giao_ban_thang",
            "title": "Giao ban tháng 10",
            "period": "2026-10",
            "starts_at": "2026-10-28T08:00",
            "ends_at": "2026-10-28T11:00",
            "place": "Phòng họp số 1",
            "chair": world.members[0].pk,
            "secretary": world.members[1].pk,
            "invited_members": [m.pk for m in world.members],
            "invited_agencies": [world.police.pk],
            "agenda_count": 2,
            "agenda_title_0": "Báo cáo tháng",
            "agenda_presenter_0": "Thư ký",
            "agenda_minutes_0": "20",
            "agenda_files_0": SimpleUploadedFile("du-thao.docx", b"PK\x03\x04 draft"),
            "agenda_title_1": "",
        },
    )
    meeting = Meeting.objects.get(title="Giao ban tháng 10")
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert meeting.invitees.count() == len(world.members) + 1
    item = meeting.agenda.get()
    assert (item.title, item.minutes, item.files.count()) == ("Báo cáo tháng", 20, 1)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    f = item.files.get()
    assert f"/meetings/{meeting.pk}/files/{f.pk}/" in page
    assert client.get(f"/meetings/{meeting.pk}/files/{f.pk}/").status_code == 200


def test_a_bad_meeting_form_keeps_what_was_typed_and_says_why(client, world):
    client.force_login(world.secretary)
    response = client.post(
        "/meetings/new/",
        {
            "committee": world.committee.pk,
            "kind": "giao_ban_thang",
            "title": "Giao ban có lỗi",
            "period": "2026X9",
            "starts_at": "2026-10-28T08:00",
            "agenda_count": 1,
            "agenda_title_0": "Mục đã gõ",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Kỳ không hợp lệ" in page and "Mục đã gõ" in page and "Giao ban có lỗi" in page
    assert not Meeting.objects.exists()


def test_an_agency_officer_and_an_outsider_cannot_schedule(client, world):
    for user in (world.police_officer, world.outsider):
        client.force_login(user)
        assert client.get(f"/meetings/new/?committee={world.committee.pk}").status_code == 404


def test_the_invitation_is_flagged_when_fewer_than_3_working_days_ahead(client, world):
    soon = timezone.localdate() + timedelta(days=1)
    m = services.meeting_create(
        committee=world.committee,
        kind="giao_ban_tuan",
        title="Giao ban tuần",
        starts_at=datetime(soon.year, soon.month, soon.day, 8, tzinfo=VN),
        invited_members=world.members,
    )
    client.force_login(world.secretary)
    page = client.get(f"/meetings/{m.pk}/").content.decode()
    assert 'id="late-warning"' in page and "QĐ 45/2018" in page
    response = client.post(f"/meetings/{m.pk}/invite/", {"number": "12/GM-BCĐ", "invited_on": ""}, follow=True)
    m.refresh_from_db()
    assert m.status == "invited" and m.invitation_number == "12/GM-BCĐ"
    assert "chưa đủ 3 ngày làm việc" in response.content.decode()
    assert "invitation-late" in response.content.decode()


def test_inviting_nobody_is_a_message_in_the_page(client, world):
    m = services.meeting_create(
        committee=world.committee, kind="giao_ban_tuan", title="Chưa mời ai", starts_at=at(2026, 12, 20)
    )
    client.force_login(world.secretary)
    response = client.post(f"/meetings/{m.pk}/invite/", {"number": "1"})
    assert response.status_code == 400
    assert "Chưa có ai được mời" in response.content.decode()


def test_it_records_attendance_and_shows_a_missing_reason(client, world, meeting):
    client.force_login(world.secretary)
    m0, m1, m2 = world.members
    bad = client.post(
        f"/meetings/{meeting.pk}/attendance/",
        {f"status_{m0.pk}": "present", f"status_{m1.pk}": "absent", f"status_{m2.pk}": "delegated"},
    )
    assert bad.status_code == 400
    assert "Vắng mặt phải có lý do" in bad.content.decode()
    assert not Attendance.objects.exists()
    ok = client.post(
        f"/meetings/{meeting.pk}/attendance/",
        {
            f"status_{m0.pk}": "present",
            f"status_{m1.pk}": "absent",
            f"reason_{m1.pk}": "Đi công tác",
            f"status_{m2.pk}": "delegated",
            f"delegate_{m2.pk}": "Nguyễn Văn Thay",
        },
    )
    assert ok.status_code == 302
    assert dict(Attendance.objects.values_list("membership_id", "status")) == {
        m0.pk: "present",
        m1.pk: "absent",
        m2.pk: "delegated",
    }


def test_it_saves_the_minutes_and_refuses_a_closing_time_before_the_start(client, world, meeting):
    client.force_login(world.secretary)
    bad = client.post(
        f"/meetings/{meeting.pk}/minutes/",
        {"proceedings": "Diễn biến", "closed_at": "2026-10-12T11:00", "version": meeting.version},
    )
    assert bad.status_code == 400 and "trước giờ bắt đầu" in bad.content.decode()
    client.post(
        f"/meetings/{meeting.pk}/minutes/",
        {"proceedings": "Hội nghị đã nghe báo cáo.", "closed_at": "2026-10-13T11:30", "version": meeting.version},
    )
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.proceedings == "Hội nghị đã nghe báo cáo."


# --- The conclusion editor --------------------------------------------------------------------------------


def _conclusion_post(world, version, **extra):
    data = {
        "version": version,
        "point_count": 2,
        "point_0_text": "Duy trì chế độ báo cáo tuần.",
        "point_0_task_count": 1,
        "point_0_task_0_title": "Báo cáo tuần",
        "point_0_task_0_target": "below",
        "point_0_task_0_due": "2026-12-31",
        "point_1_text": "Chuẩn bị tổng kết năm.",
        "point_1_task_count": 1,
        "point_1_task_0_title": "Dự thảo báo cáo tổng kết",
        "point_1_task_0_target": str(world.police.pk),
        "point_1_task_0_supporting": [str(world.youth.pk)],
        "point_1_task_0_due": "",
        "action": "save",
    }
    data.update(extra)
    return data


def test_the_conclusion_editor_saves_a_versioned_draft_and_refuses_a_stale_one(client, world, meeting):
    client.force_login(world.secretary)
    assert client.get(f"/meetings/{meeting.pk}/conclusion/").status_code == 200
    assert client.post(f"/meetings/{meeting.pk}/conclusion/", _conclusion_post(world, 0)).status_code == 302
    conclusion = Conclusion.objects.get(meeting=meeting)
    assert conclusion.version == 1
    points = list(conclusion.points.prefetch_related("planned_tasks__supporting"))
    assert [p.text for p in points] == ["Duy trì chế độ báo cáo tuần.", "Chuẩn bị tổng kết năm."]
    planned = points[1].planned_tasks.get()
    assert (planned.agency, planned.due_on, list(planned.supporting.all())) == (world.police, None, [world.youth])
    stale = client.post(
        f"/meetings/{meeting.pk}/conclusion/", _conclusion_post(world, 0, point_0_text="Sửa đè lên bản mới")
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "vừa được người khác sửa" in page and "Sửa đè lên bản mới" in page  # nothing typed is lost


def test_adding_a_point_keeps_the_typed_draft(client, world, meeting):
    client.force_login(world.secretary)
    response = client.post(f"/meetings/{meeting.pk}/conclusion/", _conclusion_post(world, 0, action="add_point"))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="point-2"' in page and "Chuẩn bị tổng kết năm." in page
    assert not Conclusion.objects.exists()


def test_issuing_shows_the_due_day_and_gives_the_tasks(client, world, meeting):
    client.force_login(world.approver)
    client.post(f"/meetings/{meeting.pk}/conclusion/", _conclusion_post(world, 0))
    page = client.get(f"/meetings/{meeting.pk}/conclusion/").content.decode()
    assert "20/10/2026" in page  # 13/10 + 5 working days
    not_a_number = client.post(f"/meetings/{meeting.pk}/conclusion/", {"action": "issue", "number": "TB/BCĐ"})
    assert not_a_number.status_code == 400 and "phải bắt đầu bằng một số" in not_a_number.content.decode()
    response = client.post(
        f"/meetings/{meeting.pk}/conclusion/",
        {"action": "issue", "number": "45-TB/BCĐ", "issued_on": "2026-10-22"},
        follow=True,
    )
    page = response.content.decode()
    assert "conclusion-late" in page  # issued after 20/10
    assert Task.objects.filter(point__conclusion__meeting=meeting).count() == 3  # two communes + police
    assert "điểm 2, Thông báo số 45-TB/BCĐ" in page


def test_a_secretary_drafts_but_only_an_approver_issues(client, world, meeting):
    client.force_login(world.secretary)
    client.post(f"/meetings/{meeting.pk}/conclusion/", _conclusion_post(world, 0))
    assert 'id="issue-notice"' not in client.get(f"/meetings/{meeting.pk}/conclusion/").content.decode()
    response = client.post(f"/meetings/{meeting.pk}/conclusion/", {"action": "issue", "number": "1-TB"})
    assert response.status_code == 404
    assert Conclusion.objects.get().status == "draft"


# --- The meeting pack ------------------------------------------------------------------------------------


def test_the_meeting_page_shows_earlier_conclusions_tasks_overdue_first(client, world, meeting):
    _issued(world, meeting)
    tasks = list(Task.objects.all())
    services.task_report_done(task=tasks[0], actor=world.police_officer, reported_on=date(2026, 10, 17))
    services.task_confirm(task=tasks[0], actor=world.approver)
    late = _task(world, title="Việc quá hạn", due_on=date(2026, 10, 20))
    later = services.meeting_create(
        committee=world.committee, kind="giao_ban_thang", title="Giao ban tháng 11", starts_at=at(2026, 11, 20)
    )
    pack = selectors.meeting_pack(later, world.approver, date(2026, 11, 20))
    assert [[t.status for t in g.tasks] for g in pack.groups] == [["done_on_time"]]
    assert late.point is None  # an ad hoc task is not from a conclusion
    more = services.meeting_create(
        committee=world.committee, kind="giao_ban_thang", title="Giao ban tháng 10b", starts_at=at(2026, 10, 14)
    )
    services.conclusion_save(
        meeting=more,
        points=[
            PointInput(
                "Hai việc",
                [
                    PlannedTaskInput("Việc có hạn xa", agency=world.youth, due_on=date(2026, 12, 31)),
                    PlannedTaskInput("Việc đã quá hạn", agency=world.police, due_on=date(2026, 10, 30)),
                ],
            )
        ],
    )
    services.conclusion_issue(meeting=more, number="46-TB/BCĐ", issued_on=date(2026, 10, 20))
    pack = selectors.meeting_pack(later, world.approver, date(2026, 11, 20))
    assert [g.conclusion.number for g in pack.groups] == ["46-TB/BCĐ", "45-TB/BCĐ"]
    assert [t.title for t in pack.groups[0].tasks] == ["Việc đã quá hạn", "Việc có hạn xa"]
    assert pack.card is not None and pack.card.total.counts["assigned"] == 4
    client.force_login(world.approver)
    page = client.get(f"/meetings/{later.pk}/").content.decode()
    assert "Thông báo số 46-TB/BCĐ" in page and 'id="pack-scorecard"' in page
    # The documents w-docs serves, by plain path.
    assert f"/meetings/{later.pk}/documents/invitation.docx" in page


def test_the_meeting_pack_costs_the_same_queries_however_many_tasks(world, meeting):
    _issued(world, meeting)
    later = services.meeting_create(
        committee=world.committee, kind="giao_ban_thang", title="Giao ban tháng 11", starts_at=at(2026, 11, 20)
    )

    def count():
        user = type(world.approver).objects.get(pk=world.approver.pk)
        with CaptureQueriesContext(connection) as ctx:
            selectors.meeting_pack(later, user, date(2026, 11, 20))
        return len(ctx.captured_queries)

    few = count()
    other = services.meeting_create(
        committee=world.committee, kind="giao_ban_thang", title="Giao ban 10c", starts_at=at(2026, 10, 15)
    )
    services.conclusion_save(
        meeting=other,
        points=[
            PointInput(f"Điểm {i}", [PlannedTaskInput(f"Việc {i}", agency=world.youth, supporting=[world.police])])
            for i in range(12)
        ],
    )
    services.conclusion_issue(meeting=other, number="47-TB/BCĐ", issued_on=date(2026, 10, 16))
    assert count() == few
    assert few <= 12


def test_the_meeting_page_renders_for_an_officer_whose_agency_got_a_task(client, world, meeting):
    _issued(world, meeting)
    client.force_login(world.police_officer)
    response = client.get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="attendance-form"' not in page and 'id="pack-scorecard"' not in page
    client.force_login(world.youth_officer)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    client.force_login(world.outsider)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404


# --- Tasks ------------------------------------------------------------------------------------------------


def test_viec_duoc_giao_lists_the_agencys_tasks_soonest_first(client, world):
    _task(world, title="Hạn xa", due_on=date(2026, 12, 31))
    _task(world, title="Hạn gần", due_on=date(2026, 10, 10))
    _task(world, title="Không hạn", due_on=None)
    _task(world, title="Của Tỉnh đoàn", agency=world.youth)
    _task(world, title="Phối hợp", agency=world.youth, supporting=[world.police], due_on=date(2026, 11, 1))
    client.force_login(world.police_officer)
    page = client.get("/tasks/mine/").content.decode()
    order = [page.index(t) for t in ("Hạn gần", "Phối hợp", "Hạn xa", "Không hạn")]
    assert order == sorted(order)
    assert "Của Tỉnh đoàn" not in page
    assert "Quá hạn" in page or "Đang thực hiện" in page


def test_viec_duoc_giao_for_a_lower_committees_secretary(client, world):
    _task(world, title="Việc của xã", agency=None, unit=world.tree.n1)
    _task(world, title="Việc của xã khác", agency=None, unit=world.tree.n2)
    client.force_login(world.commune_secretary)
    page = client.get("/tasks/mine/").content.decode()
    assert "Việc của xã" in page and "Việc của xã khác" not in page


def test_due_soon_is_marked(client, world):
    today = timezone.localdate()
    _task(world, title="Sắp hết hạn", assigned_on=today, due_on=today + timedelta(days=1))
    client.force_login(world.police_officer)
    assert "due-soon" in client.get("/tasks/mine/").content.decode()


def test_the_assigners_list_filters_by_status_and_agency(client, world):
    _task(world, title="Đã quá hạn", due_on=date(2026, 10, 5))
    _task(world, title="Của Tỉnh đoàn", agency=world.youth, due_on=date(2099, 1, 1))
    client.force_login(world.approver)
    page = client.get("/tasks/?status=overdue").content.decode()
    assert "Đã quá hạn" in page and "Của Tỉnh đoàn" not in page
    page = client.get(f"/tasks/?agency={world.youth.pk}").content.decode()
    assert "Đã quá hạn" not in page and "Của Tỉnh đoàn" in page
    page = client.get(f"/tasks/?committee={world.committee.pk}&status=bogus").content.decode()
    assert "Bộ lọc không hợp lệ" in page


def test_the_follow_up_forms_write_through_the_services(client, world):
    task = _task(world)
    client.force_login(world.police_officer)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'id="save-progress"' in page and 'id="confirm-done"' not in page and 'id="urge"' not in page
    bad = client.post(f"/tasks/{task.pk}/progress/", {"note": "", "percent": "150", "version": task.version})
    assert bad.status_code == 400 and "0 đến 100" in bad.content.decode()
    client.post(
        f"/tasks/{task.pk}/progress/",
        {
            "note": "Đã có dự thảo",
            "percent": "50",
            "files": SimpleUploadedFile("a.pdf", b"%PDF"),
            "version": task.version,
        },
    )
    task.refresh_from_db()
    assert task.percent == 50
    event = task.events.get(kind="progress")
    assert event.files.count() == 1
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    f = event.files.get()
    assert f"/tasks/{task.pk}/files/{f.pk}/" in page
    assert client.get(f"/tasks/{task.pk}/files/{f.pk}/").status_code == 200
    # A stale form is a conflict message, not a lost update.
    stale = client.post(f"/tasks/{task.pk}/done/", {"result_document": "125/KH-CAT", "version": 0})
    assert stale.status_code == 409 and "vừa được người khác cập nhật" in stale.content.decode()
    client.post(f"/tasks/{task.pk}/done/", {"note": "Xong", "result_document": "125/KH-CAT", "version": task.version})
    task.refresh_from_db()
    assert task.state == "reported" and task.result_document == "125/KH-CAT"
    # The officer may not confirm their own work.
    assert client.post(f"/tasks/{task.pk}/confirm/").status_code == 404
    client.force_login(world.approver)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'id="confirm-done"' in page and 'id="save-progress"' not in page
    client.post(f"/tasks/{task.pk}/confirm/", {"version": task.version})
    task.refresh_from_db()
    assert task.state == "done"
    bad = client.post(f"/tasks/{task.pk}/return/", {"reason": ""})
    assert bad.status_code == 400 and "lý do" in bad.content.decode()
    client.post(f"/tasks/{task.pk}/return/", {"reason": "Chưa đủ", "version": task.version})
    task.refresh_from_db()
    assert task.state == "open"
    assert [e.kind for e in task.events.all()] == [
        "created",
        "progress",
        "reported_done",
        "confirmed",
        "returned",
    ]


def test_extension_and_urging_from_the_page(client, world):
    task = _task(world)
    client.force_login(world.police_officer)
    bad = client.post(f"/tasks/{task.pk}/extend/", {"due_on": "2026-10-01", "reason": "x"})
    assert bad.status_code == 400 and "Thời hạn mới phải sau" in bad.content.decode()
    client.post(f"/tasks/{task.pk}/extend/", {"due_on": "2026-11-05", "reason": "Chờ số liệu"})
    client.force_login(world.approver)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'id="pending-extension"' in page and 'id="decide"' in page
    client.post(f"/tasks/{task.pk}/approve/")
    task.refresh_from_db()
    assert task.due_on == date(2026, 11, 5)
    client.post(f"/tasks/{task.pk}/urge/", {"kind": "phe_binh", "note": "Chậm"})
    assert TaskEvent.objects.filter(task=task, kind="urged", urge_kind="phe_binh").count() == 1
    assert client.post(f"/tasks/{task.pk}/urge/", {"kind": "khen"}).status_code == 400
    assert client.post(f"/tasks/{task.pk}/nonsense/").status_code == 404


def test_task_pages_are_404_out_of_scope(client, world):
    task = _task(world)
    for user in (world.youth_officer, world.outsider):
        client.force_login(user)
        assert client.get(f"/tasks/{task.pk}/").status_code == 404
        assert client.post(f"/tasks/{task.pk}/progress/", {"note": "x"}).status_code == 404
    client.force_login(world.commune_secretary)
    assert client.get(f"/tasks/{task.pk}/").status_code == 404


# --- Scorecard and notifications --------------------------------------------------------------------------


def test_the_scorecard_drills_down_and_downloads(client, world):
    _task(world, agency=None, unit=world.tree.n1, due_on=date(2026, 10, 5))
    done = _task(world)
    services.task_report_done(task=done, actor=world.police_officer, reported_on=date(2026, 10, 10))
    services.task_confirm(task=done, actor=world.approver)
    client.force_login(world.approver)
    page = client.get(f"/tasks/scorecard/?unit={world.tree.p1.code}&as_of=2026-10-25&by=child").content.decode()
    assert f"?unit={world.tree.n1.code}&as_of=2026-10-25&by=child" in page
    assert "50,0" in page  # 1 done of 2 fallen due, through the Vietnamese formatter
    page = client.get(f"/tasks/scorecard/?unit={world.tree.p1.code}&as_of=2026-10-25&by=agency").content.decode()
    assert "Công an tỉnh Thanh Hóa" in page
    response = client.get(f"/tasks/scorecard.xlsx?unit={world.tree.p1.code}&as_of=2026-10-25&by=child")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get(f"/tasks/scorecard/?unit={world.tree.p2.code}").status_code == 404
    client.force_login(world.police_officer)
    assert client.get("/tasks/scorecard/").status_code == 404


def test_the_bell_counts_unread_notifications_in_one_query_and_marks_them_read(client, world):
    task = _task(world)
    assert Notification.objects.filter(user=world.police_officer).count() == 1
    client.force_login(world.police_officer)
    page = client.get("/tasks/mine/").content.decode()
    assert 'id="unread-count">1<' in page
    n = Notification.objects.get(user=world.police_officer)
    assert "Được giao nhiệm vụ" in client.get("/notifications/").content.decode()
    response = client.post(f"/notifications/{n.pk}/read/")
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert 'id="unread-count"' not in client.get("/tasks/mine/").content.decode()
    # Someone else's notification is not there.
    client.force_login(world.youth_officer)
    assert client.post(f"/notifications/{n.pk}/read/").status_code == 404


def test_the_bell_costs_one_query(rf, world):
    from giaoban.work.context_processors import notifications

    request = rf.get("/")
    request.user = world.police_officer
    ctx = notifications(request)
    with CaptureQueriesContext(connection) as queries:
        assert str(ctx["unread_notifications"]) == "0"
    assert len(queries.captured_queries) == 1


def test_the_pack_shows_the_periods_consolidated_report_and_the_missing_units(client, world):
    from giaoban.reporting import services as reporting
    from tests.reporting.conftest import Catalog

    catalog = Catalog()
    s = reporting.submission_open(unit=world.tree.n1, form=catalog.weekly, period="2026W39")
    s = reporting.submission_save_draft(submission=s, values={"POSTS": "56"}, expected_version=s.version)
    reporting.submission_submit(submission=s)
    m = services.meeting_create(
        committee=world.committee,
        kind="giao_ban_thang",
        title="Giao ban tháng 9",
        period="2026-09",
        starts_at=at(2026, 10, 5),
    )
    pack = selectors.meeting_pack(m, world.approver, date(2026, 10, 5))
    assert pack.form == catalog.weekly and pack.table is not None
    assert pack.status_period == "2026W39"
    assert [u.unit.code for u in pack.missing] == [world.tree.n2.code]
    client.force_login(world.approver)
    page = client.get(f"/meetings/{m.pk}/").content.decode()
    assert 'id="consolidated-link"' in page and f"/reports/consolidated/{world.committee.pk}/2026-09/" in page
    assert world.tree.n2.name in page
    # An agency officer does not read the unit's figures.
    assert selectors.meeting_pack(m, world.police_officer, date(2026, 10, 5)).table is None


@pytest.mark.parametrize("url", ["/tasks/mine/", "/tasks/", "/meetings/?month=2026-10"])
def test_list_pages_cost_the_same_queries_however_many_rows(client, world, meeting, url):
    user = world.police_officer if url == "/tasks/mine/" else world.approver
    client.force_login(user)
    _issued(world, meeting)
    _task(world, supporting=[world.youth])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(8):
        _task(world, title=f"Việc {i}", supporting=[world.youth], due_on=date(2026, 10, 10 + i))
        services.meeting_create(
            committee=world.committee, kind="giao_ban_tuan", title=f"Họp {i}", starts_at=at(2026, 10, 10 + i)
        )
    assert count() == few


def test_an_htmx_filter_answers_only_the_rows(client, world, meeting):
    client.force_login(world.approver)
    page = client.get("/meetings/?month=2026-10", HTTP_HX_REQUEST="true").content.decode()
    assert page.lstrip().startswith('<div id="rows">') and "<html" not in page
    assert "Hội nghị sơ kết" in page
    assert client.get("/meetings/?month=2026-10&committee=abc").status_code == 200
    card = client.get(f"/tasks/scorecard/?unit={world.tree.p1.code}", HTTP_HX_REQUEST="true").content.decode()
    assert card.lstrip().startswith('<div id="table">') and "/tasks/scorecard.xlsx?" in card


def test_uploads_have_a_folder_of_their_own_outside_the_repository():
    from pathlib import Path

    from giaoban import settings as project

    media = Path(project.MEDIA_ROOT)
    assert media.is_absolute() and media != Path.cwd()
    assert media.is_relative_to(project.VAR_DIR) or "MEDIA_ROOT" in __import__("os").environ


def test_the_pack_names_the_first_missing_units_and_counts_them_all(client, world, monkeypatch):
    """A national committee expects thousands of units: the pack reads only the first few and counts the rest."""
    from tests.reporting.conftest import Catalog

    catalog = Catalog()
    m = services.meeting_create(
        committee=world.committee,
        kind="giao_ban_thang",
        title="Giao ban tháng 9",
        period="2026-09",
        starts_at=at(2026, 10, 5),
    )
    everyone = selectors.meeting_pack(m, world.approver, date(2026, 10, 5))
    assert everyone.form == catalog.weekly and everyone.missing_count == len(everyone.missing) >= 2
    monkeypatch.setattr(selectors, "PACK_UNITS", 1)
    pack = selectors.meeting_pack(m, world.approver, date(2026, 10, 5))
    assert len(pack.missing) == 1 and pack.missing_count == everyone.missing_count
    assert pack.missing[0].unit == everyone.missing[0].unit
    client.force_login(world.approver)
    page = client.get(f"/meetings/{m.pk}/").content.decode()
    assert f"{everyone.missing_count} đơn vị chưa nộp" in page
    assert everyone.missing[1].unit.name not in page.split('id="pack-units"', 1)[1].split("</div>", 1)[0]
