"""Reporting routes, registered on the /api/v1/ router by giaoban/api_urls.py."""

from django.urls import path

from . import views

ROUTES = [
    ("indicators", views.IndicatorViewSet, "indicator"),
    ("forms", views.ReportFormViewSet, "reportform"),
    ("submissions", views.SubmissionViewSet, "submission"),
]

urlpatterns = [
    path("periods/<str:pid>/", views.PeriodView.as_view(), name="api-period"),
    path("datavalues/", views.DataValueImportView.as_view(), name="api-datavalues"),
    path("rollup/", views.RollupView.as_view(), name="api-rollup"),
]
