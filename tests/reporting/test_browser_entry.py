"""On a 360 px phone, a commune secretary enters and submits a weekly report; an approver returns it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from giaoban.reporting.models import Submission

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "matkhau-an-toan-123"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run_in_own_thread(scenario):
    """Playwright's sync API refuses a thread whose event loop is already running (another test module may
    hold a session-wide browser in this one), so the browser lives in a thread of its own."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(scenario).result()


def phone_pages(scenario):
    """Call scenario(new_page, errors) with a factory of 360 x 740 touch pages on Debian's chromium."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")

    def run():
        from playwright.sync_api import sync_playwright

        errors: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])

            def new_page():
                context = browser.new_context(
                    viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="vi-VN"
                )
                context.set_default_timeout(10_000)
                page = context.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                return page

            try:
                scenario(new_page)
            finally:
                browser.close()
        assert not [e for e in errors if "Content Security Policy" in e], errors

    run_in_own_thread(run)


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base_url}/")


def test_it_lets_a_secretary_submit_on_a_phone_and_an_approver_return_it(live_server, tree, catalog, make_user):
    make_user("secretary", tree.c1, username="thuky")
    make_user("approver", tree.d1, username="duyet")
    base = live_server.url

    def scenario(new_page):
        page = new_page()
        log_in(page, base, "thuky")
        page.goto(f"{base}/reports/")
        page.locator("#periods tr", has_text="Tuần 26/2025").get_by_role("link", name="Nhập").click()
        page.wait_for_url("**/reports/90001/W35/2025W26/")
        page.fill("#v_POSTS", "56.000")
        page.fill("#v_FOLLOWERS", "1.200")
        page.fill("#v_RATE", "150")
        page.get_by_role("button", name="Lưu nháp").click()
        page.get_by_text("must be at most 100").wait_for()
        assert page.input_value("#v_POSTS") == "56.000"  # nothing typed is lost
        page.fill("#v_RATE", "5,6")
        page.fill("#n_results", "Tổ chức 2 buổi sinh hoạt chuyên đề.")
        page.get_by_role("button", name="Nộp báo cáo").click()
        # 56.000 posts in a week asks for a confirmation; the flagged field is brought into view.
        page.get_by_label("Xác nhận số liệu bất thường").check()
        page.get_by_role("button", name="Nộp báo cáo").click()
        page.get_by_text("Đã nộp báo cáo.").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        officer = new_page()
        log_in(officer, base, "duyet")
        officer.goto(f"{base}/reports/389/W35/2025W26/status/")
        officer.locator("#totals-fold summary").click()  # the figures table is folded below the actions
        officer.get_by_text("56.000").first.wait_for()
        row = officer.locator("#units tr", has_text="Thị trấn Ngọc Lặc")
        row.get_by_placeholder("Lý do trả lại").fill("Số người theo dõi chưa khớp với trang.")
        row.get_by_role("button", name="Trả lại").click()
        officer.get_by_text("Đã cập nhật báo cáo").wait_for()

        page.reload()
        page.get_by_role("alert").filter(has_text="Số người theo dõi chưa khớp với trang.").wait_for()
        assert page.input_value("#v_POSTS") == "56.000"

    phone_pages(scenario)
    s = Submission.objects.get(unit=tree.c1, period="2025W26")
    assert (s.status, s.return_reason) == ("returned", "Số người theo dõi chưa khớp với trang.")
    assert s.values.get(indicator=catalog.posts).value == 56000
    assert [e.transition for e in s.events.all()] == ["submitted", "returned"]
