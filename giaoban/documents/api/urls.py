"""Documents routes, registered on the /api/v1/ router by giaoban/api_urls.py.

`urlpatterns` go before the router's: the router would read "coverage.xlsx" as a format suffix.
"""

from django.urls import path

from . import cascades, views

ROUTES = [
    ("documents", views.DocumentViewSet, "document"),
    ("incoming", views.IncomingEntryViewSet, "incoming"),
    ("cascades", cascades.CascadeViewSet, "cascade"),
]

urlpatterns = [
    path("documents/<int:pk>/cascade/", cascades.SendView.as_view(), name="api-document-cascade"),
    path("documents/<int:pk>/coverage/", cascades.CoverageView.as_view(), name="api-document-coverage"),
    path("documents/<int:pk>/coverage.xlsx", cascades.CoverageXlsxView.as_view(), name="api-document-coverage-xlsx"),
]
