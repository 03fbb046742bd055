"""On a 360 px phone: a system admin signs in, sets up an authenticator app (the code computed from the key the
page shows), makes recovery codes, signs out, signs in again with password + code and lands on home; a recovery
code signs in once, and only once."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from giaoban.core.access import Role

from .conftest import PASSWORD, code_for, key_from_secret

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 360, "height": 740}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("two_factor_as_in_production"),
]


def on_a_phone(scenario) -> list[str]:
    """Run scenario(page) on a 360 x 740 touch page of Debian's chromium, in a thread of its own (Playwright's sync
    API refuses a thread whose event loop runs); the console errors."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing")
    from concurrent.futures import ThreadPoolExecutor

    errors: list[str] = []

    def run():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
            try:
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
                context.set_default_timeout(10_000)
                page = context.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                scenario(page)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()
    return errors


def sign_in_with_password(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Mở menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/accounts/login/")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_system_admin_sets_up_two_factor_and_signs_in_with_it_on_a_phone(live_server, tree, make_user):
    make_user(Role.SYSTEM_ADMIN, tree.vn, username="quantri", first_name="Minh", last_name="Trần Văn")
    base = live_server.url
    shots = Path(tempfile.gettempdir())

    def scenario(page):
        # The password alone leads to the setup, and nowhere else.
        sign_in_with_password(page, base, "quantri")
        page.wait_for_url("**/accounts/two-factor/setup/?next=%2F")
        page.get_by_text("Vai trò của bạn cần xác thực hai bước").wait_for()
        page.goto(f"{base}/units/")
        page.wait_for_url("**/accounts/two-factor/setup/**")
        page.get_by_role("button", name="Tiếp tục").click()

        qr = page.get_by_role("img", name="Mã QR để thêm giaoban vào ứng dụng xác thực")
        qr.wait_for()
        assert page.evaluate("document.querySelector('img[alt]').naturalWidth") > 0  # the SVG was served
        assert fits_the_phone(page)
        page.screenshot(path=shots / "h-signin-setup.png", full_page=True)
        key = key_from_secret(page.locator("#secret-key").get_attribute("data-key"))
        page.get_by_label("Mã 6 số ứng dụng đang hiện").fill(code_for(key))
        page.get_by_role("button", name="Xác nhận và bật").click()
        page.get_by_role("heading", name="Đã bật xác thực hai bước").wait_for()

        page.get_by_role("button", name="Tạo mã khôi phục").click()
        page.locator("#recovery-codes li").first.wait_for()
        codes = page.locator("#recovery-codes li").all_inner_texts()
        assert len(codes) == 10 and fits_the_phone(page)
        page.goto(f"{base}/")
        page.get_by_text("Xin chào, Trần Văn Minh").wait_for()
        sign_out(page)

        # Password, then the app's code: home.
        sign_in_with_password(page, base, "quantri")
        field = page.get_by_label("Mã 6 số trên ứng dụng xác thực")
        field.wait_for()
        assert fits_the_phone(page)
        page.screenshot(path=shots / "h-signin-code.png", full_page=True)
        field.fill(code_for(key, time.time() + 30))  # the next step: the setup's code cannot be replayed
        page.get_by_role("button", name="Xác nhận").click()
        page.wait_for_url(f"{base}/")
        page.get_by_text("Xin chào, Trần Văn Minh").wait_for()
        sign_out(page)

        # A recovery code instead of the phone: once.
        for attempt in (1, 2):
            sign_in_with_password(page, base, "quantri")
            page.get_by_role("button", name="Không có điện thoại? Dùng mã khôi phục").click()
            page.get_by_label("Một mã khôi phục").fill(codes[0])
            page.get_by_role("button", name="Xác nhận").click()
            if attempt == 1:
                page.wait_for_url(f"{base}/")
                sign_out(page)
            else:
                page.get_by_text("Mã xác thực không đúng hoặc đã dùng").wait_for()
                assert page.url.startswith(f"{base}/accounts/login/")
                page.goto(f"{base}/")
                page.wait_for_url("**/accounts/login/**")

    errors = on_a_phone(scenario)
    assert not [e for e in errors if "Content Security Policy" in e], errors
