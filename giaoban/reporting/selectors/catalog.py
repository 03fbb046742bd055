"""Reads on the catalog for its pages: indicators and forms found by a diacritic-free search, and their history
(who changed what, when, and which fields differ from the version before)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, OuterRef, Prefetch, Q, QuerySet, Subquery

from giaoban.core.access import Action
from giaoban.core.text import fold

from ..models import FormIndicator, Indicator, ReportForm, ReportFormVersion

__all__ = [
    "STATUSES",
    "Change",
    "FormVersionRow",
    "HistoryRow",
    "form_history",
    "form_versions",
    "forms_using",
    "indicator_history",
    "indicator_search",
    "reportform_search",
]

STATUSES = ("active", "retired", "all")

# The fields whose changes the history shows, in the order of the edit page.
INDICATOR_HISTORY_FIELDS = (
    "code",
    "name_vi",
    "name_en",
    "unit_of_measure",
    "value_type",
    "aggregation",
    "time_aggregation",
    "numerator",
    "denominator",
    "min_value",
    "max_value",
    "required",
    "owner",
    "retired_at",
)
FORM_HISTORY_FIELDS = (
    "code",
    "name",
    "period_type",
    "scheme",
    "deadline_working_days",
    "unit_kinds",
    "active_from",
    "owner",
    "retired_at",
)


def _search(qs: QuerySet, q: str, status: str) -> QuerySet:
    if status == "active":
        qs = qs.filter(retired_at__isnull=True)
    elif status == "retired":
        qs = qs.filter(retired_at__isnull=False)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name_folded__contains=fold(q)) | Q(code__iexact=q))
    return qs


def indicator_search(user, *, q: str = "", status: str = "active") -> QuerySet[Indicator]:
    """Indicators `user` may see: "so bai dang" finds "Số bài đăng"; status is active, retired or all."""
    qs = Indicator.objects.visible_to(user, Action.VIEW).select_related("owner").order_by("code")
    return _search(qs, q, status)


def reportform_search(user, *, q: str = "", status: str = "active") -> QuerySet[ReportForm]:
    qs = (
        ReportForm.objects.visible_to(user, Action.VIEW)
        .select_related("owner")
        .annotate(latest_version=Max("versions__number"))
        .order_by("code")
    )
    return _search(qs, q, status)


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryRow:
    """One saved state of an indicator or a form's details: version `number` (1 = as created)."""

    number: int
    at: Any
    user: Any
    kind: str  # "+" created, "~" changed
    changes: list[Change] = field(default_factory=list)


def _display(model, name: str, value, refs: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    f = model._meta.get_field(name)
    if f.is_relation:
        return refs.get(value, str(value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        from django.utils.translation import gettext as _

        return _("có") if value else _("không")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "strftime"):
        from django.utils import timezone

        if hasattr(value, "hour"):
            return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
        return value.strftime("%d/%m/%Y")
    return str(value)


def _history(obj, model, names: tuple[str, ...]) -> list[HistoryRow]:
    records = list(obj.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = [model._meta.get_field(n) for n in names]
    # Names of the indicators and units the records point at, in one query each.
    ids: dict[type, set[int]] = {}
    for r in records:
        for f in fields:
            if f.is_relation and getattr(r, f.attname) is not None:
                ids.setdefault(f.related_model, set()).add(getattr(r, f.attname))
    refs: dict[int, str] = {}
    for related, pks in ids.items():
        for row in related.objects.filter(pk__in=pks).values("pk", "code"):
            refs[row["pk"]] = row["code"]
    rows: list[HistoryRow] = []
    previous = None
    for r in records:
        changes = []
        for f in fields:
            new = getattr(r, f.attname)
            old = getattr(previous, f.attname) if previous is not None else None
            if previous is None and new in (None, "", [], False):
                continue
            if previous is None or old != new:
                changes.append(
                    Change(
                        str(f.verbose_name),
                        "" if previous is None else _display(model, f.name, old, refs),
                        _display(model, f.name, new, refs),
                    )
                )
        if previous is None or changes:
            rows.append(HistoryRow(len(rows) + 1, r.history_date, r.history_user, r.history_type, changes))
        previous = r
    rows.reverse()  # newest first
    return rows


def indicator_history(indicator: Indicator) -> list[HistoryRow]:
    """The indicator's versions, newest first, each with the fields that differ from the one before."""
    return _history(indicator, Indicator, INDICATOR_HISTORY_FIELDS)


def form_history(form: ReportForm) -> list[HistoryRow]:
    """Changes of a form's details (name, deadline, levels …), newest first; its indicator lists are
    form_versions'."""
    return _history(form, ReportForm, FORM_HISTORY_FIELDS)


@dataclass
class FormVersionRow:
    version: ReportFormVersion
    indicators: list[Indicator]
    added: list[Indicator] = field(default_factory=list)
    removed: list[Indicator] = field(default_factory=list)
    reordered: bool = False
    sections_added: list[str] = field(default_factory=list)
    sections_removed: list[str] = field(default_factory=list)


def form_versions(form: ReportForm) -> list[FormVersionRow]:
    """The form's versions (indicator list and narrative sections), newest first, each with what it added,
    removed or reordered against the one before; in two queries."""
    items = FormIndicator.objects.select_related("indicator").order_by("position")
    versions = (
        ReportFormVersion.objects.filter(form=form)
        .select_related("created_by")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("number")
    )
    rows: list[FormVersionRow] = []
    for v in versions:
        inds = [i.indicator for i in v.items.all()]
        row = FormVersionRow(v, inds)
        if rows:
            before = rows[-1]
            old_ids = [i.pk for i in before.indicators]
            new_ids = [i.pk for i in inds]
            row.added = [i for i in inds if i.pk not in old_ids]
            row.removed = [i for i in before.indicators if i.pk not in new_ids]
            kept_old = [pk for pk in old_ids if pk in new_ids]
            kept_new = [pk for pk in new_ids if pk in old_ids]
            row.reordered = kept_old != kept_new
            old_titles = [s["title"] for s in before.version.narrative_sections]
            new_titles = [s["title"] for s in v.narrative_sections]
            row.sections_added = [t for t in new_titles if t not in old_titles]
            row.sections_removed = [t for t in old_titles if t not in new_titles]
        rows.append(row)
    rows.reverse()
    return rows


def forms_using(indicator: Indicator) -> list[tuple[ReportForm, bool]]:
    """The forms that ask or asked for the indicator, each with whether their current version still does."""
    latest = ReportFormVersion.objects.filter(form=OuterRef("pk")).order_by("-number").values("number")[:1]
    forms = (
        ReportForm.objects.filter(pk__in=FormIndicator.objects.filter(indicator=indicator).values("version__form"))
        .annotate(latest_version=Subquery(latest))
        .order_by("code")
    )
    current = set(FormIndicator.objects.filter(indicator=indicator).values_list("version__form_id", "version__number"))
    return [(f, (f.pk, f.latest_version) in current) for f in forms]
