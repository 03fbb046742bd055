from django.urls import path

from .views import audit, catalog, consolidated, dashboard, entry, imports, pickers, queue, rollups, status, xlsx

app_name = "reporting"

urlpatterns = [
    path("reports/", entry.my_reports, name="my_reports"),
    path("audit/", audit.audit, name="audit"),
    path("reports/queue/", queue.queue, name="queue"),
    path("reports/periods/picker/", pickers.period_picker_view, name="period_picker"),
    path("reports/rollup/", rollups.rollup_page, name="rollup"),
    path("reports/dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("reports/import/", imports.import_page, name="import"),
    path("reports/imports/<int:pk>/", imports.import_job, name="import_job"),
    path(
        "reports/consolidated/<int:committee_pk>/<str:period>/",
        consolidated.consolidated_report,
        name="consolidated",
    ),
    path("reports/consolidated/<int:committee_pk>/", consolidated.consolidated_pick, name="consolidated_pick"),
    path(
        "reports/consolidated/unit/<str:unit_code>/<str:period>/",
        consolidated.consolidated_for_unit,
        name="consolidated_for_unit",
    ),
    path(
        "reports/consolidated/<int:committee_pk>/<str:period>/<str:fmt>/",
        consolidated.consolidated_download,
        name="consolidated_download",
    ),
    # The catalog, before the report pages: "reports/indicators/X/edit/" must not read as unit/form/period.
    path("reports/indicators/", catalog.indicator_list, name="indicator_list"),
    path("reports/indicators/new/", catalog.indicator_new, name="indicator_new"),
    path("reports/indicators/<str:code>/", catalog.indicator_detail, name="indicator_detail"),
    path("reports/indicators/<str:code>/edit/", catalog.indicator_edit, name="indicator_edit"),
    path("reports/indicators/<str:code>/retire/", catalog.indicator_retire, name="indicator_retire"),
    path("reports/indicators/<str:code>/reactivate/", catalog.indicator_reactivate, name="indicator_reactivate"),
    path("reports/forms/", catalog.reportform_list, name="reportform_list"),
    path("reports/forms/new/", catalog.reportform_new, name="reportform_new"),
    path("reports/forms/<str:code>/", catalog.reportform_detail, name="reportform_detail"),
    path("reports/forms/<str:code>/edit/", catalog.reportform_edit, name="reportform_edit"),
    path("reports/forms/<str:code>/retire/", catalog.reportform_retire, name="reportform_retire"),
    path("reports/forms/<str:code>/reactivate/", catalog.reportform_reactivate, name="reportform_reactivate"),
    path("reports/<str:unit_code>/<str:form_code>/<str:period>/", entry.entry, name="entry"),
    path("reports/<str:unit_code>/<str:form_code>/<str:period>/status/", status.status, name="status"),
    path("submissions/<int:pk>/<str:name>/", status.transition, name="transition"),
]

urlpatterns += [
    path("reports/rollup.xlsx", xlsx.rollup_download, name="rollup_xlsx"),
    path(
        "reports/<str:unit_code>/<str:form_code>/<str:period>/template.xlsx",
        xlsx.template_download,
        name="xlsx_template",
    ),
    path("reports/<str:unit_code>/<str:form_code>/<str:period>/upload/", xlsx.upload, name="xlsx_upload"),
]
