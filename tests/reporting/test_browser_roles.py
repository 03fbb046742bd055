"""On a 360 px phone: a secretary fixes a returned report from the home page and submits it, the result in
view; an approver opens the queue from the menu and approves three reports at once."""

from __future__ import annotations

import pytest

from giaoban.reporting import services
from giaoban.reporting.models import Submission

from .helpers import at
from .test_browser_entry import log_in, phone_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_secretary_fix_a_returned_report_and_submit_it(live_server, tree, catalog, report, make_user):
    make_user("secretary", tree.n1, username="thuky")
    from django.utils import timezone

    from giaoban.reporting import periods

    week = periods.previous_period(periods.period_of(timezone.localdate(), "week", "week_mon")).id
    s = report(tree.n1, catalog.weekly, week, {"POSTS": "3", "FOLLOWERS": "200"})
    services.submission_return(submission=s, reason="Số bài đăng chưa đủ, bổ sung bài ngày thứ Sáu.")
    base = live_server.url

    def scenario(new_page):
        page = new_page()
        log_in(page, base, "thuky")
        returned = page.locator("#reports-due li[data-status=returned]").first
        returned.get_by_text("bổ sung bài ngày thứ Sáu").wait_for()
        returned.get_by_role("link").click()
        page.wait_for_url(f"**/reports/15061/W35/{week}/")
        page.fill("#v_POSTS", "4")
        page.fill("#v_RATE", "150")
        page.get_by_role("button", name="Nộp báo cáo").click()
        # The first wrong field is on screen, though the button was at the bottom of the page.
        page.locator("#v_RATE.is-invalid").wait_for()
        # The page brings it into view itself (actions.js, just after htmx settles): wait for that, then look.
        page.wait_for_function(
            "() => { const r = document.querySelector('#v_RATE').getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight; }",
            timeout=5_000,
        )
        box = page.locator("#v_RATE").bounding_box()
        assert box and 0 <= box["y"] <= 740, box
        page.fill("#v_RATE", "90")
        page.get_by_role("button", name="Nộp báo cáo").click()
        message = page.get_by_text("Đã nộp báo cáo.")
        message.wait_for()
        box = message.bounding_box()
        assert box and 0 <= box["y"] <= 740, box  # visible without scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

    phone_pages(scenario)
    s.refresh_from_db()
    assert s.status == "submitted" and s.values.get(indicator=catalog.posts).value == 4


def test_it_lets_an_approver_approve_three_at_once(live_server, tree, catalog, report, make_user):
    make_user("approver", tree.p1, username="duyet")
    three = [
        report(u, catalog.weekly, "2025W10", {"POSTS": str(n)}, when=at(2025, 3, 10))
        for n, u in enumerate((tree.c1, tree.c2, tree.c3), 1)
    ]
    base = live_server.url

    def scenario(new_page):
        page = new_page()
        log_in(page, base, "duyet")
        page.locator("#panel-approval-queue #home-queue-link").click()
        page.wait_for_url("**/reports/queue/")
        assert page.locator("input[name=ids]").count() == 3
        page.locator("#select-all").check()
        page.get_by_role("button", name="Duyệt các báo cáo đã chọn").click()
        page.get_by_text("Đã duyệt 3 báo cáo.").wait_for()
        page.locator("#queue-empty").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

    phone_pages(scenario)
    assert {Submission.objects.get(pk=s.pk).status for s in three} == {"approved"}
