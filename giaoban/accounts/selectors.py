"""Reads of the accounts app: a user's API tokens, and whether their roles require two-factor sign-in."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from two_factor.utils import default_device

from giaoban.core.access import Role, is_system_admin, user_roles

from .models import ApiToken

__all__ = ["api_tokens_for", "has_two_factor", "two_factor_required"]


def api_tokens_for(user) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (expired ones too, until the next one is made)."""
    return ApiToken.objects.visible_to(user)


def two_factor_required(user) -> bool:
    """True when one of the user's roles is in settings.TWO_FACTOR_REQUIRED_ROLES (a superuser counts as a system
    admin). Such a user cannot use the site until they have set up an authenticator app."""
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    if not required or not user.is_authenticated:
        return False
    if Role.SYSTEM_ADMIN in required and is_system_admin(user):
        return True
    return any(role in required for role, _path in user_roles(user))


def has_two_factor(user) -> bool:
    """True when the user has a confirmed authenticator app (their sign-in then asks for its code)."""
    return default_device(user) is not None
