"""The meeting's documents as downloads from the pages: /meetings/<id>/documents/<which>.<fmt>."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from giaoban.core.errors import ServiceError

from . import documents, selectors


@login_required
def meeting_document(request, pk: int, which: str, fmt: str):
    """The invitation, minutes or conclusion notice of a meeting the user can see, as .docx or .pdf."""
    if which not in documents.WHICH or fmt not in documents.FORMATS:
        raise Http404
    meeting = selectors.document_meeting(request.user, pk)
    if meeting is None or (which == "conclusion" and not selectors.has_visible_conclusion(request.user, meeting)):
        raise Http404
    try:
        return documents.file_response(meeting, which, fmt)
    except ServiceError as exc:  # no LibreOffice for the .pdf
        messages.error(request, exc.message)
        back = request.headers.get("referer", "")
        safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
        return redirect(back if safe else "/")
