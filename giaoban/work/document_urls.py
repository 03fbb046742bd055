"""Page routes of the meeting documents (included from giaoban/urls.py under "meetings/")."""

from django.urls import path

from . import views_documents

app_name = "work_documents"

urlpatterns = [
    path("<int:pk>/documents/<str:which>.<str:fmt>", views_documents.meeting_document, name="meeting_document"),
]
