"""The .xlsx round trip: report templates written with openpyxl (one protected, validated sheet per unit
plus a very hidden metadata sheet) and uploads read with python-calamine, checked cell by cell in memory
and written all or nothing through the submission services; also flat figure tables (the CSV columns)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import python_calamine
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from giaoban.core.access import Action, can, subtree_q
from giaoban.core.errors import Conflict, ImportRejected, ServiceError
from giaoban.core.formats import format_number, short_date
from giaoban.core.text import clean_line, clean_text
from giaoban.core.xlsx import append, new_workbook, put, workbook_bytes
from giaoban.orgs.models import OrgUnit

from . import periods, services
from .models import DataValue, Indicator, ReportForm, ReportFormVersion, Submission, SubmissionEvent

__all__ = [
    "XLSX_CONTENT_TYPE",
    "SheetResult",
    "UploadResult",
    "XlsxRejected",
    "check_archive",
    "read_table",
    "table_import",
    "template_units",
    "template_workbook",
    "workbook_import",
]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Browsers label .xlsx inconsistently (some Windows set-ups send the old Excel type); the bytes decide.
ACCEPTED_CONTENT_TYPES = {
    XLSX_CONTENT_TYPE,
    "application/octet-stream",
    "application/zip",
    "application/x-zip-compressed",
    "application/vnd.ms-excel",
    "",
}

# Limits, each overridable in settings. The compressed size is checked before anything is parsed; the
# archive's declared member sizes before calamine opens it (a zip bomb is small outside, huge inside).
MAX_BYTES = getattr(settings, "GIAOBAN_XLSX_MAX_BYTES", 5 * 1024 * 1024)
MAX_SHEETS = getattr(settings, "GIAOBAN_XLSX_MAX_SHEETS", 500)
MAX_UNCOMPRESSED = getattr(settings, "GIAOBAN_XLSX_MAX_UNCOMPRESSED", 100 * 1024 * 1024)
MAX_MEMBERS = getattr(settings, "GIAOBAN_XLSX_MAX_MEMBERS", 3 * MAX_SHEETS + 50)
MAX_RATIO = 200  # uncompressed / compressed of one large member; real workbook XML stays far below

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
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]

Status = Submission.Status


class XlsxRejected(ImportRejected):
    """An upload refused as a whole: errors are [{sheet, cell, message}] and nothing was written."""

    def __init__(self, message: str, errors: list[dict[str, Any]], status: int = 400):
        super().__init__(message, errors)
        self.status = status

    @classmethod
    def one(cls, message: str, status: int = 400) -> XlsxRejected:
        return cls(message, [{"sheet": None, "cell": None, "message": message}], status)


_one = XlsxRejected.one


def ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


# --- Layout shared by the writer and the reader ------------------------------------------------------


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


def _section_heading_row(layout: Layout) -> int:
    return FIRST_ROW + len(layout.indicators) + 1


# --- Template writer ---------------------------------------------------------------------------------


def _version_of(form: ReportForm, submission: Submission | None, cache: dict) -> ReportFormVersion:
    if submission is not None:
        version = cache.get(submission.form_version_id)
        if version is None:
            version = cache[submission.form_version_id] = submission.form_version
        return version
    if "current" not in cache:
        current = services.current_version(form)
        cache["current"] = cache.setdefault(current.pk, current)
    return cache["current"]


def template_units(user, unit: OrgUnit, form: ReportForm, period: str, below: bool = False) -> list[OrgUnit]:
    """Units a template for (unit, form, period) has sheets for: the unit itself when it reports the form
    (and not `below`), else every unit below it that reports the form for the period, that the user may
    enter figures for and whose report is still editable. Out of the user's scope: 404."""
    if not can(user, Action.ENTER, unit.path):
        raise Http404
    if not below and services.applies_to(form, unit, period) is None:
        return [unit]
    end = periods.cutoff(period, form.scheme)
    candidates = [
        u
        for u in OrgUnit.objects.visible_to(user, Action.ENTER)
        .filter(subtree_q("path", unit.path), kind__in=form.unit_kinds)
        .exclude(pk=unit.pk)
        .valid_on(end)
        .order_by("path")
        if services.applies_to(form, u, period) is None
    ]
    locked = set(
        Submission.objects.filter(form=form, period=period, unit__in=candidates)
        .exclude(status__in=Submission.EDITABLE)
        .values_list("unit_id", flat=True)
    )
    units = [u for u in candidates if u.pk not in locked]
    if not units:
        problem = services.applies_to(form, unit, period)
        raise ServiceError(
            problem
            if problem and not candidates
            else _("Không có đơn vị nào cần nhập biểu mẫu này cho kỳ %(p)s (no unit left to enter this form for %(p)s)")
            % {"p": period}
        )
    if len(units) > MAX_SHEETS:
        raise ServiceError(
            _(
                "Quá %(n)d đơn vị cho một tệp; hãy chọn đơn vị cấp dưới (more than %(n)d units for one workbook: "
                "choose a lower unit)"
            )
            % {"n": MAX_SHEETS}
        )
    return units


def _sheet_title(unit: OrgUnit, single: bool) -> str:
    name = f"{unit.code}" if single else f"{unit.code} {clean_line(unit.name)}"
    cleaned = "".join("-" if c in "[]:*?/\\'" else c for c in name).strip()
    return cleaned[:31]


def _excel_number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
HEAD_FILL = PatternFill("solid", fgColor="E8E8E8")
UNLOCKED = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")


def _hint(ind: Indicator) -> str:
    kinds = {
        Indicator.ValueType.INTEGER: _("Số nguyên"),
        Indicator.ValueType.DECIMAL: _("Số thập phân"),
        Indicator.ValueType.PERCENT: _("Tỷ lệ % (nhập 85 cho 85%)"),
        Indicator.ValueType.TEXT: _("Văn bản"),
    }
    parts = [kinds[ind.value_type]]
    if ind.min_value is not None:
        parts.append(_("≥ %s") % format_number(ind.min_value))
    if ind.max_value is not None:
        parts.append(_("≤ %s") % format_number(ind.max_value))
    if ind.required:
        parts.append(_("bắt buộc"))
    return "; ".join(parts)


def _validation(ind: Indicator) -> DataValidation:
    if ind.value_type == Indicator.ValueType.TEXT:
        dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="5000")
        error = _("Tối đa 5.000 ký tự.")
    else:
        kind = "whole" if ind.value_type == Indicator.ValueType.INTEGER else "decimal"
        low = ind.min_value if ind.min_value is not None else Decimal(-(10**15) + 1)
        high = ind.max_value if ind.max_value is not None else Decimal(10**15 - 1)
        dv = DataValidation(
            type=kind, operator="between", formula1=format(low.normalize(), "f"), formula2=format(high.normalize(), "f")
        )
        what = _("một số nguyên") if kind == "whole" else _("một số")
        error = _("Phải là %(w)s từ %(lo)s đến %(hi)s.") % {
            "w": what,
            "lo": format_number(low),
            "hi": format_number(high),
        }
    dv.allow_blank = True
    dv.showInputMessage = dv.showErrorMessage = True
    dv.promptTitle = clean_line(ind.code)[:32]
    dv.prompt = clean_text(f"{ind.name_vi}: {_hint(ind)}")[:250]
    dv.errorTitle = _("Giá trị không hợp lệ")[:32]
    dv.error = error[:220]
    dv.errorStyle = "stop"
    return dv


def _instructions() -> list[str]:
    return [
        _("HƯỚNG DẪN"),
        _("1. Chỉ nhập vào các ô màu vàng (cột Giá trị và các ô thuyết minh); các ô khác bị khóa."),
        _("2. Số nhập theo kiểu Việt Nam: 56.000 là năm mươi sáu nghìn; 5,6 là năm phẩy sáu. Không nhập ngày tháng."),
        _("3. Không thêm, xóa hay di chuyển dòng, cột, trang tính; không đổi tên trang tính."),
        _("4. Ô để trống nghĩa là chưa có số liệu (xóa số liệu đã lưu nếu có)."),
        _("5. Lưu tệp dạng .xlsx rồi nộp tại trang Nộp bằng tệp Excel; mọi ô sai được liệt kê, chưa ô nào được lưu."),
        _("6. Nếu báo cáo đã được người khác sửa sau khi tải mẫu, tệp bị từ chối: hãy tải mẫu mới."),
        _("Trang tính được khóa không mật khẩu để tránh sửa nhầm."),
    ]


def _write_sheet(ws, unit, form, period, version, submission, values: dict[int, DataValue]) -> None:
    layout = layout_for(version)
    start, end = periods.period_range(period, form.scheme)
    deadline = submission.deadline if submission else services.deadline_for(form, period)
    for col, width in zip(range(1, 7), (6, 14, 48, 12, 18, 34), strict=True):
        ws.column_dimensions[get_column_letter(col)].width = width
    put(ws, 1, 1, _("BÁO CÁO: %s") % form.name.upper()).font = Font(bold=True, size=13)
    ws.merge_cells("A1:F1")
    status = submission.get_status_display() if submission else _("Chưa có")
    info = [
        (_("Đơn vị"), f"{unit.name} (mã {unit.code})"),
        (_("Biểu mẫu"), _("%(n)s — mã %(c)s, phiên bản %(v)d") % {"n": form.name, "c": form.code, "v": version.number}),
        (
            _("Kỳ báo cáo"),
            _("%(p)s, từ %(s)s đến %(e)s; hạn nộp %(d)s")
            % {"p": period, "s": short_date(start), "e": short_date(end), "d": short_date(deadline)},
        ),
        (
            _("Trạng thái"),
            _("%(s)s — phiên bản báo cáo %(v)d, tải lúc %(t)s")
            % {
                "s": status,
                "v": submission.version if submission else 0,
                "t": timezone.localtime().strftime("%H:%M %d/%m/%Y"),
            },
        ),
    ]
    for i, (label, text) in enumerate(info, start=2):
        put(ws, i, 1, f"{label}:").font = Font(bold=True)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=2)
        put(ws, i, 3, text)
        ws.merge_cells(start_row=i, start_column=3, end_row=i, end_column=6)
    for col, label in enumerate(HEADERS, start=1):
        c = put(ws, HEADER_ROW, col, label)
        c.font, c.fill, c.border, c.alignment = Font(bold=True), HEAD_FILL, BOX, Alignment(horizontal="center")
    for n, (ind, row) in enumerate(layout.indicators, start=1):
        dv = values.get(ind.pk)
        cells = [n, ind.code, ind.name_vi + (" *" if ind.required else ""), ind.unit_of_measure, None, _hint(ind)]
        for col, v in enumerate(cells, start=1):
            c = put(ws, row, col, v)
            c.border, c.alignment = BOX, WRAP
        c = ws.cell(row, COL_VALUE)
        c.protection, c.fill = UNLOCKED, INPUT_FILL
        if ind.value_type == Indicator.ValueType.TEXT:
            c.number_format = "@"
            put(ws, row, COL_VALUE, dv.text if dv else None)
        else:
            c.number_format = "#,##0" if ind.value_type == Indicator.ValueType.INTEGER else "#,##0.####"
            put(ws, row, COL_VALUE, _excel_number(dv.value) if dv else None)
            c.alignment = Alignment(horizontal="right", vertical="top")
        validation = _validation(ind)
        ws.add_data_validation(validation)
        validation.add(c)
    heading = _section_heading_row(layout)
    put(ws, heading, 1, _("THUYẾT MINH")).font = Font(bold=True)
    narrative = submission.narrative if submission else {}
    for n, (section, row) in enumerate(layout.sections):
        put(ws, row, COL_NO, ROMAN[n] if n < len(ROMAN) else str(n + 1)).font = Font(bold=True)
        put(ws, row, COL_CODE, section["key"])
        put(ws, row, COL_NAME, section["title"]).font = Font(bold=True)
        c = put(ws, row + 1, COL_NAME, narrative.get(section["key"]) or None)
        ws.merge_cells(start_row=row + 1, start_column=COL_NAME, end_row=row + 1, end_column=COL_HINT)
        c.protection, c.fill, c.alignment, c.border = UNLOCKED, INPUT_FILL, WRAP, BOX
        c.number_format = "@"
        ws.row_dimensions[row + 1].height = 90
        validation = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="20000", allow_blank=True)
        validation.showInputMessage = validation.showErrorMessage = True
        validation.promptTitle = _("Thuyết minh")[:32]
        validation.prompt = clean_text(section["title"])[:250]
        validation.errorTitle = _("Quá dài")[:32]
        validation.error = _("Tối đa 20.000 ký tự.")
        ws.add_data_validation(validation)
        validation.add(c)
    for i, line in enumerate(_instructions(), start=layout.end_row + 2):
        put(ws, i, 1, line).font = Font(bold=(i == layout.end_row + 2), italic=(i > layout.end_row + 2))
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.protection.sheet = True
    ws.protection.formatRows = False  # row heights may change so long texts show


def template_workbook(
    user, unit: OrgUnit, form: ReportForm, period: str, below: bool = False
) -> tuple[bytes, str, list[OrgUnit]]:
    """(xlsx bytes, file name, units) of the entry template; see template_units for which sheets."""
    try:
        period = periods.parse_period(period).id
    except periods.PeriodError as exc:
        raise ServiceError(str(exc), {"period": period}) from None
    units = template_units(user, unit, form, period, below)
    subs = {
        s.unit_id: s
        for s in Submission.objects.filter(form=form, period=period, unit__in=units).select_related("form_version")
    }
    values: dict[int, dict[int, DataValue]] = {}
    for dv in DataValue.objects.filter(submission__in=list(subs.values())).only(
        "submission_id", "indicator_id", "value", "text"
    ):
        values.setdefault(dv.submission_id, {})[dv.indicator_id] = dv
    wb = new_workbook()
    cache: dict = {}
    meta_rows = []
    single = len(units) == 1 and units[0] == unit
    for u in units:
        s = subs.get(u.pk)
        version = _version_of(form, s, cache)
        ws = wb.create_sheet(_sheet_title(u, single))
        _write_sheet(ws, u, form, period, version, s, values.get(s.pk, {}) if s else {})
        meta_rows.append([ws.title, u.code, str(version.number), str(s.version if s else 0)])
    meta = wb.create_sheet(META_SHEET)
    append(meta, [META_MAGIC, LAYOUT])
    append(meta, ["form", form.code])
    append(meta, ["period", period])
    append(meta, ["downloaded_at", timezone.now().isoformat()])
    append(meta, ["sheet", "unit", "form_version", "submission_version"])
    for row in meta_rows:
        append(meta, row)
    for row in meta.iter_rows():
        for c in row:
            c.number_format = "@"
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    data = workbook_bytes(wb)
    name = f"mau_{form.code}_{period}_{unit.code}{'_nhieu_don_vi' if not single else ''}.xlsx"
    return data, name, units


# --- Reading an upload safely -------------------------------------------------------------------------


def check_upload(name: str, content_type: str, size: int) -> None:
    """Refuse by name, declared type and size before reading a byte of the file."""
    if not name.lower().endswith(".xlsx"):
        raise _one(
            _("Chỉ nhận tệp Excel .xlsx; hãy lưu tệp dưới dạng .xlsx (only .xlsx files are accepted): %s") % name
        )
    if (content_type or "").split(";")[0].strip().lower() not in ACCEPTED_CONTENT_TYPES:
        raise _one(_("Kiểu tệp không phải .xlsx (the file type is not .xlsx): %s") % content_type)
    _check_size(size)


def too_large_message(size: int) -> str:
    return _("Tệp quá lớn: %(s)s, tối đa %(m)s (file too large: %(s)s, at most %(m)s)") % {
        "s": _mb(size),
        "m": _mb(MAX_BYTES),
    }


def _check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise _one(too_large_message(size), 413)


def _mb(n: int) -> str:
    return f"{format_number(Decimal(n) / (1024 * 1024), 1)} MB"


CORRUPT = "Tệp hỏng hoặc không phải tệp Excel .xlsx (the file is corrupt or not an .xlsx workbook)"


def _too_large(size: int | None = None) -> XlsxRejected:
    what = _("hơn %s") % _mb(MAX_UNCOMPRESSED) if size is None else _mb(size)
    return _one(
        _(
            "Tệp giải nén quá lớn (%(s)s, tối đa %(m)s): có thể là tệp độc hại "
            "(the unpacked workbook is too large (%(s)s, at most %(m)s): possibly a zip bomb)"
        )
        % {"s": what, "m": _mb(MAX_UNCOMPRESSED)},
        413,
    )


def _corrupt(member: str | None = None, why: str = "") -> XlsxRejected:
    message = _(CORRUPT)
    if member:
        message += f" — {member}: {why}"
    return _one(message)


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... file name length, extra field length


def _member_size(data: bytes, info: zipfile.ZipInfo, budget: int) -> int:
    """The uncompressed size of one member, measured by inflating it in bounded steps, never taken from
    the archive's headers (a bomb declares a few KB for a GB). Stops as soon as `budget` is passed (413);
    a CRC, length or stream that does not match is a corrupt file (400)."""
    if info.flag_bits & 0x1:
        raise _corrupt(info.filename, _("tệp có mật khẩu (encrypted)"))
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _corrupt(info.filename, _("kiểu nén không hỗ trợ (unsupported compression)"))
    offset = info.header_offset
    if offset < 0 or offset + _LOCAL_HEADER.size > len(data):
        raise _corrupt(info.filename, _("sai vị trí (bad offset)"))
    header = _LOCAL_HEADER.unpack_from(data, offset)
    if header[0] != b"PK\x03\x04":
        raise _corrupt(info.filename, _("sai đầu mục (bad local header)"))
    start = offset + _LOCAL_HEADER.size + header[9] + header[10]
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise _corrupt(info.filename, _("bị cắt cụt (truncated)"))
    crc, size = 0, 0
    if info.compress_type == zipfile.ZIP_STORED:
        size, crc = len(raw), zlib.crc32(raw)
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pending: bytes | memoryview = raw
        try:
            while pending and not inflater.eof:
                chunk = inflater.decompress(pending, 1 << 20)
                pending = inflater.unconsumed_tail
                size += len(chunk)
                if size > budget:
                    raise _too_large()
                crc = zlib.crc32(chunk, crc)
        except zlib.error:
            raise _corrupt(info.filename, _("dữ liệu nén hỏng (bad deflate stream)")) from None
        if not inflater.eof:
            raise _corrupt(info.filename, _("bị cắt cụt (truncated)"))
    if size > budget:
        raise _too_large()
    if crc != info.CRC:
        raise _corrupt(info.filename, _("sai mã kiểm tra CRC (bad CRC)"))
    if size != info.file_size:
        raise _corrupt(info.filename, _("kích thước khai báo sai (declared size does not match)"))
    return size


def check_archive(data: bytes) -> None:
    """Open the zip container and refuse a corrupt, truncated or bomb-like archive before calamine reads
    it: the member count is bounded, and every member is inflated here in bounded steps, so its real
    uncompressed size (not the one its header declares) and its CRC are checked; reading stops at the
    limit. Memory stays at one chunk per member whatever the archive claims."""
    _check_size(len(data))
    if not data.startswith(b"PK\x03\x04"):
        raise _one(_(CORRUPT))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
        raise _one(_(CORRUPT)) from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _one(_(CORRUPT))
    if len(members) > MAX_MEMBERS:
        raise _one(_("Tệp có quá nhiều thành phần (too many parts in the archive)"), 413)
    total = 0
    for m in members:
        if m.is_dir():
            continue
        # A large member may not inflate more than MAX_RATIO times (real workbook XML stays far below).
        cap = min(MAX_UNCOMPRESSED - total, max(1024 * 1024, MAX_RATIO * max(m.compress_size, 1)))
        total += _member_size(data, m, cap)


def _open(data: bytes) -> python_calamine.CalamineWorkbook:
    check_archive(data)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine raises several error types for broken XML or zip entries
        raise _one(_(CORRUPT)) from None
    if len(book.sheet_names) > MAX_SHEETS + 1:
        raise _one(_("Tệp có quá %(n)d trang tính (more than %(n)d sheets)") % {"n": MAX_SHEETS}, 413)
    return book


def _rows(book, name: str) -> list[list]:
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:
        raise _one(_(CORRUPT)) from None


def _at(rows: list[list], row: int, col: int):
    """The value at 1-based (row, col), "" when outside the used area."""
    if row - 1 < len(rows):
        r = rows[row - 1]
        if col - 1 < len(r):
            return r[col - 1]
    return ""


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v).strip()


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")


@dataclass
class CellMarks:
    """Cells calamine cannot be trusted with, by sheet: errors (#DIV/0!…) and formulas. Calamine reads an
    error as empty and a formula as its cached result, or as empty when the file has none (openpyxl and
    other tools save formulas without one): "no figure" would silently delete a stored one."""

    errors: dict[str, set[str]] = field(default_factory=dict)
    formulas: dict[str, set[str]] = field(default_factory=dict)


def _cell_marks(data: bytes) -> CellMarks:
    """Scan each sheet's XML (bounded and CRC-checked by check_archive) for error and formula cells.
    A formula cell without a reference is marked "?" so that it is still refused."""
    found = CellMarks()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        try:
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        except KeyError:
            return found
        targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
        for name, rid in re.findall(r'<(?:\w+:)?sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', workbook):
            target = targets.get(rid, "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            try:
                xml = archive.read(path)
            except KeyError:
                continue
            name = _xml_unescape(name)
            for attrs, body in _CELL.findall(xml):
                is_error = bool(_ERROR_TYPE.search(attrs))
                is_formula = bool(body and _FORMULA.search(body))
                if not (is_error or is_formula):
                    continue
                m = _CELL_REF.search(attrs)
                cell = m.group(1).decode() if m else "?"
                target_set = found.errors if is_error else found.formulas
                target_set.setdefault(name, set()).add(cell)
    return found


def _cell_order(cell: str) -> tuple[int, str]:
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", cell)
    return (int(m.group(2)), m.group(1)) if m else (0, cell)


def formula_message() -> str:
    return _(
        "Ô chứa công thức; hãy nhập giá trị, không nhập công thức (the cell holds a formula: type the value "
        "instead)"
    )


def _xml_unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
    )


# --- Cell values -------------------------------------------------------------------------------------


def cell_value(indicator: Indicator, raw) -> tuple[Decimal | None, str]:
    """(value, text) of a cell as calamine reads it: floats (a formula's cached result too), strings in
    Vietnamese number format, dates, booleans. ValueError says why a cell is wrong."""
    if raw is None or raw == "":
        return None, ""
    is_date = isinstance(raw, date | datetime | time | timedelta)
    if indicator.value_type == Indicator.ValueType.TEXT:
        if isinstance(raw, datetime | date):
            raw = short_date(raw)
        elif isinstance(raw, float):
            raw = format_number(raw).replace(".", "") if raw.is_integer() else format_number(raw)
        return services.parse_value(indicator, str(raw))
    if is_date:
        raise ValueError(_("Ô chứa ngày tháng, không phải số (a date, not a number)"))
    if isinstance(raw, bool):
        raise ValueError(_("Ô chứa giá trị đúng/sai, không phải số (TRUE/FALSE, not a number)"))
    if isinstance(raw, float):
        # 15 significant digits: what Excel shows; drops binary noise such as 0.30000000000000004.
        raw = Decimal(format(raw, ".15g"))
    return services.parse_value(indicator, raw)


# --- Template upload ---------------------------------------------------------------------------------


@dataclass
class SheetResult:
    sheet: str
    unit: OrgUnit
    submission: Submission | None = None
    values: int = 0


@dataclass
class UploadResult:
    submitted: bool
    sheets: list[SheetResult] = field(default_factory=list)
    table_submissions: int = 0  # a flat table was imported instead of a template
    table_values: int = 0

    @property
    def values(self) -> int:
        return sum(s.values for s in self.sheets) + self.table_values


@dataclass
class _Sheet:
    name: str
    unit: OrgUnit
    version: ReportFormVersion
    downloaded_version: int
    submission: Submission | None
    values: dict[str, Any] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    filled: int = 0


class _Errors:
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


def _meta(book) -> tuple[dict[str, str], list[list[str]]] | None:
    if META_SHEET not in book.sheet_names:
        return None
    rows = [[_text(v) for v in r] for r in _rows(book, META_SHEET)]
    if not rows or rows[0][:1] != [META_MAGIC]:
        return None
    head = {r[0]: (r[1] if len(r) > 1 else "") for r in rows[1:4] if r}
    head["layout"] = rows[0][1] if len(rows[0]) > 1 else ""
    return head, [r for r in rows[5:] if any(r)]


def _unit_problem(code: str) -> str:
    return _("Không tìm thấy đơn vị '%s' trong phạm vi của bạn (unit not found in your scope)") % code


def workbook_import(data: bytes, *, actor=None, submit: bool = False, within=None) -> UploadResult:
    """Check a filled template (or a flat table of figures, see table_import) and save every sheet in one
    transaction as a draft, or submit it, through the submission services. All or nothing: on any error
    XlsxRejected lists each wrong cell by sheet and reference and nothing is written.
    `actor` None skips the scope check (command line, benchmark); `within` = (unit, form, period) limits the
    upload to that form and period and to units in that unit's subtree (the upload page of a report)."""
    book = _open(data)
    meta = _meta(book)
    if meta is None:
        # A flat table of figures is taken through the API (no page context), like a CSV import.
        if within is None and META_SHEET not in book.sheet_names and _find_table(book) is not None:
            result = table_import(data, actor=actor, draft=not submit, book=book)
            return UploadResult(submitted=submit, table_submissions=result.submissions, table_values=result.values)
        raise _one(
            _(
                "Tệp không phải mẫu nhập liệu của giaoban hoặc trang thông tin ẩn đã bị sửa "
                "(not a giaoban template, or its hidden metadata was edited): hãy tải mẫu mới"
            )
        )
    head, entries = meta
    errors = _Errors()
    if head.get("layout") != LAYOUT:
        raise _one(_("Mẫu thuộc phiên bản giaoban khác; hãy tải mẫu mới (template layout not supported)"))
    form = ReportForm.objects.filter(code=head.get("form", "")).first()
    if form is None:
        raise _one(_("Không tìm thấy biểu mẫu '%s' (form not found)") % head.get("form", ""))
    try:
        period = periods.parse_period(head.get("period", "")).id
    except periods.PeriodError as exc:
        raise _one(str(exc)) from None
    if within is not None and (within[1].pk != form.pk or within[2] != period):
        raise _one(
            _(
                "Tệp là mẫu của %(f)s kỳ %(p)s, không phải của trang này (%(wf)s kỳ %(wp)s) "
                "(the file is a template for another form or period)"
            )
            % {"f": form.code, "p": period, "wf": within[1].code, "wp": within[2]}
        )
    if not entries:
        raise _one(_("Mẫu không có trang đơn vị nào (the template has no unit sheet)"))
    if len(entries) > MAX_SHEETS:
        raise _one(_("Tệp có quá %(n)d trang tính (more than %(n)d sheets)") % {"n": MAX_SHEETS}, 413)

    codes = [e[1] if len(e) > 1 else "" for e in entries]
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    subs = {
        s.unit_id: s
        for s in Submission.objects.filter(form=form, period=period, unit__in=list(units.values())).select_related(
            "form_version", "submitted_by", "approved_by"
        )
    }
    current = services.current_version(form)
    versions = {v.pk: v for v in ReportFormVersion.objects.filter(form=form)}
    versions[current.pk] = current
    by_number = {v.number: v for v in versions.values()}
    last_events = _last_events([s for s in subs.values()])
    marks = _cell_marks(data)

    sheets: list[_Sheet] = []
    seen_units: set[str] = set()
    for entry in entries:
        entry = [*entry, "", "", "", ""][:4]
        name, code, version_no, sub_version = entry
        unit = units.get(code)
        if unit is None or (actor is not None and not can(actor, Action.ENTER, unit.path)):
            # Unknown and out-of-scope units get the same answer: nothing is confirmed to exist.
            errors.add(name, None, _unit_problem(code))
            continue
        if within is not None and not unit.path.startswith(within[0].path):
            errors.add(
                name,
                None,
                _("Đơn vị %(u)s không thuộc %(w)s (the unit is not under the unit of this page)")
                % {"u": code, "w": within[0].name},
            )
            continue
        if code in seen_units:
            errors.add(name, None, _("Đơn vị %s có hai trang tính (a unit appears twice)") % code)
            continue
        seen_units.add(code)
        if name not in book.sheet_names:
            errors.add(
                name, None, _("Thiếu trang tính '%s'; mẫu đã bị sửa cấu trúc (sheet missing: hãy tải mẫu mới)") % name
            )
            continue
        s = subs.get(unit.pk)
        if s is None:
            problem = services.applies_to(form, unit, period)
            if problem:
                errors.add(name, None, problem)
                continue
        expected_version = versions.get(s.form_version_id) if s else current
        if expected_version is None or not version_no.isdigit() or by_number.get(int(version_no)) != expected_version:
            errors.add(
                name,
                None,
                _(
                    "Mẫu dùng phiên bản %(m)s của biểu mẫu, báo cáo này dùng phiên bản %(v)s; hãy tải mẫu mới "
                    "(the template is for form version %(m)s, this report uses version %(v)s: download a new one)"
                )
                % {"m": version_no or "?", "v": expected_version.number if expected_version else "?"},
            )
            continue
        downloaded = int(sub_version) if sub_version.isdigit() else -1
        if s is not None and not s.is_editable:
            who, when = (
                (s.approved_by, s.approved_at) if s.status == Status.APPROVED else (s.submitted_by, s.submitted_at)
            )
            errors.add(
                name,
                None,
                _(
                    "Báo cáo của %(u)s đã %(st)s (%(who)s, %(when)s) và bị khóa; không sửa bằng tệp được "
                    "(the report is %(st_en)s and locked)"
                )
                % {
                    "u": unit.name,
                    "st": s.get_status_display().lower(),
                    "who": who or "—",
                    "when": timezone.localtime(when).strftime("%H:%M %d/%m/%Y") if when else "—",
                    "st_en": s.status,
                },
            )
            continue
        if s is not None and downloaded != s.version and not (downloaded == 0 and s.pk not in last_events):
            event = last_events.get(s.pk)
            errors.add(
                name,
                None,
                _(
                    "Báo cáo của %(u)s đã được %(who)s thay đổi lúc %(when)s (phiên bản %(v)d) sau khi tải mẫu "
                    "(phiên bản %(d)s); chưa ghi đè — hãy tải mẫu mới và nhập lại "
                    "(changed by %(who)s at %(when)s after the template was downloaded; nothing overwritten)"
                )
                % {
                    "u": unit.name,
                    "who": (event.actor if event and event.actor else _("người khác")),
                    "when": timezone.localtime(event.at).strftime("%H:%M %d/%m/%Y") if event else "—",
                    "v": s.version,
                    "d": downloaded,
                },
                conflict=True,
            )
            continue
        sheet = _Sheet(name, unit, expected_version, downloaded, s)
        _read_sheet(
            sheet, _rows(book, name), marks.errors.get(name, set()), marks.formulas.get(name, set()), submit, errors
        )
        sheets.append(sheet)
    errors.raise_if_any()
    return _write(sheets, form, period, actor, submit)


def _last_events(subs: list[Submission]) -> dict[int, SubmissionEvent]:
    latest: dict[int, SubmissionEvent] = {}
    if subs:
        for e in SubmissionEvent.objects.filter(submission__in=subs).select_related("actor").order_by("id"):
            latest[e.submission_id] = e
    return latest


def _read_sheet(
    sheet: _Sheet, rows: list[list], bad_cells: set[str], formulas: set[str], submit: bool, errors: _Errors
) -> None:
    layout = layout_for(sheet.version)
    if "?" in formulas:
        errors.add(sheet.name, None, formula_message())
    structural = [ref(HEADER_ROW, c) for c, h in enumerate(HEADERS, 1) if _text(_at(rows, HEADER_ROW, c)) != h]
    structural += [ref(r, COL_CODE) for ind, r in layout.indicators if _text(_at(rows, r, COL_CODE)) != ind.code]
    structural += [ref(r, COL_CODE) for s, r in layout.sections if _text(_at(rows, r, COL_CODE)) != s["key"]]
    if structural:
        errors.add(
            sheet.name,
            structural[0],
            _(
                "Trang tính đã bị sửa cấu trúc (thêm/xóa/chuyển dòng hoặc cột); hãy tải mẫu mới "
                "(the sheet was edited structurally: download a new template)"
            ),
        )
        return
    for ind, row in layout.indicators:
        cell = ref(row, COL_VALUE)
        if cell in bad_cells:
            errors.add(sheet.name, cell, _("Ô chứa lỗi công thức (the cell holds a formula error)"))
            continue
        if cell in formulas:
            errors.add(sheet.name, cell, f"{ind.code}: {formula_message()}")
            continue
        raw = _at(rows, row, COL_VALUE)
        try:
            value, text = cell_value(ind, raw)
        except (ValueError, InvalidOperation) as exc:
            errors.add(sheet.name, cell, f"{ind.code}: {exc}")
            continue
        if value is None and not text:
            if submit and ind.required:
                errors.add(sheet.name, cell, _("%s: Bắt buộc nhập khi nộp (required to submit)") % ind.code)
            sheet.values[ind.code] = None
        else:
            sheet.values[ind.code] = value if value is not None else text
            sheet.filled += 1
    for section, row in layout.sections:
        cell = ref(row + 1, COL_NAME)
        if cell in bad_cells:
            errors.add(sheet.name, cell, _("Ô chứa lỗi công thức (the cell holds a formula error)"))
            continue
        if cell in formulas:
            errors.add(sheet.name, cell, formula_message())
            continue
        raw = _at(rows, row + 1, COL_NAME)
        text = short_date(raw) if isinstance(raw, date) else _text(raw)
        if len(text) > 20000:
            errors.add(sheet.name, cell, _("Thuyết minh quá dài, tối đa 20.000 ký tự (narrative too long)"))
        sheet.narrative[section["key"]] = text


def _write(sheets: list[_Sheet], form: ReportForm, period: str, actor, submit: bool) -> UploadResult:
    result = UploadResult(submitted=submit)
    at = timezone.now()
    with transaction.atomic():
        for sheet in sheets:
            try:
                s = sheet.submission or services.submission_open(unit=sheet.unit, form=form, period=period, actor=actor)
                # Reuse the loaded rows so the services' lock does not fetch them again.
                s.unit, s.form, s.form_version = sheet.unit, form, sheet.version
                expected = sheet.downloaded_version or s.version
                call = services.submission_submit if submit else services.submission_save_draft
                s = call(
                    submission=s,
                    values=sheet.values,
                    narrative=sheet.narrative,
                    expected_version=expected,
                    actor=actor,
                    at=at,
                )
            except Conflict as exc:
                raise XlsxRejected(
                    exc.message, [{"sheet": sheet.name, "cell": None, "message": exc.message}], 409
                ) from None
            except ServiceError as exc:
                cells = {ind.code: ref(r, COL_VALUE) for ind, r in layout_for(sheet.version).indicators}
                fields = exc.extra.get("fields") or {}
                items = [{"sheet": sheet.name, "cell": cells.get(k), "message": f"{k}: {m}"} for k, m in fields.items()]
                raise XlsxRejected(
                    exc.message, items or [{"sheet": sheet.name, "cell": None, "message": exc.message}]
                ) from None
            result.sheets.append(SheetResult(sheet.name, sheet.unit, s, sheet.filled))
    return result


# --- Flat tables of figures (the CSV columns, as .xlsx) ----------------------------------------------


def _find_table(book) -> tuple[str, list[list], int, dict[str, int]] | None:
    """(sheet, its rows, header row number, 0-based column by name) of the first sheet with the import
    columns in one of its first 10 rows (a title above the header is allowed, as table_to_xlsx writes)."""
    for name in book.sheet_names:
        if name == META_SHEET:
            continue
        rows = _rows(book, name)
        for n, row in enumerate(rows[:10], start=1):
            header = [_text(v).lower() for v in row]
            if all(c in header for c in services.IMPORT_COLUMNS):
                return name, rows, n, {c: header.index(c) for c in services.IMPORT_COLUMNS}
    return None


def read_table(data: bytes, book=None) -> tuple[str, dict[str, int], list[tuple[int, dict[str, Any]]]]:
    """(sheet name, 0-based column by name, rows) of a flat .xlsx table with the columns unit, form, period,
    indicator, value; rows are (Excel row number, {column: value}) as services.datavalues_import takes them.
    Reads only (after the file checks): the baseline of an import."""
    book = book or _open(data)
    found = _find_table(book)
    if found is None:
        raise _one(
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
                    "unit": u if u.__class__ is str else _text(u),
                    "form": f if f.__class__ is str else _text(f),
                    "period": p if p.__class__ is str else _text(p),
                    "indicator": i if i.__class__ is str else _text(i),
                    "value": v,
                },
            )
        )
    return name, cols, out


MAX_TABLE_ROWS = 200_000


def table_row_count(data: bytes) -> int | None:
    """The number of figure rows of a flat table upload, or None when the file is a template (or has no
    table): lets the upload queue a large table as a background import before doing any work on it."""
    book = _open(data)
    if _meta(book) is not None or META_SHEET in book.sheet_names or _find_table(book) is None:
        return None
    return len(read_table(data, book)[2])


def table_import(data: bytes, *, actor=None, draft: bool = False, book=None, progress=None) -> services.ImportResult:
    """Import a flat .xlsx of figures (unit, form, period, indicator, value) through
    services.datavalues_import, the path CSV and JSON imports take; errors name the sheet and cell."""
    name, cols, rows = read_table(data, book)
    limit = getattr(settings, "GIAOBAN_IMPORT_MAX_ROWS", MAX_TABLE_ROWS)
    if len(rows) > limit:
        raise _one(_("Quá %d dòng (too many rows)") % limit, 413)
    if not rows:
        raise _one(_("Không có dòng dữ liệu nào (no data rows)"))
    errors = _Errors()

    def cell(column: str | None, row: int | None) -> str | None:
        return ref(row, cols[column] + 1) if row and column in cols else None

    marks = _cell_marks(data)
    for cells, message in (
        (marks.errors.get(name, set()), _("Ô chứa lỗi công thức (the cell holds a formula error)")),
        (marks.formulas.get(name, set()), formula_message()),
    ):
        for c in sorted(cells, key=_cell_order):
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
