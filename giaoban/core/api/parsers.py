"""Request parsers of the API: bodies over the size limit are a 413, JSON nested too deep, holding text no
database stores (NUL, lone surrogates) or unreadable a 400 parse_error, never a server error."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from .exceptions import BodyTooLarge, default_message

# 32 MiB fits a 200,000-row figure import as JSON (about 90 bytes a row); settings.API_MAX_BODY_SIZE
# changes it.
DEFAULT_MAX_BODY_SIZE = 32 * 1024 * 1024
# Deep enough for any document the API accepts; far below Python's recursion limit, so neither the
# decoder nor anything walking the data later can overflow the stack.
MAX_JSON_DEPTH = 64


def max_body_size() -> int:
    return int(getattr(settings, "API_MAX_BODY_SIZE", DEFAULT_MAX_BODY_SIZE))


def read_body(stream, parser_context=None) -> bytes:
    """The whole request body, refused with a 413 (code too_large) when over the API's size limit.
    Django bounds the stream by Content-Length, so the declared length is checked before reading and
    the actual length after."""
    limit = max_body_size()
    request = (parser_context or {}).get("request")
    meta = getattr(request, "META", {}) if request is not None else {}
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyTooLarge(default_message("too_large", limit=f"{limit:,}"))
    if stream is None:
        return b""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise BodyTooLarge(default_message("too_large", limit=f"{limit:,}"))
    return data


def check_json(value) -> None:
    """Refuse parsed JSON nested deeper than MAX_JSON_DEPTH, or with text no database can store (a NUL
    character, half of a UTF-16 surrogate pair): a 400, not an error deep in a query. Walks without
    recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
            continue
        if isinstance(item, dict):
            for key in item:
                _check_text(key)
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(_too_deep())
        stack.extend((child, depth + 1) for child in children if isinstance(child, str | dict | list))


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise exceptions.ParseError(_("văn bản chứa ký tự NUL"))
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise exceptions.ParseError(_("văn bản chứa ký tự UTF-16 lẻ (surrogate)")) from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the size limit, a depth limit and a clean 400 for bytes that are not
    UTF-8 JSON (DRF's own lets a RecursionError through as a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = read_body(stream, parser_context)
        try:
            data = json.loads(raw, parse_constant=_reject_constant)
        except RecursionError:
            raise exceptions.ParseError(_too_deep()) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(str(exc)) from None
        check_json(data)
        return data


def _too_deep() -> str:
    return _("JSON lồng nhau quá %(n)d tầng") % {"n": MAX_JSON_DEPTH}


def _reject_constant(name: str):
    # NaN and Infinity are not JSON; DRF rejects them too (strict mode).
    raise ValueError(f"{name} is not valid JSON")
