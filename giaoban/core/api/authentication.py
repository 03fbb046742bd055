"""API session authentication whose CSRF failure answers the documented JSON (code csrf_failed). Token
authentication is giaoban.accounts.authentication (the tokens are the accounts app's)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .exceptions import CsrfFailed


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
