"""On a 360 px phone, a province officer opens the dashboard of the demo data: the charts are drawn (ECharts
canvases of non-zero size) without CSP errors, the period changes in place, and a commune is one tap away.
Screenshots go to /tmp/dashboard-phone.png and /tmp/dashboard-desktop.png for a look."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from giaoban.orgs.models import Committee
from giaoban.reporting import demo
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.reporting.helpers import ngoc_lac_tree

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

PASSWORD = "matkhau-an-toan-123"
DESKTOP = {"width": 1280, "height": 900}
# Screenshots to look at after a change (nothing secret in them); GIAOBAN_SHOTS puts them elsewhere.
SHOTS = Path(os.environ.get("GIAOBAN_SHOTS", "/tmp"))  # noqa: S108
COMMUNES = [
    ("14806", "Phường Hạc Thành"),
    ("14809", "Phường Quảng Phú"),
    ("14812", "Phường Đông Quang"),
    ("14815", "Phường Sầm Sơn"),
    ("15061", "Xã Ngọc Lặc"),
    ("15085", "Xã Thạch Lập"),
    ("15088", "Xã Minh Sơn"),
    ("15091", "Xã Nguyệt Ấn"),
    ("15094", "Xã Kiên Thọ"),
    ("15097", "Xã Thọ Xuân"),
    ("15100", "Xã Hoằng Hóa"),
    ("15103", "Xã Nghi Sơn"),
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_province(db):
    """Thanh Hóa with its old district of Ngọc Lặc (to 30/06/2025) and twelve current communes, loaded with
    the reporting demo: six finished weeks of 2026, some reports late, some missing."""
    th = ngoc_lac_tree(COMMUNES)["th"]
    demo.load()
    return th


def run_in_own_thread(scenario) -> None:
    """Playwright's sync API refuses a thread whose event loop is already running (another module may hold a
    session-wide browser in this one), so the browser lives in a thread of its own."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(scenario).result()


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base_url}/")


def screenshot(page, path: Path) -> None:
    """The whole page, and for a tall one also screen-high parts (path-1.png, …), which are easier to look at."""
    page.screenshot(path=path, full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    step = 2 * page.viewport_size["height"]
    for n, top in enumerate(range(0, height, step), start=1):
        clip = {"x": 0, "y": top, "width": width, "height": min(step, height - top)}
        page.screenshot(path=path.with_name(f"{path.stem}-{n}.png"), full_page=True, clip=clip)


def canvas_size(page, selector: str) -> tuple[float, float]:
    page.locator(f"{selector} canvas").first.wait_for()
    box = page.locator(f"{selector} canvas").first.bounding_box()
    return (box["width"], box["height"]) if box else (0, 0)


def test_it_draws_the_dashboard_on_a_phone_and_drills_down_to_a_commune(live_server, demo_province, make_user):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    # The province's standing-agency secretary: reads the dashboard and enters for the units below.
    make_user("secretary", demo_province, username="lanhdao")
    Committee.objects.create(name="Ban Chỉ đạo 35 Tỉnh ủy Thanh Hóa", short_name="BCĐ 35", org_unit=demo_province)
    base = live_server.url

    def scenario():
        from playwright.sync_api import sync_playwright

        errors: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

            def new_page(viewport, mobile):
                context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile, locale="vi-VN")
                context.set_default_timeout(10_000)
                page = context.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                return page

            try:
                page = new_page(PHONE, True)
                log_in(page, base, "lanhdao")
                page.locator("#dashboard-link").click()
                page.wait_for_url("**/reports/dashboard/")
                assert "Tỉnh Thanh Hóa" in page.locator("h1").inner_text()
                width, height = canvas_size(page, ".completeness-chart")
                assert width > 300 and height > 200, (width, height)
                charts = page.locator(".trend-chart").count()
                assert charts == 2  # the form's required indicators by default
                assert all(canvas_size(page, f".trend-chart[data-series='{i}']")[0] > 300 for i in range(charts))
                # The page itself never scrolls sideways; wide tables scroll inside their box.
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
                assert page.locator("#completeness tbody tr").count() == len(COMMUNES)
                screenshot(page, SHOTS / "dashboard-phone.png")
                # The charts' axis labels and tooltips use the Vietnamese number format.
                formatted = page.evaluate(
                    "[56000, 0.6, 1234.5, 11008].map(v => giaobanDashboard.format(v)).concat("
                    "[giaobanDashboard.format(63.456, 1)])"
                )
                assert formatted == ["56.000", "0,6", "1.234,5", "11.008", "63,5"]

                # Another period, in place (htmx): the table and the charts are redrawn.
                before = page.locator("#summary strong").first.inner_text()
                page.select_option("#id_period", index=2)
                page.wait_for_function("t => document.querySelector('#summary strong').innerText !== t", arg=before)
                assert canvas_size(page, ".completeness-chart")[0] > 300

                # Drill down to a commune.
                page.locator("#completeness tbody a", has_text="Xã Ngọc Lặc").click()
                page.wait_for_url("**unit=15061**")
                assert "Xã Ngọc Lặc" in page.locator("h1").inner_text()
                assert page.locator("#breadcrumb a", has_text="Tỉnh Thanh Hóa").count() == 1
                assert canvas_size(page, ".trend-chart[data-series='0']")[0] > 300
                screenshot(page, SHOTS / "dashboard-phone-commune.png")

                desktop = new_page(DESKTOP, False)
                log_in(desktop, base, "lanhdao")
                desktop.goto(f"{base}/reports/dashboard/")
                canvas_size(desktop, ".completeness-chart")
                desktop.screenshot(path=SHOTS / "dashboard-desktop.png", full_page=True)
                # From the dashboard: the officer's multi-unit template and the consolidated report.
                with desktop.expect_download() as template:
                    desktop.locator("#download-template").click()
                assert template.value.suggested_filename.endswith(".xlsx")
                book = load_workbook(io.BytesIO(Path(template.value.path()).read_bytes()))
                assert len(book.sheetnames) >= 2 and "_giaoban" in book.sheetnames
                desktop.locator("#open-consolidated").click()
                desktop.wait_for_url("**/reports/consolidated/**")
                with desktop.expect_download() as report:
                    desktop.locator("#downloads a", has_text=".docx").click()
                assert report.value.suggested_filename.endswith(".docx")
                doc = Document(report.value.path())
                cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
                text = "\n".join([*(p.text for p in doc.paragraphs), *cells])
                assert "BÁO CÁO" in text and "TỈNH ỦY THANH HÓA" in text and "Xã Ngọc Lặc" in text
                desktop.goto(f"{base}/reports/dashboard/")
                canvas_size(desktop, ".completeness-chart")
                desktop.emulate_media(media="print")
                desktop.screenshot(path=SHOTS / "dashboard-print.png", full_page=True)
                assert not desktop.locator(".completeness-chart").is_visible()
                assert desktop.locator("#completeness").is_visible() and desktop.locator("#trend").is_visible()
            finally:
                browser.close()
        assert not [e for e in errors if "Content Security Policy" in e], errors
        assert not [e for e in errors if "echarts" in e.lower() or "TypeError" in e], errors

    run_in_own_thread(scenario)
