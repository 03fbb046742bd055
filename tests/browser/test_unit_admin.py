"""On a 360 px phone, a unit admin runs their units without the Django admin: records a kiện toàn decision that
adds one person to the committee, then creates a user from a CSV file and finds them in the user list."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from giaoban.core.access import Role
from giaoban.orgs.models import Membership
from tests.browser.helpers import open_menu_and_follow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-an-toan-123"
SCREENSHOTS = Path(tempfile.gettempdir())


def test_a_unit_admin_adds_a_member_and_imports_a_user_on_a_phone(
    live_server, tree, committees, make_user, phone, console
):
    make_user(Role.UNIT_ADMIN, tree.p1, username="qt.thanhhoa", password=PASSWORD)
    committee = committees["38"]
    page = phone
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("qt.thanhhoa")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{base}/")

    # Kiện toàn with one person: the other rows are not asked for.
    page.goto(f"{base}/committees/{committee.pk}/")
    page.get_by_role("link", name="Ghi quyết định kiện toàn").click()
    page.get_by_label("Số, ký hiệu quyết định").fill("45-QĐ/TU")
    page.get_by_label("Ngày ký").fill("2025-09-01")
    row = page.locator('[data-row="1"]')
    row.get_by_label("Họ và tên").fill("Hoàng Thị Mai")
    row.get_by_label("Vai trò trong Ban").select_option("member")
    row.get_by_label("Chức vụ").fill("Bí thư Tỉnh đoàn")
    # "Thêm người" brings a second row (htmx) that stays blank and is ignored.
    page.get_by_role("button", name="Thêm người").click()
    expect(page.locator('[data-row="2"]')).to_be_visible()
    expect(page.locator('[data-row="1"]').get_by_label("Họ và tên")).to_have_value("Hoàng Thị Mai")
    page.get_by_role("button", name="Ghi quyết định").click()
    expect(page.get_by_text("Đã ghi quyết định 45-QĐ/TU.")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("Hoàng Thị Mai")
    assert Membership.objects.filter(committee=committee, person_name="Hoàng Thị Mai").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=SCREENSHOTS / "giaoban-kientoan.png", full_page=True)

    # A user from a CSV upload, through the menu.
    open_menu_and_follow(page, "Người dùng")
    expect(page).to_have_url(f"{base}/users/")
    page.get_by_role("link", name="Nhập từ tệp CSV").click()
    csv = "\ufeffname,email,phone,unit,role,agency\nTrần Văn Nam,nam@example.vn,0912345678,15061,secretary,\n"
    page.get_by_label("Tệp CSV (UTF-8)").set_input_files(
        files=[{"name": "nguoidung.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    page.get_by_role("button", name="Nhập").click()
    expect(page).to_have_url(f"{base}/users/")
    expect(page.get_by_text("Đã tạo 1 tài khoản.")).to_be_visible()
    page.get_by_label("Tìm kiếm").fill("tran van nam")
    results = page.locator("#results").first
    expect(results.get_by_role("link", name="Trần Văn Nam")).to_be_visible()
    expect(results).to_contain_text("nam@example.vn")
    expect(results).not_to_contain_text("qt.thanhhoa")  # the search has narrowed the list
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=SCREENSHOTS / "giaoban-users.png", full_page=True)
    assert console.csp_violations() == []
