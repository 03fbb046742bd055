"""In-app notifications (the bell in the header), who is told about a task, and their e-mail.

A notification has a `key`; (user, key) is unique, so a reminder written twice is written once. Each one is
e-mailed once, after commit, by the `send_notification_email` job (work/tasks.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from giaoban.core.access import Role
from giaoban.orgs.models import Membership, UserRole

from .. import status as task_status
from ..models import Notification, Task

__all__ = [
    "assignee_users",
    "assigner_users",
    "email_addresses",
    "notification_email_queue",
    "notification_email_send",
    "notify",
    "notify_below",
    "notify_task",
]


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


# --- e-mail: every notification goes out by e-mail too, through the task worker, once


def email_addresses(users: Iterable) -> dict[int, str]:
    """{user id: address} for the users who have one: their own, else that of a committee membership
    linked to them (one query for those without their own)."""
    users = list(users)
    out = {u.pk: u.email for u in users if u.email}
    missing = [u.pk for u in users if not u.email]
    if missing:
        for user_id, email in (
            Membership.objects.filter(user_id__in=missing)
            .exclude(email="")
            .order_by("-start_date", "-pk")
            .values_list("user_id", "email")
        ):
            out.setdefault(user_id, email)
    return out


def notification_email_queue(notifications: Iterable[Notification]) -> int:
    """Queue the e-mail of each notification whose user has an address, once the transaction commits.
    Returns how many were queued."""
    notifications = list(notifications)
    addresses = email_addresses(n.user for n in notifications)
    ids = [n.pk for n in notifications if n.user_id in addresses and n.emailed_at is None]
    if ids:

        def enqueue() -> None:
            from ..tasks import send_notification_email

            for pk in ids:
                send_notification_email.enqueue(pk)

        transaction.on_commit(enqueue)
    return len(ids)


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def _message(notification: Notification, address: str) -> EmailMessage:
    task = notification.task
    lines = [notification.text, ""]
    if task is not None:
        today = timezone.localdate()
        st, soon = task_status.status_on(task_status.TaskDates.of(task), today), False
        if st == task_status.Status.IN_TIME and task.due_on is not None:
            soon = task_status.due_soon(task_status.TaskDates.of(task), today, task.committee.due_soon_days)
        label = str(st.label) if st else ""
        if soon:
            label = _("%(s)s — sắp đến hạn") % {"s": label}
        if task.state == Task.State.REPORTED:
            label = _("%(s)s — đã báo cáo hoàn thành, chờ xác nhận") % {"s": label}
        lines += [
            _("Nhiệm vụ: %(t)s") % {"t": task.title},
            _("Ban Chỉ đạo giao: %(c)s") % {"c": task.committee.name},
            _("Đơn vị chủ trì: %(a)s") % {"a": task.assignee},
            _("Thời hạn: %(d)s") % {"d": task.due_on.strftime("%d/%m/%Y") if task.due_on else _("không thời hạn")},
            _("Tình trạng: %(s)s") % {"s": label},
        ]
        url = notification.url or f"/tasks/{task.pk}/"
    else:
        url = notification.url
    if url:
        lines += ["", _("Xem chi tiết: %(u)s") % {"u": _absolute(url)}]
    lines += ["", _("Thư gửi tự động từ giaoban; xin đừng trả lời thư này.")]
    subject = f"[giaoban] {notification.text}"  # the text names the kind: "Quá hạn (hạn 16/10/2026): …"
    return EmailMessage(
        subject=" ".join(subject.split())[:200],
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification by e-mail and stamp `emailed_at`; False when there is nothing to send (gone,
    already sent, no address). The row stays locked while sending, so two copies of the job send once; an
    SMTP error rolls back and raises, so the job fails and a retry sends it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user", "task__committee", "task__agency", "task__unit")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        address = email_addresses([notification.user]).get(notification.user_id)
        if not address or not notification.user.is_active:
            return False
        with translation.override("vi"):
            message = _message(notification, address)
        message.send(fail_silently=False)
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True
