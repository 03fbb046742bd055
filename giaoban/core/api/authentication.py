"""Session authentication for the API whose CSRF failure answers the documented JSON (code csrf_failed)."""

from rest_framework import authentication, exceptions

from .exceptions import CsrfFailed


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise CsrfFailed() from exc
