"""A filled template uploaded: every sheet checked cell by cell in memory, then written all or nothing through
the submission services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.access import Action, can
from giaoban.core.errors import Conflict, ServiceError
from giaoban.core.formats import short_date
from giaoban.orgs.models import OrgUnit

from .. import periods, services
from ..models import ReportForm, ReportFormVersion, Submission, SubmissionEvent
from . import limits
from .layout import (
    COL_CODE,
    COL_NAME,
    COL_VALUE,
    HEADER_ROW,
    HEADERS,
    LAYOUT,
    META_SHEET,
    SheetErrors,
    XlsxRejected,
    layout_for,
    ref,
)
from .read import cell_marks, cell_text, cell_value, formula_message, open_workbook, read_meta, rows_of, value_at
from .tables import find_table, table_import

__all__ = [
    "SheetResult",
    "UnusualUpload",
    "UploadResult",
    "workbook_import",
]


Status = Submission.Status


class UnusualUpload(XlsxRejected):
    """Figures far outside their unit's history in a file to submit: nothing is written until the user
    confirms. `errors` are [{sheet, cell, message, why, unit, indicator, value, median}], the indicator named as the sheet
    shows it."""

    code = "unusual_figures"


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


def _unit_problem(code: str) -> str:
    return _("Không tìm thấy đơn vị '%s' trong phạm vi của bạn (unit not found in your scope)") % code


def workbook_import(
    data: bytes, *, actor=None, submit: bool = False, within=None, confirm: bool = False
) -> UploadResult:
    """Check a filled template (or a flat table of figures, see table_import) and save every sheet in one
    transaction as a draft, or submit it, through the submission services. All or nothing: on any error
    XlsxRejected lists each wrong cell by sheet and reference and nothing is written.
    `actor` None skips the scope check (command line, benchmark); `within` = (unit, form, period) limits the
    upload to that form and period and to units in that unit's subtree (the upload page of a report).
    To submit, figures far outside their unit's history (services.is_unusual, the entry page's rule) stop the
    whole upload with UnusualUpload until it is sent again with confirm=True."""
    book = open_workbook(data)
    meta = read_meta(book)
    if meta is None:
        # A flat table of figures is taken through the API (no page context), like a CSV import.
        if within is None and META_SHEET not in book.sheet_names and find_table(book) is not None:
            result = table_import(data, actor=actor, draft=not submit, book=book)
            return UploadResult(submitted=submit, table_submissions=result.submissions, table_values=result.values)
        raise XlsxRejected.one(
            _(
                "Tệp không phải mẫu nhập liệu của giaoban hoặc trang thông tin ẩn đã bị sửa "
                "(not a giaoban template, or its hidden metadata was edited): hãy tải mẫu mới"
            )
        )
    head, entries = meta
    errors = SheetErrors()
    if head.get("layout") != LAYOUT:
        raise XlsxRejected.one(_("Mẫu thuộc phiên bản giaoban khác; hãy tải mẫu mới (template layout not supported)"))
    form = ReportForm.objects.filter(code=head.get("form", "")).first()
    if form is None:
        raise XlsxRejected.one(_("Không tìm thấy biểu mẫu '%s' (form not found)") % head.get("form", ""))
    try:
        period = periods.parse_period(head.get("period", "")).id
    except periods.PeriodError as exc:
        raise XlsxRejected.one(str(exc)) from None
    if within is not None and (within[1].pk != form.pk or within[2] != period):
        raise XlsxRejected.one(
            _(
                "Tệp là mẫu của %(f)s kỳ %(p)s, không phải của trang này (%(wf)s kỳ %(wp)s) "
                "(the file is a template for another form or period)"
            )
            % {"f": form.code, "p": period, "wf": within[1].code, "wp": within[2]}
        )
    if not entries:
        raise XlsxRejected.one(_("Mẫu không có trang đơn vị nào (the template has no unit sheet)"))
    if len(entries) > limits.MAX_SHEETS:
        raise XlsxRejected.one(
            _("Tệp có quá %(n)d trang tính (more than %(n)d sheets)") % {"n": limits.MAX_SHEETS}, 413
        )

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
    marks = cell_marks(data)

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
            sheet, rows_of(book, name), marks.errors.get(name, set()), marks.formulas.get(name, set()), submit, errors
        )
        sheets.append(sheet)
    errors.raise_if_any()
    if submit and not confirm:
        _require_confirmation(sheets, form, period)
    return _write(sheets, form, period, actor, submit)


def _require_confirmation(sheets: list[_Sheet], form: ReportForm, period: str) -> None:
    """Raise UnusualUpload naming every unusual figure of every sheet by sheet, cell and indicator name."""
    reports, cells = [], []
    for sheet in sheets:
        s = sheet.submission or Submission(unit=sheet.unit, form=form, period=period)
        try:
            parsed = services.parse_values(services.version_indicators(sheet.version), sheet.values)
        except ServiceError:
            parsed = {}  # the write names what is wrong
        reports.append((s, {ind: value for ind, (value, _text) in parsed.items()}))
        cells.append({ind.pk: ref(r, COL_VALUE) for ind, r in layout_for(sheet.version).indicators})
    found = []
    for sheet, sheet_cells, figures in zip(sheets, cells, services.find_unusual_many(reports), strict=True):
        for f in figures:
            found.append(
                {
                    "sheet": sheet.name,
                    "cell": sheet_cells.get(f.indicator.pk),
                    "message": f"{f.indicator.name_vi}: {f.message}",
                    "why": f.message,
                    "unit": sheet.unit.name,
                    "indicator": f.indicator.name_vi,
                    "value": services.canonical(f.value),
                    "median": None if f.median is None else services.canonical(f.median),
                }
            )
    if found:
        raise UnusualUpload(
            _(
                "Xác nhận số liệu bất thường: %(n)d số liệu khác xa các kỳ trước của đơn vị; chưa ghi gì. Kiểm tra "
                "lại tệp, rồi bấm “Xác nhận và nhập”."
            )
            % {"n": len(found)},
            found,
        )


def _last_events(subs: list[Submission]) -> dict[int, SubmissionEvent]:
    latest: dict[int, SubmissionEvent] = {}
    if subs:
        for e in SubmissionEvent.objects.filter(submission__in=subs).select_related("actor").order_by("id"):
            latest[e.submission_id] = e
    return latest


def _read_sheet(
    sheet: _Sheet, rows: list[list], bad_cells: set[str], formulas: set[str], submit: bool, errors: SheetErrors
) -> None:
    layout = layout_for(sheet.version)
    if "?" in formulas:
        errors.add(sheet.name, None, formula_message())
    structural = [ref(HEADER_ROW, c) for c, h in enumerate(HEADERS, 1) if cell_text(value_at(rows, HEADER_ROW, c)) != h]
    structural += [
        ref(r, COL_CODE) for ind, r in layout.indicators if cell_text(value_at(rows, r, COL_CODE)) != ind.code
    ]
    structural += [ref(r, COL_CODE) for s, r in layout.sections if cell_text(value_at(rows, r, COL_CODE)) != s["key"]]
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
            errors.add(sheet.name, cell, f"{ind.name_vi}: {formula_message()}")
            continue
        raw = value_at(rows, row, COL_VALUE)
        try:
            value, text = cell_value(ind, raw)
        except (ValueError, InvalidOperation) as exc:
            errors.add(sheet.name, cell, f"{ind.name_vi}: {exc}")
            continue
        if value is None and not text:
            if submit and ind.required:
                errors.add(sheet.name, cell, _("%s: Bắt buộc nhập khi nộp (required to submit)") % ind.name_vi)
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
        raw = value_at(rows, row + 1, COL_NAME)
        text = short_date(raw) if isinstance(raw, date) else cell_text(raw)
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
