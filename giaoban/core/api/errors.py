"""Every API error answers {"message": str, "code": str, "extra": {...}}: `message` for a person, in the
language the request asked for; `code` a stable machine string; `extra` details (`fields`, `errors`)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from giaoban.core.errors import ServiceError

from .exceptions import STATUS_CODES, BodyTooLarge, CsrfFailed, default_message

logger = logging.getLogger(__name__)


def error_body(message: str, code: str, extra: dict | None = None) -> dict:
    return {"message": str(message), "code": code, "extra": extra or {}}


def error_response(status_code: int, code: str | None = None, message: str | None = None, extra=None) -> JsonResponse:
    """The JSON error for a plain Django view or handler (404, 500, CSRF failure) under /api/."""
    code = code or STATUS_CODES.get(status_code, "invalid")
    return JsonResponse(error_body(message or default_message(code), code, extra), status=status_code)


def service_error_code(exc: ServiceError) -> str:
    # A subclass that answers another status per raise (an upload refused as too large, or conflicting)
    # keeps its class code only when the status is the class's own.
    if "code" in vars(exc) or exc.status == type(exc).status:
        return exc.code
    return STATUS_CODES.get(exc.status, exc.code)


def flatten(detail) -> str:
    """The first message of a DRF error detail (nested dicts and lists), prefixed by its field."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            text = flatten(value)
            return text if key in ("non_field_errors", "detail") else f"{key}: {text}"
        return ""
    if isinstance(detail, list):
        return flatten(detail[0]) if detail else ""
    return str(detail)


# Errors only DRF raises here, whose wording is DRF's: answered with giaoban's message for the code.
OWN_MESSAGE = {"not_found", "not_authenticated", "authentication_failed", "not_acceptable"}


def _api_exception_body(exc: exceptions.APIException, request) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        message = _("Dữ liệu không hợp lệ (invalid input): %(m)s") % {"m": flatten(exc.detail)}
        return error_body(message, "invalid", {"fields": exc.detail})
    detail = exc.detail if isinstance(exc.detail, str) else flatten(exc.detail)
    code = getattr(exc.detail, "code", None) or exc.default_code
    if isinstance(exc, CsrfFailed):
        return error_body(default_message("csrf_failed"), "csrf_failed")
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = getattr(request, "method", "")
        return error_body(default_message("method_not_allowed", method=method), "method_not_allowed")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        media_type = getattr(request, "content_type", "") or "?"
        return error_body(default_message("unsupported_media_type", media_type=media_type), "unsupported_media_type")
    if isinstance(exc, exceptions.ParseError):
        return error_body(default_message("parse_error", detail=detail), "parse_error")
    if isinstance(exc, exceptions.Throttled):
        return error_body(default_message("throttled"), "throttled", {"wait": exc.wait})
    if isinstance(exc, BodyTooLarge):
        return error_body(detail, "too_large")
    if code in OWN_MESSAGE or str(detail) == str(exc.default_detail):
        # DRF's own wording (English, or Vietnamese for only a few): ours, in the request's language,
        # with DRF's kept beside it when it says more ("Invalid page.", "Invalid token.").
        extra = {} if str(detail) == str(exc.default_detail) else {"detail": str(detail)}
        return error_body(default_message(code), code, extra)
    return error_body(detail, code)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error a view raises becomes the documented JSON body, rendered as
    JSON whatever the view renders otherwise (the docs page, the YAML schema). An unexpected exception
    returns None, so Django logs it and its 500 handler answers (JSON under /api/)."""
    response = _handle(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
    return response


def _handle(exc, context):
    if isinstance(exc, ServiceError):
        return Response(error_body(exc.message, service_error_code(exc), exc.extra), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, DataError | UnicodeEncodeError):
        # The database refused a value (a NUL character, a number or text too large for its column):
        # bad input that got past validation; services run in atomic blocks, so nothing was written.
        logger.warning("API input refused by the database: %s", exc)
        return Response(
            error_body(_("Dữ liệu không lưu được: giá trị quá lớn, quá dài hoặc chứa ký tự không hợp lệ."), "invalid"),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        return Response(error_body(default_message("not_found"), "not_found"), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)  # sets WWW-Authenticate and Retry-After
    if response is None:
        return None
    response.data = _api_exception_body(exc, context.get("request"))
    return response


ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "message": serializers.CharField(help_text="For a person, in the language of Accept-Language."),
        "code": serializers.CharField(help_text="Stable machine-readable reason: invalid, not_found, conflict, …"),
        "extra": serializers.DictField(help_text="Details: `fields` (bad fields), `errors` (bad rows)."),
    },
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


ERROR_RESPONSES = {
    400: _error("Bad input; `extra` says which and why (`code`: invalid, parse_error, import_rejected)."),
    401: _error("Not authenticated (`code`: not_authenticated, authentication_failed)."),
    403: _error("Your role does not allow it (`code`: permission_denied, csrf_failed)."),
    404: _error("Not found or outside your units (`code`: not_found)."),
    405: _error("Method not allowed here (`code`: method_not_allowed)."),
    406: _error("The Accept header asks for a format not served here (`code`: not_acceptable)."),
    413: _error("Body, file or batch over the limit (`code`: too_large)."),
    415: _error("Content-Type not accepted here (`code`: unsupported_media_type)."),
    500: _error("Server error, logged (`code`: server_error)."),
}
