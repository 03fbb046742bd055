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
    "meetings_for",
    "scorecard",
    "status_q",
    "task_status_of",
    "task_timeline",
    "tasks_for",
    "tasks_with_status",
]


def meetings_for(user, action: str = Action.VIEW) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user, action).select_related("committee__org_unit", "chair", "secretary")


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
