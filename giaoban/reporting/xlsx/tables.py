"""Flat tables of figures (the CSV columns unit, form, period, indicator, value) as .xlsx, read and imported
through services.datavalues_import."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from giaoban.core.errors import ImportRejected

from .. import services
from .layout import META_SHEET, SheetErrors, XlsxRejected, ref
from .read import cell_marks, cell_order, cell_text, formula_message, open_workbook, read_meta, rows_of

__all__ = [
    "MAX_TABLE_ROWS",
    "find_table",
    "read_table",
    "table_import",
    "table_row_count",
]


def find_table(book) -> tuple[str, list[list], int, dict[str, int]] | None:
    """(sheet, its rows, header row number, 0-based column by name) of the first sheet with the import
    columns in one of its first 10 rows (a title above the header is allowed, as table_to_xlsx writes)."""
    for name in book.sheet_names:
        if name == META_SHEET:
            continue
        rows = rows_of(book, name)
        for n, row in enumerate(rows[:10], start=1):
            header = [cell_text(v).lower() for v in row]
            if all(c in header for c in services.IMPORT_COLUMNS):
                return name, rows, n, {c: header.index(c) for c in services.IMPORT_COLUMNS}
    return None


def read_table(data: bytes, book=None) -> tuple[str, dict[str, int], list[tuple[int, dict[str, Any]]]]:
    """(sheet name, 0-based column by name, rows) of a flat .xlsx table with the columns unit, form, period,
    indicator, value; rows are (Excel row number, {column: value}) as services.datavalues_import takes them.
    Reads only (after the file checks): the baseline of an import."""
    book = book or open_workbook(data)
    found = find_table(book)
    if found is None:
        raise XlsxRejected.one(
            _("Không thấy hàng tiêu đề %(c)s (no header row with the columns %(c)s)")
            % {"c": ", ".join(services.IMPORT_COLUMNS)}
        )
    name, sheet_rows, header_row, cols = found
    iu, i_f, ip, ii, iv = (cols[c] for c in services.IMPORT_COLUMNS)
    out: list[tuple[int, dict[str, Any]]] = []
    append = out.append
    # A tight loop: this runs once per figure (100.000 in the benchmark); calamine's rows are rectangular.
    for n, row in enumerate(sheet_rows[header_row:], start=header_row + 1):
        u, f, p, i, v = row[iu], row[i_f], row[ip], row[ii], row[iv]
        if u == "" and f == "" and p == "" and i == "" and v == "":
            continue
        append(
            (
                n,
                {
                    "unit": u if u.__class__ is str else cell_text(u),
                    "form": f if f.__class__ is str else cell_text(f),
                    "period": p if p.__class__ is str else cell_text(p),
                    "indicator": i if i.__class__ is str else cell_text(i),
                    "value": v,
                },
            )
        )
    return name, cols, out


MAX_TABLE_ROWS = 200_000


def table_row_count(data: bytes) -> int | None:
    """The number of figure rows of a flat table upload, or None when the file is a template (or has no
    table): lets the upload queue a large table as a background import before doing any work on it."""
    book = open_workbook(data)
    if read_meta(book) is not None or META_SHEET in book.sheet_names or find_table(book) is None:
        return None
    return len(read_table(data, book)[2])


def table_import(data: bytes, *, actor=None, draft: bool = False, book=None, progress=None) -> services.ImportResult:
    """Import a flat .xlsx of figures (unit, form, period, indicator, value) through
    services.datavalues_import, the path CSV and JSON imports take; errors name the sheet and cell."""
    name, cols, rows = read_table(data, book)
    limit = getattr(settings, "GIAOBAN_IMPORT_MAX_ROWS", MAX_TABLE_ROWS)
    if len(rows) > limit:
        raise XlsxRejected.one(_("Quá %d dòng (too many rows)") % limit, 413)
    if not rows:
        raise XlsxRejected.one(_("Không có dòng dữ liệu nào (no data rows)"))
    errors = SheetErrors()

    def cell(column: str | None, row: int | None) -> str | None:
        return ref(row, cols[column] + 1) if row and column in cols else None

    marks = cell_marks(data)
    for cells, message in (
        (marks.errors.get(name, set()), _("Ô chứa lỗi công thức (the cell holds a formula error)")),
        (marks.formulas.get(name, set()), formula_message()),
    ):
        for c in sorted(cells, key=cell_order):
            errors.add(name, None if c == "?" else c, message)
    for n, record in rows:
        value = record["value"]
        if isinstance(value, date | datetime | time | timedelta):
            errors.add(name, cell("value", n), _("Ô chứa ngày tháng, không phải số (a date, not a number)"))
        elif isinstance(value, float):
            record["value"] = Decimal(format(value, ".15g"))
    errors.raise_if_any()
    try:
        return services.datavalues_import(rows=rows, actor=actor, draft=draft, progress=progress)
    except ImportRejected as exc:
        for e in exc.errors:
            errors.add(name, cell(e.get("column"), e.get("row")), e["message"])
        errors.raise_if_any()
        raise
