"""Django admin is for system administrators only; everyone else works in the app's pages."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig

from giaoban.core.access import is_system_admin


class GiaobanAdminSite(AdminSite):
    site_header = "giaoban"
    site_title = "giaoban"

    def has_permission(self, request):
        return bool(request.user.is_active and request.user.is_staff and is_system_admin(request.user))


class GiaobanAdminConfig(AdminConfig):
    default_site = "giaoban.core.admin_site.GiaobanAdminSite"
