"""API authentication: tokens that expire, and that a password change or a lockout revokes; and session
authentication whose CSRF failure answers the documented JSON (code csrf_failed).

DRF's Token keeps `created`: a token older than settings.API_TOKEN_TTL_DAYS (env, default 30) answers 401
with a clear message, and so does any token while its user is locked out (django-axes) from the address the
request comes from. Changing a password or being locked out deletes the user's tokens: whoever held one must
log in again. Both are signals because passwords change in many places (admin, the password pages,
`giaoban changepassword`) and the lockout is decided inside django-axes.
"""

from __future__ import annotations

from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from .exceptions import CsrfFailed


def token_ttl() -> timedelta:
    return timedelta(days=settings.API_TOKEN_TTL_DAYS)


def token_expired(token: Token, now=None) -> bool:
    return token.created + token_ttl() <= (now or timezone.now())


def token_for(user) -> Token:
    """The user's token, a new one if they had none or theirs has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


def revoke_tokens(user_or_username) -> int:
    """Delete the tokens of a user (or of the user with that username); the number deleted."""
    if isinstance(user_or_username, str):
        field = get_user_model().USERNAME_FIELD
        tokens = Token.objects.filter(**{f"user__{field}": user_or_username})
    else:
        tokens = Token.objects.filter(user=user_or_username)
    return tokens.delete()[0]


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused once expired or while the user is locked out."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None:
            return None
        user, token = found
        if token_expired(token):
            raise AuthenticationFailed(
                _(
                    "Mã truy cập API đã hết hạn; hãy lấy mã mới tại /api/v1/auth/token/ "
                    "(the API token has expired: get a new one from /api/v1/auth/token/)."
                ),
                code="token_expired",
            )
        if AxesProxyHandler.is_locked(request._request, {"username": user.get_username()}):
            raise AuthenticationFailed(
                _("Tài khoản đang bị tạm khóa do đăng nhập sai nhiều lần (the account is locked out for now)."),
                code="locked_out",
            )
        return user, token


def revoke_on_password_change(sender, instance, created=False, **kwargs) -> None:
    # set_password() keeps the raw password on the instance until save() has run (Django's own
    # password_changed hook reads it the same way).
    if not created and getattr(instance, "_password", None) is not None:
        revoke_tokens(instance)


def revoke_on_lockout(sender, username=None, **kwargs) -> None:
    if username:
        revoke_tokens(username)


def connect_signals() -> None:
    from axes.signals import user_locked_out
    from django.db.models.signals import post_save

    post_save.connect(revoke_on_password_change, sender=settings.AUTH_USER_MODEL, dispatch_uid="giaoban-token-pw")
    user_locked_out.connect(revoke_on_lockout, dispatch_uid="giaoban-token-lockout")


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise CsrfFailed() from exc


class SessionScheme(OpenApiAuthenticationExtension):
    """The schema's description of the session authentication above: DRF's cookie session."""

    target_class = "giaoban.core.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
