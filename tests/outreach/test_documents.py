"""The winners' list as an official document, read back; and as PDF where LibreOffice is installed."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest
from docx import Document

from giaoban.core import officialdoc
from giaoban.orgs.models import Committee
from giaoban.outreach import documents, services


def make_contest(world, state: bool = False):
    Committee.objects.create(name="Ban Chỉ đạo 35 huyện Ngọc Lặc", short_name="BCĐ 35", org_unit=world.tree.d1,
                             is_state_body=state)  # fmt: skip
    c = services.contest_create(org_unit=world.tree.d1, name="Cuộc thi viết năm 2023", starts_on=date(2023, 4, 1),
                                ends_on=date(2023, 8, 31), prizes=[{"name": "Giải Nhất", "count": 1}])  # fmt: skip
    e = services.entry_create(contest=c, title="Giữ vững trận địa", authors="Lê Thị Hoa", org_unit=world.tree.c1,
                              submitted_on=date(2023, 5, 2))  # fmt: skip
    services.score_record(entry=e, judge="A", score=91)
    services.contest_rank(contest=c)
    return c


@pytest.mark.parametrize(
    ("state", "header"), [(False, "ĐẢNG CỘNG SẢN VIỆT NAM"), (True, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")]
)
def test_the_winners_list_is_an_official_notice_in_the_committees_layout(world, state, header):
    doc = Document(io.BytesIO(documents.winners_docx(make_contest(world, state))))
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    joined = "\n".join(texts)
    assert header in joined
    assert "THÔNG BÁO" in joined and "Kết quả Cuộc thi viết năm 2023" in joined
    assert "từ ngày 01 tháng 4 năm 2023 đến ngày 31 tháng 8 năm 2023" in joined
    assert "Giữ vững trận địa" in texts and "Giải Nhất" in texts


@pytest.mark.skipif(not officialdoc.pdf_available(), reason="LibreOffice is not installed")
def test_the_winners_list_converts_to_pdf(world, tmp_path):
    pdf = tmp_path / "w.pdf"
    pdf.write_bytes(officialdoc.render_pdf(documents.winners_document(make_contest(world))))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    assert "Giữ vững trận địa" in text and "THÔNG BÁO" in text
