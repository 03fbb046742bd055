"""Filters of the register: one FilterSet for documents and one for incoming entries, for the pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Document, DocumentType, IncomingEntry

__all__ = ["DocumentFilter", "IncomingEntryFilter"]


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Tìm kiếm"), max_length=200)
    type = django_filters.ChoiceFilter(choices=DocumentType.choices, label=_("Loại văn bản"))
    issuer = django_filters.CharFilter(field_name="issuer", lookup_expr="icontains", label=_("Cơ quan ban hành"))
    year = django_filters.NumberFilter(field_name="year", label=_("Năm"), min_value=1900, max_value=2999)
    direction = django_filters.ChoiceFilter(choices=Document.Direction.choices, label=_("Chiều"))
    committee = django_filters.NumberFilter(field_name="committee_id", label=_("Ban Chỉ đạo"), min_value=1)
    shelf = django_filters.BooleanFilter(
        field_name="committee", lookup_expr="isnull", label=_("Văn bản cấp trên dùng chung")
    )

    class Meta:
        model = Document
        fields = ["q", "type", "issuer", "year", "direction", "committee", "shelf"]

    def filter_queryset(self, queryset):
        # The search ranks its matches; it runs last so no other filter's ordering undoes that.
        queryset = super().filter_queryset(queryset)
        query = self.form.cleaned_data.get("q")
        return selectors.documents_search(queryset, query) if query else queryset

    def filter_q(self, queryset, name, value):
        return queryset  # applied in filter_queryset


class IncomingEntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Tìm kiếm"), max_length=200)
    committee = django_filters.NumberFilter(field_name="committee_id", label=_("Ban Chỉ đạo"), min_value=1)
    year = django_filters.NumberFilter(field_name="year", label=_("Năm"), min_value=1900, max_value=2999)
    type = django_filters.ChoiceFilter(field_name="document__type", choices=DocumentType.choices, label=_("Loại"))

    class Meta:
        model = IncomingEntry
        fields = ["q", "committee", "year", "type"]

    def filter_q(self, queryset, name, value):
        return selectors.entries_search(queryset, value)
