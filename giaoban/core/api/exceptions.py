"""The API's own exceptions and the default message of each error code; light enough for DRF's settings
to import (parsers, authentication) without pulling in the views."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, status

# The code an error answers when nothing more precise is known, by HTTP status.
STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
}


class CsrfFailed(exceptions.PermissionDenied):
    """A session-authenticated write without a valid CSRF token (token clients never need one)."""

    default_code = "csrf_failed"


class BodyTooLarge(exceptions.APIException):
    """A request body over the API's size limit, refused before it is read."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "Request body too large."


def default_message(code: str, **params) -> str:
    """The message for an error that carries no more precise one of its own, in the active language."""
    messages = {
        "invalid": lambda: _("Dữ liệu không hợp lệ."),
        "not_found": lambda: _("Không tìm thấy (not found)."),
        "not_authenticated": lambda: _("Chưa đăng nhập: cần token hoặc phiên đăng nhập."),
        "authentication_failed": lambda: _("Token hoặc phiên đăng nhập không hợp lệ."),
        "permission_denied": lambda: _("Bạn không có quyền thực hiện thao tác này."),
        "csrf_failed": lambda: _("Thiếu hoặc sai mã CSRF; dùng token, hoặc gửi kèm mã CSRF của phiên đăng nhập."),
        "method_not_allowed": lambda: _("Phương thức %(method)s không dùng được ở địa chỉ này.") % params,
        "not_acceptable": lambda: _("Không trả được định dạng mà tiêu đề Accept yêu cầu."),
        "unsupported_media_type": lambda: _("Không nhận kiểu nội dung %(media_type)s ở địa chỉ này.") % params,
        "parse_error": lambda: _("Nội dung yêu cầu không đọc được: %(detail)s") % params,
        "too_large": lambda: (
            _("Nội dung yêu cầu quá lớn (tối đa %(limit)s byte).") % params
            if "limit" in params
            else _("Nội dung yêu cầu quá lớn.")
        ),
        "throttled": lambda: _("Quá nhiều yêu cầu; xin thử lại sau."),
        "server_error": lambda: _("Lỗi máy chủ; sự cố đã được ghi lại, xin thử lại sau."),
    }
    make = messages.get(code)
    try:
        return make() if make else _("Yêu cầu không thực hiện được.")
    except KeyError:  # a placeholder the caller did not pass
        return _("Yêu cầu không thực hiện được.")
