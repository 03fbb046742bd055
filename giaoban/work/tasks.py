"""Background jobs of the work app (django-tasks, database backend; run by `giaoban db_worker`).

Thin wrappers: each takes primary keys and calls a service.
"""

from __future__ import annotations

from django_tasks import task

__all__ = ["send_notification_email"]


@task()
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification (skipped when it was e-mailed already, so a retry never sends twice)."""
    from .services.notifications import notification_email_send

    return notification_email_send(notification_id=notification_id)
