"""The calendar page (a month as a grid, or as a list of days on a phone and in the list view) and the private
.ics link of its user: shown with "copy link", renewed by "make a new link"."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.access import Action
from giaoban.core.text import sort_key
from giaoban.orgs.models import Committee

from .. import calendar as cal
from .. import services
from ..models import CalendarFeed


def feed_url(request, feed: CalendarFeed | None) -> str:
    """The absolute link a calendar application subscribes to, or "" before the user made one."""
    if feed is None:
        return ""
    return request.build_absolute_uri(reverse("api-calendar-ics")) + f"?token={feed.token}"


@login_required
def calendar_page(request):
    """?month=2026-10, ?committee=ID (404 out of scope), ?kind=meeting|report|task (repeatable), ?view=list."""
    today = timezone.localdate()
    query = cal.calendar_query(request.user, request.GET, today)
    weeks = cal.month_grid(query.month)
    start, end = weeks[0][0], weeks[-1][-1]
    entries = cal.calendar_entries(request.user, start, end, committee=query.committee, kinds=query.kinds, today=today)
    by_day: dict = {}
    for e in entries:
        by_day.setdefault(e.day, []).append(e)
    grid = [[cal.Day(d, d.month == query.month.month, d == today, by_day.get(d, [])) for d in week] for week in weeks]
    days = [day for week in grid for day in week if day.in_month and day.entries]
    previous = (query.month - timedelta(days=1)).replace(day=1)
    following = (query.month + timedelta(days=32)).replace(day=1)
    committees = sorted(
        Committee.objects.visible_to(request.user, Action.VIEW).only("pk", "name"), key=lambda c: sort_key(c.name)
    )
    feed = CalendarFeed.objects.filter(user=request.user).first()
    context = {
        "query": query,
        "title": cal.month_title(query.month),
        "weekdays": cal.WEEKDAY_SHORT,
        "grid": grid,
        "days": days,
        "previous": query.params(month=f"{previous:%Y-%m}"),
        "next": query.params(month=f"{following:%Y-%m}"),
        "this_month": query.params(month=f"{today:%Y-%m}"),
        "as_month": query.params(view="month"),
        "as_list": query.params(view="list"),
        "kinds": list(cal.KINDS.items()),
        "committees": committees,
        "feed_url": feed_url(request, feed),
        "feed": feed,
        "today": today,
    }
    template = "work/calendar.html#calendar" if request.htmx else "work/calendar.html"
    return render(request, template, context)


@login_required
@require_POST
def calendar_feed_new(request):
    """Make a new private link (the old one, if any, stops working at once)."""
    had = CalendarFeed.objects.filter(user=request.user).exists()
    services.calendar_feed_rotate(user=request.user)
    if had:
        messages.success(request, _("Đã tạo đường dẫn mới; đường dẫn cũ không còn dùng được."))
    else:
        messages.success(request, _("Đã tạo đường dẫn lịch riêng của bạn."))
    back = request.POST.get("back", "")
    return redirect(reverse("work:calendar") + (f"?{back}" if back and "//" not in back else ""))
