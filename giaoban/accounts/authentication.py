"""`Authorization: Token <key>` for the API: the user's named tokens (models.ApiToken), refused once expired or
while the user is locked out (django-axes) from the address the request comes from; each use is recorded.

Changing a password or being locked out deletes the user's tokens (signals.py): whoever held one must get a new
one. A token is looked up by the digest of its key; keys made earlier by DRF's authtoken were moved
over with their digest, so they keep working until they expire.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.utils.translation import gettext as _
from django.utils.translation import gettext as drf_catalog
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiToken
from .services import api_token_touch, key_digest


class ExpiringTokenAuthentication(TokenAuthentication):
    model = ApiToken

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user").get(digest=key_digest(key))
        except ApiToken.DoesNotExist:
            # DRF's own wording, from DRF's catalog, as TokenAuthentication answers (the error handler puts
            # giaoban's message first and keeps this one in `extra.detail`).
            raise AuthenticationFailed(drf_catalog("Invalid token.")) from None
        if not token.user.is_active:
            raise AuthenticationFailed(drf_catalog("User inactive or deleted."))
        return token.user, token

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None:
            return None
        user, token = found
        if token.is_expired():
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
        api_token_touch(token=token)
        return user, token
