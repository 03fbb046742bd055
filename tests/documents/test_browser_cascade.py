"""On a 360 px phone: the province sends a directive to every committee below, a commune's secretary registers its
implementing plan and reports done, and the province's coverage moves."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from giaoban.core.access import Role
from giaoban.documents.models import Cascade
from giaoban.documents.services.numbering import document_register_outgoing
from tests.reporting.test_browser_entry import log_in, phone_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("GIAOBAN_SCREENSHOTS", "")


def narrow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_directive_goes_down_a_commune_implements_it_and_coverage_moves(live_server, world, make_user, tmp_path):
    make_user(Role.APPROVER, world.tree.p1, username="duyet")
    make_user(Role.SECRETARY, world.tree.n1, username="thuky")
    today = timezone.localdate()
    directive = document_register_outgoing(
        committee=world.province, type="ke_hoach", on=today, subject="Kế hoạch tuyên truyền kỷ niệm năm nay"
    )
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    def scenario(new_page):
        page = new_page()
        log_in(page, base, "duyet")
        page.goto(f"{base}/documents/{directive.pk}/cascade/")
        page.get_by_text("Tất cả Ban Chỉ đạo cấp dưới (2)").wait_for()
        # The picker finds a commune typed without diacritics.
        page.fill("#q", "thach lap")
        page.locator("#picker").get_by_text("Xã Ngọc Lặc").wait_for(state="detached")
        page.locator("#picker").get_by_text("Xã Thạch Lập").wait_for()
        page.fill("#due_on", (today + timedelta(days=14)).isoformat())
        assert narrow(page)
        page.screenshot(path=str(shots / "cascade_send.png"), full_page=True)
        page.locator("#send").click()
        page.get_by_text("Đã gửi 2 Ban Chỉ đạo").wait_for()
        assert page.locator("#expected").inner_text() == "2"
        assert page.locator("#implemented").inner_text() == "0"
        assert narrow(page)

        commune = new_page()
        log_in(commune, base, "thuky")
        commune.goto(f"{base}/documents/cascades/")
        commune.get_by_role("link", name=directive.number_symbol).click()
        commune.fill("#subject", "Kế hoạch tuyên truyền của xã")
        assert narrow(commune)
        commune.screenshot(path=str(shots / "cascade_detail.png"), full_page=True)
        commune.locator("#implement").click()
        commune.get_by_text("Đã đăng ký văn bản triển khai.").wait_for()
        assert "01-KH/BCĐ" in commune.locator("#implementing").inner_text()
        commune.locator("#done").click()
        commune.get_by_text("Đã báo cáo hoàn thành.").wait_for()
        assert commune.locator("#status").get_attribute("data-status") == "done"

        page.reload()
        assert page.locator("#implemented").inner_text() == "1"
        assert page.locator("#pending").inner_text() == "1"
        row = page.locator("#by-unit tr[data-key='15061']")
        assert row.locator("td").nth(2).inner_text() == "1"
        assert narrow(page)
        page.screenshot(path=str(shots / "coverage.png"), full_page=True)

    phone_pages(scenario)
    done = Cascade.objects.get(document=directive, committee=world.n1)
    assert (done.status, done.implementing_document.number_symbol) == ("done", "01-KH/BCĐ")
