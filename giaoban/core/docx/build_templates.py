"""Builds the docxtpl templates report_party.docx (HD 36-HD/VPTW) and report_state.docx (Decree 30/2020).

Run `python giaoban/core/docx/build_templates.py` after changing it; a clerk may then fine-tune the outputs in Word,
as long as the {{ }} / {%p %} tags stay inside their paragraphs.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell

FONT = "Times New Roman"
HERE = Path(__file__).resolve().parent
CENTER, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT


def _set_fonts(rpr, size: float) -> None:
    # Word picks the font per script, and a theme attribute wins over an explicit name: without this a
    # Vietnamese run may fall back to Calibri/Cambria.
    fonts = rpr.get_or_add_rFonts()
    for attr in [a for a in fonts.attrib if a.lower().endswith("theme")]:
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    sz = rpr.get_or_add_sz()
    sz.set(qn("w:val"), str(int(size * 2)))
    if (sz_cs := rpr.find(qn("w:szCs"))) is None:
        sz.addnext(sz_cs := OxmlElement("w:szCs"))
    sz_cs.set(qn("w:val"), str(int(size * 2)))
    if (lang := rpr.find(qn("w:lang"))) is None:
        rpr.append(lang := OxmlElement("w:lang"))
    lang.set(qn("w:val"), "vi-VN")


def _new_document():
    doc = Document()
    doc.core_properties.author = doc.core_properties.last_modified_by = "giaoban"
    doc.core_properties.comments = ""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    _set_fonts(doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")), 14)
    normal = doc.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), 14)
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Cm(1)
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(6), Pt(0), 1.0
    # Decree 30: page numbers at the top centre from the second page on.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    _plain(number, CENTER)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    field.append(number.add_run("2")._r)
    number._p.append(field)
    return doc


def _plain(paragraph, align, before: float = 0):
    """Header, table and signature lines: no body indent, no paragraph spacing."""
    fmt = paragraph.paragraph_format
    fmt.alignment, fmt.first_line_indent = align, Cm(0)
    fmt.space_before, fmt.space_after = Pt(before), Pt(0)
    return paragraph


def _line(container, text: str, align=CENTER, size: float = 14, before: float = 0, **style) -> None:
    """One paragraph of one run; in a fresh table cell the first (empty) paragraph is reused."""
    empty = isinstance(container, _Cell) and len(container.paragraphs) == 1 and not container.paragraphs[0].text
    paragraph = container.paragraphs[0] if empty else container.add_paragraph()
    run = _plain(paragraph, align, before).add_run(text)
    if style.get("keep"):
        paragraph.paragraph_format.keep_with_next = True
    run.font.size = Pt(size)
    run.bold, run.italic, run.underline = style.get("bold"), style.get("italic"), style.get("underline")


def _rule(container, width_mm: float, column_mm: float) -> None:
    """A short centred rule: an empty paragraph whose bottom border is narrowed by its indents."""
    paragraph = container.add_paragraph()
    borders, bottom = OxmlElement("w:pBdr"), OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)  # first, so python-docx inserts spacing/ind/jc after it
    fmt = _plain(paragraph, CENTER).paragraph_format
    fmt.left_indent = fmt.right_indent = Mm((column_mm - width_mm) / 2)
    fmt.line_spacing = Pt(4)


def _two_columns(doc, left_mm: float, right_mm: float):
    table = doc.add_table(rows=1, cols=2)  # no style: Word and LibreOffice draw no borders
    table.alignment, table.autofit = WD_TABLE_ALIGNMENT.CENTER, False
    # LibreOffice lays out by the grid columns, Word by the cell widths: set both.
    for column, cell, width in zip(table.columns, table.rows[0].cells, (left_mm, right_mm), strict=True):
        column.width = cell.width = Mm(width)
    return table.rows[0].cells


def _header(doc, party: bool, date_line: bool = True) -> None:
    """The two-column header: the issuing body and the number on the left, the Party line or the Quốc hiệu and
    tiêu ngữ and the place-and-date line on the right."""
    head = 13 if not party else 14
    left, right = _two_columns(doc, *((72, 93) if party else (62, 103)))
    _line(left, "{%p if parent_body %}", size=head)
    _line(left, "{{ parent_body|upper }}", size=head)
    _line(left, "{%p endif %}", size=head)
    _line(left, "{{ issuer|upper }}", size=head, bold=True)
    if party:
        _line(left, "*")
        _line(left, "Số {{ number }}-{{ symbol }}")
        _line(right, "ĐẢNG CỘNG SẢN VIỆT NAM", size=15, bold=True, underline=True)
        if date_line:
            _line(right, "{{ place_date }}", before=30, italic=True)  # level with "Số"
    else:
        _rule(left, 25, 62)
        _line(left, "Số: {{ number }}/{{ symbol }}", size=13, before=6)
        _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True)
        _line(right, "Độc lập - Tự do - Hạnh phúc", bold=True, underline=True)
        if date_line:
            _line(right, "{{ place_date }}", before=9, italic=True)


def _title(doc, party: bool) -> None:
    _line(doc, "{{ doc_type|upper }}", size=15 if party else 14, before=18, bold=True)
    _line(doc, "{{ subject }}", bold=True)
    if party:
        _line(doc, "-----")
    else:
        _rule(doc, 40, 165)


def _recipients(cell, party: bool, before: float = 6) -> None:
    _line(cell, "Nơi nhận:", LEFT, 12, before=before, bold=True, **({"underline": True} if party else {"italic": True}))
    _line(cell, "{%p for recipient in recipients %}", LEFT, 11)
    _line(cell, "{{ recipient }}", LEFT, 11)
    _line(cell, "{%p endfor %}", LEFT, 11)


def _signer(cell, capacity: str, title: str, name: str) -> None:
    if capacity:
        _line(cell, capacity, before=6, bold=True)
    _line(cell, title, before=0 if capacity else 6, bold=True)
    for _ in range(4):  # room for the signature and the seal
        _line(cell, "")
    _line(cell, name, bold=True)


def build(layout: str, folder: Path = HERE) -> Path:
    party = layout == "party"
    doc = _new_document()

    _header(doc, party)
    _title(doc, party)
    doc.add_paragraph("{%p for section in sections %}")
    doc.add_paragraph("{%p set last_section = loop.last and not section.table %}")
    heading = doc.add_paragraph()
    heading.add_run("{{ section.title }}").bold = True
    heading.paragraph_format.keep_with_next = True  # a section title never ends a page
    doc.add_paragraph("{%p for paragraph in section.paragraphs %}")
    # The body's last paragraph goes with the signature block: a signature never stands alone on a page.
    doc.add_paragraph("{%p if last_section and loop.last and not table %}")
    doc.add_paragraph("{{ paragraph }}").paragraph_format.keep_with_next = True
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("{{ paragraph }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    # The figures in section I (CONSOLIDATED_FIGURES_PLACEMENT = "section"): built in code like the table below.
    doc.add_paragraph("{%p if section.table %}")
    _line(doc, "{%p if section.table.title %}")
    _line(doc, "{{ section.table.title }}", before=12, bold=True, keep=True)
    _line(doc, "{%p endif %}")
    _line(doc, "{{p section.figures }}")
    _line(doc, "", size=6)  # a little room between the table and the next section's title
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if table %}")
    _line(doc, "{%p if table.title %}")
    _line(doc, "{{ table.title }}", before=12, bold=True, keep=True)
    _line(doc, "{%p endif %}")
    # The figures table has as many columns as the form has indicators, so it is built in code (a subdoc).
    _line(doc, "{{p figures }}")
    doc.add_paragraph("{%p endif %}")
    _line(doc, "", before=6, keep=True)

    left, right = _two_columns(doc, 85, 80)
    left._tc.getparent().get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # the block moves as a whole
    _recipients(left, party)
    _line(right, "{{ signer_capacity|upper }}", before=6, bold=True)
    _line(right, "{{ signer_title|upper }}", bold=True)
    for _ in range(4):  # room for the signature and the seal
        _line(right, "")
    _line(right, "{{ signer_name }}", bold=True)
    _appendix(doc)

    path = folder / f"report_{layout}.docx"
    doc.save(path)
    return path


def _appendix(doc) -> None:
    """The figures as an appendix on a page of its own after the signature (CONSOLIDATED_FIGURES_PLACEMENT =
    "appendix"): "Phụ lục", its title, "(Kèm theo Báo cáo số … ngày … của …)", then the table."""
    doc.add_paragraph("{%p if appendix %}")
    _line(doc, "Phụ lục", bold=True, keep=True)
    doc.paragraphs[-1].paragraph_format.page_break_before = True
    _line(doc, "{{ appendix.title|upper }}", before=6, bold=True, keep=True)
    _line(doc, "{{ appendix.reference }}", italic=True, keep=True)
    _line(doc, "", keep=True)
    doc.add_paragraph("{%p for paragraph in appendix.paragraphs %}")
    doc.add_paragraph("{{ paragraph }}").paragraph_format.keep_with_next = True
    doc.add_paragraph("{%p endfor %}")
    _line(doc, "{{p appendix.figures }}")
    _line(doc, "")  # the body ends with a paragraph, not the table
    doc.add_paragraph("{%p endif %}")


def _blocks(doc) -> None:
    """The body as a list of blocks (officialdoc.Block): a bold lead-in label, list lines, headings."""
    doc.add_paragraph("{%p for block in blocks %}")
    doc.add_paragraph('{%p if block.style == "heading" %}')
    doc.add_paragraph().add_run("{{ block.text }}").bold = True
    doc.add_paragraph('{%p elif block.style == "item" %}')
    doc.add_paragraph("{{ block.text }}").paragraph_format.space_before = Pt(0)
    doc.add_paragraph("{%p elif block.label %}")
    paragraph = doc.add_paragraph()
    paragraph.add_run("{{ block.label }}").bold = True
    paragraph.add_run(" {{ block.text }}")
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("{{ block.text }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    _line(doc, "", before=6)


def _table_and_closing(doc) -> None:
    """A plan's items table (built in code, as the report's figures) and the blocks that follow it."""
    doc.add_paragraph("{%p if table %}")
    _line(doc, "{%p if table.title %}")
    _line(doc, "{{ table.title }}", before=12, bold=True)
    _line(doc, "{%p endif %}")
    _line(doc, "{{p figures }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for block in closing %}")
    doc.add_paragraph('{%p if block.style == "heading" %}')
    doc.add_paragraph().add_run("{{ block.text }}").bold = True
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("{{ block.text }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    _line(doc, "", before=6)


def build_kind(kind: str, layout: str, folder: Path = HERE) -> Path:
    """The template of an invitation (Mẫu 1.7), minutes (Mẫu 1.9), notice (Mẫu 1.4) or plan (kế hoạch: blocks,
    the items as a table, closing blocks) in a layout."""
    if kind not in KINDS:
        raise ValueError(kind)
    party = layout == "party"
    doc = _new_document()
    # Mẫu 1.9: the minutes carry their time and place in the body, not a place-and-date line.
    _header(doc, party, date_line=kind != "minutes")
    _title(doc, party)
    _blocks(doc)
    if kind == "plan":
        _table_and_closing(doc)
    if kind == "minutes":
        # THƯ KÝ on the left, CHỦ TỌA on the right, then Nơi nhận below.
        left, right = _two_columns(doc, 82, 83)
        left._tc.getparent().get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        _signer(left, "", "{{ signatures[0].title|upper }}", "{{ signatures[0].name }}")
        _signer(right, "", "{{ signatures[1].title|upper }}", "{{ signatures[1].name }}")
        _recipients(doc, party, before=12)
    else:
        left, right = _two_columns(doc, 85, 80)
        left._tc.getparent().get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        _recipients(left, party)
        _signer(right, "{{ signer_capacity|upper }}", "{{ signer_title|upper }}", "{{ signer_name }}")
    path = folder / f"{kind}_{layout}.docx"
    doc.save(path)
    return path


KINDS = ("invitation", "minutes", "notice", "plan")


if __name__ == "__main__":
    for name in ("party", "state"):
        print(build(name))
        for kind in KINDS:
            print(build_kind(kind, name))
