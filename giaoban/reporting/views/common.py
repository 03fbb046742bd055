"""Helpers the report pages share."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from giaoban.orgs.models import OrgUnit

__all__ = ["unit_or_404"]


def unit_or_404(user, code: str) -> OrgUnit:
    """The unit with this code among those `user` may see; 404 otherwise (out of scope or unknown alike)."""
    return get_object_or_404(OrgUnit.objects.visible_to(user), code=code)
