"""A task's status: one rule, used by every page, count, export and the API.

The taxonomy of the Government's task-tracking reports (QĐ 45/2018/QĐ-TTg practice):

- ``done_on_time`` — done by its deadline (or it had none);
- ``done_late`` — done after its deadline;
- ``in_time`` — not done, deadline today or later (``due_soon`` marks those within N working days);
- ``overdue`` — not done, deadline passed: late from the day after the deadline;
- ``no_deadline`` — not done, no deadline.

A task counts as done from its done date, which is the day the assignee reported it done, once the
assigner has confirmed it (`Task.done_on`). An approved extension moves `due_on`. A task assigned after D
has no status as of D. ``fallen_due`` as of D: its deadline is on or before D, or it was done by D; the
completion rate is done / fallen due.

`timeline()` gives the days the status changes on; `status_on()` reads it at a date, and the maintained
scorecard counts (`TaskCount`) are made from the same timeline, so a count can never disagree with a list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from giaoban.core.workdays import working_days_between

__all__ = [
    "COUNTED",
    "Status",
    "TaskDates",
    "completion_rate",
    "due_soon",
    "fallen_due_on",
    "status_on",
    "timeline",
]


class Status(models.TextChoices):
    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    IN_TIME = "in_time", _("Đang thực hiện, trong hạn")
    OVERDUE = "overdue", _("Quá hạn")
    NO_DEADLINE = "no_deadline", _("Không thời hạn")


# The columns of a scorecard, in order.
COUNTED = ("assigned", "done_on_time", "done_late", "in_time", "overdue", "no_deadline", "fallen_due")


@dataclass(frozen=True)
class TaskDates:
    assigned_on: date
    due_on: date | None
    done_on: date | None

    @classmethod
    def of(cls, task) -> TaskDates:
        return cls(task.assigned_on, task.due_on, task.done_on)


def _done_on(t: TaskDates) -> date | None:
    # A task cannot be done before it was given; a done date typed earlier counts from the assignment.
    return None if t.done_on is None else max(t.done_on, t.assigned_on)


def status_on(t: TaskDates, day: date) -> Status | None:
    """The status as of ``day``; None when the task had not been given yet."""
    if day < t.assigned_on:
        return None
    done = _done_on(t)
    if done is not None and done <= day:
        return Status.DONE_ON_TIME if t.due_on is None or done <= t.due_on else Status.DONE_LATE
    if t.due_on is None:
        return Status.NO_DEADLINE
    return Status.OVERDUE if day > t.due_on else Status.IN_TIME


def fallen_due_on(t: TaskDates) -> date | None:
    """The first day the task counts as fallen due: its deadline or its done date, whichever comes first."""
    done = _done_on(t)
    candidates = [d for d in (t.due_on, done) if d is not None]
    if not candidates:
        return None
    return max(min(candidates), t.assigned_on)


def timeline(t: TaskDates) -> list[tuple[date, Status]]:
    """The days on which the status changes, with the status from that day on, in order."""
    days = {t.assigned_on}
    done = _done_on(t)
    if t.due_on is not None:
        days.add(t.due_on + timedelta(days=1))
    if done is not None:
        days.add(done)
    changes: list[tuple[date, Status]] = []
    for day in sorted(d for d in days if d >= t.assigned_on):
        status = status_on(t, day)
        if status is not None and (not changes or changes[-1][1] != status):
            changes.append((day, status))
    return changes


def deltas(t: TaskDates) -> dict[date, dict[str, int]]:
    """The changes this task makes to each scorecard column, by day (what `TaskCount` stores)."""
    out: dict[date, dict[str, int]] = {}

    def add(day: date, column: str, n: int) -> None:
        row = out.setdefault(day, dict.fromkeys(COUNTED, 0))
        row[column] += n

    add(t.assigned_on, "assigned", 1)
    previous: Status | None = None
    for day, status in timeline(t):
        if previous is not None:
            add(day, previous.value, -1)
        add(day, status.value, 1)
        previous = status
    if (fallen := fallen_due_on(t)) is not None:
        add(fallen, "fallen_due", 1)
    return out


def due_soon(t: TaskDates, day: date, within: int) -> bool:
    """In time and its deadline at most ``within`` working days after ``day`` (the deadline day included)."""
    if status_on(t, day) != Status.IN_TIME or t.due_on is None:
        return False
    return working_days_between(day, t.due_on) <= within


def completion_rate(done: int, fallen_due: int) -> float | None:
    """Done over fallen due, or None when nothing has fallen due yet."""
    return None if fallen_due == 0 else done / fallen_due
