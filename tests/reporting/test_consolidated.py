"""The consolidated report: the old Ngọc Lặc district's 2023N9 report read back from .docx, the draft with its
history and conflicts, issuing, the CLI, the page and the API with their access matrix, query budgets."""

from __future__ import annotations

import os
from datetime import date
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from rest_framework.test import APIClient

from giaoban.core import officialdoc
from giaoban.core.errors import Conflict, ServiceError
from giaoban.orgs.models import Committee, OrgUnit
from giaoban.reporting import consolidated, demo
from giaoban.reporting.models import ConsolidatedReport
from tests.access import Endpoint, check, matrix

from .helpers import at, commune

SUBJECT = "Kết quả công tác 9 tháng 2023, nhiệm vụ thời gian tới"


# --- The old district on a minimal tree, with the reporting demo (as in test_demo.py) ------------------


NBSP = "\u00a0"


def draft(committee, **changes):
    form = consolidated.default_form(committee)
    report = consolidated.report_find_or_build(committee=committee, form=form, period="2023N9")
    return consolidated.report_save(report=report, expected_version=0, **changes)


def read_docx(data: bytes) -> list[str]:
    """Every paragraph of the body and of the table cells (header and signature blocks are tables)."""
    document = Document(BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return lines


def figures_rows(data: bytes) -> list[list[str]]:
    """Rows of the figures table: the table whose first cell is "STT"."""
    document = Document(BytesIO(data))
    for table in document.tables:
        if table.rows[0].cells[0].text == "STT":
            return [[c.text for c in row.cells] for row in table.rows]
    raise AssertionError("no figures table")


def test_it_builds_the_old_districts_nine_month_report_as_a_party_docx(district):
    report = draft(district, narrative={"limitations": "Lực lượng cộng tác viên còn mỏng."})
    report = consolidated.report_issue(report=report, number="12", issued_on=date(2023, 10, 5))
    data = consolidated.export(report, "docx")
    lines = read_docx(data)
    text = "\n".join(lines)
    for expected in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "HUYỆN ỦY NGỌC LẶC",
        "BAN CHỈ ĐẠO 35",
        "Số 12-BC/BCĐ",
        "Ngọc Lặc, ngày 05 tháng 10 năm 2023",
        "BÁO CÁO",
        SUBJECT,
        "T/M BAN CHỈ ĐẠO",
        "TRƯỞNG BAN",
        "Bùi Văn Tuấn",
        "Nơi nhận:",
        "- Ban Chỉ đạo 35 Tỉnh ủy Thanh Hóa (để báo cáo),",
    ]:
        assert expected in lines, expected
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text
    # The body quotes the figures in Vietnamese format, generated from the indicators' names and values.
    body = next(line for line in lines if line.startswith("Kết quả chủ yếu 9 tháng 2023"))
    for phrase in ["279 bài", "bình quân 56.000 lượt", "11.008 người", "388 bài", "77.000 lượt", "166 bài", "38.000"]:
        assert phrase in body, phrase
    # The edited section replaces the units' text; the others start from the units' own words.
    assert "Lực lượng cộng tác viên còn mỏng." in lines
    assert demo.NARRATIVE["results"] in lines and demo.NARRATIVE["limitations"] not in lines
    rows = figures_rows(data)
    assert rows[0] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"]
    by_name = {r[1]: r[3] for r in rows[1:]}
    assert by_name["Số bài viết trên trang thông tin (blog) của Ban Chỉ đạo"] == "279"
    assert by_name["Lượt truy cập blog trong tháng"] == "56.000"
    assert by_name["Số người theo dõi fanpage"] == "11.008"
    assert len(rows) == 8


def test_it_leaves_the_number_and_date_blank_until_issued_and_pads_the_date(district):
    report = draft(district)
    lines = read_docx(consolidated.export(report, "docx"))
    number = next(line for line in lines if line.startswith("Số ") and "BC/BCĐ" in line)
    assert number.endswith("-BC/BCĐ") and not any(c.isdigit() for c in number)
    # A draft is not dated today: the day and month are written in on the signing day.
    dated = next(line for line in lines if line.startswith("Ngọc Lặc, ngày"))
    year = timezone.localdate().year
    assert dated == f"Ngọc Lặc, ngày{NBSP * 6}tháng{NBSP * 6}năm {year}", dated
    report = consolidated.report_issue(report=report, number="7", issued_on=date(2024, 2, 3))
    assert "Ngọc Lặc, ngày 03 tháng 02 năm 2024" in read_docx(consolidated.export(report, "docx"))


def test_it_uses_the_decree_30_layout_for_a_state_body_committee(district):
    district.is_state_body = True
    district.save(update_fields=["is_state_body"])
    report = consolidated.report_issue(report=draft(district), number="12", issued_on=date(2023, 10, 5))
    lines = read_docx(consolidated.export(report, "docx"))
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND HUYỆN NGỌC LẶC",
        "Số: 12/BC-BCĐ",
        "TM. BAN CHỈ ĐẠO",
    ]:
        assert expected in lines, expected
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in lines


def test_it_names_the_body_above_from_the_unit(tree):
    assert consolidated.parent_body(tree.d1, "party") == "HUYỆN ỦY NGỌC LẶC"
    assert consolidated.parent_body(tree.p1, "party") == "TỈNH ỦY THANH HÓA"
    assert consolidated.parent_body(tree.p2, "party") == "THÀNH ỦY HÀ NỘI"
    assert consolidated.parent_body(tree.vn, "party") == "BAN CHẤP HÀNH TRUNG ƯƠNG"
    assert consolidated.parent_body(tree.c2, "party") == "ĐẢNG ỦY XÃ NGỌC KHÊ"
    assert consolidated.parent_body(tree.c1, "party") == "ĐẢNG ỦY THỊ TRẤN NGỌC LẶC"
    assert consolidated.parent_body(tree.p1, "state") == "UBND TỈNH THANH HÓA"
    assert consolidated.parent_body(tree.d1, "state") == "UBND HUYỆN NGỌC LẶC"


def test_it_keeps_the_drafts_history_and_refuses_a_stale_save(district, make_user):
    a, b = make_user("approver", district.org_unit), make_user("secretary", district.org_unit)
    report = draft(district, actor=a, narrative={"results": "Bản của A."})
    assert report.version == 1
    report = consolidated.report_save(
        report=report, expected_version=1, actor=b, narrative={"results": "Bản của B."}, subject="Trích yếu mới"
    )
    # A still has version 1 open: the save is refused with who saved meanwhile, nothing is lost.
    with pytest.raises(Conflict) as exc:
        consolidated.report_save(report=report, expected_version=1, actor=a, narrative={"results": "A lần hai."})
    assert b.username in exc.value.message and "meanwhile" in exc.value.message
    assert exc.value.extra["narrative"]["results"] == "Bản của B."
    # Two officers opening the page before the first save: the second first-save is a conflict too.
    fresh = consolidated.report_find_or_build(committee=district, form=report.form, period="2023N9")
    assert fresh.pk is not None
    new = ConsolidatedReport(committee=district, form=report.form, period="2023N9")
    with pytest.raises(Conflict):
        consolidated.report_save(report=new, expected_version=0, actor=a, narrative={"results": "x"})
    saved = ConsolidatedReport.objects.get()
    assert saved.narrative["results"] == "Bản của B." and saved.subject == "Trích yếu mới"
    history = list(saved.history.order_by("history_date"))
    assert [h.history_user for h in history] == [a, b]
    assert [h.narrative["results"] for h in history] == ["Bản của A.", "Bản của B."]


def test_it_locks_an_issued_report(district, make_user):
    report = draft(district)
    with pytest.raises(ServiceError, match="invalid document number"):
        consolidated.report_issue(report=report, number="12 a", issued_on=date(2023, 10, 5))
    with pytest.raises(ServiceError, match="save the draft first"):
        unsaved = ConsolidatedReport(committee=district, form=report.form, period="2023Q3")
        consolidated.report_issue(report=unsaved, number="1", issued_on=date(2023, 10, 5))
    report = consolidated.report_issue(report=report, number="12", issued_on=date(2023, 10, 5))
    with pytest.raises(ServiceError, match="issued"):
        consolidated.report_save(report=report, expected_version=report.version, narrative={"results": "x"})
    with pytest.raises(ServiceError, match="issued"):
        consolidated.report_issue(report=report, number="13", issued_on=date(2023, 10, 6))
    assert ConsolidatedReport.objects.get().number == "12"
    client = APIClient()
    client.force_authenticate(make_user("approver", district.org_unit))
    r = client.put(
        "/api/v1/reports/consolidated/",
        {"committee": district.pk, "period": "2023N9", "version": report.version, "narrative": {"results": "x"}},
        format="json",
    )
    assert r.status_code == 400 and set(r.json()) == {"message", "code", "extra"}


def test_it_gathers_the_units_texts_once_per_text(district):
    unit = district.org_unit
    form = consolidated.default_form(district)
    sections = {s.key: s for s in consolidated.gather_narratives(unit, form, "2023N9")}
    results = sections["results"].items
    # The district sent the same text every month: once, with the months it came in.
    assert len(results) == 1 and results[0].unit == unit and len(results[0].periods) == 9
    assert sections["results"].prefill(unit) == demo.NARRATIVE["results"]
    assert sections["proposals"].items == []


def test_it_gives_the_communes_rows_for_the_weekly_form(district):
    unit = district.org_unit
    weekly = consolidated.default_form(district, "BC35-TUAN")
    table = consolidated.consolidated_table(None, unit, weekly, "2023N9")
    assert [r.unit.code for r in table.rows] == ["15067", "15064"]  # Vietnamese order: Ngọc Khê, Thị trấn
    assert all(r.expected == 39 for r in table.rows) and table.total.expected == 78
    posts = [i.code for i in table.indicators].index("COMMUNE_POSTS")
    assert table.total.values[posts] == sum(r.values[posts] for r in table.rows) > 0
    assert len(table.headers) == 6


def test_it_gives_a_commune_committee_its_own_row(district):
    commune = OrgUnit.objects.get(code="15064")
    committee = Committee.objects.create(name="Ban Chỉ đạo 35 Thị trấn", short_name="BCĐ 35", org_unit=commune)
    form = consolidated.default_form(committee)
    assert form.code == "BC35-TUAN"
    table = consolidated.consolidated_table(None, commune, form, "2023N9")
    assert [r.unit for r in table.rows] == [commune] and table.rows[0].values == table.total.values


# --- CLI ------------------------------------------------------------------------------------------------


def test_it_exports_from_the_command_line(district, tmp_path, capsys):
    out = tmp_path / "bc.docx"
    call_command("report", "export", "--unit", "389", "--period", "2023N9", "--format", "docx", "-o", str(out))
    assert "Ban Chỉ đạo 35 Huyện ủy Ngọc Lặc" in capsys.readouterr().out
    assert "HUYỆN ỦY NGỌC LẶC" in read_docx(out.read_bytes())
    xlsx = tmp_path / "bc.xlsx"
    call_command(
        "report", "export", "--unit", "389", "--period", "2023N9", "--format", "xlsx", "-o", str(xlsx), "--approved"
    )
    rows = [r for r in load_workbook(xlsx).active.iter_rows(values_only=True) if any(r)]
    assert rows[1][:3] == ("STT", "Đơn vị", "Số bài viết trên trang thông tin (blog) của Ban Chỉ đạo (bài)")
    assert rows[-1][1:5] == ("Tổng cộng", 279, 56000, 11008)
    assert ConsolidatedReport.objects.count() == 0  # exporting writes nothing


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "999", "--period", "2023N9"], "unknown unit"),
        (["--unit", "389", "--period", "2023X9"], "invalid period"),
        (["--unit", "389", "--period", "2023N9", "--form", "NOPE"], "not reported"),
        (["--unit", "389", "--period", "2023N9", "--committee", "999999"], "no such committee"),
        (["--unit", "15061", "--period", "2023N9"], "no committee"),
        (["--unit", "389", "--period", "2023W41", "--form", "BC35-KENH"], "cannot compose"),
    ],
)
def test_it_fails_clearly_on_bad_command_line_input(district, tmp_path, args, message):
    out = tmp_path / "x.docx"
    with pytest.raises(CommandError, match=message):
        call_command("report", "export", *args, "--format", "docx", "-o", str(out))
    assert not out.exists()


def test_it_exits_non_zero_from_the_console(district, tmp_path):
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exc:
        execute_from_command_line(
            ["giaoban", "report", "export", "--unit", "999", "--period", "2023N9", "--format", "pdf", "-o", "x"]
        )
    assert exc.value.code != 0


@pytest.mark.skipif(
    not officialdoc.pdf_available() and os.environ.get("CI") != "true", reason="LibreOffice is not installed"
)
def test_it_exports_a_pdf(district, tmp_path):
    out = tmp_path / "bc.pdf"
    call_command("report", "export", "--unit", "389", "--period", "2023N9", "--format", "pdf", "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")


# --- Page and API ---------------------------------------------------------------------------------------


def test_it_shows_the_page_and_saves_the_draft_with_history(client, district, make_user):
    officer = make_user("approver", district.org_unit, first_name="Hiền", last_name="Phạm Thị")
    client.force_login(officer)
    url = f"/reports/consolidated/{district.pk}/2023N9/"
    page = client.get(url).content.decode()
    for expected in ["Báo cáo tổng hợp", "9 tháng 2023", "279", "56.000", "11.008", demo.NARRATIVE["results"]]:
        assert expected in page, expected
    assert "Chưa lưu lần nào" in page
    form = {f"n_{k}": v for k, v in demo.NARRATIVE.items()} | {
        "version": "0",
        "subject": SUBJECT,
        "place": "Ngọc Lặc",
        "signer_capacity": "T/M BAN CHỈ ĐẠO",
        "signer_title": "TRƯỞNG BAN",
        "signer_name": "Bùi Văn Tuấn",
        "recipients": "- Lưu VT.",
        "action": "save",
        "n_proposals": "Đề nghị tập huấn thêm.",
    }
    assert client.post(url, form).status_code == 302
    page = client.get(url).content.decode()
    assert "Đề nghị tập huấn thêm." in page and "Phạm Thị Hiền" in page
    # A second save from the same stale page (version 0) is a conflict, shown with the saved text.
    response = client.post(url, form | {"n_proposals": "Khác"})
    assert response.status_code == 409 and "meanwhile" in response.content.decode()
    assert ConsolidatedReport.objects.get().narrative["proposals"] == "Đề nghị tập huấn thêm."
    docx = client.get(f"/reports/consolidated/{district.pk}/2023N9/docx/")
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    assert "Đề nghị tập huấn thêm." in read_docx(docx.content)
    assert client.get(f"/reports/consolidated/{district.pk}/2023N9/xlsx/").status_code == 200
    # The unit's pages link to it by unit code.
    status = client.get("/reports/389/BC35-KENH/2023-09/status/").content.decode()
    assert "/reports/consolidated/unit/389/2023-09/?form=BC35-KENH" in status
    r = client.get("/reports/consolidated/unit/389/2023N9/?form=BC35-KENH")
    assert r.status_code == 302 and r["Location"] == f"{url}?form=BC35-KENH"
    assert client.get("/reports/consolidated/unit/15061/2023N9/").status_code == 404


def test_it_issues_from_the_page_and_locks_the_form(client, district, make_user):
    client.force_login(make_user("approver", district.org_unit))
    report = draft(district)
    url = f"/reports/consolidated/{district.pk}/2023N9/"
    r = client.post(url, {"action": "issue", "number": "12", "issued_on": "2023-10-05", "version": report.version})
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert "Đã ban hành" in page and 'name="n_results"' not in page


def test_it_lets_only_editors_save(client, district, make_user):
    client.force_login(make_user("viewer", district.org_unit))
    url = f"/reports/consolidated/{district.pk}/2023N9/"
    assert 'name="n_results"' not in client.get(url).content.decode()
    assert client.post(url, {"version": "0", "action": "save"}).status_code == 404
    api = APIClient()
    api.force_authenticate(make_user("member", district.org_unit))
    r = api.patch(
        "/api/v1/reports/consolidated/", {"committee": district.pk, "period": "2023N9", "version": 0}, format="json"
    )
    assert r.status_code == 403
    assert ConsolidatedReport.objects.count() == 0


def test_it_answers_the_api(district, make_user):
    client = APIClient()
    client.force_authenticate(make_user("secretary", district.org_unit))
    r = client.get(f"/api/v1/reports/consolidated/?committee={district.pk}&period=2023N9")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["form"] == "BC35-KENH" and body["period_label"] == "9 tháng 2023"
    total = body["table"]["total"]
    assert total["values"]["BLOG_POSTS"] == 279 and total["display"]["BLOG_VISITORS"] == "56.000"
    assert body["narratives"][0]["items"][0]["unit"] == "389"
    assert body["draft"]["id"] is None and body["draft"]["narrative"]["results"] == demo.NARRATIVE["results"]
    r = client.put(
        "/api/v1/reports/consolidated/",
        {"committee": district.pk, "period": "2023N9", "version": 0, "narrative": {"results": "Mới."}},
        format="json",
    )
    assert r.status_code == 200 and r.json()["version"] == 1
    r = client.patch(
        "/api/v1/reports/consolidated/",
        {"committee": district.pk, "period": "2023N9", "version": 0, "narrative": {"results": "Cũ."}},
        format="json",
    )
    assert r.status_code == 409 and set(r.json()) == {"message", "code", "extra"}
    r = client.get(f"/api/v1/reports/consolidated/?committee={district.pk}&period=2023N9&format=docx")
    assert r.status_code == 200 and "Mới." in read_docx(r.content)
    r = client.get(f"/api/v1/reports/consolidated/?committee={district.pk}&period=2023N9")
    assert [h["type"] for h in r.json()["history"]] == ["+"]
    for bad in [
        "period=2023N9",
        f"committee={district.pk}&period=2023X1",
        f"committee={district.pk}&period=2023N9&form=X",
    ]:
        r = client.get(f"/api/v1/reports/consolidated/?{bad}")
        assert r.status_code == 400 and set(r.json()) == {"message", "code", "extra"}, bad


def test_it_issues_through_the_api(district, make_user):
    client = APIClient()
    client.force_authenticate(make_user("approver", district.org_unit))
    report = draft(district)
    r = client.post(
        "/api/v1/reports/consolidated/issue/",
        {
            "committee": district.pk,
            "period": "2023N9",
            "version": report.version,
            "number": "12",
            "issued_on": "2023-10-05",
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "issued" and r.json()["number"] == "12"


def test_it_documents_the_endpoint(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/reports/consolidated/" in schema and "/api/v1/reports/consolidated/issue/" in schema


class World:
    def __init__(self, committees):
        self.committee = {"in": committees["38"], "out": committees["01"]}


ENDPOINTS = [
    Endpoint("consolidated-page", lambda w, s: f"/reports/consolidated/{w.committee[s].pk}/2025N9/"),
    Endpoint("consolidated-xlsx", lambda w, s: f"/reports/consolidated/{w.committee[s].pk}/2025N9/xlsx/"),
    Endpoint(
        "api-consolidated",
        lambda w, s: f"/api/v1/reports/consolidated/?committee={w.committee[s].pk}&period=2025N9",
        api=True,
    ),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_the_page_and_the_endpoint(client, tree, catalog, committees, make_user, endpoint, role, scope):
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, World(committees), endpoint, role, scope, user)


# --- Query budget ---------------------------------------------------------------------------------------


def _communes(tree, report, catalog, n: int) -> None:
    for i in range(n):
        tree.p1.refresh_from_db()
        unit = commune(tree.p1, f"{95000 + i}", f"Xã Thử {i}")
        for week in ("2025W28", "2025W29"):
            report(unit, catalog.weekly, week, {"POSTS": i + 1, "ORIGINAL": 1, "FOLLOWERS": 10}, when=at(2025, 7, 21))


@pytest.mark.parametrize("path", ["table", "page"])
def test_it_keeps_the_query_count_constant_in_the_number_of_units(
    client, tree, catalog, committees, report, make_user, path
):
    committee = committees["38"]
    user = make_user("viewer", tree.p1)
    client.force_login(user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            if path == "table":
                consolidated.consolidated_table(user, tree.p1, catalog.weekly, "2025-07")
            else:
                assert client.get(f"/reports/consolidated/{committee.pk}/2025-07/?form=W35").status_code == 200
        return len(ctx.captured_queries)

    _communes(tree, report, catalog, 2)
    count()  # the user's roles are read once per user object
    small = count()
    for i in range(6):
        tree.p1.refresh_from_db()
        unit = commune(tree.p1, f"{96000 + i}", f"Phường Mới {i}", subtype="phuong")
        report(unit, catalog.weekly, "2025W28", {"POSTS": 3}, when=at(2025, 7, 14))
    table = consolidated.consolidated_table(user, tree.p1, catalog.weekly, "2025-07")
    assert len(table.rows) >= 10
    # Many units: numbered columns named in a legend, so the unit column keeps its width on a portrait page.
    figures, legend = consolidated.doc_table(table)
    assert figures.headers[:3] == ["STT", "Đơn vị", "(1)"] and figures.total_row[1] == "Tổng cộng"
    assert "(1) Số bài đăng (bài)" in legend
    assert count() == small


def test_it_numbers_an_issued_report_from_the_committee_series_and_registers_it(district):
    """No number typed: the next of the committee's series; the report stands in the outgoing register, and a
    typed number already used by another report is refused."""
    from giaoban.documents.models import Document as Registered

    first = consolidated.report_issue(report=draft(district), number="", issued_on=date(2023, 10, 5))
    assert first.number == "01"
    row = Registered.objects.get(direction="outgoing", type="bao_cao")
    assert (row.committee, row.serial, row.source, row.date) == (district, 1, first, date(2023, 10, 5))
    assert row.number_symbol.startswith("01-BC/") or row.number_symbol.startswith("01/BC-")
    other = ConsolidatedReport.objects.create(committee=district, form=first.form, period="2023Q3")
    with pytest.raises(Conflict):
        consolidated.report_issue(report=other, number="1", issued_on=date(2023, 10, 6))
    assert consolidated.report_issue(report=other, number="", issued_on=date(2023, 10, 6)).number == "02"
