"""Writes on a user's own notifications: marking them read."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from ..models import Notification

__all__ = ["notifications_mark_read"]


@transaction.atomic
def notifications_mark_read(*, user, pks: Sequence[int] | None = None) -> int:
    """Mark the user's unread notifications read (only those in `pks` when given); returns how many."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if pks is not None:
        qs = qs.filter(pk__in=list(pks))
    return qs.update(read_at=timezone.now())
