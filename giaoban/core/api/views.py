"""POST /api/v1/auth/token/ {username, password} -> {token, expires}; failures count towards the lockout. And
the error views Django calls for /api/ addresses (404, 400, 403, 500, CSRF failure, login lockout), which answer
JSON."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import csrf, defaults
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from giaoban.core.errors import ServiceError

from .authentication import token_for, token_ttl
from .errors import ERROR_RESPONSES, error_response

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class ObtainTokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Going through authenticate() with the request lets django-axes count and lock out failures.
        user = authenticate(request._request, **data.validated_data)
        if user is None or not user.is_active:
            raise ServiceError(
                _("Sai tên đăng nhập hoặc mật khẩu (wrong username or password)."), code="invalid_credentials"
            )
        token = token_for(user)
        return Response({"token": token.key, "expires": token.created + token_ttl()})


# Django's handlers (giaoban/urls.py): JSON under /api/, Django's pages elsewhere.


def not_found(request, exception=None):
    if is_api(request):
        return error_response(404, "not_found")
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    if is_api(request):
        if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
            return error_response(413, "too_large")
        return error_response(400, "invalid")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if is_api(request):
        return error_response(403, "permission_denied")
    return defaults.permission_denied(request, exception)


def server_error(request):
    if is_api(request):
        return error_response(500, "server_error")
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a JSON 403 under /api/, Django's page elsewhere."""
    if is_api(request):
        return error_response(403, "csrf_failed")
    return csrf.csrf_failure(request, reason)


def lockout(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a locked-out login answers 429; under /api/ as the JSON error (code
    locked_out), elsewhere as the lockout page."""
    if is_api(request):
        return error_response(
            429,
            "locked_out",
            _("Đăng nhập sai quá nhiều lần. Tài khoản tạm khóa 30 phút; xin thử lại sau hoặc liên hệ quản trị."),
        )
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
