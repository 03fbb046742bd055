"""Official Vietnamese documents (báo cáo, giấy mời, biên bản, thông báo kết luận, kế hoạch) rendered to .docx with docxtpl
and to .pdf with LibreOffice.

Two layouts: "party" (Hướng dẫn 36-HD/VPTW 2018) and "state" (Nghị định 30/2020/NĐ-CP); one template per document
kind and layout in core/docx/ (`report_party.docx`, `invitation_state.docx`, …), built by build_templates.py.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docxtpl import DocxTemplate
from lxml import etree
from markupsafe import Markup

from giaoban.core.errors import ServiceError
from giaoban.core.formats import official_date, place_date_line

__all__ = [
    "KINDS",
    "Appendix",
    "Block",
    "OfficialDocument",
    "Section",
    "Signature",
    "Table",
    "pdf_available",
    "render_docx",
    "render_pdf",
    "template_path",
]

TEMPLATES = Path(__file__).resolve().parent / "docx"
LAYOUTS = ("party", "state")
# report: the consolidated report (sections and a figures table); the others are written as blocks.
KINDS = ("report", "invitation", "minutes", "notice", "plan")
BLOCK_STYLES = ("body", "heading", "item")
PDF_TIMEOUT = 120
TEXT_WIDTH_MM = 165  # A4 210 mm minus the 30 mm left and 15 mm right margins
TABLE_FONT_PT = 13
CHAR_MM = 2.5  # rough width of one 13 pt Times character, bold included
# Characters XML 1.0 forbids: one pasted from a legacy system would make Word refuse the whole file.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NUMBER = re.compile(r"[+\-−]?\d[\d.]*(,\d+)?\s*%?")
_BLANK_NUMBER = " " * 6  # left for the clerk to write the number in by hand when the document is issued


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    total_row: list[str] | None = None


@dataclass
class Section:
    """A numbered section of a report: its paragraphs, then (the figures in section I) its own table."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None


@dataclass
class Appendix:
    """A page of its own after the signature: "Phụ lục", its title in capitals, the line "(Kèm theo Báo cáo số …
    ngày … của <issued_by>)" built from the document's number and date, paragraphs, then the table."""

    title: str
    issued_by: str
    table: Table
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Block:
    """One paragraph of a document's body: `label` is a bold lead-in ("Thời gian:") before `text`.

    style: "body" (justified, first-line indent, space above), "heading" (bold, no label), "item" (a list line
    such as "- Đồng chí …": like body, without the space above).
    """

    text: str
    label: str = ""
    style: str = "body"


@dataclass
class Signature:
    """A signature block: "T/M BAN CHỈ ĐẠO" / "TRƯỞNG BAN" / the name (the capacity may be empty)."""

    title: str
    name: str
    capacity: str = ""


@dataclass
class OfficialDocument:
    layout: str
    parent_body: str
    issuer: str
    number: str
    symbol: str
    place: str
    date: date
    doc_type: str
    subject: str
    sections: list[Section]
    table: Table | None
    signer_capacity: str
    signer_title: str
    signer_name: str
    recipients: list[str]
    # False for a draft not yet issued: the day and month are left blank for the signing day, as on
    # a paper draft ("ngày     tháng     năm 2026"); `date` then gives the year only.
    dated: bool = True
    # Which template: "report" (sections and table) or invitation | minutes | notice (blocks).
    kind: str = "report"
    blocks: list[Block] = field(default_factory=list)
    # Side by side at the end, left to right (the minutes: THƯ KÝ, CHỦ TỌA); empty: the one signer above.
    signatures: list[Signature] = field(default_factory=list)
    # After the table (a plan: "Tổ chức thực hiện" below its items); "heading" and "body" styles.
    closing: list[Block] = field(default_factory=list)
    # A report's figures may go in an appendix after the signature instead of a section (report kind only).
    appendix: Appendix | None = None


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", str(text)).strip()


def _paragraphs(texts: list[str]) -> list[str]:
    # A narrative typed in a text area arrives with line breaks: each line is a paragraph of its own.
    return [line.strip() for text in texts for line in _clean(text).splitlines() if line.strip()]


def _borders(table) -> None:
    # Set on the table itself rather than through a style, so nothing depends on the template's style list.
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "auto")):
            el.set(qn(key), value)
        borders.append(el)
    # Schema order matters to Word ("unreadable content" otherwise): tblBorders comes before these.
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")


def _column_widths(table: Table, columns: int) -> list[float]:
    """Widths from the longest value of each column (a header may wrap onto two lines), scaled to the text width."""
    values = [*table.rows, *([table.total_row] if table.total_row else [])]
    natural = []
    for i in range(columns):
        header = _clean(table.headers[i]) if i < len(table.headers) else ""
        chars = max(
            [len(_clean(v[i])) for v in values if i < len(v)]
            + [len(w) for w in header.split()]
            + [(len(header) + 1) // 2]
        )
        natural.append(max(12, min(chars, 40) * CHAR_MM + 4))
    # A numbering column (STT) keeps its width, or "STT" itself would wrap letter by letter; the others share
    # what is left in proportion.
    fixed = {i for i, h in enumerate(table.headers[:columns]) if _clean(h).lower() in {"stt", "tt"}}
    for i in fixed:
        natural[i] = max(natural[i], 15)  # "STT" in 13 pt bold plus the cell margins
    flexible = sum(w for i, w in enumerate(natural) if i not in fixed)
    room = TEXT_WIDTH_MM - sum(natural[i] for i in fixed)
    return [w if i in fixed else room * w / flexible for i, w in enumerate(natural)]


def _figures(table: Table) -> Markup:
    """The figures table as WordprocessingML, for the template's {{p figures }} paragraph.

    Built in code because the column count follows the form; a scratch python-docx document stands in for
    docxtpl's subdoc, which would need docxcompose.
    """
    columns = max(len(line) for line in [table.headers, *table.rows, table.total_row or []])
    grid = Document().add_table(rows=0, cols=columns)
    grid.alignment, grid.autofit = WD_TABLE_ALIGNMENT.CENTER, False
    _borders(grid)
    widths = _column_widths(table, columns)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Mm(width)  # LibreOffice lays out by the grid columns, Word by the cell widths
    centred = {i for i, h in enumerate(table.headers) if _clean(h).lower() in {"stt", "tt"}}
    lines = [(table.headers, "header"), *((row, "row") for row in table.rows)]
    if table.total_row:
        lines.append((table.total_row, "total"))
    for n, (values, kind) in enumerate(lines):
        row = grid.add_row()
        tr_pr = row._tr.get_or_add_trPr()
        # A row never breaks across two pages; the header repeats on every page of a long table.
        tr_pr.append(OxmlElement("w:cantSplit"))
        if kind == "header":
            tr_pr.append(OxmlElement("w:tblHeader"))
        # The last figures move to the next page with the total, which never stands alone at the top of a page.
        keep = kind == "header" or (table.total_row is not None and kind == "row" and n == len(lines) - 2)
        for i, cell in enumerate(row.cells):
            text = _clean(values[i]) if i < len(values) else ""
            cell.width = Mm(widths[i])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            fmt = paragraph.paragraph_format
            # Cells would otherwise inherit the body's justification and first-line indent.
            fmt.first_line_indent, fmt.space_before, fmt.space_after = Pt(0), Pt(2), Pt(2)
            if keep:
                fmt.keep_with_next = True
            if kind == "header" or i in centred:
                fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif _NUMBER.fullmatch(text):
                fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            else:
                fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
            run = paragraph.add_run(text)
            run.font.size = Pt(TABLE_FONT_PT)
            run.bold = kind != "row"
    # Safe: lxml escaped every text node while serialising.
    return Markup(etree.tostring(grid._tbl, encoding="unicode"))  # noqa: S704


def _context(doc: OfficialDocument) -> dict:
    if doc.layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {doc.layout!r}")
    if doc.kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {doc.kind!r}")
    table = doc.table if _has_table(doc.table) else None
    return {
        "parent_body": _clean(doc.parent_body),
        "issuer": _clean(doc.issuer),
        "number": _clean(doc.number) or _BLANK_NUMBER,
        "symbol": _clean(doc.symbol),
        "place_date": place_date_line(_clean(doc.place), doc.date, blank=not doc.dated),
        "doc_type": _clean(doc.doc_type),
        "subject": _clean(doc.subject),
        "sections": [_section(s) for s in doc.sections],
        "appendix": _appendix(doc) if doc.appendix and _has_table(doc.appendix.table) else None,
        "table": {"title": _clean(table.title)} if table else None,
        "figures": _figures(table) if table else "",
        "signer_capacity": _clean(doc.signer_capacity),
        "signer_title": _clean(doc.signer_title),
        "signer_name": _clean(doc.signer_name),
        "recipients": [_clean(r) for r in doc.recipients if _clean(r)],
        "blocks": _blocks(doc.blocks),
        "closing": _blocks(doc.closing),
        "signatures": [
            {"capacity": _clean(s.capacity), "title": _clean(s.title), "name": _clean(s.name)} for s in doc.signatures
        ],
    }


def _has_table(table: Table | None) -> bool:
    return table is not None and bool(table.headers or table.rows)


def _section(section: Section) -> dict:
    table = section.table if _has_table(section.table) else None
    return {
        "title": _clean(section.title),
        "paragraphs": _paragraphs(section.paragraphs),
        "table": {"title": _clean(table.title)} if table else None,
        "figures": _figures(table) if table else "",
    }


def _appendix(doc: OfficialDocument) -> dict:
    """The appendix's lines; its reference names the document by number and date, left blank on a draft as in
    the document's own header."""
    appendix = doc.appendix
    number = _clean(doc.number) or _BLANK_NUMBER
    symbol = _clean(doc.symbol)
    number_symbol = f"{number}-{symbol}" if doc.layout == "party" else f"{number}/{symbol}"
    gap = "\u00a0" * 6
    day = official_date(doc.date) if doc.dated else f"ngày{gap}tháng{gap}năm {doc.date.year}"
    kind = _clean(doc.doc_type).capitalize()
    return {
        "title": _clean(appendix.title),
        "reference": f"(Kèm theo {kind} số {number_symbol}, {day} của {_clean(appendix.issued_by)})",
        "paragraphs": _paragraphs(appendix.paragraphs),
        "figures": _figures(appendix.table),
    }


def _blocks(blocks: list[Block]) -> list[dict]:
    out = []
    for b in blocks:
        if b.style not in BLOCK_STYLES:
            raise ValueError(f"block style must be one of {BLOCK_STYLES}, got {b.style!r}")
        # A multi-line text (proceedings typed in a text area) becomes one paragraph per line, the label on
        # the first only.
        lines = _paragraphs([b.text]) or [""]
        if lines == [""]:
            if b.label:  # a lead-in alone ("Chương trình:"): bold, with no space after it
                out.append({"label": "", "text": _clean(b.label), "style": "heading"})
            continue
        out += [
            {"label": _clean(b.label) if i == 0 else "", "text": line, "style": b.style} for i, line in enumerate(lines)
        ]
    return out


def template_path(kind: str, layout: str) -> Path:
    """The clerk-editable template of a document kind in a layout: core/docx/<kind>_<layout>.docx."""
    return TEMPLATES / f"{kind}_{layout}.docx"


def render_docx(doc: OfficialDocument) -> bytes:
    """The document as .docx bytes, in the template of its kind and layout."""
    context = _context(doc)
    tpl = DocxTemplate(template_path(doc.kind, doc.layout))
    # autoescape: user text such as "a < b & c" or "{{ x }}" must come out literally, not break the XML.
    tpl.render(context, autoescape=True)
    out = BytesIO()
    tpl.save(out)
    return out.getvalue()


def _soffice() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


def pdf_available() -> bool:
    """Whether LibreOffice is installed, so that render_pdf can work."""
    return _soffice() is not None


def render_pdf(doc: OfficialDocument) -> bytes:
    """The document as .pdf bytes: the .docx converted by LibreOffice headless."""
    binary = _soffice()
    if binary is None:
        raise ServiceError(_("Không tạo được PDF: chưa cài LibreOffice (LibreOffice is not installed)"))
    data = render_docx(doc)
    with tempfile.TemporaryDirectory(prefix="giaoban-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(data)
        # A profile of its own: two conversions sharing one would block each other or fail.
        command = [
            binary,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        # A session of its own, so a timeout kills soffice.bin too and not only the launcher script.
        with subprocess.Popen(  # noqa: S603 - fixed argument list, no shell, our own file
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env={**os.environ, "HOME": tmp},  # a server account may have no writable home
        ) as process:
            try:
                _stdout, stderr = process.communicate(timeout=PDF_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise ServiceError(
                    _("Không tạo được PDF: LibreOffice chạy quá %(n)s giây (LibreOffice timed out)")
                    % {"n": PDF_TIMEOUT}
                ) from None
        pdf = work / "document.pdf"
        if process.returncode != 0 or not pdf.exists():
            raise ServiceError(
                _("Không tạo được PDF: LibreOffice báo lỗi (LibreOffice failed)"),
                {"returncode": process.returncode, "stderr": stderr.decode(errors="replace")[-2000:]},
            )
        return pdf.read_bytes()
