"""The user's notifications: the list behind the bell, and marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..models import Notification
from ..services.inbox import notifications_mark_read
from .common import safe_next


@login_required
def notification_list(request):
    items = list(Notification.objects.filter(user=request.user).select_related("task", "meeting")[:100])
    template = "work/notifications.html#items" if request.htmx else "work/notifications.html"
    return render(request, template, {"items": items})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one read and go where it points (the task, the meeting)."""
    n = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications_mark_read(user=request.user, pks=[n.pk])
    url = n.url if n.url.startswith("/") and not n.url.startswith("//") else ""
    if not url and n.meeting_id:
        url = f"/meetings/{n.meeting_id}/"
    return redirect(url or safe_next(request, "/notifications/"))


@login_required
@require_POST
def notification_read_all(request):
    notifications_mark_read(user=request.user)
    return redirect(safe_next(request, "/notifications/"))
