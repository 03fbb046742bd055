"""On a 360 px phone: a district secretary records a month's blog figures, finds them in the month's report,
submits it, and the province's roll-up moves."""

from __future__ import annotations

import pytest

from giaoban.reporting.selectors import rollup
from tests.reporting.test_browser_entry import log_in, phone_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recorded_metrics_fill_the_report_and_roll_up_once_submitted(live_server, world, make_user):
    make_user("secretary", world.tree.d1, username="thuky.huyen")
    viewer = make_user("viewer", world.tree.p1)
    base = live_server.url
    assert rollup(viewer, world.blog_posts, world.tree.p1, "2023-03").value in (None, 0)

    def scenario(new_page):
        page = new_page()
        log_in(page, base, "thuky.huyen")
        page.goto(f"{base}/outreach/")
        page.get_by_role("link", name="Cờ đỏ sao vàng").click()
        page.fill("#id_period", "2023-03")
        page.fill("#id_posts", "32")
        page.fill("#id_reach", "55.000")
        page.get_by_role("button", name="Lưu số liệu").click()
        page.get_by_text("Đã ghi số liệu kỳ tháng 03/2023.").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        page.goto(f"{base}/reports/389/M35/2023-03/")
        assert page.input_value("#v_BLOG_POSTS") == "32"
        assert page.input_value("#v_BLOG_VISITORS") == "55.000"
        page.locator("#s_BLOG_POSTS", has_text="Cờ đỏ sao vàng").wait_for()
        page.fill("#v_BLOG_VISITORS", "55.500")  # the secretary may still correct an offered figure
        page.get_by_role("button", name="Nộp báo cáo").click()
        page.get_by_text("Đã nộp báo cáo.").wait_for()

    phone_pages(scenario)
    assert rollup(viewer, world.blog_posts, world.tree.p1, "2023-03").value == 32
    assert rollup(viewer, world.blog_visitors, world.tree.p1, "2023-03").value == 55500
