"""Every API error answers {"message": str, "extra": {...}} with a 4xx status."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from giaoban.core.errors import ServiceError


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            text = _flatten(value)
            return text if key in ("non_field_errors", "detail") else f"{key}: {text}"
        return ""
    if isinstance(detail, list):
        return _flatten(detail[0]) if detail else ""
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return Response({"message": exc.message, "extra": exc.extra}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        return Response({"message": _("Không tìm thấy (not found)."), "extra": {}}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        message = _("Dữ liệu không hợp lệ (invalid input): %(m)s") % {"m": _flatten(exc.detail)}
        extra = {"fields": exc.detail}
    else:
        message = _flatten(exc.detail) if hasattr(exc, "detail") else str(exc)
        extra = {}
    response.data = {"message": message, "extra": extra}
    return response


ErrorSerializer = inline_serializer(
    name="Error", fields={"message": serializers.CharField(), "extra": serializers.DictField()}
)
ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input; `extra` says which and why."),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    404: OpenApiResponse(ErrorSerializer, description="Not found or outside your units."),
}
