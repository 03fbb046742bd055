"""The menu's "Duyệt báo cáo" entry: shown to users who approve somewhere, with the number of reports waiting
for them, counted lazily (one COUNT query, only when the menu shows it)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from giaoban.core.access import Action, scope_paths

from .selectors import approval_queue_count


def approval_queue(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "approves_reports": SimpleLazyObject(lambda: scope_paths(user, Action.APPROVE) != []),
        "approval_queue_count": SimpleLazyObject(lambda: approval_queue_count(user)),
    }
