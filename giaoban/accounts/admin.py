"""API tokens in the admin: a system admin sees who holds which (never a key) and can revoke one."""

from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created", "last_used"]
    list_filter = ["created"]
    search_fields = ["name", "user__username", "prefix"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "prefix", "created", "last_used"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # a token is made by its owner, who alone sees the key

    def has_change_permission(self, request, obj=None):
        return False
