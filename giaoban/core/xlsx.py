"""Write a table to .xlsx: the one place every export (roll-ups, consolidated tables) goes through."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | Decimal | None


def table_to_xlsx(
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Cell]]]], *, title: str | None = None
) -> bytes:
    """sheets: (sheet name, headers, rows). Numbers stay numbers (Excel formats them in the
    reader's locale: 56.000 in Vietnamese Excel); a title, if given, goes above each table."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, headers, rows in sheets:
        ws = wb.create_sheet(_sheet_name(name))
        if title:
            ws.append([title])
            ws["A1"].font = Font(bold=True, size=13)
            ws.append([])
        ws.append(list(headers))
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in rows:
            ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for row in ws.iter_rows(min_row=header_row + 1):
            for cell in row:
                if isinstance(cell.value, int | float):
                    cell.number_format = "#,##0" if float(cell.value).is_integer() else "#,##0.0##"
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        for i, header in enumerate(headers, start=1):
            width = max(
                [len(str(header))] + [len(str(r[i - 1])) for r in rows if i - 1 < len(r) and r[i - 1] is not None]
            )
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_name(name: str) -> str:
    # Excel forbids []:*?/\ in sheet names and caps them at 31 characters.
    cleaned = "".join("-" if c in "[]:*?/\\" else c for c in name).strip() or "Sheet"
    return cleaned[:31]
