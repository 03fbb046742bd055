"""What the template writer and the upload reader agree on: the content type, the hidden metadata sheet, where
each cell of a unit sheet is, and how a refused file names its wrong cells."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from giaoban.core.errors import ImportRejected

from .. import services
from ..models import Indicator, ReportFormVersion

__all__ = [
    "COL_CODE",
    "COL_HINT",
    "COL_NAME",
    "COL_NO",
    "COL_UOM",
    "COL_VALUE",
    "FIRST_ROW",
    "HEADERS",
    "HEADER_ROW",
    "LAYOUT",
    "META_MAGIC",
    "META_SHEET",
    "XLSX_CONTENT_TYPE",
    "Layout",
    "SheetErrors",
    "XlsxRejected",
    "layout_for",
    "ref",
]


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


META_SHEET = "_giaoban"
META_MAGIC = "giaoban-xlsx-template"
LAYOUT = "1"
# Sheets are protected without a password: that keeps labels and layout from accidental edits, not from
# a determined user; the upload re-checks everything anyway (said in the instructions block).

# Layout of a unit sheet (1-based rows/columns as Excel shows them).
HEADER_ROW = 7
FIRST_ROW = 8
COL_NO, COL_CODE, COL_NAME, COL_UOM, COL_VALUE, COL_HINT = 1, 2, 3, 4, 5, 6
HEADERS = ("STT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Giá trị", "Yêu cầu")


class XlsxRejected(ImportRejected):
    """An upload refused as a whole: errors are [{sheet, cell, message}] and nothing was written."""

    def __init__(self, message: str, errors: list[dict[str, Any]], status: int = 400):
        super().__init__(message, errors)
        self.status = status

    @classmethod
    def one(cls, message: str, status: int = 400) -> XlsxRejected:
        return cls(message, [{"sheet": None, "cell": None, "message": message}], status)


def ref(row: int, col: int) -> str:
    """The Excel reference of a 1-based (row, column), e.g. E8."""
    return f"{get_column_letter(col)}{row}"


@dataclass
class Layout:
    """Where each indicator's and narrative section's input cell is, for one form version."""

    indicators: list[tuple[Indicator, int]]  # (indicator, row); the input is in COL_VALUE
    sections: list[tuple[dict, int]]  # (section, title row); the input is in COL_NAME one row below
    end_row: int


def layout_for(version: ReportFormVersion) -> Layout:
    inds = services.version_indicators(version)
    rows = [(ind, FIRST_ROW + i) for i, ind in enumerate(inds)]
    row = FIRST_ROW + len(inds) + 1  # "THUYẾT MINH" heading
    sections = []
    for s in version.narrative_sections:
        row += 1
        sections.append((s, row))
        row += 1
    return Layout(rows, sections, row)


class SheetErrors:
    """Wrong cells collected over a whole file, [{sheet, cell, message}], raised together as one
    XlsxRejected (409 when every one is a conflict with a newer save, else 400)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.conflicts = 0

    def add(self, sheet: str | None, cell: str | None, message: str, conflict: bool = False) -> None:
        self.items.append({"sheet": sheet, "cell": cell, "message": str(message)})
        self.conflicts += conflict

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            status = 409 if self.conflicts == n else 400
            raise XlsxRejected(
                _("Tệp bị từ chối: %(n)d lỗi, chưa lưu gì (file rejected: %(n)d errors, nothing was saved).")
                % {"n": n},
                self.items,
                status,
            )
