from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from giaoban.core import health
from giaoban.core import views as core_views
from giaoban.core.api import views as api_views

admin.site.site_header = "giaoban"

urlpatterns = [
    path("", core_views.home, name="home"),
    # For the load balancer: no login, no data (giaoban/core/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Sign-in with a second factor, the account page, API tokens (giaoban/accounts/urls.py).
    path("accounts/", include("giaoban.accounts.urls")),
    # Password change and reset by e-mail (Django's views; the names password_reset_confirm etc. are the contract).
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("giaoban.orgs.urls")),
    path("", include("giaoban.reporting.urls")),
    path("meetings/", include("giaoban.work.document_urls")),
    path("", include("giaoban.work.urls")),
    path("outreach/", include("giaoban.outreach.urls")),
    path("documents/", include("giaoban.documents.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("giaoban.api_urls")),
]

# Under /api/ these answer the JSON error body; elsewhere the site's pages (templates 400, 403, 404, 500.html).
handler400 = api_views.bad_request
handler403 = api_views.permission_denied
handler404 = api_views.not_found
handler500 = api_views.server_error
