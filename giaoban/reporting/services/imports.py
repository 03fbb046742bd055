"""Figures written in bulk: datavalues_import, the one path that CSV, JSON and flat .xlsx imports take,
all or nothing, with every bad row named."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import InvalidOperation
from functools import cache
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from giaoban.core.access import Action, can
from giaoban.core.db import execute_all
from giaoban.core.errors import RowErrors, ServiceError
from giaoban.core.text import clean_line
from giaoban.orgs.models import OrgUnit

from .. import aggregates, periods
from ..models import DataValue, FormIndicator, Indicator, ReportForm, Submission, SubmissionEvent
from .catalog import current_version, version_indicators
from .outliers import UnusualFigures, find_unusual_many
from .submissions import applies_to, deadline_for, event_rows, history_rows
from .values import ValueWrites, canonical, parse_value, stored_values

__all__ = [
    "IMPORT_COLUMNS",
    "ImportResult",
    "datavalues_import",
]

Status = Submission.Status


IMPORT_COLUMNS = ("unit", "form", "period", "indicator", "value")

# Reports per set of import statements.
_BATCH = 500


@dataclass
class ImportResult:
    submissions: int
    values: int


@transaction.atomic
def datavalues_import(
    *,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    actor=None,
    draft: bool = False,
    at: datetime | None = None,
    file_errors: RowErrors | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    confirm: bool = True,
) -> ImportResult:
    """Import figures given as (row number, {unit, form, period, indicator, value}) with codes and period
    ids. All or nothing: every bad row is listed (ImportRejected) and nothing is written. Figures land
    as submitted (their reports are submitted, joining the totals), or as drafts with draft=True.
    `file_errors`: problems the file reader found (not UTF-8, wrong cell counts), listed with the rest.
    `progress(phase, rows done, rows total)` is called now and then ("checking", then "writing").
    With confirm=False (what the API sends until the client confirms), figures that are submitted and far outside
    their unit's history (outliers.is_unusual, the rule of the entry page) stop the whole import with
    UnusualFigures listing each one in extra["figures"], and nothing is written."""
    at = at or timezone.now()
    rows = list(rows)
    errors = file_errors if file_errors is not None else RowErrors()
    if not rows:
        if len(errors.items) == 1:
            errors.raise_if_any(errors.items[0]["message"])
        errors.raise_if_any(_("Tệp có lỗi; chưa ghi gì (the file has errors; nothing was written)"))
        raise ServiceError(_("Không có dòng dữ liệu nào (no data rows)"))
    total = len(rows)

    def cell(row: Mapping[str, Any], column: str) -> str:
        v = row.get(column)
        return "" if v is None else clean_line(str(v))

    units = {u.code: u for u in OrgUnit.objects.filter(code__in={cell(r, "unit") for _, r in rows})}
    forms = {f.code: f for f in ReportForm.objects.filter(code__in={cell(r, "form") for _, r in rows})}
    versions = {f.pk: current_version(f) for f in forms.values()}
    items = {}
    for item in FormIndicator.objects.filter(version__in=[v.pk for v in versions.values()]).select_related("indicator"):
        items[(item.version_id, item.indicator.code)] = item.indicator

    # Memoised per unit and per (unit, form, period): a file repeats them on every one of its rows.
    @cache
    def in_scope(unit_code: str) -> bool:
        return actor is None or can(actor, Action.ENTER, units[unit_code].path)

    @cache
    def period_of(unit_code: str, form_code: str, period: str) -> tuple[str | None, str | None]:
        """(why the unit cannot report the form for that period, or None; the period id)."""
        problem = applies_to(forms[form_code], units[unit_code], period)
        return problem, None if problem else periods.parse_period(period).id

    keys: dict[tuple, list[tuple[int, Indicator, tuple]]] = {}
    seen: set[tuple] = set()
    for done, (rownum, row) in enumerate(rows):
        if progress is not None and done % 5000 == 0:
            progress("checking", done, total)
        if not isinstance(row, Mapping):
            errors.add(rownum, None, _("Dòng phải là một đối tượng (each row must be an object)"))
            continue
        bad = False
        for column in IMPORT_COLUMNS:
            if column != "value" and not cell(row, column):
                errors.add(rownum, column, _("Thiếu giá trị (missing)"))
                bad = True
        if bad:
            continue
        unit = units.get(cell(row, "unit"))
        form = forms.get(cell(row, "form"))
        if unit is None or not in_scope(unit.code):
            # Unknown and out-of-scope units get the same answer: nothing is confirmed to exist.
            errors.add(
                rownum,
                "unit",
                _("Không tìm thấy đơn vị '%s' trong phạm vi của bạn (unit not found in your scope)")
                % cell(row, "unit"),
            )
            bad = True
        if form is None:
            errors.add(rownum, "form", _("Không tìm thấy biểu mẫu '%s' (form not found)") % cell(row, "form"))
            bad = True
        if bad:
            continue
        problem, period = period_of(unit.code, form.code, cell(row, "period"))
        if problem:
            errors.add(rownum, "period", problem)
            continue
        indicator = items.get((versions[form.pk].pk, cell(row, "indicator")))
        if indicator is None:
            errors.add(
                rownum,
                "indicator",
                _("Chỉ tiêu '%s' không có trong biểu mẫu (indicator not in the form)") % cell(row, "indicator"),
            )
            continue
        try:
            parsed = parse_value(indicator, row.get("value"))
        except (ValueError, InvalidOperation) as exc:
            errors.add(rownum, "value", str(exc))
            continue
        key = (unit.pk, form.pk, period)
        if (key, indicator.pk) in seen:
            errors.add(rownum, "indicator", _("Trùng dòng khác cùng đơn vị, kỳ, chỉ tiêu (duplicate row)"))
            continue
        seen.add((key, indicator.pk))
        keys.setdefault(key, []).append((rownum, indicator, parsed))

    existing: dict[tuple, Submission] = {}
    # One query per (form, period) and chunk of units: an OR of one term per report overflows SQLite's
    # expression depth past ~1,000 reports.
    units_of: dict[tuple[int, str], list[int]] = defaultdict(list)
    for unit_id, form_id, period in keys:
        units_of[(form_id, period)].append(unit_id)
    for (form_id, period), unit_ids in sorted(units_of.items()):
        for start in range(0, len(unit_ids), 500):
            for s in (
                Submission.objects.select_for_update()
                .filter(form_id=form_id, period=period, unit_id__in=unit_ids[start : start + 500])
                .select_related("unit", "form", "form_version")
                .order_by("pk")
            ):
                existing[(s.unit_id, s.form_id, s.period)] = s
    # One instance per form version, so that version_indicators() reads each version's list once.
    shared_versions = {v.pk: v for v in versions.values()}
    for s in existing.values():
        s.form_version = shared_versions.setdefault(s.form_version_id, s.form_version)
    for key, entries in keys.items():
        s = existing.get(key)
        first_row = entries[0][0]
        if s is not None and s.status == Status.APPROVED:
            errors.add(first_row, "period", _("Báo cáo đã duyệt và bị khóa (the report is approved and locked)"))
        elif s is not None and s.status == Status.SUBMITTED and draft:
            errors.add(
                first_row, "period", _("Báo cáo đã nộp, không lưu nháp được (already submitted; cannot save as draft)")
            )
        elif s is not None and s.form_version_id != versions[key[1]].pk:
            allowed = {i.pk for i in version_indicators(s.form_version)}
            for rownum, indicator, _parsed in entries:
                if indicator.pk not in allowed:
                    errors.add(
                        rownum,
                        "indicator",
                        _(
                            "Chỉ tiêu không có trong phiên bản biểu mẫu của báo cáo này (indicator not in this report's form version)"
                        ),
                    )
    stored = stored_values([s.pk for s in existing.values()])
    if not draft:
        for key, entries in keys.items():
            s = existing.get(key)
            given = set(stored.get(s.pk, ()) if s else ()) | {
                ind.pk for _r, ind, (v, t) in entries if v is not None or t
            }
            version = s.form_version if s else versions[key[1]]
            for ind in version_indicators(version):
                if ind.required and ind.pk not in given:
                    errors.add(
                        entries[0][0],
                        "indicator",
                        _("Thiếu chỉ tiêu bắt buộc %s (required indicator missing)") % ind.code,
                    )
    errors.raise_if_any(
        _("Dữ liệu nhập bị từ chối: %(n)d lỗi, chưa ghi gì (import rejected: %(n)d errors, nothing was written)")
        % {"n": len(errors.items)}
    )

    unit_by_pk = {u.pk: u for u in units.values()}
    form_by_pk = {f.pk: f for f in forms.values()}
    if not draft and not confirm:
        _require_confirmation(keys, existing, stored, unit_by_pk, form_by_pk)

    def new_submission(key: tuple) -> Submission:
        unit_id, form_id, period = key
        form = form_by_pk[form_id]
        return Submission(
            unit=unit_by_pk[unit_id],
            form=form,
            period=period,
            form_version=versions[form_id],
            deadline=deadline_for(form, period),
        )

    reports = list(keys.items())
    n_values = 0
    written = 0
    for start in range(0, len(reports), _BATCH):
        chunk = reports[start : start + _BATCH]
        n_values += _import_chunk(chunk, existing, stored, new_submission, actor=actor, draft=draft, at=at)
        if progress is not None:
            written += sum(len(entries) for _key, entries in chunk)
            progress("writing", written, total)
    return ImportResult(submissions=len(keys), values=n_values)


def _require_confirmation(
    keys: Mapping[tuple, list[tuple[int, Indicator, tuple]]],
    existing: Mapping[tuple, Submission],
    stored: Mapping[int, Mapping[int, DataValue]],
    units: Mapping[int, OrgUnit],
    forms: Mapping[int, ReportForm],
) -> None:
    """Raise UnusualFigures if any report about to be submitted holds a figure far outside its unit's history:
    the figures it will hold once imported (those stored, overwritten by the file's), as submission_submit
    judges them."""
    reports, first_rows = [], []
    for key, entries in keys.items():
        unit_id, form_id, period = key
        s = existing.get(key) or Submission(unit=units[unit_id], form=forms[form_id], period=period)
        indicators = {i.pk: i for _r, i, _p in entries}
        values = {}
        kept = stored.get(s.pk, {}) if s.pk else {}
        if kept:
            by_id = {i.pk: i for i in version_indicators(s.form_version)}
            for ind_id, dv in kept.items():
                if ind_id not in indicators and dv.value is not None and ind_id in by_id:
                    values[by_id[ind_id]] = dv.value
        rows = {}
        for rownum, ind, (value, _text) in entries:
            values[ind] = value
            rows[ind.pk] = rownum
        reports.append((s, values))
        first_rows.append(rows)
    found = []
    for (s, _values), rows, figures in zip(reports, first_rows, find_unusual_many(reports), strict=True):
        for f in figures:
            found.append(
                {
                    "row": rows.get(f.indicator.pk),
                    "unit": units[s.unit_id].code,
                    "form": forms[s.form_id].code,
                    "period": s.period,
                    "indicator": f.indicator.code,
                    "value": canonical(f.value),
                    "median": None if f.median is None else canonical(f.median),
                    "message": f.message,
                }
            )
    if found:
        found.sort(key=lambda f: (f["row"] or 0, f["indicator"]))
        raise UnusualFigures(
            _(
                "Xác nhận số liệu bất thường: %(n)d số liệu khác xa các kỳ trước của đơn vị; chưa ghi gì. Kiểm tra "
                "lại, rồi gửi lại với confirm=true để nhập."
            )
            % {"n": len(found)},
            {"figures": found},
        )


def _import_chunk(
    chunk: list[tuple[tuple, list[tuple[int, Indicator, tuple]]]],
    existing: Mapping[tuple, Submission],
    stored: Mapping[int, Mapping[int, DataValue]],
    new_submission: Callable[[tuple], Submission],
    *,
    actor,
    draft: bool,
    at: datetime,
) -> int:
    """Write a chunk of validated import reports with one set of statements, whatever its size: what
    submission_save_draft or submission_submit does to one report. Returns the number of figures changed."""
    submitted = (
        {} if draft else {"status": Status.SUBMITTED, "submitted_at": at, "submitted_by": actor, "return_reason": ""}
    )

    def stamp(s: Submission) -> None:
        s.version += 1
        for name, value in submitted.items():
            setattr(s, name, value)

    reports, created, updated = [], [], []
    for key, _entries in chunk:
        s = existing.get(key)
        if s is None:
            s = new_submission(key)
            stamp(s)
            created.append(s)
        else:
            updated.append(s)
        reports.append(s)
    if created:
        bulk_create_with_history(created, Submission, default_user=actor, default_date=at)

    counted = [s for s in updated if s.status == Status.SUBMITTED]
    if counted:
        # Out of the counted statuses while they are removed: removing a report recomputes the min/max
        # of its ancestors from the other counted reports, which must not include the old figures of
        # the rest of this chunk (removed as well, and re-added below with their new figures).
        Submission.objects.filter(pk__in=[s.pk for s in counted]).update(status=Status.DRAFT)
        aggregates.apply_many(counted, sign=-1, approved=False)

    writes = ValueWrites()
    for (_key, entries), s in zip(chunk, reports, strict=True):
        writes.add(s, stored.get(s.pk, {}), {ind: parsed for _r, ind, parsed in entries}, actor, at)
    execute_all(writes.statements())

    for s in updated:
        stamp(s)
    if updated:
        # What bulk_update_with_history() does, with one plain UPDATE instead of a CASE per row and field:
        # the rows are locked (select_for_update above), so version + 1 there is the version stamped here.
        Submission.objects.filter(pk__in=[s.pk for s in updated]).update(version=F("version") + 1, **submitted)
        execute_all(history_rows(updated, actor, at))
    if not draft:
        aggregates.apply_many(reports, sign=1, approved=False)
    transition = SubmissionEvent.Transition.IMPORTED if draft else SubmissionEvent.Transition.SUBMITTED
    execute_all(event_rows(reports, transition, actor, at, _("nhập dữ liệu (import)")))
    return writes.changed
