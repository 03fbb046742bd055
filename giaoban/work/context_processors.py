"""The header's bell: the user's unread notifications, counted lazily (one query, only if shown)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .models import Notification


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
        )
    }
