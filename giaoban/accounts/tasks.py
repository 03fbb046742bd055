"""Background jobs of accounts (django-tasks; `giaoban db_worker`, or rq): thin wrappers taking primary keys."""

from __future__ import annotations

from django_tasks import task

__all__ = ["send_password_reset_email"]


@task()
def send_password_reset_email(user_id: int, domain: str, use_https: bool, language: str) -> bool:
    """E-mail one user the link to choose a new password (services.password_reset_email_send)."""
    from .services import password_reset_email_send

    return password_reset_email_send(user_id=user_id, domain=domain, use_https=use_https, language=language)
