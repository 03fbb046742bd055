"""The .xlsx entry template, written with openpyxl: one protected, validated sheet per unit, plus a very hidden
metadata sheet that lets the upload check what it reads."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from giaoban.core.access import Action, can, subtree_q
from giaoban.core.errors import ServiceError
from giaoban.core.formats import format_number, short_date
from giaoban.core.text import clean_line, clean_text
from giaoban.core.xlsx import append, new_workbook, put, workbook_bytes
from giaoban.orgs.models import OrgUnit

from .. import periods, services
from ..models import DataValue, Indicator, ReportForm, ReportFormVersion, Submission
from . import limits
from .layout import (
    COL_CODE,
    COL_HINT,
    COL_NAME,
    COL_NO,
    COL_VALUE,
    FIRST_ROW,
    HEADER_ROW,
    HEADERS,
    LAYOUT,
    META_MAGIC,
    META_SHEET,
    Layout,
    layout_for,
)

__all__ = [
    "BOX",
    "HEAD_FILL",
    "INPUT_FILL",
    "ROMAN",
    "THIN",
    "UNLOCKED",
    "WRAP",
    "template_units",
    "template_workbook",
]


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def _section_heading_row(layout: Layout) -> int:
    return FIRST_ROW + len(layout.indicators) + 1


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
    if len(units) > limits.MAX_SHEETS:
        raise ServiceError(
            _(
                "Quá %(n)d đơn vị cho một tệp; hãy chọn đơn vị cấp dưới (more than %(n)d units for one workbook: "
                "choose a lower unit)"
            )
            % {"n": limits.MAX_SHEETS}
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
