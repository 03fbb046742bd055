"""The meeting's documents as files over the API: `?format=docx|pdf` on …/invitation/, …/minutes/ and
…/conclusion/. The functions take a meeting the caller already looked up through `visible_to`, so the meetings
API (its own routes) and the thin routes of document_urls.py share them."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from giaoban.core.api.errors import ERROR_RESPONSES, error_response

from .. import documents, selectors
from ..models import Meeting

__all__ = [
    "FileFormatNegotiation",
    "InvitationFileView",
    "conclusion_file",
    "invitation_file",
    "minutes_file",
]


def _bad_format(fmt: str | None) -> JsonResponse:
    return error_response(
        400,
        "invalid",
        _("Định dạng không hỗ trợ: %(f)s (unsupported format; use docx or pdf)") % {"f": fmt or ""},
        {"format": fmt or "", "allowed": list(documents.FORMATS)},
    )


def _file(request, meeting: Meeting, which: str):
    """The document file, or 400 JSON for a format other than docx/pdf (a missing LibreOffice raises
    ServiceError, which the API answers as 400 JSON)."""
    fmt = request.GET.get("format")
    if fmt not in documents.FORMATS:
        return _bad_format(fmt)
    return documents.file_response(meeting, which, fmt)


def invitation_file(request, meeting: Meeting):
    """The invitation (giấy mời) of a visible meeting as .docx or .pdf."""
    return _file(request, meeting, "invitation")


def minutes_file(request, meeting: Meeting):
    """The minutes (biên bản) of a visible meeting as .docx or .pdf."""
    return _file(request, meeting, "minutes")


def conclusion_file(request, meeting: Meeting):
    """The conclusion notice of a visible meeting as .docx or .pdf; 404 while the meeting has none (or the
    user may not read it)."""
    if not selectors.has_visible_conclusion(request.user, meeting):
        raise Http404
    return _file(request, meeting, "conclusion")


_PARAMS = [OpenApiParameter("format", str, enum=list(documents.FORMATS), required=True)]
_RESPONSES = {**{(200, mime): OpenApiTypes.BINARY for mime in documents.FORMATS.values()}, **ERROR_RESPONSES}


class FileFormatNegotiation:
    """For a view whose `?format=` may ask for a document: any format but JSON's is the view's business (a
    file, or its 400 naming the format), not one of DRF's renderers."""

    def perform_content_negotiation(self, request, force=False):
        if request.query_params.get("format") not in (None, "", "json", "api"):
            return (JSONRenderer(), JSONRenderer.media_type)
        return super().perform_content_negotiation(request, force)


class InvitationFileView(FileFormatNegotiation, APIView):
    """GET only: the invitation of a meeting seen through Meeting.objects.visible_to (out of scope: 404). The
    minutes and the notice as files come from the meeting's own routes (work.api.views), through the
    functions above."""

    http_method_names = ["get", "head", "options"]

    @extend_schema(parameters=_PARAMS, responses=_RESPONSES, description="The invitation (giấy mời) as a file.")
    def get(self, request, pk: int):
        meeting = selectors.document_meeting(request.user, pk)
        if meeting is None:
            raise Http404
        return invitation_file(request, meeting)
