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


def json_depth(value) -> int:
    """How deeply lists and objects nest in parsed JSON, level by level (no recursion)."""
    depth, level = 0, [value] if isinstance(value, dict | list) else []
    while level:
        depth += 1
        if depth > MAX_JSON_DEPTH:
            return depth  # deep enough to refuse; no need to walk on
        below = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        level = below
    return depth


def texts(value):
    """Every string in parsed JSON, keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from item.keys()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def check_json(raw: str, data) -> None:
    """Refuse parsed JSON nested deeper than MAX_JSON_DEPTH, or with text no database stores (a NUL
    character, half of a UTF-16 surrogate pair): a 400 here, not an error deep in a query. Such text
    can only come from \\u escapes (JSON forbids raw control characters and UTF-8 has no surrogates),
    so the strings are walked only when the raw body holds one."""
    if json_depth(data) > MAX_JSON_DEPTH:
        raise exceptions.ParseError(_("JSON lồng nhau quá %(n)d tầng") % {"n": MAX_JSON_DEPTH})
    if "\\u0000" in raw and any("\x00" in text for text in texts(data)):
        raise exceptions.ParseError(_("văn bản chứa ký tự NUL"))
    if ("\\ud" in raw or "\\uD" in raw) and any(not _encodable(text) for text in texts(data)):
        raise exceptions.ParseError(_("văn bản chứa ký tự UTF-16 lẻ (surrogate)"))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the size limit, a depth limit and a clean 400 for bytes that are not
    UTF-8 JSON (DRF's own lets a RecursionError through as a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            raw = read_body(stream, parser_context).decode("utf-8")  # JSON is UTF-8 (RFC 8259), as in DRF
            data = json.loads(raw, parse_constant=_reject_constant)
        except RecursionError:
            raise exceptions.ParseError(_("JSON lồng nhau quá %(n)d tầng") % {"n": MAX_JSON_DEPTH}) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(str(exc)) from None
        check_json(raw, data)
        return data


def _reject_constant(name: str):
    # NaN and Infinity are not JSON; DRF rejects them too (strict mode).
    raise ValueError(f"{name} is not valid JSON")


class CSVParser(parsers.BaseParser):
    """A text/csv body, handed to the import service as bytes, under the same size limit as JSON."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return read_body(stream, parser_context)
