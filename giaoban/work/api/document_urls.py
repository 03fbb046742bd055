"""GET routes of the meeting documents as files (included from giaoban/api_urls.py under /api/v1/)."""

from django.urls import path

from . import documents

urlpatterns = [
    path("meetings/<int:pk>/invitation/", documents.InvitationFileView.as_view(), name="api-meeting-invitation"),
    path("meetings/<int:pk>/minutes/", documents.MinutesFileView.as_view(), name="api-meeting-minutes"),
    path("meetings/<int:pk>/conclusion/", documents.ConclusionFileView.as_view(), name="api-meeting-conclusion"),
]
