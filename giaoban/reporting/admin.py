"""Read-mostly admin: figures and statuses change only through the services, which keep the aggregates."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Indicator, ReportForm, Submission


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_vi", "value_type", "aggregation", "time_aggregation", "required"]
    search_fields = ["code", "name_vi", "name_en"]

    def has_change_permission(self, request, obj=None):
        return False  # through the API or services, which validate and keep history

    def has_add_permission(self, request):
        return False


@admin.register(ReportForm)
class ReportFormAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "period_type", "scheme", "deadline_working_days", "active_from"]

    def has_change_permission(self, request, obj=None):
        return False  # a change of indicators must make a new version: through the API or services

    def has_add_permission(self, request):
        return False


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = ["form", "period", "unit", "status", "submitted_at", "deadline"]
    list_filter = ["status", "form"]
    search_fields = ["unit__code", "unit__name", "period"]
    raw_id_fields = ["unit"]

    def has_change_permission(self, request, obj=None):
        return False  # status changes maintain the aggregates: only the services may make them

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
