"""Filters shared by the outreach pages and the API lists."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from giaoban.core.access import PATH_END
from giaoban.orgs.models import OrgUnit

from .models import Channel, Contest, Training


class SubtreeFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(method="filter_unit", label=_("Mã đơn vị (cả cấp dưới)"))

    def filter_unit(self, queryset, name, value):
        unit = OrgUnit.objects.filter(code=value.strip()).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(org_unit__path__gte=unit.path, org_unit__path__lt=unit.path + PATH_END)


class ChannelFilter(SubtreeFilter):
    platform = django_filters.ChoiceFilter(
        choices=Channel.Platform.choices,
        label=_("Nền tảng"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    class Meta:
        model = Channel
        fields = ["unit", "platform"]


class ContestFilter(SubtreeFilter):
    class Meta:
        model = Contest
        fields = ["unit"]


class TrainingFilter(SubtreeFilter):
    class Meta:
        model = Training
        fields = ["unit"]
