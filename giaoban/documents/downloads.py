"""A document's stored file as a download. Only ever called with a file of a document found through
`Document.objects.visible_to` (pages and API alike), so nothing is served outside the user's scope."""

from __future__ import annotations

from django.http import FileResponse, Http404

from .models import DocumentFile

__all__ = ["document_file_response"]


def document_file_response(stored: DocumentFile) -> FileResponse:
    """The file as an attachment, with the content type read from its content at upload (never the name's)."""
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, ValueError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.name or "file",
        content_type=stored.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response
