"""The meeting's documents as downloads from the pages: /meetings/<id>/documents/<which>.<fmt>."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from giaoban.core.access import Action
from giaoban.core.errors import ServiceError

from . import documents
from .models import Conclusion, Meeting


@login_required
def meeting_document(request, pk: int, which: str, fmt: str):
    """The invitation, minutes or conclusion notice of a meeting the user can see, as .docx or .pdf."""
    if which not in documents.WHICH or fmt not in documents.FORMATS:
        raise Http404
    meeting = (
        Meeting.objects.visible_to(request.user, Action.VIEW)
        .select_related("committee__org_unit", "committee__standing_agency", "chair", "secretary")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    if which == "conclusion" and not (
        Conclusion.objects.visible_to(request.user, Action.VIEW).filter(meeting=meeting).exists()
    ):
        raise Http404
    try:
        data = documents.render(meeting, which, fmt)
    except ServiceError as exc:  # no LibreOffice for the .pdf
        messages.error(request, exc.message)
        back = request.headers.get("referer", "")
        safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
        return redirect(back if safe else "/")
    response = HttpResponse(data, content_type=documents.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(meeting, which, fmt)}"'
    return response
