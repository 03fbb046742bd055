"""Reads of the work app, scoped to the user: meetings, tasks with their status, the scorecard.

The status of a task comes from `status.status_on` and nowhere else; the scorecard sums the maintained
`TaskCount` rows, which are made from the same rule (see counts.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from giaoban.core.access import Action
from giaoban.orgs.models import Agency, OrgUnit

from . import status as task_status
from .models import Conclusion, Meeting, Task, TaskCount, TaskEvent

__all__ = [
    "ScoreRow",
    "Scorecard",
    "conclusions_for",
    "document_meeting",
    "has_visible_conclusion",
    "meetings_for",
    "scorecard",
    "status_q",
    "task_status_of",
    "task_timeline",
    "tasks_for",
    "tasks_given_to",
    "tasks_with_status",
]


def meetings_for(user, action: str = Action.VIEW) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user, action).select_related("committee__org_unit", "chair", "secretary")


def document_meeting(user, pk: int) -> Meeting | None:
    """A meeting the user can see, with what its documents print (committee, chair, secretary); None if not."""
    return (
        Meeting.objects.visible_to(user, Action.VIEW)
        .select_related("committee__org_unit", "committee__standing_agency", "chair", "secretary")
        .filter(pk=pk)
        .first()
    )


def has_visible_conclusion(user, meeting: Meeting) -> bool:
    """Whether the meeting has a conclusion notice (draft or issued) that the user may read."""
    return Conclusion.objects.visible_to(user, Action.VIEW).filter(meeting=meeting).exists()


def conclusions_for(user, action: str = Action.VIEW) -> QuerySet[Conclusion]:
    return Conclusion.objects.visible_to(user, action).select_related("meeting__committee__org_unit")


def tasks_for(user, action: str = Action.VIEW) -> QuerySet[Task]:
    return Task.objects.visible_to(user, action).select_related(
        "committee__org_unit", "agency", "unit", "point__conclusion"
    )


def task_status_of(task: Task, as_of: date | None = None) -> tuple[str | None, bool]:
    """(status, due_soon) of one task as of a day (today by default)."""
    day = as_of or timezone.localdate()
    dates = task_status.TaskDates.of(task)
    st = task_status.status_on(dates, day)
    within = task.committee.due_soon_days
    return (st.value if st else None), task_status.due_soon(dates, day, within)


def status_q(value: str, day: date) -> Q:
    """The rows whose status as of `day` is `value`: the same rule as `status.status_on`, as a filter."""
    given = Q(assigned_on__lte=day)
    done_by = Q(done_on__isnull=False, done_on__lte=day)
    not_done = ~done_by
    if value == task_status.Status.DONE_ON_TIME:
        return given & done_by & (Q(due_on__isnull=True) | Q(done_on__lte=F("due_on")))
    if value == task_status.Status.DONE_LATE:
        return given & done_by & Q(due_on__isnull=False, done_on__gt=F("due_on"))
    if value == task_status.Status.NO_DEADLINE:
        return given & not_done & Q(due_on__isnull=True)
    if value == task_status.Status.OVERDUE:
        return given & not_done & Q(due_on__lt=day)
    if value == task_status.Status.IN_TIME:
        return given & not_done & Q(due_on__gte=day)
    raise ValueError(value)


def tasks_with_status(qs: QuerySet[Task], as_of: date | None = None) -> list[Task]:
    """The tasks with `.status` and `.due_soon` set as of the day: what every list shows."""
    day = as_of or timezone.localdate()
    out = []
    for task in qs:
        task.status, task.due_soon = task_status_of(task, day)
        out.append(task)
    return out


def task_timeline(task: Task) -> QuerySet[TaskEvent]:
    return task.events.select_related("actor").prefetch_related("files")


@dataclass
class ScoreRow:
    key: str  # unit code, agency id, or "" for the unit's own tasks
    label: str
    counts: dict[str, int]
    unit: OrgUnit | None = None
    agency: Agency | None = None

    @property
    def done(self) -> int:
        return self.counts["done_on_time"] + self.counts["done_late"]

    @property
    def completion_rate(self) -> float | None:
        return task_status.completion_rate(self.done, self.counts["fallen_due"])


@dataclass
class Scorecard:
    unit: OrgUnit
    as_of: date
    by: str | None
    total: ScoreRow
    rows: list[ScoreRow] = field(default_factory=list)


def _sums(qs) -> dict[str, int]:
    got = qs.aggregate(**{c: Sum(c) for c in task_status.COUNTED})
    return {c: int(got[c] or 0) for c in task_status.COUNTED}


def scorecard(unit: OrgUnit, as_of: date, by: str | None = None) -> Scorecard:
    """Counts of the tasks that count at `unit` or below, as of a day; `by` = "child" (each unit directly
    below, plus the unit's own tasks) or "agency" (each lead agency at the unit itself)."""
    base = TaskCount.objects.filter(day__lte=as_of)
    total = ScoreRow("", unit.name, _sums(base.filter(path=unit.path, agency_id=0)), unit=unit)
    card = Scorecard(unit=unit, as_of=as_of, by=by, total=total)
    if by == "child":
        children = {u.path: u for u in OrgUnit.objects.filter(parent=unit).vn_sorted()}
        grouped = {
            r["path"]: r
            for r in base.filter(path__in=list(children), agency_id=0)
            .values("path")
            .annotate(**{c: Sum(c) for c in task_status.COUNTED})
        }
        own = dict(total.counts)
        for path, child in children.items():
            r = grouped.get(path)
            counts = {c: int(r[c] or 0) if r else 0 for c in task_status.COUNTED}
            if not counts["assigned"] and not child.is_valid_on(as_of):
                continue  # a unit closed by then that never had a task
            for c in task_status.COUNTED:
                own[c] -= counts[c]
            card.rows.append(ScoreRow(child.code, child.name, counts, unit=child))
        if own["assigned"]:
            from django.utils.translation import gettext as _

            card.rows.insert(0, ScoreRow("", _("Cơ quan thành viên cấp %(u)s") % {"u": unit.name}, own, unit=unit))
    elif by == "agency":
        grouped = list(
            base.filter(path=unit.path)
            .exclude(agency_id=0)
            .values("agency_id")
            .annotate(**{c: Sum(c) for c in task_status.COUNTED})
        )
        agencies = Agency.objects.in_bulk([r["agency_id"] for r in grouped])
        for r in grouped:
            a = agencies.get(r["agency_id"])
            counts = {c: int(r[c] or 0) for c in task_status.COUNTED}
            if a is not None and counts["assigned"]:
                card.rows.append(ScoreRow(str(a.pk), a.name, counts, agency=a))
        from giaoban.core.text import sort_key

        card.rows.sort(key=lambda r: sort_key(r.label))
    return card


def meeting_tasks(meeting: Meeting) -> QuerySet[Task]:
    return Task.objects.filter(point__conclusion__meeting=meeting).prefetch_related(
        Prefetch("supporting", queryset=Agency.objects.only("name", "short_name"))
    )


# --- The meeting pack and the pages' reads (w-pages) ---------------------------------------------------


def committee_agencies(committee, day: date | None = None) -> QuerySet[Agency]:
    """The committee's member agencies: those of its own unit and those its current members come from
    (the same rule as `services.is_member_agency`)."""
    from giaoban.orgs.models import Membership

    member_agencies = Membership.objects.filter(committee=committee).current(day).values("agency_id")
    return Agency.objects.filter(Q(org_unit_id=committee.org_unit_id) | Q(pk__in=member_agencies)).order_by("name")


@dataclass
class TaskGroup:
    """The tasks one earlier conclusion notice gave, overdue first."""

    conclusion: Conclusion
    tasks: list[Task]

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tasks if t.status == task_status.Status.OVERDUE)


@dataclass
class MeetingPack:
    """What a meeting page gathers, live, as of a day: the period's consolidated report of the committee,
    the units late or missing with their reports, the tasks of the committee's earlier conclusions and the
    scorecard of the committee's unit. A part the user may not read, or that does not apply, is None."""

    meeting: Meeting
    as_of: date
    table: object | None = None  # reporting.consolidated.ConsolidatedTable
    summary: str = ""
    form: object | None = None  # reporting.models.ReportForm
    status_period: str = ""
    late: list = field(default_factory=list)  # the first PACK_UNITS of each; the counts are of all
    missing: list = field(default_factory=list)
    late_count: int = 0
    missing_count: int = 0
    report_note: str = ""
    groups: list[TaskGroup] = field(default_factory=list)
    card: Scorecard | None = None


_ORDER = {
    task_status.Status.OVERDUE: 0,
    task_status.Status.IN_TIME: 1,
    task_status.Status.NO_DEADLINE: 2,
    task_status.Status.DONE_LATE: 3,
    task_status.Status.DONE_ON_TIME: 4,
}


def _pack_report(pack: MeetingPack, user) -> None:
    from django.http import Http404

    from giaoban.core.access import can
    from giaoban.core.errors import ServiceError
    from giaoban.reporting import consolidated, periods
    from giaoban.reporting.dashboard import late_and_missing, late_and_missing_querysets

    meeting = pack.meeting
    unit = meeting.committee.org_unit
    if not meeting.period or not can(user, Action.VIEW, unit.path):
        return
    try:
        form = consolidated.default_form(meeting.committee, None, meeting.period)
        window, parts = consolidated.form_window(form, meeting.period)
        table = consolidated.consolidated_table(user, unit, form, meeting.period)
    except (ServiceError, periods.PeriodError, Http404) as exc:
        pack.report_note = getattr(exc, "message", "") or str(exc)
        return
    pack.form, pack.table, pack.summary = form, table, consolidated.summary_paragraph(table)
    # Who is late or missing: for the last reporting period of the window (the one the meeting comes after).
    last = parts[-1] if parts else window
    pack.status_period = last.id
    # A national committee expects thousands of units: count them all, read only the first few.
    late, missing = late_and_missing_querysets(unit, form, last)
    pack.late_count, pack.missing_count = late.count(), missing.count()
    pack.late, pack.missing = late_and_missing(unit, form, last, limit=PACK_UNITS)


PACK_UNITS = 30  # late or missing units named in a meeting's pack; the rest are counted


def meeting_pack(meeting: Meeting, user, as_of: date | None = None) -> MeetingPack:
    """The live pack of a meeting for `user` as of a day (today by default), in a number of queries that
    does not grow with the number of tasks."""
    from giaoban.core.access import can

    day = as_of or timezone.localdate()
    pack = MeetingPack(meeting=meeting, as_of=day)
    _pack_report(pack, user)
    earlier = (
        tasks_for(user)
        .filter(
            committee_id=meeting.committee_id,
            point__conclusion__status=Conclusion.Status.ISSUED,
            point__conclusion__meeting__starts_at__lt=meeting.starts_at,
        )
        .select_related("point__conclusion__meeting")
        .prefetch_related(Prefetch("supporting", queryset=Agency.objects.only("name", "short_name")))
    )
    groups: dict[int, TaskGroup] = {}
    for task in tasks_with_status(earlier, day):
        conclusion = task.point.conclusion
        groups.setdefault(conclusion.pk, TaskGroup(conclusion, [])).tasks.append(task)
    for g in groups.values():
        g.tasks.sort(key=lambda t: (_ORDER.get(t.status, 9), t.due_on or date.max, t.point.number, t.pk))
    pack.groups = sorted(
        groups.values(), key=lambda g: (g.conclusion.issued_on or date.min, g.conclusion.pk), reverse=True
    )
    unit = meeting.committee.org_unit
    if can(user, Action.VIEW, unit.path):
        pack.card = scorecard(unit, day, by="agency")
    return pack


def tasks_given_to(user) -> QuerySet[Task]:
    """ "Việc được giao": the tasks of the user's member agencies (led or supported) across committees, and for a
    lower committee's secretary or approver the tasks given to their unit; soonest deadline first."""
    from giaoban.core.access import officer_agency_ids
    from giaoban.orgs.models import UserRole

    agencies = officer_agency_ids(user)
    units = list(
        UserRole.objects.filter(user=user, role__in=["secretary", "approver"]).values_list("org_unit_id", flat=True)
    )
    q = Q(pk__in=[])
    if agencies:
        q |= Task.objects.agencies_q(agencies)
    if units:
        q |= Q(unit_id__in=units)
    return tasks_for(user).filter(q).order_by(F("due_on").asc(nulls_last=True), "pk")
