"""Filters of the agency, meeting and task lists: one FilterSet each, for the pages and the API."""

from __future__ import annotations

import calendar
import re
from datetime import datetime, time

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from giaoban.orgs.models import Agency, Committee, OrgUnit

from . import status as task_status
from .models import Meeting, Plan, Task
from .selectors import committee_agencies, status_q

__all__ = ["MONTH_RE", "AgencyFilter", "MeetingFilter", "PlanFilter", "TaskFilter", "month_bounds"]

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


class AgencyFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="org_unit__code", label=_("Mã đơn vị"))
    committee = django_filters.NumberFilter(method="filter_committee", label=_("Ban Chỉ đạo"))

    class Meta:
        model = Agency
        fields = ["unit", "committee"]

    def filter_committee(self, queryset, name, value):
        committee = Committee.objects.filter(pk=value).only("org_unit_id").first()
        if committee is None:
            return queryset.none()
        return queryset.filter(pk__in=committee_agencies(committee).values("pk"))


class MeetingFilter(django_filters.FilterSet):
    committee = django_filters.NumberFilter(field_name="committee_id", label=_("Ban Chỉ đạo"))
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices, label=_("Loại cuộc họp"))
    month = django_filters.CharFilter(method="filter_month", label=_("Tháng"))
    # Days of the start, in local time, both ends included.
    from_ = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte")
    to = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte")

    class Meta:
        model = Meeting
        fields = ["committee", "kind", "month"]

    def filter_month(self, queryset, name, value):
        bounds = month_bounds(value)
        if bounds is None:
            return queryset.none()
        return queryset.filter(starts_at__gte=bounds[0], starts_at__lte=bounds[1])


# `from` is a Python keyword: declared as from_, exposed (and documented) as from.
MeetingFilter.base_filters["from"] = MeetingFilter.base_filters.pop("from_")


class TaskFilter(django_filters.FilterSet):
    committee = django_filters.NumberFilter(field_name="committee_id", label=_("Ban Chỉ đạo"))
    agency = django_filters.NumberFilter(field_name="agency_id", label=_("Cơ quan chủ trì"))
    unit = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.all(), to_field_name="code", method="filter_unit")
    status = django_filters.ChoiceFilter(
        choices=task_status.Status.choices, method="filter_status", label=_("Tình trạng")
    )
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lt")
    as_of = django_filters.DateFilter(method="filter_as_of")

    class Meta:
        model = Task
        fields = ["committee", "agency", "unit", "status", "due_before", "as_of"]

    def as_of_day(self):
        return self.form.cleaned_data.get("as_of") or timezone.localdate()

    def filter_unit(self, queryset, name, value):
        return queryset.in_subtree(value)

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value, self.as_of_day()))

    def filter_as_of(self, queryset, name, value):
        # A task given after the day has no status as of it (status.status_on), so the list leaves it out.
        return queryset.filter(assigned_on__lte=value)


class PlanFilter(django_filters.FilterSet):
    committee = django_filters.NumberFilter(field_name="committee_id", label=_("Ban Chỉ đạo"))
    year = django_filters.NumberFilter(field_name="year", label=_("Năm"))
    status = django_filters.ChoiceFilter(choices=Plan.Status.choices, label=_("Trạng thái"))

    class Meta:
        model = Plan
        fields = ["committee", "year", "status"]
