"""Reporting routes, registered on the /api/v1/ router by giaoban/api_urls.py."""

from django.urls import path

from . import consolidated, imports, views, xlsx

ROUTES = [
    ("indicators", views.IndicatorViewSet, "indicator"),
    ("forms", views.ReportFormViewSet, "reportform"),
    ("submissions", views.SubmissionViewSet, "submission"),
    ("audit", views.AuditViewSet, "audit"),
]

urlpatterns = [
    path("periods/<str:pid>/", views.PeriodView.as_view(), name="api-period"),
    path("datavalues/", imports.DataValueImportView.as_view(), name="api-datavalues"),
    path("imports/<int:pk>/", imports.ImportJobView.as_view(), name="api-import-job"),
    path("rollup/", views.RollupView.as_view(), name="api-rollup"),
    path("rollup.xlsx", xlsx.RollupXlsxView.as_view(), name="api-rollup-xlsx"),
    path("templates/", xlsx.XlsxTemplateView.as_view(), name="api-xlsx-template"),
    path("templates/upload/", xlsx.XlsxUploadView.as_view(), name="api-xlsx-upload"),
    path("reports/consolidated/", consolidated.ConsolidatedReportView.as_view(), name="api-consolidated"),
    path("reports/consolidated/issue/", consolidated.ConsolidatedIssueView.as_view(), name="api-consolidated-issue"),
]
