"""The invitation as a file (included from giaoban/api_urls.py under /api/v1/). The minutes and the conclusion
notice as files are answered by the meeting's own `minutes/` and `conclusion/` routes (work.api.views) when
`?format=docx|pdf` is given; they hand over to the same functions of documents.py."""

from django.urls import path

from . import documents

urlpatterns = [
    path("meetings/<int:pk>/invitation/", documents.InvitationFileView.as_view(), name="api-meeting-invitation"),
]
