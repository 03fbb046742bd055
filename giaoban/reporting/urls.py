from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("reports/", views.my_reports, name="my_reports"),
    path("reports/rollup/", views.rollup_page, name="rollup"),
    path("reports/<str:unit_code>/<str:form_code>/<str:period>/", views.entry, name="entry"),
    path("reports/<str:unit_code>/<str:form_code>/<str:period>/status/", views.status, name="status"),
    path("submissions/<int:pk>/<str:name>/", views.transition, name="transition"),
]
