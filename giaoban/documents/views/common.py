"""Helpers the register's pages share: committees by id within scope, service errors onto forms."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from giaoban.core.errors import ServiceError
from giaoban.orgs.models import Committee

__all__ = ["form_error", "visible_committee"]


def visible_committee(user, pk) -> Committee:
    """A committee in the user's units, else 404."""
    return get_object_or_404(Committee.objects.visible_to(user).select_related("org_unit"), pk=pk)


def form_error(form, exc: ServiceError) -> None:
    """The service's message beside each field it named, or above the form."""
    named = False
    for name, messages in (exc.extra.get("fields") or {}).items():
        if name in form.fields:
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(name, str(message))
            named = True
    if not named:
        form.add_error(None, exc.message)
