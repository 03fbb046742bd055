"""The audit page: who changed which figure (and narrative section) when, from what to what."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from giaoban.core.access import Action, scope_paths
from giaoban.core.formats import format_number

from .. import selectors
from ..filters import ValueChangeFilter
from ..models import Indicator


def shown_value(indicator: Indicator, text: str) -> str:
    """A logged value as the entry page shows it: numbers in Vietnamese format, "—" for no figure."""
    if not text:
        return "—"
    if indicator.is_numeric:
        try:
            return format_number(Decimal(text))
        except InvalidOperation:
            pass
    return text


@login_required
def audit(request):
    """Lịch sử thay đổi: who changed which figure when, from what to what, in the units the user approves or
    administers (everyone else sees an empty list); ?unit= (with the units below), from, to, actor, submission."""
    changes = ValueChangeFilter(request.GET, queryset=selectors.value_changes_for(request.user))
    page = Paginator(changes.qs if changes.is_valid() else changes.queryset.none(), 100).get_page(
        request.GET.get("page")
    )
    for change in page:
        change.old_shown = shown_value(change.indicator, change.old)
        change.new_shown = shown_value(change.indicator, change.new)
    # One report asked for: its narrative's changes too (texts, so not in the figures' log).
    report = None
    if changes.is_valid() and changes.form.cleaned_data.get("submission"):
        report = (
            selectors.submissions_for(request.user, Action.AUDIT)
            .select_related("form_version")
            .filter(pk=changes.form.cleaned_data["submission"])
            .first()
        )
    return render(
        request,
        "reporting/audit.html",
        {
            "filter": changes,
            "page": page,
            "can_audit": can_audit_somewhere(request.user),
            "report": report,
            "narrative_changes": selectors.narrative_changes(report) if report else [],
        },
    )


def can_audit_somewhere(user) -> bool:
    paths = scope_paths(user, Action.AUDIT)
    return paths is None or bool(paths)
