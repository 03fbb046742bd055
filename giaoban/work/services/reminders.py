"""Automatic reminders (đôn đốc tự động); the e-mail of every notification is in notifications.py.

The rule, for a day D (what `giaoban work remind --date D` sends, once):

- **due soon**: a task in time on D whose deadline is at most N working days after D (N =
  `committee.due_soon_days`; the deadline day itself counts, `status.due_soon`). The first run on or after
  the day it enters that window sends it, so a task given with a deadline two days ahead is reminded on
  its first run too, and a missed cron day is caught up.
- **overdue**: a task overdue on D (late from the day after its deadline, `status.status_on`) whose
  deadline was at most `OVERDUE_CATCH_UP` days before D: sent the day after the deadline, or on the
  first run within a week after it when cron missed that day. Older overdue tasks are not mailed about
  when reminders are first switched on (their lists show them).
- **never for a done task**, and never to the assignee of a task *reported done and waiting for the
  assigner's confirmation* (state ``reported``): its done date will be the day it was reported, so a
  task reported by its deadline becomes "done on time" once confirmed — telling its assignee it is
  overdue would be false, and after the deadline they have nothing left to do either. If the assigner
  returns it, it is open again and reminded like any other (a deadline already reminded is not
  reminded twice).
- **who**: the assignee side (`assignee_users`: the lead agency's officers, or the lower unit's
  secretaries and approvers); for an overdue task also the assigner side (`assigner_users`: the
  approvers of the committee's unit and whoever gave the task), who follows it up.
- **once**: a reminder's notification key is ``<kind>:task:<id>:<deadline>``, unique per user, so a
  second run (or two at once) writes nothing new; an approved extension gives the new deadline its own
  reminders. The task's history gets one `reminded` event per (kind, deadline), written under the
  task's row lock.

E-mail (notifications.py): every notification whose user has an address (the user's own, else the e-mail of a committee
membership linked to that user) is queued after commit as the `send_notification_email` job, which sends
it through Django's e-mail backend and stamps `emailed_at`; a notification already stamped is never sent
again, so a retried or duplicated job does not mail twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from giaoban.core.workdays import add_working_days
from giaoban.orgs.models import Committee

from .. import status as task_status
from ..models import Notification, Task, TaskEvent
from ..selectors import status_q
from .notifications import assignee_users, assigner_users, email_addresses, notify, task_url

__all__ = [
    "OVERDUE_CATCH_UP",
    "RemindSummary",
    "Reminder",
    "reminders_due",
    "reminders_send",
]

# How many days after a deadline an overdue reminder is still sent when the day after was missed.
OVERDUE_CATCH_UP = 7

DUE_SOON = Notification.Kind.DUE_SOON
OVERDUE = Notification.Kind.OVERDUE


@dataclass
class Reminder:
    task: Task
    kind: str  # Notification.Kind.DUE_SOON | OVERDUE
    users: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:task:{self.task.pk}:{self.task.due_on.isoformat()}"


@dataclass
class RemindSummary:
    day: date
    due_soon: int = 0  # tasks reminded as due soon (new this run)
    overdue: int = 0  # tasks reminded as overdue (new this run)
    notifications: int = 0
    emails: int = 0  # e-mails queued
    reminders: list[Reminder] = field(default_factory=list)


def _due_soon_q(day: date) -> Q:
    """In time on `day`, deadline within the committee's N working days: one condition per distinct N."""
    q = Q(pk__in=[])
    for n in Committee.objects.order_by("due_soon_days").values_list("due_soon_days", flat=True).distinct():
        # working_days_between(day, due) <= n  <=>  due < the (n+1)-th working day after day
        q |= Q(committee__due_soon_days=n, due_on__lt=add_working_days(day, n + 1))
    return status_q(task_status.Status.IN_TIME, day) & q


def _candidates(day: date) -> tuple[Q, Q]:
    open_ = Q(state=Task.State.OPEN)
    overdue = open_ & status_q(task_status.Status.OVERDUE, day) & Q(due_on__gte=day - timedelta(days=OVERDUE_CATCH_UP))
    return open_ & _due_soon_q(day), overdue


def _already(reminders: list[Reminder]) -> set[str]:
    """The keys among these reminders' that were sent already (for a dry run: what would be new)."""
    keys = [r.key for r in reminders]
    return set(Notification.objects.filter(key__in=keys).values_list("key", flat=True).distinct())


def _recipients(task: Task, kind: str) -> list:
    users = assignee_users(task)
    if kind == OVERDUE:
        seen = {u.pk for u in users}
        users += [u for u in assigner_users(task) if u.pk not in seen]
    return users


def reminders_due(day: date) -> list[Reminder]:
    """The day's reminders, due soon then overdue, each with its recipients (two queries find the tasks)."""
    soon_q, overdue_q = _candidates(day)
    related = ("committee__org_unit", "agency", "unit", "created_by")
    out: list[Reminder] = []
    for kind, q in ((DUE_SOON, soon_q), (OVERDUE, overdue_q)):
        for task in Task.objects.filter(q).select_related(*related).order_by("due_on", "pk"):
            out.append(Reminder(task, kind, _recipients(task, kind)))
    return out


def _event_note(kind: str) -> str:
    # Stored in Vietnamese (the history is read as written); also what makes the event findable.
    with translation.override("vi"):
        if kind == DUE_SOON:
            return _("Nhắc tự động: sắp đến hạn")
        return _("Nhắc tự động: quá hạn")


def _text(reminder: Reminder) -> str:
    task = reminder.task
    deadline = task.due_on.strftime("%d/%m/%Y")
    if reminder.kind == DUE_SOON:
        return _("Sắp đến hạn (%(d)s): %(t)s") % {"d": deadline, "t": task.title}
    return _("Quá hạn (hạn %(d)s): %(t)s") % {"d": deadline, "t": task.title}


@transaction.atomic
def _send_one(reminder: Reminder) -> tuple[list[Notification], bool]:
    """Notifications and the history event of one reminder, under the task's row lock: (made, event written)."""
    task = Task.objects.select_for_update().get(pk=reminder.task.pk)
    if task.state != Task.State.OPEN or task.due_on != reminder.task.due_on:
        return [], False  # changed since it was found
    note = _event_note(reminder.kind)
    wrote_event = False
    if not TaskEvent.objects.filter(task=task, kind=TaskEvent.Kind.REMINDED, due_on=task.due_on, note=note).exists():
        TaskEvent.objects.create(task=task, kind=TaskEvent.Kind.REMINDED, due_on=task.due_on, note=note)
        wrote_event = True
    with translation.override("vi"):
        text = _text(reminder)
    made = notify(reminder.users, kind=reminder.kind, key=reminder.key, text=text, url=task_url(task), task=task)
    return made, wrote_event


def reminders_send(day: date | None = None, *, dry_run: bool = False) -> RemindSummary:
    """Write the day's reminders (notifications, history events) and queue their e-mails. Safe to run twice,
    or twice at once: what was sent is skipped. With `dry_run`, only say what would be sent."""
    day = day or timezone.localdate()
    summary = RemindSummary(day=day)
    reminders = reminders_due(day)
    if dry_run:
        sent = _already(reminders)
        pending = [r for r in reminders if r.key not in sent]
        summary.reminders = pending
        summary.due_soon = sum(1 for r in pending if r.kind == DUE_SOON)
        summary.overdue = sum(1 for r in pending if r.kind == OVERDUE)
        summary.notifications = sum(len(r.users) for r in pending)
        summary.emails = sum(len(email_addresses(r.users)) for r in pending)
        return summary
    for reminder in reminders:
        made, wrote_event = _send_one(reminder)
        if not made and not wrote_event:
            continue
        summary.reminders.append(reminder)
        summary.notifications += len(made)
        summary.emails += len(email_addresses([n.user for n in made]))
        if reminder.kind == DUE_SOON:
            summary.due_soon += 1
        else:
            summary.overdue += 1
    return summary
