"""Writes on submissions: opening a report, saving a draft, submitting, approving, returning and reopening it.

Every status change maintains the aggregates in the same transaction (see aggregates.py). Editing is
only possible in draft or returned reports, which are never in the aggregates; `version` is an
optimistic lock bumped by every write, so two people editing the same draft never lose an edit silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.db import Statement, current, execute_all, insert_statements, update_statement
from giaoban.core.errors import Conflict, Forbidden, ServiceError
from giaoban.core.text import clean_text
from giaoban.core.workdays import add_working_days
from giaoban.orgs.models import OrgUnit

from .. import aggregates, periods
from ..models import DataValue, Indicator, ReportForm, Submission, SubmissionEvent
from .catalog import current_version, version_indicators
from .outliers import require_confirmation
from .values import ValueWrites, current_values, parse_values, plan_values

__all__ = [
    "NEW_VERSION",
    "applies_to",
    "deadline_for",
    "event_rows",
    "history_rows",
    "may_review",
    "self_review_allowed",
    "submission_approve",
    "submission_open",
    "submission_reopen",
    "submission_return",
    "submission_save_draft",
    "submission_submit",
    "submissions_approve",
]

Status = Submission.Status


def deadline_for(form: ReportForm, period: str) -> date:
    return add_working_days(periods.cutoff(period, form.scheme), form.deadline_working_days)


def applies_to(form: ReportForm, unit: OrgUnit, period: str) -> str | None:
    """Why `unit` cannot report `form` for `period`, or None when it can."""
    if form.retired_at is not None:
        return _("Biểu mẫu đã ngừng sử dụng (the form is retired)")
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


def history_rows(submissions: list[Submission], actor, at: datetime) -> list[Statement]:
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


def event_rows(
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
        *history_rows([s], actor, at),
        *event_rows([s], transition, actor, at, reason),
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
    parsed = parse_values(version_indicators(s.form_version), values)
    new_narrative = _clean_narrative(s, narrative or {})
    writes = plan_values(s, parsed, actor, at)
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
    confirm: bool = True,
) -> Submission:
    """Submit (saving `values`/`narrative` first if given): its figures join every ancestor's totals now.

    With confirm=False (what pages and the API send until the user confirms), figures far outside the unit's
    history (outliers.is_unusual) stop the submission with UnusualFigures and nothing is written."""
    at = at or timezone.now()
    s = _lock(submission, expected_version)
    _require_editable(s)
    indicators = version_indicators(s.form_version)
    have: set[int] | None = None
    writes = ValueWrites()
    if values is not None:
        have = set()
        parsed = parse_values(indicators, values)
        if not confirm:
            require_confirmation(s, {i: v for i, (v, _t) in parsed.items()}, confirm)
        writes = plan_values(s, parsed, actor, at, have=have)
    elif not confirm:
        by_id = {i.pk: i for i in indicators}
        stored = DataValue.objects.filter(submission=s, value__isnull=False).values_list("indicator_id", "value")
        require_confirmation(s, {by_id[i]: v for i, v in stored if i in by_id}, confirm)
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


#: How many reports one bulk approval takes (a page of the queue; the API refuses more).
BULK_MAX = 200


def _row_code(exc: ServiceError) -> str:
    if "code" in vars(exc) or exc.status == 400:
        return exc.code
    return {403: "permission_denied", 404: "not_found", 409: "conflict"}.get(exc.status, exc.code)


def _stale_row(s: Submission, expected: int) -> dict[str, Any]:
    return {
        "id": s.pk,
        "unit": s.unit.name,
        "message": _(
            "Báo cáo đã thay đổi sau khi bạn mở danh sách (phiên bản %(e)d, nay là %(v)d): hãy xem lại "
            "(changed since you loaded the list: version %(e)d, now %(v)d)"
        )
        % {"e": expected, "v": s.version},
        "code": "stale_version",
        "version": s.version,
        "expected": expected,
    }


@transaction.atomic
def submissions_approve(
    *, queryset, ids: list[int], actor, versions: Mapping[int, int] | None = None, at: datetime | None = None
) -> list[Submission]:
    """Approve several reports at once, all or nothing: every id is tried (in id order, so two bulk approvals
    lock rows in the same order), and if any one is refused (not found in `queryset` — the reports the actor
    may approve —, not submitted, submitted by the actor themselves, …) nothing is approved and one
    ServiceError (code bulk_rejected) lists every refusal in extra["errors"] as {id, unit, message, code}.

    `versions` ({id: version}, what the approver saw): if any of those reports changed since (returned and
    resubmitted with other figures, …), nothing is approved and Conflict (409, code stale_version) names them in
    extra["stale"] (ids) and extra["errors"] (every refused report, the changed ones with code stale_version,
    their version now and the one expected). Ids without a version are not checked, as the single approval
    takes its version as optional."""
    wanted = sorted({int(i) for i in ids})
    versions = {int(k): int(v) for k, v in (versions or {}).items()}
    if not wanted:
        raise ServiceError(
            _("Chưa chọn báo cáo nào (no report selected)."), {"fields": {"ids": _("Bắt buộc (required)")}}
        )
    if len(wanted) > BULK_MAX:
        raise ServiceError(
            _("Tối đa %(n)d báo cáo một lần (at most %(n)d reports at once).") % {"n": BULK_MAX},
            {"fields": {"ids": str(BULK_MAX)}},
        )
    found = {s.pk: s for s in queryset.filter(pk__in=wanted).select_related("unit", "form")}
    at = at or timezone.now()
    done: list[Submission] = []
    errors: list[dict[str, Any]] = []
    stale: list[int] = []
    for pk in wanted:
        s = found.get(pk)
        if s is None:
            errors.append(
                {"id": pk, "unit": "", "message": _("Không tìm thấy báo cáo (not found)."), "code": "not_found"}
            )
            continue
        expected = versions.get(pk)
        if expected is not None and expected != s.version:
            stale.append(pk)
            errors.append(_stale_row(s, expected))
            continue
        try:
            # The version again under the row lock: a change between the read above and the lock is caught too.
            done.append(submission_approve(submission=s, actor=actor, at=at, expected_version=expected))
        except Conflict as exc:
            s.version = exc.extra.get("version", s.version)
            stale.append(pk)
            errors.append(_stale_row(s, expected))
        except ServiceError as exc:
            errors.append({"id": pk, "unit": s.unit.name, "message": exc.message, "code": _row_code(exc)})
    if stale:
        # The approver decided on what they saw; part of it is no longer so: nothing is approved (rolled back).
        raise Conflict(
            _(
                "Không duyệt báo cáo nào: %(n)d báo cáo đã thay đổi sau khi bạn mở danh sách; hãy xem lại rồi duyệt "
                "(nothing was approved: %(n)d reports changed since you loaded the list)."
            )
            % {"n": len(stale)},
            {"stale": stale, "errors": errors},
            code="stale_version",
        )
    if errors:
        # Raised inside this transaction: the approvals that went through are rolled back with it.
        raise ServiceError(
            _("Không duyệt báo cáo nào: %(n)d trong %(t)d báo cáo không duyệt được (nothing was approved).")
            % {"n": len(errors), "t": len(wanted)},
            {"errors": errors},
            code="bulk_rejected",
        )
    return done
