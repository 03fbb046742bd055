"""The site's URLs plus pages that fail on purpose, to see the 403 and 500 pages."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from giaoban import urls as site


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("broken on purpose")


urlpatterns = [
    path("boom/403/", forbidden),
    path("boom/500/", broken),
    path("api/v1/boom/500/", broken),
    *site.urlpatterns,
]
handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
