"""The private calendar feed of a user: making a new link (which revokes the old one)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from ..models import CalendarFeed

__all__ = ["calendar_feed_rotate"]


@transaction.atomic
def calendar_feed_rotate(*, user) -> CalendarFeed:
    """Give the user a new secret link to their calendar feed; the previous link answers 404 from now on."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first() or CalendarFeed(user=user)
    feed.token = secrets.token_urlsafe(32)
    feed.created_at = timezone.now()
    feed.full_clean(exclude=["user"])
    if feed.pk is None:
        feed.save()
    else:
        feed.save(update_fields=["token", "created_at"])
    return feed
