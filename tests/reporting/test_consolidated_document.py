"""The consolidated report as an official document: every section keeps its number, the figures in section I or
in an appendix (CONSOLIDATED_FIGURES_PLACEMENT), Vietnamese whatever the reader's language; the page in one
language."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn

from giaoban.reporting import consolidated

EMPTY = "Không có nội dung báo cáo trong kỳ."


def issued(committee):
    form = consolidated.default_form(committee)
    report = consolidated.report_find_or_build(committee=committee, form=form, period="2023N9")
    report = consolidated.report_save(report=report, expected_version=0)
    return consolidated.report_issue(report=report, number="12", issued_on=date(2023, 10, 5))


def body(data: bytes) -> list[str]:
    """The body in order: each paragraph's text, "[figures]" for the figures table, "[signature]" for the
    signature block, "[page break]" before a paragraph that starts a page."""
    document = Document(BytesIO(data))
    out = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            if child.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None:
                out.append("[page break]")
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            if text:
                out.append(text)
        elif child.tag == qn("w:tbl"):
            cells = "".join(t.text or "" for t in child.iter(qn("w:t")))
            out.append("[figures]" if cells.startswith("STT") else "[signature]" if "Nơi nhận" in cells else "[table]")
    return out


def test_it_keeps_every_section_with_its_number_and_says_when_one_is_empty(district):
    lines = body(consolidated.export(issued(district), "docx"))
    titles = [line for line in lines if line[:3] in ("I. ", "II.", "III", "IV.")]
    assert titles == ["I. KẾT QUẢ ĐẠT ĐƯỢC", "II. HẠN CHẾ, NGUYÊN NHÂN", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
                      "IV. ĐỀ XUẤT, KIẾN NGHỊ"]  # fmt: skip
    # The demo's units propose nothing: the section stays, numbered IV, with one line.
    assert lines[lines.index("IV. ĐỀ XUẤT, KIẾN NGHỊ") + 1] == EMPTY
    assert lines.count(EMPTY) == 1


def test_it_puts_the_figures_table_in_section_one_by_default(district):
    lines = body(consolidated.export(issued(district), "docx"))
    first, second = lines.index("I. KẾT QUẢ ĐẠT ĐƯỢC"), lines.index("II. HẠN CHẾ, NGUYÊN NHÂN")
    assert lines.index("[figures]") in range(first, second)
    assert lines.index("Số liệu tổng hợp 9 tháng 2023") == lines.index("[figures]") - 1
    assert lines.count("[figures]") == 1 and "Phụ lục" not in lines


@pytest.mark.parametrize("layout", ["party", "state"])
def test_it_puts_the_figures_in_an_appendix_after_the_signature_when_set(district, settings, layout):
    settings.CONSOLIDATED_FIGURES_PLACEMENT = "appendix"
    district.is_state_body = layout == "state"
    district.save(update_fields=["is_state_body"])
    lines = body(consolidated.export(issued(district), "docx"))
    first, second = lines.index("I. KẾT QUẢ ĐẠT ĐƯỢC"), lines.index("II. HẠN CHẾ, NGUYÊN NHÂN")
    assert lines[second - 1] == "Số liệu chi tiết tại Phụ lục kèm theo." and "[figures]" not in lines[first:second]
    number = "12-BC/BCĐ" if layout == "party" else "12/BC-BCĐ"
    assert lines[lines.index("[signature]") :] == [
        "[signature]",
        "[page break]",
        "Phụ lục",
        "SỐ LIỆU TỔNG HỢP 9 THÁNG 2023",
        f"(Kèm theo Báo cáo số {number}, ngày 05 tháng 10 năm 2023 của Ban Chỉ đạo 35 Huyện ủy Ngọc Lặc)",
        "[figures]",
    ]


def test_it_refuses_an_unknown_placement(district, settings):
    settings.CONSOLIDATED_FIGURES_PLACEMENT = "annex"
    with pytest.raises(ImproperlyConfigured, match="CONSOLIDATED_FIGURES_PLACEMENT"):
        consolidated.export(issued(district), "docx")


def test_it_writes_the_document_in_vietnamese_for_an_english_reader(district):
    with translation.override("en"):
        report = issued(district)
        lines = body(consolidated.export(report, "docx"))
    assert report.subject == "Kết quả công tác 9 tháng 2023, nhiệm vụ thời gian tới"
    assert EMPTY in lines and "Số liệu tổng hợp 9 tháng 2023" in lines
    assert not [line for line in lines if "Nothing" in line or "Total" in line or "nine months" in line]


def test_it_shows_the_page_in_one_language(client, district, make_user, settings):
    client.force_login(make_user("viewer", district.org_unit))
    url = f"/reports/consolidated/{district.pk}/2023N9/"
    page = client.get(url).content.decode()
    assert '<h1 class="h5 mb-1">Báo cáo tổng hợp 9 tháng 2023</h1>' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url).content.decode()
    assert '<h1 class="h5 mb-1">Consolidated report, nine months of 2023</h1>' in page
    assert "Consolidated figures, nine months of 2023" in page
    assert "Consolidated report" in page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "9 tháng" not in page.split("<title>", 1)[1].split("</h1>", 1)[0]
