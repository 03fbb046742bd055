"""Writes on plans: drafting (items with a lead member agency, supporting agencies, timeframe, output and maybe a
target), issuing (numbered from the committee's running series, registered as outgoing, every item turned into
a task, all in one transaction), the year's meetings generated as drafts, and targets found reached proposing
their task as done.

Drafting and generating meetings need Action.MEET at the committee's unit; issuing needs Action.APPROVE (the
assigner's right, as issuing a conclusion notice: `tasks.may_assign`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.access import Action, can
from giaoban.core.errors import Conflict, Forbidden, RowErrors, ServiceError, full_clean_or_raise
from giaoban.core.formats import format_number
from giaoban.core.workdays import is_working_day
from giaoban.documents.models import DocumentType
from giaoban.documents.services.numbering import document_register_outgoing
from giaoban.orgs.models import Agency, Committee, OrgUnit
from giaoban.reporting import periods
from giaoban.reporting.models import Indicator

from ..models import Meeting, Plan, PlanItem, Target, Task
from .meetings import meeting_create
from .tasks import is_member_agency, may_assign, task_create, task_report_done

__all__ = [
    "CADENCES",
    "ItemInput",
    "TargetInput",
    "TargetsSummary",
    "may_draft_plan",
    "plan_create",
    "plan_delete",
    "plan_issue",
    "plan_meetings_generate",
    "plan_meetings_schedule",
    "plan_update",
    "targets_check",
]

MEETING_DAY = 20  # a month's giao ban: the first working day on or after the 20th (its reports are in by then)
MEETING_HOURS = (8, 11)
WEEKLY, MONTHLY = "weekly", "monthly"
CADENCES = (WEEKLY, MONTHLY)
# The month whose giao ban is replaced by a review of the period that ends with it.
REVIEWS = {
    6: (Meeting.Kind.SO_KET_6_THANG, "S1"),
    9: (Meeting.Kind.SO_KET_9_THANG, "N9"),
    12: (Meeting.Kind.TONG_KET_NAM, ""),
}


@dataclass
class TargetInput:
    indicator: Indicator
    unit: OrgUnit
    period: str
    kind: str = Target.Kind.MIN
    value: Decimal | int | str = 0


@dataclass
class ItemInput:
    content: str
    lead_agency: Agency | None
    supporting: Sequence[Agency] = ()
    starts_on: date | None = None
    due_on: date | None = None
    output: str = ""
    target: TargetInput | None = None


def _person(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def may_draft_plan(user, committee: Committee) -> bool:
    return can(user, Action.MEET, committee.org_unit.path)


def _require_drafter(actor, committee: Committee) -> None:
    if _person(actor) and not may_draft_plan(actor, committee):
        raise Forbidden(_("Vai trò của bạn không cho phép thao tác này (your role does not allow this)."))


def _lock(plan: Plan, expected_version: int | None) -> Plan:
    locked = Plan.objects.select_for_update().select_related("committee__org_unit").get(pk=plan.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Kế hoạch vừa được người khác cập nhật; hãy tải lại (the plan was changed by someone else; reload)."),
            {"version": locked.version},
        )
    return locked


def _require_draft(plan: Plan) -> None:
    if plan.status != Plan.Status.DRAFT:
        raise ServiceError(
            _("Kế hoạch đã ban hành, không sửa được (the plan is issued and locked)."), {"status": plan.status}
        )


def _check_year(year, errors: RowErrors) -> None:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.add(None, "year", _("Năm không hợp lệ (invalid year)."))


def _check_items(committee: Committee, items: Sequence[ItemInput], errors: RowErrors) -> list[Decimal | None]:
    """Every bad field of every item, by row (1-based) and column; returns the target values parsed."""
    today = timezone.localdate()
    unit_path = committee.org_unit.path
    values: list[Decimal | None] = []
    for i, item in enumerate(items, start=1):
        value = None
        if not (item.content or "").strip():
            errors.add(i, "content", _("Nội dung %(n)s chưa có (item %(n)s has no content).") % {"n": i})
        if item.lead_agency is None:
            errors.add(i, "lead_agency", _("Chọn cơ quan chủ trì (a lead agency is required)."))
        elif not is_member_agency(committee, item.lead_agency, today):
            errors.add(
                i,
                "lead_agency",
                _("%(a)s không phải cơ quan thành viên của Ban (not a member agency of the committee).")
                % {"a": item.lead_agency},
            )
        for a in item.supporting:
            if not is_member_agency(committee, a, today):
                errors.add(
                    i,
                    "supporting",
                    _("%(a)s không phải cơ quan thành viên của Ban (not a member agency of the committee).") % {"a": a},
                )
        if item.starts_on and item.due_on and item.due_on < item.starts_on:
            errors.add(i, "due_on", _("Thời hạn trước ngày bắt đầu (the deadline is before the start)."))
        if len((item.output or "").strip()) > 300:
            errors.add(i, "output", _("Sản phẩm dài quá 300 ký tự (output longer than 300 characters)."))
        t = item.target
        if t is not None:
            if t.indicator is None or t.indicator.value_type == Indicator.ValueType.TEXT:
                errors.add(i, "target.indicator", _("Chọn một chỉ tiêu số (choose a numeric indicator)."))
            if t.unit is None or not t.unit.path.startswith(unit_path):
                errors.add(
                    i, "target.unit", _("Đơn vị không thuộc phạm vi của Ban (the unit is not in the committee's area).")
                )
            try:
                periods.parse_period(t.period or "")
            except periods.PeriodError:
                errors.add(i, "target.period", _("Kỳ không hợp lệ (invalid period): %(p)s") % {"p": t.period or ""})
            if t.kind not in Target.Kind.values:
                errors.add(i, "target.kind", _("Loại mục tiêu phải là min hoặc max (kind must be min or max)."))
            try:
                value = Decimal(str(t.value))
                if not value.is_finite() or abs(value) >= Decimal(10) ** 14:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                value = None
                errors.add(i, "target.value", _("Giá trị mục tiêu không hợp lệ (invalid target value)."))
        values.append(value)
    return values


def _write_items(plan: Plan, items: Sequence[ItemInput], values: list[Decimal | None]) -> None:
    plan.items.all().delete()
    for i, (item, value) in enumerate(zip(items, values, strict=True), start=1):
        row = PlanItem(
            plan=plan,
            position=i,
            content=item.content.strip(),
            lead_agency=item.lead_agency,
            starts_on=item.starts_on,
            due_on=item.due_on,
            output=(item.output or "").strip(),
        )
        full_clean_or_raise(row)
        row.save()
        supporting = [a for a in dict.fromkeys(item.supporting) if a != item.lead_agency]
        if supporting:
            row.supporting.set(supporting)
        t = item.target
        if t is not None:
            target = Target(
                item=row,
                indicator=t.indicator,
                unit=t.unit,
                period=periods.parse_period(t.period).id,
                kind=t.kind,
                value=value,
            )
            full_clean_or_raise(target)
            target.save()


@transaction.atomic
def plan_create(*, committee: Committee, title: str, year: int, items: Sequence[ItemInput] = (), actor=None) -> Plan:
    """Draft a plan of the committee with its items (and their targets); every bad field is reported by row."""
    _require_drafter(actor, committee)
    errors = RowErrors()
    if not (title or "").strip():
        errors.add(None, "title", _("Nhập tên kế hoạch (the title is required)."))
    _check_year(year, errors)
    values = _check_items(committee, items, errors)
    errors.raise_if_any(_("Không lưu được kế hoạch (plan not saved)."))
    plan = Plan(
        committee=committee,
        title=title.strip(),
        year=year,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    full_clean_or_raise(plan)
    plan.save()
    _write_items(plan, items, values)
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: Plan,
    actor=None,
    expected_version: int | None = None,
    title: str | None = None,
    year: int | None = None,
    items: Sequence[ItemInput] | None = None,
) -> Plan:
    """Change a draft: its title, year, and (when given) all its items at once."""
    plan = _lock(plan, expected_version)
    _require_drafter(actor, plan.committee)
    _require_draft(plan)
    errors = RowErrors()
    if title is not None and not title.strip():
        errors.add(None, "title", _("Nhập tên kế hoạch (the title is required)."))
    if year is not None:
        _check_year(year, errors)
    values = _check_items(plan.committee, items, errors) if items is not None else []
    errors.raise_if_any(_("Không lưu được kế hoạch (plan not saved)."))
    fields = ["version"]
    if title is not None:
        plan.title = title.strip()
        fields.append("title")
    if year is not None:
        plan.year = year
        fields.append("year")
    full_clean_or_raise(plan)
    plan.version += 1
    plan.save(update_fields=fields)
    if items is not None:
        _write_items(plan, items, values)
    return plan


@transaction.atomic
def plan_delete(*, plan: Plan, actor=None) -> None:
    """Delete a draft (an issued plan is a registered document and stays)."""
    plan = _lock(plan, None)
    _require_drafter(actor, plan.committee)
    _require_draft(plan)
    plan.delete()


def _signer_name(committee: Committee, on: date) -> str:
    from ..documents import head_of

    head = head_of(committee, on)
    return head.person_name if head else ""


@transaction.atomic
def plan_issue(
    *, plan: Plan, issued_on: date | None = None, actor=None, number: int | None = None, expected_version=None
) -> Plan:
    """Issue the plan: locked; numbered from the committee's running series ("12-KH/BCĐ"; a typed `number` that
    is taken is a 409 `number_taken`) and registered as outgoing; every item becomes a task of its lead agency
    (source: the plan item). All or nothing."""
    plan = _lock(plan, expected_version)
    committee = plan.committee
    if _person(actor) and not may_assign(actor, committee):
        raise Forbidden(
            _("Chỉ người duyệt của Ban mới ban hành được kế hoạch (only the committee's approvers may issue a plan).")
        )
    if plan.status == Plan.Status.ISSUED:
        raise Conflict(_("Kế hoạch đã được ban hành (the plan is already issued)."), code="already_issued")
    items = list(plan.items.select_related("lead_agency").prefetch_related("supporting").order_by("position"))
    if not items:
        raise ServiceError(_("Kế hoạch chưa có nội dung nào (the plan has no items)."))
    issued_on = issued_on or timezone.localdate()
    if number is not None and (not isinstance(number, int) or number < 1):
        raise ServiceError(
            _("Số phải là số nguyên dương (the number must be a positive whole number)."),
            {"fields": {"number": [_("Không hợp lệ (invalid)")]}},
        )
    document = document_register_outgoing(
        committee=committee,
        type=DocumentType.KE_HOACH,
        on=issued_on,
        subject=plan.title,
        source=plan,
        number=number,
        signer=_signer_name(committee, issued_on),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    errors = RowErrors()
    for item in items:
        if item.due_on is not None and item.due_on < issued_on:
            errors.add(
                item.position,
                "due_on",
                _("Thời hạn %(d)s trước ngày ban hành (the deadline is before the day of issue).")
                % {"d": item.due_on.strftime("%d/%m/%Y")},
            )
            continue
        content = item.content.strip()
        try:
            task_create(
                committee=committee,
                title=content if len(content) <= 500 else content[:499] + "…",
                description=content if len(content) > 500 else "",
                agency=item.lead_agency,
                supporting=list(item.supporting.all()),
                assigned_on=issued_on,
                due_on=item.due_on,
                reference=document.number_symbol,
                plan_item=item,
                actor=actor,
            )
        except ServiceError as exc:
            errors.add(item.position, "lead_agency", exc.message)
    errors.raise_if_any(_("Không ban hành được kế hoạch (plan not issued)."))
    plan.status, plan.number, plan.issued_on, plan.document = (
        Plan.Status.ISSUED,
        document.number_symbol,
        issued_on,
        document,
    )
    plan.version += 1
    plan.save(update_fields=["status", "number", "issued_on", "document", "version"])
    return plan


# --- The year's meetings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedMeeting:
    kind: str
    period: str
    title: str
    day: date


def _first_working_day(start: date, last: date) -> date | None:
    day = start
    while day <= last:
        if is_working_day(day):
            return day
        day += timedelta(days=1)
    return None


def plan_meetings_schedule(year: int, cadence: str) -> list[PlannedMeeting]:
    """The year's meetings: a giao ban each month (on the first working day from the 20th) or each week (on its
    first working day); in June, September and December the month's giao ban is the sơ kết 6 tháng, sơ kết 9
    tháng and tổng kết năm instead (and, weekly, that week has no giao ban of its own)."""
    if cadence not in CADENCES:
        raise ServiceError(
            _("Chọn họp giao ban hằng tuần hoặc hằng tháng (cadence must be weekly or monthly)."),
            {"fields": {"cadence": [cadence]}},
        )
    out: list[PlannedMeeting] = []
    reviews: dict[int, PlannedMeeting] = {}
    for month in range(1, 13):
        last = date(year, 12, 31) if month == 12 else date(year, month + 1, 1) - timedelta(days=1)
        day = _first_working_day(date(year, month, MEETING_DAY), last)
        if day is None:
            continue
        if month in REVIEWS:
            kind, suffix = REVIEWS[month]
            titles = {
                Meeting.Kind.SO_KET_6_THANG: "Hội nghị sơ kết công tác 6 tháng đầu năm %(y)s",
                Meeting.Kind.SO_KET_9_THANG: "Hội nghị sơ kết công tác 9 tháng năm %(y)s",
                Meeting.Kind.TONG_KET_NAM: "Hội nghị tổng kết công tác năm %(y)s",
            }
            reviews[month] = PlannedMeeting(kind, f"{year}{suffix}", titles[kind] % {"y": year}, day)
            out.append(reviews[month])
        elif cadence == MONTHLY:
            out.append(
                PlannedMeeting(
                    Meeting.Kind.GIAO_BAN_THANG, f"{year}-{month:02d}", f"Giao ban tháng {month:02d}/{year}", day
                )
            )
    if cadence == WEEKLY:
        review_weeks = {r.day.isocalendar()[:2] for r in reviews.values()}
        monday = date(year, 1, 1) - timedelta(days=date(year, 1, 1).weekday())
        while monday.year <= year:
            sunday = monday + timedelta(days=6)
            day = _first_working_day(max(monday, date(year, 1, 1)), min(sunday, date(year, 12, 31)))
            if day is not None and day.isocalendar()[:2] not in review_weeks:
                week = periods.period_of(day, periods.WEEK, periods.WEEK_MON)
                out.append(
                    PlannedMeeting(
                        Meeting.Kind.GIAO_BAN_TUAN,
                        week.id,
                        f"Giao ban tuần {week.index:02d}/{week.year} ({day:%d/%m/%Y})",
                        day,
                    )
                )
            monday += timedelta(days=7)
    return sorted(out, key=lambda m: (m.day, m.kind))


@transaction.atomic
def plan_meetings_generate(
    *, plan: Plan, cadence: str = MONTHLY, actor=None, today: date | None = None
) -> list[Meeting]:
    """Schedule the plan year's meetings (`plan_meetings_schedule`) as drafts linked to the plan, from today on.
    A meeting the plan already generated (same kind and period) is not made again, so running it twice adds
    nothing. Returns the meetings made."""
    plan = _lock(plan, None)
    committee = plan.committee
    _require_drafter(actor, committee)
    today = today or timezone.localdate()
    schedule = plan_meetings_schedule(plan.year, cadence)
    have = set(Meeting.objects.filter(plan=plan).values_list("kind", "period"))
    tz = timezone.get_current_timezone()
    made = []
    for m in schedule:
        if m.day < today or (m.kind, m.period) in have:
            continue
        made.append(
            meeting_create(
                committee=committee,
                kind=m.kind,
                title=m.title,
                period=m.period,
                starts_at=datetime.combine(m.day, time(MEETING_HOURS[0]), tzinfo=tz),
                ends_at=datetime.combine(m.day, time(MEETING_HOURS[1]), tzinfo=tz),
                actor=actor,
                plan=plan,
            )
        )
        have.add((m.kind, m.period))
    return made


# --- Targets reached -----------------------------------------------------------------------------------------


@dataclass
class TargetsSummary:
    day: date
    checked: int = 0
    proposed: list[Task] = field(default_factory=list)


def _reached_note(progress) -> str:
    t = progress.target
    sign = "≥" if t.kind == Target.Kind.MIN else "≤"
    return _(
        "Mục tiêu đã đạt: %(i)s của %(u)s kỳ %(p)s là %(v)s %(s)s %(t)s; đề xuất hoàn thành (target reached; "
        "proposed as done)."
    ) % {
        "i": t.indicator.code,
        "u": t.unit.name,
        "p": t.period,
        "v": format_number(progress.value),
        "s": sign,
        "t": format_number(t.value),
    }


def targets_check(day: date | None = None) -> TargetsSummary:
    """Propose as done (state reported, with a history line saying the target was reached) the task of every
    issued plan item whose target is reached (`work.plans`: a min target crossed, or a max one held at its
    window's end). Once per target, never for a done task; safe to run twice or at once (the target row is
    locked and stamped `reached_on`)."""
    from ..plans import target_progress

    day = day or timezone.localdate()
    summary = TargetsSummary(day)
    candidates = list(
        Target.objects.filter(
            reached_on__isnull=True,
            item__plan__status=Plan.Status.ISSUED,
            item__tasks__state=Task.State.OPEN,
        )
        .distinct()
        .select_related("indicator", "unit", "item")
        .order_by("pk")
    )
    summary.checked = len(candidates)
    for progress in target_progress(candidates, day):
        if progress.reached:
            summary.proposed += _propose(progress, day)
    return summary


@transaction.atomic
def _propose(progress, day: date) -> list[Task]:
    target = Target.objects.select_for_update().filter(pk=progress.target.pk, reached_on__isnull=True).first()
    if target is None:
        return []  # another run got there first
    target.reached_on = day
    target.save(update_fields=["reached_on"])
    note = _reached_note(progress)
    proposed = []
    for task in Task.objects.filter(plan_item_id=target.item_id, state=Task.State.OPEN).order_by("pk"):
        proposed.append(task_report_done(task=task, actor=None, note=note, reported_on=day))
    return proposed
