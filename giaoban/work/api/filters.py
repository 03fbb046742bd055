"""Filters of the work API's lists: agencies, meetings, tasks. A bad value answers 400 naming the filter."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from giaoban.orgs.models import Agency, Membership, OrgUnit

from .. import status as task_status
from ..models import Meeting, Task
from ..selectors import status_q

__all__ = ["AgencyFilter", "MeetingFilter", "TaskFilter"]


class AgencyFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="org_unit__code")
    committee = django_filters.NumberFilter(method="filter_committee")

    class Meta:
        model = Agency
        fields = ["unit", "committee"]

    def filter_committee(self, queryset, name, value):
        # The member agencies: those of the committee's unit and those its current members come from (the
        # rule of services.is_member_agency).
        from giaoban.orgs.models import Committee

        committee = Committee.objects.filter(pk=value).only("org_unit_id").first()
        if committee is None:
            return queryset.none()
        members = Membership.objects.filter(committee=committee).current().values("agency_id")
        return queryset.filter(Q(org_unit_id=committee.org_unit_id) | Q(pk__in=members))


class MeetingFilter(django_filters.FilterSet):
    committee = django_filters.NumberFilter(field_name="committee_id")
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices)
    # Days of the start, in local time, both ends included.
    from_ = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte")
    to = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte")

    class Meta:
        model = Meeting
        fields = ["committee", "kind"]


# `from` is a Python keyword: declared as from_, exposed (and documented) as from.
MeetingFilter.base_filters["from"] = MeetingFilter.base_filters.pop("from_")


class TaskFilter(django_filters.FilterSet):
    committee = django_filters.NumberFilter(field_name="committee_id")
    agency = django_filters.NumberFilter(field_name="agency_id")
    unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.all(),
        to_field_name="code",
        method="filter_unit",
    )
    status = django_filters.ChoiceFilter(choices=task_status.Status.choices, method="filter_status")
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
