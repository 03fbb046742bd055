from django.urls import path

from .views import cascades

app_name = "documents"

urlpatterns = [
    path("<int:pk>/cascade/", cascades.cascade_send, name="cascade"),
    path("<int:pk>/coverage/", cascades.coverage_page, name="coverage"),
    path("<int:pk>/coverage.xlsx", cascades.coverage_download, name="coverage_xlsx"),
    path("cascades/", cascades.cascade_list, name="cascades"),
    path("cascades/<int:pk>/", cascades.cascade_detail, name="cascade_detail"),
    path("cascades/<int:pk>/implement/", cascades.cascade_implement, name="cascade_implement"),
    path("cascades/<int:pk>/done/", cascades.cascade_done, name="cascade_done"),
]
