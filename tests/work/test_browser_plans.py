"""On a 360 px phone: draft a plan with a target (the unit picked by a search without diacritics) -> issue it ->
see the target's live progress."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from giaoban.core.access import Role
from giaoban.work.models import Plan, Task
from tests.reporting.test_browser_entry import log_in, phone_pages

from .plan_helpers import Figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("GIAOBAN_SCREENSHOTS", "")


def test_it_drafts_issues_and_shows_a_targets_progress_on_a_phone(live_server, world, make_user, tmp_path):
    make_user(Role.APPROVER, world.tree.p1, username="duyet")
    figures = Figures(world.tree)  # 48 posts across P1's communes in weeks 10–12 of 2026
    due = timezone.localdate() + timedelta(days=30)
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    def scenario(new_page):
        page = new_page()
        log_in(page, base, "duyet")
        page.goto(f"{base}/plans/")
        page.locator("#new-plan").click()
        page.get_by_role("link", name=world.committee.name).click()
        page.fill("#id_title", "Kế hoạch hoạt động năm 2026 của Ban Chỉ đạo 35 tỉnh")
        page.fill("#id_year", "2026")
        page.fill("#id_items-0-content", "Duy trì đăng tải tin, bài trên kênh thông tin của các xã")
        page.select_option("#id_items-0-lead_agency", label=world.police.name)
        page.fill("#id_items-0-due_on", due.isoformat())
        page.fill("#id_items-0-output", "Tin, bài")
        item = page.locator("#item-0")
        item.locator("details.target summary").click()
        page.select_option("#id_items-0-target_indicator", value=str(figures.posts.pk))
        page.fill("#items-0-unit_q", "thanh hoa")
        item.locator(".unit-result[data-code='38']").click()
        item.locator("input[name='items-0-target_unit'][value='38']").wait_for(state="attached")
        page.select_option("#id_items-0-target_period", "2026")
        page.select_option("#id_items-0-target_kind", "min")
        page.fill("#id_items-0-target_value", "60")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(shots / "plan_form.png"), full_page=True)
        page.locator("#save-plan").click()
        page.get_by_text("Đã lưu kế hoạch.").wait_for()

        page.locator("#issue-plan").click()
        page.get_by_text("Đã ban hành kế hoạch số 01-KH/BCĐ").wait_for()
        target = page.locator(".target[data-indicator='POSTS']")
        assert target.locator(".value").inner_text() == "48"
        assert target.locator(".goal").inner_text() == "60"
        assert target.locator(".percent").inner_text() == "80,0 %"
        target.locator(".on-track").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(shots / "plan.png"), full_page=True)

    phone_pages(scenario)
    plan = Plan.objects.get()
    assert plan.status == "issued" and plan.items.get().target.unit.code == "38"
    assert Task.objects.get().plan_item.plan == plan
