"""The error views Django calls (404, 400, 403, 500, CSRF failure, login lockout): JSON under /api/, the site's
pages elsewhere."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import csrf, defaults

from .errors import error_response

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


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
