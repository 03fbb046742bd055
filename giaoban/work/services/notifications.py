"""In-app notifications (the bell in the header), and who is told about a task.

A notification has a `key`; (user, key) is unique, so a reminder written twice is written once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse

from giaoban.core.access import Role
from giaoban.orgs.models import UserRole

from ..models import Notification, Task

__all__ = ["assignee_users", "assigner_users", "notify", "notify_below", "notify_task"]


def assignee_users(task: Task) -> list:
    """Who acts for the assignee: the lead agency's officers, or the lower unit's secretaries and approvers."""
    if task.agency_id:
        roles = UserRole.objects.filter(role=Role.AGENCY_OFFICER, agency_id=task.agency_id)
    else:
        roles = UserRole.objects.filter(role__in=[Role.SECRETARY, Role.APPROVER], org_unit_id=task.unit_id)
    return list(get_user_model().objects.filter(pk__in=roles.values("user_id"), is_active=True))


def assigner_users(task: Task) -> list:
    """Who acts for the committee that gave the task: approvers of its unit, and whoever gave it."""
    roles = UserRole.objects.filter(role=Role.APPROVER, org_unit_id=task.committee.org_unit_id)
    users = list(get_user_model().objects.filter(pk__in=roles.values("user_id"), is_active=True))
    if task.created_by_id and all(u.pk != task.created_by_id for u in users):
        users.append(task.created_by)
    return users


def task_url(task: Task) -> str:
    try:
        return reverse("work:task", args=[task.pk])
    except NoReverseMatch:
        return ""


def notify(
    users: Iterable, *, kind: str, key: str, text: str, url: str = "", task=None, meeting=None
) -> list[Notification]:
    """One notification per user for `key`; a user who already has it is skipped (idempotent). Each new one
    is e-mailed too, when its user has an address, by a job queued once the transaction commits."""
    made = []
    for user in users:
        try:
            with transaction.atomic():
                made.append(
                    Notification.objects.create(
                        user=user, kind=kind, key=key[:120], text=text[:500], url=url, task=task, meeting=meeting
                    )
                )
        except IntegrityError:
            continue
    if made:
        from .reminders import notification_email_queue

        notification_email_queue(made)
    return made


def notify_task(task: Task, kind: str, text: str, *, to_assignee: bool, occurrence: str = "") -> list[Notification]:
    """Tell the assignee's or the assigner's users; `occurrence` tells apart two notices of one kind."""
    users = assignee_users(task) if to_assignee else assigner_users(task)
    key = f"{kind}:task:{task.pk}:{occurrence or f'v{task.version}'}"
    return notify(users, kind=kind, key=key, text=text, url=task_url(task), task=task)


def notify_below(tasks: list[Task], kind: str, text: str) -> list[Notification]:
    """`notify_task(..., to_assignee=True)` for many tasks given to lower units, in three queries: the
    secretaries and approvers of those units are told, once per (user, key)."""
    units = {t.unit_id for t in tasks if t.unit_id}
    roles = UserRole.objects.filter(
        role__in=[Role.SECRETARY, Role.APPROVER], org_unit_id__in=units, user__is_active=True
    ).values_list("org_unit_id", "user_id")
    users: dict[int, set[int]] = {}
    for unit_id, user_id in roles:
        users.setdefault(unit_id, set()).add(user_id)
    rows = [
        Notification(
            user_id=user_id,
            kind=kind,
            key=f"{kind}:task:{t.pk}:v{t.version}"[:120],
            text=text[:500],
            url=task_url(t),
            task=t,
        )
        for t in tasks
        for user_id in sorted(users.get(t.unit_id, ()))
    ]
    return Notification.objects.bulk_create(rows, ignore_conflicts=True)
