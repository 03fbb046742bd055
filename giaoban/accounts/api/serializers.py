"""Shapes of the accounts API: tokens as their owner sees them (never the key, except once when made)."""

from __future__ import annotations

from rest_framework import serializers

from ..models import ApiToken


class ApiTokenSerializer(serializers.ModelSerializer):
    expires = serializers.DateTimeField(read_only=True, help_text="When it stops working.")
    expired = serializers.SerializerMethodField(help_text="True once `expires` has passed.")
    prefix = serializers.CharField(read_only=True, help_text="The key's first 8 characters, to tell tokens apart.")
    last_used = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Last use (to the minute); null if never.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created", "expires", "expired", "last_used"]

    def get_expired(self, obj) -> bool:
        return obj.is_expired()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="A code of the user's authenticator app, or one of their recovery codes: required when the user "
        "has set up two-factor sign-in.",
    )
    name = serializers.CharField(
        required=False, max_length=100, default="API", help_text="A name for the token, shown in the token list."
    )


class NewTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key, shown this once: send it as `Authorization: Token <key>`.")
    expires = serializers.DateTimeField()
    id = serializers.IntegerField(help_text="The token's id in /api/v1/tokens/ (to revoke it).")
