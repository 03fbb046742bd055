"""On a 360 px phone: schedule → invite → attendance → conclusion with a task → issue → (the agency officer)
progress → done → (the approver) confirm → the scorecard shows it done."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from giaoban.core.access import Role
from giaoban.work import services
from giaoban.work.models import Meeting, Task
from giaoban.work.services import PlannedTaskInput, PointInput
from tests.reporting.test_browser_entry import log_in, phone_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Where the screenshots go (set it to look at them); a temporary folder otherwise.
SHOTS = os.environ.get("GIAOBAN_SCREENSHOTS", "")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into the repository or var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def earlier_meeting(world, today):
    """Last month's giao ban with an issued notice: one task overdue, one in time, so the pack has content."""
    day = today - timedelta(days=30)
    meeting = services.meeting_create(
        committee=world.committee,
        kind="giao_ban_thang",
        title="Giao ban tháng trước",
        starts_at=datetime(day.year, day.month, day.day, 8, tzinfo=VN),
        invited_agencies=[world.police, world.youth],
    )
    services.conclusion_save(
        meeting=meeting,
        points=[
            PointInput(
                "Duy trì chế độ báo cáo tuần.",
                [PlannedTaskInput("Rà soát số liệu báo cáo tuần", agency=world.youth, due_on=day + timedelta(days=7))],
            ),
            PointInput(
                "Chuẩn bị hội nghị tổng kết.",
                [PlannedTaskInput("Dự thảo kế hoạch tổng kết", agency=world.police, due_on=today + timedelta(days=20))],
            ),
        ],
    )
    services.conclusion_issue(meeting=meeting, number="40-TB/BCĐ", issued_on=day + timedelta(days=1))


def reported_by_n1(period: str) -> None:
    """Reporting forms, and one commune's weekly report in the month, so the pack has figures and a missing unit."""
    from giaoban.orgs.models import OrgUnit
    from giaoban.reporting import periods
    from giaoban.reporting import services as reporting
    from tests.reporting.conftest import Catalog

    catalog = Catalog()
    week = periods.composed_of(periods.parse_period(period), "week", catalog.weekly.scheme)[-1]
    s = reporting.submission_open(unit=OrgUnit.objects.get(code="15061"), form=catalog.weekly, period=week.id)
    s = reporting.submission_save_draft(
        submission=s, values={"POSTS": "56", "FOLLOWERS": "11008"}, expected_version=s.version
    )
    reporting.submission_submit(submission=s)


def test_it_runs_the_giao_ban_cycle_on_a_phone(live_server, world, make_user, tmp_path):
    make_user(Role.APPROVER, world.tree.p1, username="duyet", first_name="Hùng", last_name="Lê Văn")
    make_user(Role.AGENCY_OFFICER, agency=world.police, username="congan", first_name="Nam", last_name="Trịnh")
    today = timezone.localdate()
    earlier_meeting(world, today)
    period = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    reported_by_n1(period)
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    due = today + timedelta(days=14)

    def scenario(new_page):
        page = new_page()
        log_in(page, base, "duyet")
        page.goto(f"{base}/meetings/")
        page.locator("#schedule").click()
        page.get_by_role("link", name=world.committee.name).click()
        page.select_option("#id_kind", "so_ket_9_thang")
        page.fill("#id_title", "Hội nghị sơ kết 9 tháng")
        page.fill("#id_period", period)
        page.fill("#id_starts_at", f"{today.isoformat()}T08:00")
        page.fill("#id_ends_at", f"{today.isoformat()}T11:00")
        page.fill("#id_place", "Hội trường Tỉnh ủy")
        page.select_option("#id_chair", index=1)
        page.select_option("#id_secretary", index=2)
        for box in page.locator("#invited-members input[type=checkbox]").all():
            box.check()
        page.get_by_label(world.police.name).check()
        page.fill("#agenda_title_0", "Báo cáo sơ kết 9 tháng")
        page.fill("#agenda_presenter_0", "Phó Trưởng ban Thường trực")
        page.fill("#agenda_minutes_0", "30")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(shots / "meeting_form.png"), full_page=True)
        page.locator("#save-meeting").click()
        page.get_by_text("Đã lên lịch cuộc họp.").wait_for()

        # A meeting today: sending the invitation now is late under QĐ 45/2018, and the page says so.
        page.locator("#late-warning").wait_for()
        page.fill("#id_number", "15/GM-BCĐ")
        page.locator("#send-invitation").click()
        page.get_by_text("chưa đủ 3 ngày làm việc").first.wait_for()

        rows = page.locator(".attendance-row")
        rows.nth(0).get_by_label("Có mặt").check()
        rows.nth(1).get_by_label("Vắng mặt").check()
        rows.nth(1).get_by_placeholder("Lý do vắng").fill("Đi công tác")
        rows.nth(2).get_by_label("Cử người dự thay").check()
        rows.nth(2).get_by_placeholder("Người dự thay").fill("Nguyễn Văn Thay")
        page.locator("#save-attendance").click()
        page.get_by_text("Đã ghi điểm danh.").wait_for()
        page.fill("#id_proceedings", "Hội nghị đã nghe báo cáo sơ kết và thảo luận.")
        page.fill("#id_closed_at", f"{today.isoformat()}T11:30")
        page.locator("#save-minutes").click()
        page.get_by_text("Đã lưu biên bản.").wait_for()

        page.locator("#conclusion-link").click()
        page.fill("#point_0_text", "Tiếp tục phát huy hiệu quả công tác phối hợp.")
        page.fill("#point_0_task_0_title", "Xây dựng kế hoạch phối hợp quý IV")
        page.select_option("#point_0_task_0_target", label=world.police.name)
        page.fill("#point_0_task_0_due", due.isoformat())
        page.locator("#save-draft").click()
        page.get_by_text("Đã lưu dự thảo kết luận").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(shots / "conclusion.png"), full_page=True)
        page.fill("#id_number", "45-TB/BCĐ")
        page.locator("#issue-notice").click()
        page.get_by_text("Đã ban hành thông báo kết luận").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        meeting = Meeting.objects.get(title="Hội nghị sơ kết 9 tháng")
        page.goto(f"{base}/meetings/{meeting.pk}/")
        page.locator("#pack-report").get_by_text("Báo cáo tổng hợp").first.wait_for()
        page.locator("#pack-units").get_by_text("Xã Thạch Lập").wait_for()
        page.locator("#pack-tasks .conclusion-group").get_by_text("Thông báo số 40-TB/BCĐ").first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(shots / "meeting.png"), full_page=True)

        officer = new_page()
        log_in(officer, base, "congan")
        officer.goto(f"{base}/tasks/mine/")
        officer.get_by_role("link", name="Xây dựng kế hoạch phối hợp quý IV").wait_for()
        assert officer.evaluate("document.documentElement.scrollWidth") <= 360
        officer.screenshot(path=str(shots / "tasks_mine.png"), full_page=True)
        officer.get_by_role("link", name="Xây dựng kế hoạch phối hợp quý IV").click()
        officer.locator("#progress summary").click()
        officer.fill("#progress textarea[name=note]", "Đã có dự thảo kế hoạch.")
        officer.fill("#progress input[name=percent]", "60")
        officer.locator("#save-progress").click()
        officer.get_by_text("Đã cập nhật tiến độ.").wait_for()
        officer.locator("#done summary").click()
        officer.fill("#done input[name=result_document]", "125/KH-CAT")
        officer.locator("#report-done").click()
        officer.get_by_text("Đã báo cáo hoàn thành").first.wait_for()
        officer.screenshot(path=str(shots / "task.png"), full_page=True)

        task = Task.objects.get(title="Xây dựng kế hoạch phối hợp quý IV")
        page.goto(f"{base}/tasks/{task.pk}/")
        page.locator("#confirm-done").click()
        page.get_by_text("Đã xác nhận hoàn thành.").wait_for()

        page.goto(f"{base}/meetings/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(shots / "meetings.png"), full_page=True)
        page.goto(f"{base}/tasks/scorecard/?unit={world.tree.p1.code}&by=agency")
        row = page.locator("table.scorecard tr", has_text=world.police.name)
        assert row.locator("td.done-on-time").inner_text() == "1"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(shots / "scorecard.png"), full_page=True)

    phone_pages(scenario)
    task = Task.objects.get(title="Xây dựng kế hoạch phối hợp quý IV")
    assert (task.state, task.done_on, task.result_document) == ("done", today, "125/KH-CAT")
    assert [e.kind for e in task.events.all()] == ["created", "progress", "reported_done", "confirmed"]
    meeting = Meeting.objects.get(title="Hội nghị sơ kết 9 tháng")
    assert meeting.status == "concluded" and meeting.attendance.count() == 3
