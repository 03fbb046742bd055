from django.urls import path

from .views import cascades, document, register

app_name = "documents"

urlpatterns = [
    path("", register.document_list, name="list"),
    path("committees/<int:committee_pk>/outgoing/", register.outgoing_register, name="outgoing"),
    path("committees/<int:committee_pk>/outgoing.xlsx", register.outgoing_register_xlsx, name="outgoing_xlsx"),
    path("committees/<int:committee_pk>/incoming/", register.incoming_register, name="incoming"),
    path("committees/<int:committee_pk>/incoming.xlsx", register.incoming_register_xlsx, name="incoming_xlsx"),
    path("incoming/new/", document.incoming_new, name="incoming_new"),
    path("incoming/<int:pk>/edit/", document.entry_edit, name="entry_edit"),
    path("incoming/<int:pk>/handle/", document.entry_handle, name="entry_handle"),
    path("<int:pk>/", document.document_detail, name="document"),
    path("<int:pk>/edit/", document.document_edit, name="document_edit"),
    path("<int:pk>/delete/", document.document_delete, name="document_delete"),
    path("<int:pk>/relations/", document.relation_add, name="relation_add"),
    path("<int:pk>/relations/<int:relation_pk>/delete/", document.relation_remove, name="relation_remove"),
    path("<int:pk>/files/", document.file_add, name="file_add"),
    path("<int:pk>/files/<int:file_pk>/", document.file_download, name="file"),
    path("<int:pk>/files/<int:file_pk>/delete/", document.file_remove, name="file_remove"),
    path("<int:pk>/cascade/", cascades.cascade_send, name="cascade"),
    path("<int:pk>/coverage/", cascades.coverage_page, name="coverage"),
    path("<int:pk>/coverage.xlsx", cascades.coverage_download, name="coverage_xlsx"),
    path("cascades/", cascades.cascade_list, name="cascades"),
    path("cascades/<int:pk>/", cascades.cascade_detail, name="cascade_detail"),
    path("cascades/<int:pk>/implement/", cascades.cascade_implement, name="cascade_implement"),
    path("cascades/<int:pk>/done/", cascades.cascade_done, name="cascade_done"),
]
