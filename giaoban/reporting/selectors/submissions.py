"""Reads of reports for pages and the API: the reports a user may see, a report's narrative history, the
figure changes a user may audit, and the figures offered to a new report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from giaoban.core.access import Action
from giaoban.orgs.models import OrgUnit

from ..models import ReportForm, Submission, ValueChange

__all__ = [
    "NarrativeChange",
    "approval_queue",
    "approval_queue_count",
    "narrative_changes",
    "report_defaults",
    "submissions_for",
    "value_changes_for",
]


def submissions_for(user, action: str = Action.VIEW):
    return Submission.objects.visible_to(user, action).select_related("unit", "form")


@dataclass
class NarrativeChange:
    at: datetime
    actor: Any
    section: str  # the section's key
    title: str
    old: str
    new: str


def narrative_changes(submission: Submission) -> list[NarrativeChange]:
    """Every change of the report's narrative sections, oldest first, read from its history rows (each save
    writes one): what each section said before and after, who and when."""
    titles = {s["key"]: s["title"] for s in submission.form_version.narrative_sections}
    order = {key: i for i, key in enumerate(titles)}
    changes: list[NarrativeChange] = []
    before: dict[str, str] = {}
    for row in submission.history.select_related("history_user").order_by("history_date", "history_id"):
        after = row.narrative or {}
        for key in sorted(set(before) | set(after), key=lambda k: (order.get(k, len(order)), k)):
            old, new = before.get(key, ""), after.get(key, "")
            if old != new:
                changes.append(NarrativeChange(row.history_date, row.history_user, key, titles.get(key, key), old, new))
        before = after
    return changes


def value_changes_for(user):
    """The figure changes the user may audit (approvers and unit admins of the units, system admins), newest
    first, with what a listing shows."""
    return (
        ValueChange.objects.visible_to(user, Action.AUDIT)
        .select_related("submission__unit", "submission__form", "indicator", "actor")
        .order_by("-at", "-id")
    )


def report_defaults(unit: OrgUnit, form: ReportForm, period: str) -> dict:
    """Figures offered to a unit's report before anything is saved for them, by indicator code, each with
    `.value` and `.source` (where it came from), from the providers in settings.REPORT_DEFAULTS_PROVIDERS
    (other apps that record the activity the indicators count). The first provider to offer a code wins."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    out: dict = {}
    for path in getattr(settings, "REPORT_DEFAULTS_PROVIDERS", []):
        for code, default in import_string(path)(unit, form, period).items():
            out.setdefault(code, default)
    return out


def approval_queue(user):
    """The reports waiting for `user` to approve: submitted, in the units where they approve, not submitted by
    themselves (segregation of duties; units allowed to self-approve still list them on the queue page)."""
    from django.conf import settings

    queue = submissions_for(user, Action.APPROVE).filter(status=Submission.Status.SUBMITTED)
    if not getattr(settings, "SELF_APPROVAL_UNITS", ()):
        queue = queue.exclude(submitted_by=user)
    return queue


def approval_queue_count(user) -> int:
    """How many reports wait for `user` (the menu's badge): one COUNT query, none for users who approve nowhere."""
    from giaoban.core.access import scope_paths

    paths = scope_paths(user, Action.APPROVE)
    if paths is not None and not paths:
        return 0
    return approval_queue(user).count()
