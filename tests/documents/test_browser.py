"""On a 360 px phone: a secretary registers an incoming document, finds it as a card in the incoming register,
and finds 35-NQ/TW by typing "nq 35" without diacritics; no page scrolls sideways or breaks the CSP."""

from __future__ import annotations

from datetime import date

import pytest

from giaoban.documents.services import register
from giaoban.orgs.models import Committee
from tests.reporting.test_browser_entry import log_in, phone_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_secretary_registers_and_finds_documents_on_a_phone(live_server, tree, make_user):
    committee = Committee.objects.create(name="Ban Chỉ đạo 35 Thanh Hóa", short_name="BCĐ 35", org_unit=tree.p1)
    register.document_create(
        committee=None, direction="incoming", number="35", symbol="NQ/TW", type="nghi_quyet",
        date=date(2018, 10, 22), issuer="Bộ Chính trị",
        subject="Về tăng cường bảo vệ nền tảng tư tưởng của Đảng",
    )  # fmt: skip
    make_user("secretary", tree.p1, username="thuky")
    base = live_server.url

    def scenario(new_page, errors=None):
        page = new_page()
        log_in(page, base, "thuky")
        page.goto(f"{base}/documents/incoming/new/?committee={committee.pk}")
        page.fill("#id_number", "12")
        page.fill("#id_symbol", "CV/BTG")
        page.select_option("#id_type", "cong_van")
        page.fill("#id_date", "2027-03-01")
        page.fill("#id_issuer", "Ban Tuyên giáo Trung ương")
        page.fill("#id_subject", "Về việc tuyên truyền kỷ niệm")
        page.fill("#id_received_on", "2027-03-03")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Vào sổ").click()
        page.get_by_text("Đã vào sổ văn bản đến, số đến 1/2027.").wait_for()
        page.goto(f"{base}/documents/committees/{committee.pk}/incoming/")
        card = page.locator(".incoming-cards li", has_text="12-CV/BTG")
        assert card.is_visible() and "Số đến 1" in card.inner_text()
        assert not page.locator(".register-table").is_visible()  # the table is for wider screens
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.goto(f"{base}/documents/")
        page.fill("#f-q", "nq 35")
        page.locator("#rows .document-list li", has_text="12-CV/BTG").wait_for(state="detached")  # htmx swapped
        page.locator("#rows .document-list li", has_text="35-NQ/TW").wait_for()
        assert page.locator("#rows .document-list li").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

    phone_pages(scenario)
