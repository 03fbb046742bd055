"""API of the accounts app.

POST /api/v1/auth/token/ {username, password[, otp_token][, name]} -> {token, expires, id}: a new token. Password
failures count towards the login lockout (django-axes). A user with an authenticator app must send one of its
codes (or a recovery code); a user whose role requires two-factor sign-in and who has not set it up gets none.

GET /api/v1/tokens/, GET and DELETE /api/v1/tokens/{id}/: the caller's own tokens, listed and revoked. Anyone
else's token is a 404, whoever asks.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from giaoban.core.api.errors import ERROR_RESPONSES
from giaoban.core.errors import Forbidden, ServiceError

from .. import selectors, services
from .serializers import ApiTokenSerializer, NewTokenSerializer, TokenRequestSerializer

__all__ = ["ApiTokenViewSet", "ObtainTokenView"]


class ObtainTokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenRequestSerializer, responses={200: NewTokenSerializer, **ERROR_RESPONSES})
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # Going through authenticate() with the request lets django-axes count and lock out failures.
        user = authenticate(request._request, username=values["username"], password=values["password"])
        if user is None or not user.is_active:
            raise ServiceError(
                _("Sai tên đăng nhập hoặc mật khẩu (wrong username or password)."), code="invalid_credentials"
            )
        if selectors.has_two_factor(user):
            if not values.get("otp_token"):
                raise ServiceError(
                    _("Cần mã xác thực hai bước: gửi kèm otp_token (mã của ứng dụng xác thực hoặc mã khôi phục)."),
                    code="otp_required",
                )
            if services.otp_verify(user=user, code=values["otp_token"]) is None:
                raise ServiceError(_("Mã xác thực không đúng hoặc đã dùng."), code="invalid_otp")
        elif selectors.two_factor_required(user):
            raise Forbidden(
                _(
                    "Vai trò của bạn cần xác thực hai bước: hãy đăng nhập trên trang web và cài đặt ứng dụng "
                    "xác thực trước khi lấy mã truy cập API."
                ),
                code="two_factor_setup_required",
            )
        token, key = services.api_token_create(name=values.get("name") or "API", actor=user)
        return Response({"token": key, "expires": token.expires, "id": token.pk})


@extend_schema_view(
    list=extend_schema(responses={200: ApiTokenSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: ApiTokenSerializer, **ERROR_RESPONSES}),
    destroy=extend_schema(responses={204: None, **ERROR_RESPONSES}),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's API tokens: when each was made, expires and was last used. The key itself is never shown
    again after it was made; revoking (DELETE) stops it at once."""

    serializer_class = ApiTokenSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.api_tokens_for(self.request.user)

    def perform_destroy(self, instance):
        services.api_token_revoke(token=instance, actor=self.request.user)

    def destroy(self, request, *args, **kwargs):
        self.perform_destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
