"""One number format on every page, export, chart and API answer: "8.134" and "56,4 %" in Vietnamese,
"8,134" and "56.4 %" in English; a restated count (a closed unit's figures shared out by split share) is
rounded and marked as an estimate ("≈ 4"), never shown as "4,2 bài"."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from giaoban.core import formats
from giaoban.reporting.figures import figure


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    # A request with the English cookie leaves English active in the thread; later tests expect the default.
    yield
    translation.deactivate()


@pytest.fixture
def admin_client(client, make_user, tree):
    client.force_login(make_user("system_admin", tree.vn))
    return client


def english(client):
    client.cookies["django_language"] = "en"
    return client


def text_of(html: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:p|table)>', html, re.S)
    assert m, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m[1])).strip()


def test_it_formats_numbers_and_percentages_in_each_language():
    assert formats.format_number(8134) == "8.134" and formats.format_number(8134, locale="en") == "8,134"
    assert formats.format_number(162729) == "162.729"
    assert formats.format_percent(Decimal("56.43")) == "56,4 %"
    assert formats.format_percent(56.45, locale="en") == "56.5 %"
    assert formats.format_percent(None) == ""
    assert formats.format_estimate(Decimal("298.7")) == "≈ 299"
    assert formats.number_symbols("vi") == {"group": ".", "decimal": ",", "space": " "}
    assert formats.number_symbols("en")["group"] == ","


def test_it_shows_a_restated_count_rounded_and_marked_but_a_ratio_to_one_decimal(catalog):
    restated = figure(catalog.posts, Decimal("298.7"), estimated=True)
    assert (restated.value, restated.text("vi"), restated.number_format) == (Decimal(299), "≈ 299", "#,##0")
    assert figure(catalog.posts, Decimal(8134)).text("en") == "8,134"
    assert figure(catalog.share, Decimal("56.4321")).text("vi") == "56,4 %"
    assert figure(catalog.share, Decimal("56.4321")).number_format == '#,##0.0" %"'
    assert figure(catalog.visitors, Decimal("1234.5")).text("vi") == "1.234,5"


@pytest.fixture
def split(tree, catalog, report):
    """C3 reported 7 posts and 8.134 visitors before it was split 60/40 into N1 and N2."""
    report(tree.c3, catalog.weekly, "2025W10", {"POSTS": 7, "ORIGINAL": 3, "VISITORS": 8134})
    return tree


def test_it_shows_restated_counts_on_the_rollup_page_rounded_and_marked(admin_client, split):
    url = "/reports/rollup/?indicator=POSTS&unit=38&period=2025&restated=on"
    page = admin_client.get(url).content.decode()
    rows = text_of(page, "children")
    # N1 = 0.6 x 7 = 4.2, N2 = 0.4 x 7 = 2.8: counts of posts, shown whole and marked.
    assert "Xã Ngọc Lặc ≈ 4" in rows and "Xã Thạch Lập ≈ 3" in rows
    assert "4,2" not in rows and "2,8" not in rows
    assert 'title="ước tính (số liệu đơn vị cũ chia theo tỷ lệ)"' in page
    assert "Ước tính (số liệu đơn vị cũ chia theo tỷ lệ)" in text_of(page, "estimate-note")
    # Not restated, the figures stand under C3's old district: exact, no mark.
    page = admin_client.get(url.replace("&restated=on", "")).content.decode()
    assert "≈" not in page and "estimate-note" not in page


def test_it_groups_thousands_by_language_on_the_rollup_page(admin_client, split):
    url = "/reports/rollup/?indicator=VISITORS&unit=38&period=2025"
    assert "8.134" in text_of(admin_client.get(url).content.decode(), "total")
    assert "8,134" in text_of(english(admin_client).get(url).content.decode(), "total")


def test_it_flags_restated_estimates_in_the_api(admin_client, split):
    r = admin_client.get("/api/v1/rollup/?indicator=POSTS&unit=38&period=2025&by=child&restated=true")
    assert r.status_code == 200, r.content
    by_unit = {row["unit"]: (row["value"], row["estimated"]) for row in r.json()}
    assert by_unit["15061"] == (4, True) and by_unit["15085"] == (3, True)
    whole = admin_client.get("/api/v1/rollup/?indicator=POSTS&unit=38&period=2025").json()
    assert (whole["value"], whole["estimated"]) == (7, False)


def test_it_writes_rollup_figures_as_numbers_with_a_grouping_format(admin_client, split):
    r = admin_client.get("/reports/rollup.xlsx?indicator=VISITORS&unit=38&period=2025")
    assert r.status_code == 200, r.content[:300]
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = {row[1].value: row[2] for row in ws.iter_rows(min_row=4) if row[1].value}
    total = next(c for name, c in cells.items() if name.startswith("Toàn"))
    assert total.value == 8134 and total.data_type == "n" and total.number_format == "#,##0"

    r = admin_client.get("/reports/rollup.xlsx?indicator=POSTS&unit=38&period=2025&restated=on")
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = {row[0].value: row[2] for row in ws.iter_rows(min_row=4)}
    assert cells["15061"].value == 4 and cells["15061"].number_format == "#,##0"
    assert "ước tính" in ws["A1"].value


def test_it_writes_a_percentage_with_one_decimal_and_its_sign(admin_client, split):
    r = admin_client.get("/reports/rollup.xlsx?indicator=SHARE&unit=38&period=2025")
    ws = load_workbook(io.BytesIO(r.content)).active
    total = next(row[2] for row in ws.iter_rows(min_row=4) if str(row[1].value).startswith("Toàn"))
    assert total.value == pytest.approx(42.8571) and total.number_format == '#,##0.0" %"'


def test_it_sends_the_pages_separators_to_the_dashboard_chart(admin_client, tree, catalog, report):
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 8134})
    url = "/reports/dashboard/?unit=389&form=W35&period=2025W10"

    def chart(client):
        page = client.get(url).content.decode()
        m = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S)
        assert m, page[:500]
        return page, json.loads(m[1])

    page, data = chart(admin_client)
    assert data["number"] == {"group": ".", "decimal": ",", "space": " "}
    assert re.search(r">\s*\d+,\d %\s*<", page), "a completeness percentage as 33,3 %"
    page, data = chart(english(admin_client))
    assert data["number"] == {"group": ",", "decimal": ".", "space": " "}
    assert re.search(r">\s*\d+\.\d %\s*<", page)
