"""POST /api/v1/auth/token/ {username, password} -> {token, expires}; failures count towards the lockout."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .authentication import token_for, token_ttl
from .errors import ERROR_RESPONSES


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
            return Response(
                {"message": _("Sai tên đăng nhập hoặc mật khẩu (wrong username or password)."), "extra": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token = token_for(user)
        return Response({"token": token.key, "expires": token.created + token_ttl()})
