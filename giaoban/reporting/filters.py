"""Filters shared by the report pages and the API lists."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Submission


class SubmissionFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="unit__code", label=_("Mã đơn vị"))
    form = django_filters.CharFilter(field_name="form__code", label=_("Mã biểu mẫu"))
    period = django_filters.CharFilter(method="filter_period", label=_("Kỳ"))
    status = django_filters.ChoiceFilter(choices=Submission.Status.choices, label=_("Trạng thái"))

    class Meta:
        model = Submission
        fields = ["unit", "form", "period", "status"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=value.strip().upper())
