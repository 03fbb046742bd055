"""Filters shared by the report pages and the API lists."""

import django_filters
from django.utils.translation import gettext_lazy as _

from giaoban.core.access import subtree_q
from giaoban.orgs.models import OrgUnit

from .models import Submission, ValueChange


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


class ValueChangeFilter(django_filters.FilterSet):
    """The audit log's filters, on /audit/ and /api/v1/audit/: a unit (and everything below it), a date range
    (inclusive, Vietnam's dates), who made the change (username), one report."""

    unit = django_filters.CharFilter(method="filter_unit", label=_("Mã đơn vị (cả cấp dưới)"))
    start = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("Từ ngày"))
    end = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("Đến ngày"))
    actor = django_filters.CharFilter(field_name="actor__username", label=_("Người sửa (tên đăng nhập)"))
    submission = django_filters.NumberFilter(field_name="submission_id", label=_("Báo cáo"))

    class Meta:
        model = ValueChange
        fields = ["unit", "start", "end", "actor", "submission"]

    def __init__(self, data=None, *args, **kwargs):
        # ?from=&to= as the API documents them (from is a Python keyword, so the fields are start and end).
        if data is not None:
            data = data.copy()
            for alias, name in (("from", "start"), ("to", "end")):
                if alias in data and name not in data:
                    data[name] = data[alias]
        super().__init__(data, *args, **kwargs)

    def filter_unit(self, queryset, name, value):
        path = OrgUnit.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(subtree_q("submission__unit__path", path))
