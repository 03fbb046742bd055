"""Official documents (.docx/.pdf): read the output back with python-docx and check what a Party or state office checks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from giaoban.core import officialdoc
from giaoban.core.docx import build_templates
from giaoban.core.errors import ServiceError
from giaoban.core.formats import format_number
from giaoban.core.officialdoc import OfficialDocument, Section, Table, pdf_available, render_docx, render_pdf

BODY = "Trang thông tin điện tử của Ban Chỉ đạo đăng tải 279 tin, bài, bình quân 56.000 lượt truy cập mỗi tháng."


def make_doc(layout: str = "party", **changes) -> OfficialDocument:
    party = layout == "party"
    doc = OfficialDocument(
        layout=layout,
        parent_body="HUYỆN ỦY NGỌC LẶC" if party else "UBND HUYỆN NGỌC LẶC",
        issuer="BAN CHỈ ĐẠO 35",
        number="12",
        symbol="BC/BCĐ" if party else "BC-BCĐ",
        place="Ngọc Lặc",
        date=date(2023, 10, 5),
        doc_type="BÁO CÁO",
        subject="Kết quả công tác 9 tháng đầu năm 2023, phương hướng nhiệm vụ 3 tháng cuối năm",
        sections=[
            Section("I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ", [BODY, "Fanpage có 11.008 người theo dõi, 388 bài viết."]),
            Section("II. PHƯƠNG HƯỚNG, NHIỆM VỤ", ["Tiếp tục thực hiện Nghị quyết số 35-NQ/TW."]),
        ],
        table=Table(
            title="Kết quả hoạt động các trang thông tin",
            headers=["STT", "Trang thông tin", "Số bài đăng", "Người theo dõi", "Lượt tiếp cận/tháng"],
            rows=[
                ["1", "Blog Ban Chỉ đạo 35 huyện", "279", "", "56.000"],
                ["2", "Fanpage Ngọc Lặc", "388", "11.008", "77.000"],
                ["3", "Fanpage thứ hai", "166", "", "38.000"],
            ],
            total_row=["", "Cộng", "833", "11.008", "171.000"],
        ),
        signer_capacity="T/M BAN CHỈ ĐẠO" if party else "TM. BAN CHỈ ĐẠO",
        signer_title="TRƯỞNG BAN",
        signer_name="Nguyễn Văn An",
        recipients=["- Ban Chỉ đạo 35 Tỉnh ủy (để báo cáo),", "- Lưu VP."],
    )
    return replace(doc, **changes)


def read(doc: OfficialDocument):
    return Document(BytesIO(render_docx(doc)))


def texts(document) -> list[str]:
    """Every paragraph of the body and of every table cell (the header and signature blocks are tables)."""
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return lines


def figures_table(document):
    return next(t for t in document.tables if t.rows[0].cells[0].text == "STT")


def test_it_renders_the_party_header():
    lines = texts(read(make_doc()))
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "HUYỆN ỦY NGỌC LẶC", "BAN CHỈ ĐẠO 35", "*", "Số 12-BC/BCĐ"):
        assert expected in lines
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in lines


@pytest.mark.parametrize(
    ("place", "day", "expected"),
    [
        ("Ngọc Lặc", date(2023, 10, 5), "Ngọc Lặc, ngày 05 tháng 10 năm 2023"),
        ("Thanh Hóa", date(2024, 3, 7), "Thanh Hóa, ngày 07 tháng 3 năm 2024"),
        ("Ngọc Lặc", date(2024, 2, 9), "Ngọc Lặc, ngày 09 tháng 02 năm 2024"),
    ],
)
def test_it_writes_the_place_and_date_line(place, day, expected):
    assert expected in texts(read(make_doc(place=place, date=day)))


def test_it_renders_type_subject_and_body():
    document = read(make_doc())
    lines = texts(document)
    assert "BÁO CÁO" in lines
    assert "Kết quả công tác 9 tháng đầu năm 2023, phương hướng nhiệm vụ 3 tháng cuối năm" in lines
    assert "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ" in lines
    assert "Tiếp tục thực hiện Nghị quyết số 35-NQ/TW." in lines
    body = next(p for p in document.paragraphs if p.text == BODY)
    assert body.style.name == "Normal"  # justified, indented, 6 pt before: the body style
    title = next(p for p in document.paragraphs if p.text == "II. PHƯƠNG HƯỚNG, NHIỆM VỤ")
    assert all(run.bold for run in title.runs)


def test_it_splits_a_narrative_with_line_breaks_into_paragraphs():
    doc = make_doc(sections=[Section("I. KẾT QUẢ", ["Đoạn một.\nĐoạn hai.\n\n"])])
    lines = texts(read(doc))
    assert "Đoạn một." in lines
    assert "Đoạn hai." in lines


def test_it_puts_the_figures_in_their_cells():
    table = figures_table(read(make_doc()))
    assert [c.text for c in table.rows[0].cells] == [
        "STT",
        "Trang thông tin",
        "Số bài đăng",
        "Người theo dõi",
        "Lượt tiếp cận/tháng",
    ]
    assert table.cell(1, 2).text == "279"
    assert table.cell(1, 4).text == "56.000"
    assert table.cell(2, 3).text == "11.008"
    assert table.cell(4, 1).text == "Cộng"
    assert table.cell(4, 4).text == "171.000"
    assert table.cell(1, 4).paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.cell(1, 1).paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert all(run.bold for run in table.cell(4, 4).paragraphs[0].runs)
    assert not any(run.bold for run in table.cell(1, 4).paragraphs[0].runs)
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert borders.find(qn("w:insideV")).get(qn("w:val")) == "single"


def test_it_leaves_out_the_table_and_the_total_row_when_there_are_none():
    without_total = make_doc(table=replace(make_doc().table, total_row=None))
    assert "Cộng" not in texts(read(without_total))
    document = read(make_doc(table=None))
    assert "Kết quả hoạt động các trang thông tin" not in texts(document)
    assert not any(t.rows[0].cells[0].text == "STT" for t in document.tables)


def test_it_renders_the_signature_block_and_recipients():
    lines = texts(read(make_doc()))
    for expected in ("T/M BAN CHỈ ĐẠO", "TRƯỞNG BAN", "Nguyễn Văn An", "Nơi nhận:"):
        assert expected in lines
    assert "- Ban Chỉ đạo 35 Tỉnh ủy (để báo cáo)," in lines
    assert "- Lưu VP." in lines


def test_it_uses_the_decree_30_layout_for_a_state_body():
    lines = texts(read(make_doc("state")))
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND HUYỆN NGỌC LẶC",
        "Số: 12/BC-BCĐ",
        "TM. BAN CHỈ ĐẠO",
        "Ngọc Lặc, ngày 05 tháng 10 năm 2023",
        "Nơi nhận:",
    ):
        assert expected in lines
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in lines
    assert "*" not in lines


@pytest.mark.parametrize(
    ("layout", "symbol", "expected"), [("party", "BC/BCĐ", "Số -BC/BCĐ"), ("state", "BC-BCĐ", "Số: /BC-BCĐ")]
)
def test_it_leaves_a_blank_number_for_the_clerk(layout, symbol, expected):
    lines = texts(read(make_doc(layout, number="", symbol=symbol)))
    line = next(line for line in lines if line.startswith("Số") and symbol in line)
    assert " ".join(line.split()) == expected
    assert "      " in line  # room to write the number in by hand


def test_it_drops_an_empty_parent_body_line():
    document = read(make_doc(parent_body=""))
    header = document.tables[0].rows[0].cells[0]
    assert header.paragraphs[0].text == "BAN CHỈ ĐẠO 35"


@pytest.mark.parametrize("layout", ["party", "state"])
def test_it_uses_a4_the_decree_margins_and_times_new_roman(layout):
    document = read(make_doc(layout))
    section = document.sections[0]
    for length, mm in (
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 20),
        (section.bottom_margin, 20),
        (section.left_margin, 30),
        (section.right_margin, 15),
    ):
        assert abs(length.mm - mm) <= 0.5
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size.pt == 14
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:cs")) == "Times New Roman"
    fmt = normal.paragraph_format
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert abs(fmt.first_line_indent.mm - 10) <= 0.5
    assert fmt.space_before.pt == 6


def test_it_renders_user_text_literally():
    tricky = "Kết quả \"A & B\" <đạt> {{ x }} {% if y %} 'trích'"
    doc = make_doc(
        subject=tricky,
        sections=[Section(tricky, [tricky])],
        table=Table(tricky, ["STT", tricky], [["1", tricky]], None),
        signer_name=tricky,
        recipients=[tricky],
    )
    lines = texts(read(doc))
    assert lines.count(tricky) >= 7


def test_it_drops_characters_that_xml_forbids():
    lines = texts(read(make_doc(subject="Báo\x00 cáo\x0b quý")))
    assert "Báo cáo quý" in lines


def test_it_rejects_an_unknown_layout():
    with pytest.raises(ValueError, match="layout"):
        render_docx(make_doc(layout="other"))


@pytest.mark.parametrize("layout", ["party", "state"])
def test_it_ships_the_templates_that_the_build_script_makes(layout, tmp_path):
    built = build_templates.build(layout, tmp_path)
    shipped = Path(officialdoc.TEMPLATES) / f"report_{layout}.docx"
    with zipfile.ZipFile(built) as fresh, zipfile.ZipFile(shipped) as kept:
        for part in ("word/document.xml", "word/styles.xml", "word/header1.xml"):
            assert fresh.read(part) == kept.read(part), f"{part}: run giaoban/core/docx/build_templates.py"


def test_it_explains_that_libreoffice_is_missing(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert not pdf_available()
    with pytest.raises(ServiceError, match="chưa cài LibreOffice"):
        render_pdf(make_doc())


@pytest.mark.parametrize("layout", ["party", "state"])
def test_it_renders_a_pdf(layout):
    if not pdf_available():
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is required in CI (apt-get install libreoffice-writer-nogui fonts-liberation2)")
        pytest.skip("LibreOffice is not installed")
    pdf = render_pdf(make_doc(layout))
    assert pdf.startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run(  # noqa: S603 - fixed arguments
            [pdftotext, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "BÁO CÁO" in text
        assert "279" in text
        assert "56.000" in text


def fake_soffice(monkeypatch, tmp_path, script: str) -> None:
    binary = tmp_path / "soffice"
    binary.write_text(f"#!/bin/sh\n{script}\n")
    binary.chmod(0o755)
    monkeypatch.setattr(officialdoc, "_soffice", lambda: str(binary))


def test_it_reports_a_failed_conversion(monkeypatch, tmp_path):
    fake_soffice(monkeypatch, tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 1")
    with pytest.raises(ServiceError, match="LibreOffice failed") as caught:
        render_pdf(make_doc())
    assert "could not be loaded" in caught.value.extra["stderr"]


def test_it_stops_a_conversion_that_hangs(monkeypatch, tmp_path):
    # The launcher's child must die too: a stuck soffice.bin would hold the worker.
    fake_soffice(monkeypatch, tmp_path, f"sleep 30 & echo $! > {tmp_path}/child; wait")
    monkeypatch.setattr(officialdoc, "PDF_TIMEOUT", 0.5)
    with pytest.raises(ServiceError, match="timed out"):
        render_pdf(make_doc())
    stat = Path("/proc") / (tmp_path / "child").read_text().strip() / "stat"
    for _ in range(50):  # SIGKILL is delivered at once, the teardown takes a moment
        # Gone, or a zombie waiting for an init that does not reap (as in some containers).
        if not stat.exists() or stat.read_text().split()[2] == "Z":
            break
        time.sleep(0.05)
    else:
        pytest.fail("the converter's child process survived the timeout")


def test_it_converts_in_parallel_without_sharing_a_profile():
    if not pdf_available():
        pytest.skip("LibreOffice is not installed")
    with ThreadPoolExecutor(2) as pool:
        pdfs = list(pool.map(render_pdf, [make_doc("party"), make_doc("state")]))
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs)


# --- The figures table across pages -------------------------------------------------------------------------


def units_doc(n: int, layout: str = "party") -> OfficialDocument:
    """A report whose section I holds a table of `n` units and a total row."""
    table = Table(
        title="Số liệu tổng hợp 9 tháng đầu năm 2023",
        headers=["STT", "Đơn vị", "(1)", "(2)"],
        rows=[[str(i), f"Đơn vị số {i:03d}", "1.234", "56"] for i in range(1, n + 1)],
        total_row=["", "Tổng cộng", format_number(1234 * n), format_number(56 * n)],
    )
    return make_doc(layout, table=None, sections=[Section("I. KẾT QUẢ ĐẠT ĐƯỢC", [BODY], table=table)])


def test_it_keeps_the_table_rows_whole_and_the_last_figures_with_the_total():
    rows = figures_table(read(units_doc(5))).rows
    for row in rows:
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    keep = [all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs) for row in rows]
    # The header keeps with the first unit, the last unit with the total.
    assert keep == [True, False, False, False, False, True, False]


def pdf_page(pdf: bytes, page: int) -> list[str]:
    """The non-empty lines of one page of a PDF (pdftotext -f/-l), without the page number at its top."""
    out = subprocess.run(  # noqa: S603 - fixed arguments, our own PDF
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    lines = [line.strip() for line in out.stdout.decode().splitlines() if line.strip()]
    return lines[1:] if lines and lines[0] == str(page) else lines


def test_it_never_leaves_the_total_row_alone_at_the_top_of_a_page(monkeypatch):
    layout = "party"  # the state layout only moves the table down a little: one layout keeps the suite quicker
    if not pdf_available() or not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice and pdftotext are required in CI")
        pytest.skip("LibreOffice or pdftotext is not installed")
    # As many units as fill the first page: without the fix the total would open the second page alone.
    fit = sum(bool(re.match(r"\d+ +Đơn vị số", line)) for line in pdf_page(render_pdf(units_doc(60, layout)), 1))
    assert 5 < fit < 60
    doc = units_doc(fit, layout)

    original = officialdoc.render_docx

    def without_keep(d):
        data = BytesIO(original(d))
        out = BytesIO()
        with zipfile.ZipFile(data) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                content = src.read(item)
                if item.filename == "word/document.xml":
                    content = content.replace(b"<w:keepNext/>", b"")
                dst.writestr(item, content)
        return out.getvalue()

    with monkeypatch.context() as m:
        m.setattr(officialdoc, "render_docx", without_keep)
        unkept = pdf_page(render_pdf(doc), 2)
    assert unkept[0].startswith("STT") and unkept[1].startswith("Tổng cộng"), unkept[:3]  # the case we guard

    page = pdf_page(render_pdf(doc), 2)
    assert page[0].startswith("STT"), page[:3]  # the header repeats
    assert re.match(rf"{fit} +Đơn vị số {fit:03d}", page[1]), page[:3]  # the last unit came along
    assert page[2].startswith("Tổng cộng"), page[:3]


@pytest.mark.parametrize("layout", ["party", "state"])
def test_it_keeps_the_last_paragraph_of_the_body_with_the_signature(layout):
    """A signature block never stands alone at the top of a page: the body's last paragraph goes with it (and
    LibreOffice moves them together, seen on a report whose signature fell on page 2)."""
    body = [p for p in read(make_doc(layout, table=None)).paragraphs if p.text.strip()]
    kept = [p.text for p in body if p.paragraph_format.keep_with_next and not p.runs[0].bold]
    assert kept == ["Tiếp tục thực hiện Nghị quyết số 35-NQ/TW."]
    # With a figures table after the sections, the table's title and rows carry the keeping instead.
    with_table = [p for p in read(make_doc(layout)).paragraphs if p.text.strip()]
    assert not [p.text for p in with_table if p.paragraph_format.keep_with_next and p.text.startswith("Tiếp tục")]
