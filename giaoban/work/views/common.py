"""Helpers the work pages share: service errors as one message, safe `next` URLs, file downloads."""

from __future__ import annotations

import mimetypes
from datetime import date

from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from giaoban.core.errors import ServiceError

__all__ = ["error_text", "file_response", "parse_day", "safe_next"]


def error_text(exc: ServiceError) -> str:
    """The service's message followed by every row error it listed (an import-style rejection)."""
    details = [e.get("message", "") for e in exc.extra.get("errors", []) if e.get("message")]
    if not details:
        return exc.message
    return " ".join([exc.message, *dict.fromkeys(details)])


def safe_next(request, fallback: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}) and url.startswith("/"):
        return url
    return fallback


def parse_day(value: str | None, default: date | None = None) -> date:
    """An ISO or dd/mm/yyyy date from a query string; a bad one is the default (today)."""
    text = (value or "").strip()
    try:
        if "/" in text:
            d, m, y = (int(x) for x in text.split("/"))
            return date(y, m, d)
        return date.fromisoformat(text)
    except ValueError:
        return default or timezone.localdate()


def file_response(stored, name: str) -> FileResponse:
    """A stored file as a download (only ever called after the object was found through `visible_to`)."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=name or "file", content_type=content_type)
