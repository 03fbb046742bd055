from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, Committee, Decision, Membership, OrgUnit, Succession, UserRole


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "subtype", "valid_from", "valid_to"]
    list_filter = ["kind", "subtype"]
    search_fields = ["code", "name", "name_folded"]
    readonly_fields = ["path", "depth", "numchild", "parent", "code"]
    exclude = ["name_folded", "sort_key"]

    def has_add_permission(self, request):
        return False  # units are created by import or `giaoban orgunits`, which compute the tree path


@admin.register(Succession)
class SuccessionAdmin(SimpleHistoryAdmin):
    list_display = ["predecessor", "successor", "date", "kind", "share"]
    raw_id_fields = ["predecessor", "successor"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "committee"
    extra = 0
    raw_id_fields = ["agency", "appointed_by", "ended_by"]


@admin.register(Committee)
class CommitteeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "org_unit", "standing_agency"]
    raw_id_fields = ["org_unit", "standing_agency"]
    inlines = [MembershipInline]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "org_unit", "is_state_body"]
    raw_id_fields = ["org_unit"]
    search_fields = ["name"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "date", "kind", "committee"]


@admin.register(UserRole)
class UserRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "org_unit"]
    list_filter = ["role"]
    raw_id_fields = ["user", "org_unit"]
