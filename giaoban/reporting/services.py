"""Writes: indicators, forms and their versions, the submission workflow and data imports.

Every status change maintains the aggregates in the same transaction (see aggregates.py). Editing is
only possible in draft or returned reports, which are never in the aggregates; `version` is an
optimistic lock bumped by every write, so two people editing the same draft never lose an edit silently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from giaoban.core.access import Action, can, is_system_admin, scope_paths
from giaoban.core.db import (
    Statement,
    batches,
    current,
    delete_statements,
    execute_all,
    insert_statements,
    update_statement,
)
from giaoban.core.errors import Conflict, Forbidden, RowErrors, ServiceError, full_clean_or_raise
from giaoban.core.formats import format_number, parse_number
from giaoban.core.text import clean_line, clean_text
from giaoban.core.workdays import add_working_days
from giaoban.orgs.models import OrgUnit

from . import aggregates, periods
from .models import (
    DEFAULT_NARRATIVE_SECTIONS,
    DataValue,
    FormIndicator,
    Indicator,
    ReportForm,
    ReportFormVersion,
    Submission,
    SubmissionEvent,
    ValueChange,
)

Status = Submission.Status


def _validation_message(exc: ValidationError) -> tuple[str, dict[str, Any]]:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(fields.values()))[0]
    return first, {"fields": fields}



# --- Indicators and forms ---------------------------------------------------------------------------

INDICATOR_FIELDS = (
    "name_vi",
    "name_en",
    "unit_of_measure",
    "value_type",
    "aggregation",
    "time_aggregation",
    "numerator",
    "denominator",
    "min_value",
    "max_value",
    "required",
)


def national_root() -> OrgUnit | None:
    return OrgUnit.objects.filter(depth=1, kind=OrgUnit.Kind.NATIONAL).order_by("path").first()


def default_owner(actor) -> OrgUnit | None:
    """Who owns what `actor` creates without naming an owner: the national root for system admins (and the
    command line), else the highest unit the actor administers."""
    if actor is None or is_system_admin(actor):
        return national_root()
    paths = scope_paths(actor, Action.MANAGE) or []
    return OrgUnit.objects.filter(path=paths[0]).first() if paths else None


def may_change_catalog(actor, owner: OrgUnit | None) -> bool:
    """A unit admin changes the indicators and forms of their own unit and those below; what the national
    root owns (or nobody yet) is changed only at national level."""
    if actor is None or is_system_admin(actor):
        return True
    return owner is not None and can(actor, Action.MANAGE, owner.path)


def _require_owner(actor, owner: OrgUnit | None) -> None:
    if not may_change_catalog(actor, owner):
        name = owner.name if owner is not None else _("cấp trung ương")
        raise Forbidden(
            _(
                "Mục này thuộc %(u)s; chỉ quản trị của đơn vị đó hoặc cấp trên mới sửa được "
                "(it belongs to %(u)s: only the administrators of that unit or above may change it)."
            )
            % {"u": name},
            {"owner": owner.code if owner is not None else None},
        )


def _clean_names(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: clean_line(v) if isinstance(v, str) and k in ("name_vi", "name_en", "unit_of_measure") else v
        for k, v in fields.items()
    }


@transaction.atomic
def indicator_create(
    *, code: str, name_vi: str, owner: OrgUnit | None = None, actor=None, **fields: Any
) -> Indicator:
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise ServiceError(_("Trường không hợp lệ (unknown fields): %s") % ", ".join(sorted(unknown)))
    owner = owner or default_owner(actor)
    _require_owner(actor, owner)
    if Indicator.objects.filter(code=code).exists():
        raise ServiceError(
            _("Mã chỉ tiêu '%s' đã có (indicator code already exists)") % code, {"fields": {"code": code}}
        )
    indicator = Indicator(code=clean_line(code), name_vi=clean_line(name_vi), owner=owner, **_clean_names(fields))
    full_clean_or_raise(indicator)
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, actor=None, **fields: Any) -> Indicator:
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise ServiceError(_("Trường không hợp lệ (unknown fields): %s") % ", ".join(sorted(unknown)))
    _require_owner(actor, indicator.owner)
    if ("aggregation" in fields or "value_type" in fields) and DataValue.objects.filter(indicator=indicator).exists():
        if (
            fields.get("aggregation", indicator.aggregation) != indicator.aggregation
            or fields.get("value_type", indicator.value_type) != indicator.value_type
        ):
            raise ServiceError(
                _(
                    "Chỉ tiêu đã có số liệu, không đổi được kiểu hoặc cách tổng hợp "
                    "(the indicator has figures; its type and aggregation are fixed)."
                )
            )
    for name, value in _clean_names(fields).items():
        setattr(indicator, name, value)
    full_clean_or_raise(indicator)
    indicator.save(update_fields=list(fields) or None)
    return indicator


def _check_sections(sections: Any) -> list[dict[str, str]]:
    ok = isinstance(sections, list) and all(
        isinstance(s, dict) and isinstance(s.get("key"), str) and isinstance(s.get("title"), str) for s in sections
    )
    if ok:  # cleaned first: a NUL would make PostgreSQL refuse the row
        sections = [{"key": clean_line(s["key"]), "title": clean_line(s["title"])} for s in sections]
        ok = all(s["key"] for s in sections)
    if not ok or len({s["key"] for s in sections}) != len(sections):
        raise ServiceError(
            _(
                "Phần thuyết minh phải là danh sách {key, title} với key không trùng "
                "(narrative_sections must be a list of {key, title} with distinct keys)."
            )
        )
    return [{"key": s["key"], "title": s["title"]} for s in sections]


def _new_version(form: ReportForm, number: int, indicators: list[Indicator], sections) -> ReportFormVersion:
    if not indicators:
        raise ServiceError(_("Biểu mẫu cần ít nhất một chỉ tiêu (a form needs at least one indicator)."))
    if len({i.pk for i in indicators}) != len(indicators):
        raise ServiceError(_("Chỉ tiêu bị lặp trong biểu mẫu (an indicator is listed twice)."))
    if any(i.is_ratio for i in indicators):
        raise ServiceError(
            _(
                "Chỉ tiêu tỷ số được tính, không nhập; hãy đưa tử số và mẫu số vào biểu "
                "(ratio indicators are computed, not entered: put their numerator and denominator in the form)."
            )
        )
    version = ReportFormVersion.objects.create(form=form, number=number, narrative_sections=sections)
    FormIndicator.objects.bulk_create(
        FormIndicator(version=version, indicator=ind, position=i) for i, ind in enumerate(indicators, 1)
    )
    return version


@transaction.atomic
def reportform_create(
    *,
    code: str,
    name: str,
    period_type: str,
    scheme: str,
    deadline_working_days: int,
    unit_kinds: list[str],
    active_from: date,
    indicators: list[Indicator],
    narrative_sections: list[dict[str, str]] | None = None,
    owner: OrgUnit | None = None,
    actor=None,
) -> ReportForm:
    owner = owner or default_owner(actor)
    _require_owner(actor, owner)
    if ReportForm.objects.filter(code=code).exists():
        raise ServiceError(_("Mã biểu mẫu '%s' đã có (form code already exists)") % code, {"fields": {"code": code}})
    form = ReportForm(
        code=code,
        name=name,
        period_type=period_type,
        scheme=scheme,
        deadline_working_days=deadline_working_days,
        unit_kinds=unit_kinds,
        active_from=active_from,
        owner=owner,
    )
    full_clean_or_raise(form)
    form.save()
    sections = _check_sections(DEFAULT_NARRATIVE_SECTIONS if narrative_sections is None else narrative_sections)
    _new_version(form, 1, indicators, sections)
    return form


def current_version(form: ReportForm) -> ReportFormVersion:
    return form.versions.order_by("-number").first()


@transaction.atomic
def reportform_update(
    *,
    form: ReportForm,
    indicators: list[Indicator] | None = None,
    narrative_sections: list[dict[str, str]] | None = None,
    actor=None,
    **fields: Any,
) -> ReportForm:
    """Change a form. Adding or retiring an indicator, or changing the sections, makes a new version;
    submissions already made keep theirs. Only the owner unit's admins (or above) may (may_change_catalog)."""
    _require_owner(actor, form.owner)
    allowed = {"name", "deadline_working_days", "unit_kinds", "active_from", "period_type", "scheme"}
    if set(fields) - allowed:
        raise ServiceError(_("Trường không hợp lệ (unknown fields): %s") % ", ".join(sorted(set(fields) - allowed)))
    if {"period_type", "scheme"} & set(fields) and form.submissions.exists():
        if (
            fields.get("period_type", form.period_type) != form.period_type
            or fields.get("scheme", form.scheme) != form.scheme
        ):
            raise ServiceError(
                _(
                    "Biểu mẫu đã có báo cáo, không đổi được loại kỳ hoặc chế độ kỳ "
                    "(the form has submissions; its period type and scheme are fixed)."
                )
            )
    for name, value in fields.items():
        setattr(form, name, value)
    full_clean_or_raise(form)
    if fields:
        form.save(update_fields=list(fields))
    latest = current_version(form)
    old_ids = list(latest.items.values_list("indicator_id", flat=True))
    new_inds = indicators if indicators is not None else None
    sections = _check_sections(narrative_sections) if narrative_sections is not None else latest.narrative_sections
    if (new_inds is not None and [i.pk for i in new_inds] != old_ids) or sections != latest.narrative_sections:
        if new_inds is None:
            new_inds = list(Indicator.objects.filter(pk__in=old_ids))
            new_inds.sort(key=lambda i: old_ids.index(i.pk))
        _new_version(form, latest.number + 1, new_inds, sections)
    return form


# --- Submissions ------------------------------------------------------------------------------------


def deadline_for(form: ReportForm, period: str) -> date:
    return add_working_days(periods.cutoff(period, form.scheme), form.deadline_working_days)


def applies_to(form: ReportForm, unit: OrgUnit, period: str) -> str | None:
    """Why `unit` cannot report `form` for `period`, or None when it can."""
    try:
        p = periods.parse_period(period)
    except periods.PeriodError as exc:
        return str(exc)
    if p.type != form.period_type:
        return _("Kỳ %(p)s không phải kỳ %(t)s của biểu mẫu (period %(p)s is not a %(t)s period)") % {
            "p": p.id,
            "t": form.period_type,
        }
    if unit.kind not in form.unit_kinds:
        return _("Biểu mẫu này không áp dụng cho cấp %(k)s (this form is not reported by %(k)s units)") % {
            "k": unit.kind
        }
    end = periods.cutoff(p, form.scheme)
    if not unit.is_valid_on(end):
        return _("Đơn vị không còn hiệu lực vào cuối kỳ %(p)s (the unit is not valid at the end of %(p)s)") % {
            "p": p.id
        }
    if end < form.active_from:
        return _("Biểu mẫu chỉ áp dụng từ %(d)s (the form applies from %(d)s)") % {
            "d": form.active_from.strftime("%d/%m/%Y")
        }
    if periods.period_range(p, form.scheme)[0] > timezone.localdate():
        return _("Kỳ %(p)s chưa bắt đầu (period %(p)s has not started)") % {"p": p.id}
    return None


@transaction.atomic
def submission_open(*, unit: OrgUnit, form: ReportForm, period: str, actor=None) -> Submission:
    """The report of `unit` for `form` and `period`, created as an empty draft the first time."""
    problem = applies_to(form, unit, period)
    if problem:
        raise ServiceError(problem)
    pid = periods.parse_period(period).id
    submission, _created = Submission.objects.get_or_create(
        unit=unit,
        form=form,
        period=pid,
        defaults={"form_version": current_version(form), "deadline": deadline_for(form, pid)},
    )
    return submission


def canonical(value: Decimal | None, text: str = "") -> str:
    if value is None:
        return text
    return format(value.normalize(), "f")


def parse_value(indicator: Indicator, raw: Any) -> tuple[Decimal | None, str]:
    """(value, text) of what a user typed for the indicator; ("", None) is no figure. ValueError says why."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if indicator.value_type == Indicator.ValueType.TEXT:
        if not isinstance(raw, str):
            raw = str(raw)
        raw = clean_text(raw)  # what no export or database can carry (NUL, vertical tab…) never gets stored
        if len(raw) > 5000:
            raise ValueError(_("Quá dài, tối đa 5.000 ký tự (too long, 5,000 characters at most)"))
        return None, raw.strip()
    if isinstance(raw, bool):
        raise ValueError(_("Không phải là số: '%s' (not a number)") % raw)
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        value = parse_number(str(raw))  # raises a bilingual ValueError
    if not value.is_finite() or abs(value) >= Decimal(10) ** 15:
        raise ValueError(_("Số quá lớn (number too large)"))
    if indicator.value_type == Indicator.ValueType.INTEGER and value != value.to_integral_value():
        raise ValueError(_("Phải là số nguyên (must be a whole number)"))
    if value != value.quantize(Decimal("0.0001")):
        raise ValueError(_("Tối đa 4 chữ số thập phân (at most 4 decimal places)"))
    if indicator.min_value is not None and value < indicator.min_value:
        raise ValueError(
            _("Không được nhỏ hơn %(m)s (must be at least %(m)s)") % {"m": format_number(indicator.min_value)}
        )
    if indicator.max_value is not None and value > indicator.max_value:
        raise ValueError(
            _("Không được lớn hơn %(m)s (must be at most %(m)s)") % {"m": format_number(indicator.max_value)}
        )
    return value, ""


def version_indicators(version: ReportFormVersion) -> list[Indicator]:
    """The version's indicators in order (a version's list never changes once made, so the instance keeps it)."""
    cached = getattr(version, "_indicators", None)
    if cached is None:
        cached = [item.indicator for item in version.items.select_related("indicator").order_by("position")]
        version._indicators = cached
    return cached


def _parse_values(indicators: list[Indicator], values: Mapping[str, Any]) -> dict[Indicator, tuple]:
    by_code = {i.code: i for i in indicators}
    errors: dict[str, str] = {}
    parsed: dict[Indicator, tuple] = {}
    for code, raw in values.items():
        indicator = by_code.get(code)
        if indicator is None:
            errors[code] = _("Chỉ tiêu không có trong biểu mẫu (indicator not in this form)")
            continue
        try:
            parsed[indicator] = parse_value(indicator, raw)
        except (ValueError, InvalidOperation) as exc:
            errors[code] = str(exc)
    if errors:
        raise ServiceError(
            _("Có %(n)d ô nhập chưa đúng; chưa lưu gì (%(n)d fields are invalid; nothing was saved).")
            % {"n": len(errors)},
            {"fields": errors},
        )
    return parsed


# Reports per set of import statements.
_BATCH = 500


def _update_values(rows: list[DataValue]) -> list[Statement]:
    """Statements saving the value and text of these DataValue rows: bulk_update() without its CASE WHEN
    per row and field, ~0.5 ms of Python a row (a minute for a 100,000-figure re-import). UPDATE ... FROM
    needs SQLite 3.33 or later."""
    conn = current()
    table = conn.ops.quote_name(DataValue._meta.db_table)
    return [
        (
            f"WITH v (id, value, text) AS (VALUES {', '.join(['(%s, CAST(%s AS NUMERIC), %s)'] * len(batch))}) "  # noqa: S608
            f"UPDATE {table} SET value = v.value, text = v.text FROM v WHERE {table}.id = v.id",
            [p for dv in batch for p in (dv.pk, _db_value(dv.value, conn), dv.text)],
        )
        for batch in batches(rows, 3)
    ]


def _db_value(value: Decimal | None, conn):
    return DataValue._meta.get_field("value").get_db_prep_save(value, conn)


class _ValueWrites:
    """DataValue inserts, updates and deletes and their ValueChange log, planned over one or many reports
    and then written with one statement each (a statement per batch of rows on SQLite)."""

    def __init__(self) -> None:
        self.create: list[tuple] = []  # DataValue rows, as insert_statements() takes them
        self.update: list[DataValue] = []
        self.delete: list[int] = []
        self.log: list[tuple] = []  # ValueChange rows

    def add(
        self,
        submission: Submission,
        existing: Mapping[int, DataValue],
        parsed: dict[Indicator, tuple],
        actor,
        at: datetime,
    ) -> None:
        """Plan the parsed figures of one report (None/"" deletes one) against its stored `existing` values."""
        conn = current()
        actor_id = None if actor is None else actor.pk
        db_at = ValueChange._meta.get_field("at").get_db_prep_save(at, conn)
        for indicator, (value, text) in parsed.items():
            dv = existing.get(indicator.pk)
            old = canonical(dv.value, dv.text) if dv else ""
            new = canonical(value, text)
            if old == new:
                continue
            self.log.append((submission.pk, indicator.pk, old, new, actor_id, db_at))
            if not new:
                self.delete.append(dv.pk)
            elif dv is None:
                self.create.append((submission.pk, indicator.pk, _db_value(value, conn), text))
            else:
                dv.value, dv.text = value, text
                self.update.append(dv)

    @property
    def changed(self) -> int:
        return len(self.log)

    def statements(self) -> list[Statement]:
        """What was planned, as statements to run in this order."""
        return [
            *insert_statements(DataValue, ("submission", "indicator", "value", "text"), self.create),
            *_update_values(self.update),
            *delete_statements(DataValue, self.delete),
            *insert_statements(ValueChange, ("submission", "indicator", "old", "new", "actor", "at"), self.log),
        ]


def _plan_values(
    submission: Submission, parsed: dict[Indicator, tuple], actor, at: datetime, *, have: set[int] | None = None
) -> _ValueWrites:
    """The writes applying parsed figures (None/"" deletes one) and logging each change. If `have` is
    given, it is filled with the indicator ids that hold a figure afterwards."""
    existing = _stored_values([submission.pk]).get(submission.pk, {})
    if have is not None:
        have.update(existing)
        for indicator, (value, text) in parsed.items():
            if canonical(value, text):
                have.add(indicator.pk)
            else:
                have.discard(indicator.pk)
    writes = _ValueWrites()
    writes.add(submission, existing, parsed, actor, at)
    return writes


def _clean_narrative(submission: Submission, narrative: Mapping[str, Any]) -> dict[str, str]:
    keys = [s["key"] for s in submission.form_version.narrative_sections]
    unknown = [k for k in narrative if k not in keys]
    if unknown:
        raise ServiceError(
            _("Phần thuyết minh không có trong biểu mẫu (unknown narrative sections): %s") % ", ".join(unknown),
            {"fields": {k: _("không có trong biểu mẫu (not in this form)") for k in unknown}},
        )
    merged = dict(submission.narrative)
    for key, text in narrative.items():
        text = "" if text is None else clean_text(str(text))
        if len(text) > 20000:
            raise ServiceError(
                _("Thuyết minh quá dài (narrative too long)"), {"fields": {key: _("quá dài (too long)")}}
            )
        merged[key] = text.strip()
    return merged


def current_values(submission: Submission) -> dict[str, str]:
    """The saved figures by indicator code, in Vietnamese format, for the page and for conflicts."""
    return {
        code: (format_number(value) if value is not None else text)
        for code, value, text in DataValue.objects.filter(submission=submission).values_list(
            "indicator__code", "value", "text"
        )
    }


#: The version of a report as submission_open() creates it, before anything was saved into it.
NEW_VERSION = 1


def _same_version(expected: int, stored: int) -> bool:
    """Whether a client that started from `expected` saw the stored report. 0 is the version of a report that
    did not exist yet when the page or client started: it matches a report nobody has saved into (two first
    saves of a new report cannot both win)."""
    return expected == stored or (expected == 0 and stored == NEW_VERSION)


def _lock(submission: Submission, expected_version: int | None) -> Submission:
    locked_rows = Submission.objects.select_for_update(of=("self",))
    if not Submission.unit.is_cached(submission):
        locked_rows = locked_rows.select_related("unit")  # the aggregates need its path
    locked = locked_rows.get(pk=submission.pk)
    for name in ("unit", "form", "form_version"):
        # Reuse what the caller already loaded (those rows do not change under a report) to spare joins.
        descriptor = getattr(Submission, name)
        if descriptor.is_cached(submission) and getattr(submission, f"{name}_id") == getattr(locked, f"{name}_id"):
            descriptor.field.set_cached_value(locked, getattr(submission, name))
    if expected_version is not None and not _same_version(int(expected_version), locked.version):
        raise Conflict(
            _(
                "Báo cáo vừa được người khác lưu (phiên bản %(v)d); số liệu bạn nhập chưa được lưu, hãy so sánh và lưu lại "
                "(someone else saved this report meanwhile (version %(v)d); your input was not saved: compare and save again)."
            )
            % {"v": locked.version},
            {
                "version": locked.version,
                "status": locked.status,
                "values": current_values(locked),
                "narrative": locked.narrative,
            },
        )
    return locked


@cache
def _history_model():
    return Submission.history.model


def _history_rows(submissions: list[Submission], actor, at: datetime) -> list[Statement]:
    """The reports' simple-history rows ("changed", by `actor` at `at`): the rows
    `Submission.history.bulk_history_create(update=True)` writes, without a history model instance per
    report and the manager class simple-history builds per access (1.3 of a submit's 7 ms on SQLite)."""
    conn = current()
    model = _history_model()
    tracked = model.tracked_fields
    db_at = model._meta.get_field("history_date").get_db_prep_save(at, conn)
    actor_id = None if actor is None else actor.pk
    return insert_statements(
        model,
        (*(f.name for f in tracked), "history_date", "history_type", "history_user", "history_change_reason"),
        [
            (*(f.get_db_prep_save(getattr(s, f.attname), conn) for f in tracked), db_at, "~", actor_id, None)
            for s in submissions
        ],
    )


def _event_rows(
    submissions: list[Submission], transition: str, actor, at: datetime, reason: str = ""
) -> list[Statement]:
    """One event row per report."""
    db_at = SubmissionEvent._meta.get_field("at").get_db_prep_save(at, current())
    actor_id = None if actor is None else actor.pk
    return insert_statements(
        SubmissionEvent,
        ("submission", "transition", "actor", "at", "reason"),
        [(s.pk, transition, actor_id, db_at, reason) for s in submissions],
    )


def _recorded(s: Submission, transition: str, actor, at: datetime, *fields: str, reason: str = "") -> list[Statement]:
    """The three writes of every step of the workflow: the report's changed `fields` with version + 1, its
    history row and the event. Plain statements rather than save(), whose simple-history signal builds a
    manager class and a model instance per call (1.9 of the 7 ms a submit took on SQLite, bench case c)."""
    s.version += 1
    return [
        update_statement(s, ("version", *fields)),
        *_history_rows([s], actor, at),
        *_event_rows([s], transition, actor, at, reason),
    ]


def _require_editable(submission: Submission) -> None:
    if not submission.is_editable:
        if submission.status == Status.APPROVED:
            msg = _("Báo cáo đã được duyệt và bị khóa; cần người duyệt mở lại (approved and locked until reopened).")
        else:
            msg = _("Báo cáo đã nộp; chỉ sửa được khi bị trả lại (submitted: it can be edited only once returned).")
        raise ServiceError(msg, {"status": submission.status})


@transaction.atomic
def submission_save_draft(
    *,
    submission: Submission,
    values: Mapping[str, Any],
    narrative: Mapping[str, Any] | None = None,
    expected_version: int | None,
    actor=None,
    at: datetime | None = None,
) -> Submission:
    at = at or timezone.now()
    s = _lock(submission, expected_version)
    _require_editable(s)
    parsed = _parse_values(version_indicators(s.form_version), values)
    new_narrative = _clean_narrative(s, narrative or {})
    writes = _plan_values(s, parsed, actor, at)
    s.narrative = new_narrative
    execute_all([*writes.statements(), *_recorded(s, SubmissionEvent.Transition.SAVED, actor, at, "narrative")])
    return s


def _missing_required(s: Submission, indicators: list[Indicator], have: set[int] | None = None) -> list[str]:
    """Codes of required indicators without a figure (`have`: the ids holding one, if already known)."""
    required = [i for i in indicators if i.required]
    if not required:
        return []
    if have is None:
        have = set(DataValue.objects.filter(submission=s).values_list("indicator_id", flat=True))
    return [i.code for i in required if i.pk not in have]


@transaction.atomic
def submission_submit(
    *,
    submission: Submission,
    actor=None,
    expected_version: int | None = None,
    values: Mapping[str, Any] | None = None,
    narrative: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> Submission:
    """Submit (saving `values`/`narrative` first if given): its figures join every ancestor's totals now."""
    at = at or timezone.now()
    s = _lock(submission, expected_version)
    _require_editable(s)
    indicators = version_indicators(s.form_version)
    have: set[int] | None = None
    writes = _ValueWrites()
    if values is not None:
        have = set()
        writes = _plan_values(s, _parse_values(indicators, values), actor, at, have=have)
    if narrative is not None:
        s.narrative = _clean_narrative(s, narrative)
    missing = _missing_required(s, indicators, have)
    if missing:
        raise ServiceError(
            _("Còn thiếu chỉ tiêu bắt buộc; chưa nộp (required figures missing; not submitted): %s")
            % ", ".join(missing),
            {"fields": {code: _("Bắt buộc nhập (required)") for code in missing}},
        )
    s.status, s.submitted_at, s.submitted_by, s.return_reason = Status.SUBMITTED, at, actor, ""
    fields = ("status", "submitted_at", "submitted_by", "return_reason", "narrative")
    execute_all(
        [
            *writes.statements(),
            *aggregates.addition(s, approved=False),  # after the figures: it reads them
            *_recorded(s, SubmissionEvent.Transition.SUBMITTED, actor, at, *fields),
        ]
    )
    return s


def _require_status(s: Submission, status: str, action: str) -> None:
    if s.status != status:
        raise ServiceError(
            _("Không thể %(a)s báo cáo đang ở trạng thái '%(s)s' (cannot %(a_en)s a report that is %(s_en)s).")
            % {"a": action, "s": s.get_status_display(), "a_en": _ACTION_EN.get(action, action), "s_en": s.status},
            {"status": s.status},
        )


_ACTION_EN = {"duyệt": "approve", "trả lại": "return", "mở lại": "reopen"}


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Cần ghi lý do (a reason is required)."), {"fields": {"reason": _("Bắt buộc (required)")}})
    return reason


def self_review_allowed(unit: OrgUnit) -> bool:
    """Whether, at this unit, the person who submitted a report may also approve or return it: only where
    settings.SELF_APPROVAL_UNITS (env SELF_APPROVAL_UNITS, unit codes) lists the unit or one above it, for
    units too small to have a second person."""
    codes = list(getattr(settings, "SELF_APPROVAL_UNITS", ()))
    if not codes:
        return False
    paths = OrgUnit.objects.filter(code__in=codes).values_list("path", flat=True)
    return any(unit.path.startswith(p) for p in paths)


def may_review(submission: Submission, user) -> bool:
    """Segregation of duties: a report is approved or returned by someone other than who submitted it (the
    role check is can(user, APPROVE, ...)); pages hide the buttons where this is False."""
    if user is None or submission.submitted_by_id is None or submission.submitted_by_id != user.pk:
        return True
    return self_review_allowed(submission.unit)


def _require_other_reviewer(s: Submission, actor) -> None:
    if not may_review(s, actor):
        raise Forbidden(
            _(
                "Bạn đã nộp báo cáo này nên không thể tự duyệt hay trả lại; cần một người duyệt khác "
                "(you submitted this report: another approver must approve or return it)."
            ),
            {"submitted_by": actor.get_username()},
        )


@transaction.atomic
def submission_approve(
    *, submission: Submission, actor=None, expected_version: int | None = None, at: datetime | None = None
) -> Submission:
    at = at or timezone.now()
    s = _lock(submission, expected_version)
    _require_status(s, Status.SUBMITTED, "duyệt")
    _require_other_reviewer(s, actor)
    s.status, s.approved_at, s.approved_by = Status.APPROVED, at, actor
    execute_all(
        [
            *aggregates.addition(s, approved=True),
            *_recorded(s, SubmissionEvent.Transition.APPROVED, actor, at, "status", "approved_at", "approved_by"),
        ]
    )
    return s


@transaction.atomic
def submission_return(
    *, submission: Submission, actor=None, reason: str, expected_version: int | None = None, at: datetime | None = None
) -> Submission:
    at = at or timezone.now()
    reason = _require_reason(reason)
    s = _lock(submission, expected_version)
    _require_status(s, Status.SUBMITTED, "trả lại")
    _require_other_reviewer(s, actor)
    aggregates.apply(s, sign=-1, approved=False)
    s.status, s.return_reason = Status.RETURNED, reason
    execute_all(_recorded(s, SubmissionEvent.Transition.RETURNED, actor, at, "status", "return_reason", reason=reason))
    return s


@transaction.atomic
def submission_reopen(
    *, submission: Submission, actor=None, reason: str, expected_version: int | None = None, at: datetime | None = None
) -> Submission:
    """Unlock an approved report: it leaves the totals and goes back to its unit as returned."""
    at = at or timezone.now()
    reason = _require_reason(reason)
    s = _lock(submission, expected_version)
    _require_status(s, Status.APPROVED, "mở lại")
    aggregates.apply(s, sign=-1, approved=True)
    aggregates.apply(s, sign=-1, approved=False)
    s.status, s.return_reason, s.approved_at, s.approved_by = Status.RETURNED, reason, None, None
    fields = ("status", "return_reason", "approved_at", "approved_by")
    execute_all(_recorded(s, SubmissionEvent.Transition.REOPENED, actor, at, *fields, reason=reason))
    return s


# --- Imports ----------------------------------------------------------------------------------------

IMPORT_COLUMNS = ("unit", "form", "period", "indicator", "value")


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
) -> ImportResult:
    """Import figures given as (row number, {unit, form, period, indicator, value}) with codes and period
    ids. All or nothing: every bad row is listed (ImportRejected) and nothing is written. Figures land
    as submitted (their reports are submitted, joining the totals), or as drafts with draft=True.
    `file_errors`: problems the file reader found (not UTF-8, wrong cell counts), listed with the rest.
    `progress(phase, rows done, rows total)` is called now and then ("checking", then "writing")."""
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
    stored = _stored_values([s.pk for s in existing.values()])
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


def _stored_values(submission_ids: list[int]) -> dict[int, dict[int, DataValue]]:
    """The stored figures of these reports, {submission id: {indicator id: DataValue}}, a query per chunk."""
    stored: dict[int, dict[int, DataValue]] = defaultdict(dict)
    qn = current().ops.quote_name
    # raw(): the same instances (through the field's converters) without compiling a query (0.2 ms a submit)
    sql = f"SELECT id, submission_id, indicator_id, value, text FROM {qn(DataValue._meta.db_table)} WHERE submission_id IN "  # noqa: S608
    for batch in batches(submission_ids, 1):
        for dv in DataValue.objects.raw(f"{sql}({', '.join(['%s'] * len(batch))})", list(batch)):
            stored[dv.submission_id][dv.indicator_id] = dv
    return stored


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

    writes = _ValueWrites()
    for (_key, entries), s in zip(chunk, reports, strict=True):
        writes.add(s, stored.get(s.pk, {}), {ind: parsed for _r, ind, parsed in entries}, actor, at)
    execute_all(writes.statements())

    for s in updated:
        stamp(s)
    if updated:
        # What bulk_update_with_history() does, with one plain UPDATE instead of a CASE per row and field:
        # the rows are locked (select_for_update above), so version + 1 there is the version stamped here.
        Submission.objects.filter(pk__in=[s.pk for s in updated]).update(version=F("version") + 1, **submitted)
        execute_all(_history_rows(updated, actor, at))
    if not draft:
        aggregates.apply_many(reports, sign=1, approved=False)
    transition = SubmissionEvent.Transition.IMPORTED if draft else SubmissionEvent.Transition.SUBMITTED
    execute_all(_event_rows(reports, transition, actor, at, _("nhập dữ liệu (import)")))
    return writes.changed
