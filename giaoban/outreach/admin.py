"""Admin: where a system admin maps report indicators to what units record here; the rest is read-mostly."""

from django.contrib import admin

from .models import Channel, Contest, IndicatorSource, Training


@admin.register(IndicatorSource)
class IndicatorSourceAdmin(admin.ModelAdmin):
    list_display = ["indicator", "kind", "metric", "platform", "channel_name"]
    list_filter = ["kind", "platform"]
    autocomplete_fields = ["indicator"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "platform", "org_unit", "status", "since"]
    list_filter = ["platform", "status"]
    search_fields = ["name", "org_unit__name"]
    raw_id_fields = ["org_unit", "committee"]


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ["name", "org_unit", "starts_on", "ends_on"]
    raw_id_fields = ["org_unit", "committee"]


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ["title", "org_unit", "starts_on", "sessions"]
    raw_id_fields = ["org_unit", "committee"]
