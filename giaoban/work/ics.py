"""The calendar's entries as iCalendar (RFC 5545), through the `icalendar` package: meetings as timed events in
Asia/Ho_Chi_Minh with their place and online link, deadlines as all-day events, one stable UID per thing so a
calendar application updates an event instead of adding a second one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .calendar import Entry

__all__ = ["TZID", "calendar_ics"]

TZID = "Asia/Ho_Chi_Minh"
VN = ZoneInfo(TZID)


def _summary(e: Entry) -> str:
    marks = []
    if e.draft:
        marks.append(_("Dự thảo"))
    if e.cancelled:
        marks.append(_("Đã hủy"))
    if e.overdue:
        marks.append(_("Quá hạn"))
    prefix = "".join(f"[{m}] " for m in marks)
    if e.kind == "task":
        return prefix + _("Hạn nhiệm vụ: %(t)s") % {"t": e.title}
    return prefix + e.title


def _event(e: Entry, absolute: Callable[[str], str], stamp) -> Event:
    event = Event()
    event.add("uid", e.uid)
    event.add("dtstamp", stamp)
    event.add("summary", _summary(e))
    event.add("sequence", e.sequence)
    event.add("categories", [e.kind_label])
    url = absolute(e.url)
    event.add("url", url)
    lines = [line for line in (e.committee, e.detail, e.status_label) if line]
    if e.starts_at is not None:
        event.add("dtstart", e.starts_at.astimezone(VN))
        if e.ends_at is not None:
            event.add("dtend", e.ends_at.astimezone(VN))
        place = [p for p in (e.place, e.online_url) if p]
        if place:
            event.add("location", " · ".join(place))
        if e.online_url:
            lines.append(_("Họp trực tuyến: %(url)s") % {"url": e.online_url})
        event.add("status", "CANCELLED" if e.cancelled else "TENTATIVE" if e.draft else "CONFIRMED")
    else:
        event.add("dtstart", e.day)
        event.add("dtend", e.day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    lines.append(url)
    event.add("description", "\n".join(lines))
    return event


def calendar_ics(entries: Iterable[Entry], *, name: str, absolute: Callable[[str], str]) -> bytes:
    """A VCALENDAR with one VEVENT per entry and the VTIMEZONE of Asia/Ho_Chi_Minh; `absolute` turns a page's
    path into the link the event carries."""
    cal = Calendar()
    cal.add("prodid", "-//giaoban//Lich cong tac//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)
    stamp = timezone.now()
    for e in entries:
        cal.add_component(_event(e, absolute, stamp))
    cal.add_missing_timezones()
    return cal.to_ical()
