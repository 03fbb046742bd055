from django.urls import path

from . import views, views_consolidated, views_imports, views_xlsx
from .views_dashboard import dashboard_page

app_name = "reporting"

urlpatterns = [
    path("reports/", views.my_reports, name="my_reports"),
    path("audit/", views.audit, name="audit"),
    path("reports/rollup/", views.rollup_page, name="rollup"),
    path("reports/dashboard/", dashboard_page, name="dashboard"),
    path("reports/import/", views_imports.import_page, name="import"),
    path("reports/imports/<int:pk>/", views_imports.import_job, name="import_job"),
    path(
        "reports/consolidated/<int:committee_pk>/<str:period>/",
        views_consolidated.consolidated_report,
        name="consolidated",
    ),
    path("reports/consolidated/<int:committee_pk>/", views_consolidated.consolidated_pick, name="consolidated_pick"),
    path(
        "reports/consolidated/unit/<str:unit_code>/<str:period>/",
        views_consolidated.consolidated_for_unit,
        name="consolidated_for_unit",
    ),
    path(
        "reports/consolidated/<int:committee_pk>/<str:period>/<str:fmt>/",
        views_consolidated.consolidated_download,
        name="consolidated_download",
    ),
    path("reports/<str:unit_code>/<str:form_code>/<str:period>/", views.entry, name="entry"),
    path("reports/<str:unit_code>/<str:form_code>/<str:period>/status/", views.status, name="status"),
    path("submissions/<int:pk>/<str:name>/", views.transition, name="transition"),
]

urlpatterns += [
    path("reports/rollup.xlsx", views_xlsx.rollup_download, name="rollup_xlsx"),
    path(
        "reports/<str:unit_code>/<str:form_code>/<str:period>/template.xlsx",
        views_xlsx.template_download,
        name="xlsx_template",
    ),
    path("reports/<str:unit_code>/<str:form_code>/<str:period>/upload/", views_xlsx.upload, name="xlsx_upload"),
]
