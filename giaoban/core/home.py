"""The home page's panels: each app offers its own through settings.HOME_PANELS (core imports no app), a
function (request) -> list[Panel] that returns only what the user's roles call for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = ["Panel", "home_panels"]


@dataclass
class Panel:
    """One box of the home page: `template` is included with `panel` in its context (`panel.context`)."""

    id: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100  # smaller first: what needs doing today before what is to read


def home_panels(request) -> list[Panel]:
    panels: list[Panel] = []
    for path in getattr(settings, "HOME_PANELS", []):
        panels.extend(import_string(path)(request))
    return sorted(panels, key=lambda p: p.order)
