"""On a 360 px phone: the calendar month is a list of days with a meeting and a report deadline; the private
link is made and copied."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from giaoban.core.access import Role
from giaoban.work import services
from tests.reporting.conftest import Catalog
from tests.reporting.test_browser_entry import log_in, phone_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Where the screenshots go (set it to look at them); none otherwise.
SHOTS = os.environ.get("GIAOBAN_SCREENSHOTS", "")


def test_it_opens_the_calendar_month_on_a_phone(live_server, world, make_user):
    make_user(Role.APPROVER, world.tree.p1, username="duyet")
    Catalog()
    services.meeting_create(
        committee=world.committee,
        kind="giao_ban_thang",
        title="Giao ban tháng 2 trên điện thoại",
        starts_at=datetime(2026, 2, 26, 8, 30, tzinfo=VN),
        place="Hội trường Tỉnh ủy",
    )
    services.task_create(
        committee=world.committee,
        title="Rà soát kênh thông tin",
        agency=world.youth,
        assigned_on=date(2026, 1, 20),
        due_on=date(2026, 2, 24),
    )
    base = live_server.url

    def scenario(new_page):
        page = new_page()
        log_in(page, base, "duyet")
        page.goto(f"{base}/calendar/?month=2025-12")
        page.locator("#next").click()
        page.locator("#next").click()
        page.wait_for_url("**/calendar/?month=2026-02*")
        assert page.locator("#month-title").inner_text() == "Tháng Hai năm 2026"
        # On a phone the month is a list of days, not the grid.
        assert not page.locator("#grid").is_visible()
        day = page.locator('#days section[data-day="2026-02-26"]')
        assert day.locator("h3").inner_text() == "Thứ Năm, ngày 26 tháng 02 năm 2026"
        meeting = day.get_by_role("link", name="Giao ban tháng 2 trên điện thoại")
        assert meeting.is_visible() and "08:30" in meeting.inner_text() and "Dự thảo" in meeting.inner_text()
        tet = page.locator('#days section[data-day="2026-02-24"]')
        assert tet.get_by_role("link", name="Hạn nộp Báo cáo tuần BCĐ 35, kỳ tuần 7/2026").first.is_visible()
        assert tet.get_by_role("link", name="Rà soát kênh thông tin").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / "calendar_phone.png"), full_page=True)
        # The private link: made, shown, copied.
        page.locator("#new-feed").click()
        page.get_by_text("Đã tạo đường dẫn lịch riêng của bạn.").wait_for()
        assert "/calendar/?month=2026-02" in page.url
        assert "/api/v1/calendar.ics?token=" in page.locator("#feed-url").input_value()
        page.locator("#copy-feed").click()
        page.get_by_role("button", name="Đã chép").wait_for()
        # Only the meetings, as a list.
        page.locator("#kind-report").uncheck()
        page.locator("#kind-task").uncheck()
        page.locator("#apply").click()
        page.wait_for_url("**kind=meeting**")
        assert page.locator("#days").get_by_text("Hạn nộp").count() == 0
        assert page.locator("#days").get_by_role("link", name="Giao ban tháng 2 trên điện thoại").is_visible()
        # On a wide screen the month is a grid.
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{base}/calendar/?month=2026-02")
        assert page.locator("#grid").is_visible() and not page.locator("#days").is_visible()
        cell = page.locator('#grid td[data-day="2026-02-26"]')
        assert cell.get_by_role("link", name="Giao ban tháng 2 trên điện thoại").is_visible()
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / "calendar_desktop.png"), full_page=True)

    phone_pages(scenario)  # fails on any Content Security Policy violation too
