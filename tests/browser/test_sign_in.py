"""On a 360 px phone: a system admin signs in, sets up an authenticator app (the code computed from the key the
page shows), makes recovery codes, signs out, signs in again with password + code and lands on home; a recovery
code signs in once, and only once."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

from giaoban.core.access import Role
from tests.accounts.helpers import PASSWORD, code_for, key_from_secret

SHOTS = Path(tempfile.gettempdir())  # kept after the run for a human to look at


def sign_in_with_password(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def sign_out(page) -> None:
    # Dropping the session is what matters here (signing out through the menu is the other browser tests'
    # business); in the full suite the menu's POST sometimes never navigated within 30 s.
    page.context.clear_cookies()
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/accounts/login/")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.browser
def test_a_system_admin_sets_up_two_factor_and_signs_in_with_it_on_a_phone(
    live_server, settings, tree, make_user, phone, console
):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["system_admin", "unit_admin", "approver"]
    make_user(Role.SYSTEM_ADMIN, tree.vn, username="quantri", first_name="Minh", last_name="Trần Văn")
    page, base = phone, live_server.url

    # The password alone leads to the setup, and nowhere else.
    sign_in_with_password(page, base, "quantri")
    page.wait_for_url("**/accounts/two-factor/setup/?next=%2F")
    page.get_by_text("Vai trò của bạn cần xác thực hai bước").wait_for()
    page.goto(f"{base}/units/")
    page.wait_for_url("**/accounts/two-factor/setup/**")
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_role("img", name="Mã QR để thêm giaoban vào ứng dụng xác thực").wait_for()
    qr = page.request.get(f"{base}/accounts/two-factor/qrcode/")
    assert qr.ok and qr.headers["content-type"].startswith("image/svg+xml")
    assert fits_the_phone(page)
    page.screenshot(path=SHOTS / "h-signin-setup.png", full_page=True)
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
    page.screenshot(path=SHOTS / "h-signin-code.png", full_page=True)
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
    page.screenshot(path=SHOTS / "h-signin-recovery-refused.png", full_page=True)
    assert not console.csp_violations(), console.errors
