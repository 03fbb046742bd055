"""The filter of cascade lists ("Văn bản cấp trên gửi" and GET /api/v1/cascades/): one FilterSet for both."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Cascade

__all__ = ["CascadeFilter"]


class CascadeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Cascade.Status.choices, label=_("Tình trạng"))
    committee = django_filters.NumberFilter(field_name="committee_id", label=_("Ban Chỉ đạo nhận"))
    sender = django_filters.NumberFilter(field_name="sender_id", label=_("Ban Chỉ đạo gửi"))
    document = django_filters.NumberFilter(field_name="document_id", label=_("Văn bản"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Quá hạn"))

    class Meta:
        model = Cascade
        fields = ["status", "committee", "sender", "document", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Q(implementing_document__isnull=True, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)
