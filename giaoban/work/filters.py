"""Filters of the meeting and task lists (pages; the API may share them)."""

from __future__ import annotations

import calendar
import re
from datetime import datetime, time

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import status as task_status
from .models import Meeting, Task
from .selectors import status_q

__all__ = ["MONTH_RE", "MeetingFilter", "TaskFilter", "month_bounds"]

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def month_bounds(value: str) -> tuple[datetime, datetime] | None:
    """ "2026-10" -> the first instant of October 2026 and of November, local time; None if not a month."""
    m = MONTH_RE.match((value or "").strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or year < 1900:
        return None
    tz = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    last = calendar.monthrange(year, month)[1]
    end = datetime.combine(start.date().replace(day=last), time.max, tzinfo=tz)
    return start, end


class MeetingFilter(django_filters.FilterSet):
    committee = django_filters.NumberFilter(field_name="committee_id", label=_("Ban Chỉ đạo"))
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices, label=_("Loại cuộc họp"))
    month = django_filters.CharFilter(method="filter_month", label=_("Tháng"))

    class Meta:
        model = Meeting
        fields = ["committee", "kind", "month"]

    def filter_month(self, queryset, name, value):
        bounds = month_bounds(value)
        if bounds is None:
            return queryset.none()
        return queryset.filter(starts_at__gte=bounds[0], starts_at__lte=bounds[1])


class TaskFilter(django_filters.FilterSet):
    committee = django_filters.NumberFilter(field_name="committee_id", label=_("Ban Chỉ đạo"))
    agency = django_filters.NumberFilter(field_name="agency_id", label=_("Cơ quan chủ trì"))
    status = django_filters.ChoiceFilter(
        choices=task_status.Status.choices, method="filter_status", label=_("Tình trạng")
    )

    class Meta:
        model = Task
        fields = ["committee", "agency", "status"]

    def filter_status(self, queryset, name, value):
        day = getattr(self, "as_of", None) or timezone.localdate()
        return queryset.filter(status_q(value, day))
