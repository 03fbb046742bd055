"""Two-factor sign-in, required by role (settings.TWO_FACTOR_REQUIRED_ROLES).

A signed-in user whose role requires it and whose session has not passed a second factor may use only the pages
that get them there: sign-in and sign-out, the authenticator-app setup, the language switch, static files and
/healthz. Without an app yet, they are sent to set one up; with one (a session opened some other way), they
sign in again. Under /api/ a request made with a token is not concerned (tokens are issued to users who passed
the second factor, or whose role does not require it); one made with the session answers 403
`two_factor_required`.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors

API_PREFIX = "/api/"


@cache
def exempt_paths() -> tuple[str, ...]:
    """Path prefixes a user may reach before the second factor."""
    names = ["login", "logout", "two_factor:setup", "two_factor:qr", "set_language", "healthz", "api-token"]
    return (*(reverse(n) for n in names), "/" + settings.STATIC_URL.lstrip("/"))


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path_info.startswith(exempt_paths())
            and selectors.two_factor_required(user)
        ):
            return self.refuse(request, user)
        return self.get_response(request)

    def refuse(self, request, user):
        if request.path_info.startswith(API_PREFIX):
            if request.META.get("HTTP_AUTHORIZATION", "").lower().split()[:1] == ["token"]:
                # Token authentication: DRF then never falls back to the session (a bad token is a 401). Any
                # other scheme would let the session through, so it is held up like no header at all.
                return self.get_response(request)
            from giaoban.core.api.errors import error_response

            return error_response(
                403,
                "two_factor_required",
                _("Vai trò của bạn cần xác thực hai bước: hãy hoàn tất đăng nhập trên trang web, hoặc dùng token."),
            )
        if selectors.has_two_factor(user):
            logout(request)
            return redirect_to_login(request.get_full_path())
        setup = reverse("two_factor:setup")
        return redirect(f"{setup}?{urlencode({'next': request.get_full_path()})}")
