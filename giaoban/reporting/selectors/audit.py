"""The audit trail across the platform: figures, report transitions, committee memberships, users and roles,
indicators and forms, consolidated reports, merged newest first and read one page at a time.

Each source is read through the viewer's scope (core.access: the units where they audit, or manage for
users and roles) and the filters, at most `limit + 1` rows each, ordered by (time, source, id) descending; the
page is the top `limit` of their merge and the next page starts after its last row (a keyset cursor), so a
page costs a fixed number of queries however long the log grows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from giaoban.core.access import Action, scope_paths, subtree_q
from giaoban.core.formats import format_number
from giaoban.orgs.models import Membership, OrgUnit, UserProfile, UserRole

from ..models import ConsolidatedReport, Indicator, ReportForm, ReportFormVersion, SubmissionEvent, ValueChange

__all__ = ["AUDIT_KINDS", "AuditEvent", "AuditPage", "audit_events"]

AUDIT_KINDS = [
    ("figures", _("Số liệu")),
    ("transitions", _("Nộp, duyệt, trả lại")),
    ("memberships", _("Thành viên Ban Chỉ đạo")),
    ("users", _("Người dùng, vai trò")),
    ("forms", _("Chỉ tiêu, biểu mẫu")),
    ("consolidated", _("Báo cáo tổng hợp")),
]
KIND_LABELS = dict(AUDIT_KINDS)
HISTORY_ACTIONS = {"+": _("Tạo"), "~": _("Sửa"), "-": _("Xoá")}
MAX_SHOWN = 200  # characters of an old or new value


@dataclass
class AuditEvent:
    at: datetime
    actor: Any
    kind: str
    action: str
    label: str
    url: str | None = None
    unit: OrgUnit | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new)
    key: tuple = ()

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class AuditPage:
    events: list[AuditEvent]
    next_cursor: str | None


@dataclass
class Source:
    """One log: its rows for the viewer, and how a row becomes an event."""

    kind: str
    rows: Callable[[Any], QuerySet]  # viewer -> scoped queryset
    at: str  # the time field
    actor: str | None  # the user field (None: the log does not say who)
    unit_path: str | None  # for the unit filter (None: the user log, see _user_rows)
    history: bool = False  # a django-simple-history table (diffed against the previous record)


def _scoped(qs: QuerySet, user, action: str, path_field: str) -> QuerySet:
    """Rows under the units where the user may `action` (everything for a system admin, nothing for others)."""
    paths = scope_paths(user, action)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    q = Q()
    for p in paths:
        q |= subtree_q(path_field, p)
    return qs.filter(q)


def _user_rows(viewer) -> QuerySet:
    history = get_user_model().history.select_related("history_user")
    paths = scope_paths(viewer, Action.MANAGE)
    if paths is None:
        return history
    return history.filter(id__in=UserProfile.objects.visible_to(viewer, Action.MANAGE).values("user_id"))


SOURCES = [
    Source(
        "figures",
        lambda u: ValueChange.objects.visible_to(u, Action.AUDIT).select_related(
            "submission__unit", "submission__form", "indicator", "actor"
        ),
        "at",
        "actor",
        "submission__unit__path",
    ),
    Source(
        "transitions",
        lambda u: _scoped(
            SubmissionEvent.objects.exclude(transition=SubmissionEvent.Transition.SAVED).select_related(
                "submission__unit", "submission__form", "actor"
            ),
            u,
            Action.AUDIT,
            "submission__unit__path",
        ),
        "at",
        "actor",
        "submission__unit__path",
    ),
    Source(
        "memberships",
        lambda u: _scoped(
            Membership.history.select_related("committee__org_unit", "history_user"),
            u,
            Action.AUDIT,
            "committee__org_unit__path",
        ),
        "history_date",
        "history_user",
        "committee__org_unit__path",
        history=True,
    ),
    Source(
        "users",
        lambda u: _scoped(
            UserRole.history.select_related("user", "org_unit", "history_user"), u, Action.MANAGE, "org_unit__path"
        ),
        "history_date",
        "history_user",
        "org_unit__path",
        history=True,
    ),
    Source(
        "users",
        lambda u: _scoped(
            UserProfile.history.select_related("user", "org_unit", "history_user"), u, Action.MANAGE, "org_unit__path"
        ),
        "history_date",
        "history_user",
        "org_unit__path",
        history=True,
    ),
    Source("users", _user_rows, "history_date", "history_user", None, history=True),
    Source(
        "forms",
        lambda u: _scoped(ReportForm.history.select_related("owner", "history_user"), u, Action.AUDIT, "owner__path"),
        "history_date",
        "history_user",
        "owner__path",
        history=True,
    ),
    Source(
        "forms",
        lambda u: _scoped(
            ReportFormVersion.objects.select_related("form__owner", "created_by"), u, Action.AUDIT, "form__owner__path"
        ),
        "created_at",
        "created_by",
        "form__owner__path",
    ),
    Source(
        "forms",
        lambda u: _scoped(Indicator.history.select_related("owner", "history_user"), u, Action.AUDIT, "owner__path"),
        "history_date",
        "history_user",
        "owner__path",
        history=True,
    ),
    Source(
        "consolidated",
        # Drafts are edited many times; the log keeps their creation and their issue.
        lambda u: _scoped(
            ConsolidatedReport.history.filter(
                Q(history_type="+") | Q(status=ConsolidatedReport.Status.ISSUED)
            ).select_related("committee__org_unit", "form", "history_user"),
            u,
            Action.AUDIT,
            "committee__org_unit__path",
        ),
        "history_date",
        "history_user",
        "committee__org_unit__path",
        history=True,
    ),
]


def parse_cursor(text: str | None) -> tuple[datetime, int, int] | None:
    """ "<iso time>_<source>_<id>" as the page's next link carries it; anything else starts at the newest."""
    try:
        at, source, pk = (text or "").rsplit("_", 2)
        moment = datetime.fromisoformat(at)
        return (moment if moment.tzinfo else timezone.make_aware(moment), int(source), int(pk))
    except ValueError:
        return None


def format_cursor(key: tuple) -> str:
    at, source, pk = key
    return f"{at.isoformat()}_{source}_{pk}"


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(
    viewer,
    *,
    unit: OrgUnit | None = None,
    actor: str = "",
    kind: str = "",
    start: date | None = None,
    end: date | None = None,
    submission_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> AuditPage:
    """One page of the viewer's audit trail, newest first, after `cursor` (None: the newest)."""
    after = parse_cursor(cursor)
    candidates: list[tuple[tuple, int, Any]] = []
    for index, source in enumerate(SOURCES):
        if (kind and source.kind != kind) or (actor and source.actor is None):
            continue
        if submission_id is not None and source.kind not in ("figures", "transitions"):
            continue
        qs = source.rows(viewer)
        if submission_id is not None:
            qs = qs.filter(submission_id=submission_id)
        if unit is not None:
            if source.unit_path is None:
                qs = qs.filter(
                    id__in=UserProfile.objects.filter(subtree_q("org_unit__path", unit.path)).values("user_id")
                )
            else:
                qs = qs.filter(subtree_q(source.unit_path, unit.path))
        if actor:
            qs = qs.filter(**{f"{source.actor}__username": actor})
        if start:
            qs = qs.filter(**{f"{source.at}__gte": _day_start(start)})
        if end:
            qs = qs.filter(**{f"{source.at}__lt": _day_start(end + timedelta(days=1))})
        pk = "history_id" if source.history else "pk"
        if after is not None:
            at, after_source, after_pk = after
            if index < after_source:
                qs = qs.filter(**{f"{source.at}__lte": at})
            elif index == after_source:
                qs = qs.filter(Q(**{f"{source.at}__lt": at}) | Q(**{source.at: at, f"{pk}__lt": after_pk}))
            else:
                qs = qs.filter(**{f"{source.at}__lt": at})
        if source.history:
            model = qs.model
            qs = qs.annotate(
                prev_history_id=Subquery(
                    model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
                    .order_by("-history_id")
                    .values("history_id")[:1]
                )
            )
        for row in qs.order_by(f"-{source.at}", f"-{pk}")[: limit + 1]:
            candidates.append(((getattr(row, source.at), index, getattr(row, pk)), index, row))
    candidates.sort(key=lambda c: c[0], reverse=True)
    shown = candidates[:limit]
    events = _events(shown)
    next_cursor = format_cursor(shown[-1][0]) if len(candidates) > limit else None
    return AuditPage(events, next_cursor)


def _events(shown: list[tuple[tuple, int, Any]]) -> list[AuditEvent]:
    """Turn the page's rows into events, reading the previous history records and the objects named in the
    changes in one query per table."""
    previous: dict[type, dict[int, Any]] = {}
    wanted: dict[type, list[int]] = defaultdict(list)
    for _key, index, row in shown:
        if SOURCES[index].history and row.prev_history_id:
            wanted[type(row)].append(row.prev_history_id)
    for model, ids in wanted.items():
        previous[model] = model.objects.in_bulk(ids)
    diffs: dict[int, list[tuple[Any, Any, Any]]] = {}
    refs: dict[type, set] = defaultdict(set)
    for position, (_key, index, row) in enumerate(shown):
        if not SOURCES[index].history or row.history_type != "~":
            continue
        prev = previous.get(type(row), {}).get(row.prev_history_id)
        if prev is None:
            continue
        diffs[position] = changed = _changed_fields(row, prev)
        for f, old, new in changed:
            if f.is_relation:
                refs[f.related_model].update(v for v in (old, new) if v is not None)
    names = {model: model._default_manager.in_bulk(list(pks)) for model, pks in refs.items()}
    user_units = _user_units([row for _key, index, row in shown if SOURCES[index].unit_path is None])
    events = []
    for position, (key, index, row) in enumerate(shown):
        event = _event(SOURCES[index], row, user_units)
        event.key = key
        event.changes += [
            (str(f.verbose_name), _shown(f, old, names), _shown(f, new, names))
            for f, old, new in diffs.get(position, [])
        ]
        events.append(event)
    return events


SKIPPED_FIELDS = {"id", "version", "narrative", "narrative_sections", "updated_at", "updated_by"}


def _changed_fields(row, prev) -> list[tuple[Any, Any, Any]]:
    out = []
    for f in row.instance_type._meta.concrete_fields:
        if f.name in SKIPPED_FIELDS or not hasattr(row, f.attname):
            continue
        old, new = getattr(prev, f.attname), getattr(row, f.attname)
        if old != new:
            out.append((f, old, new))
    return out


def _shown(f, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if f.is_relation:
        obj = names.get(f.related_model, {}).get(value)
        if obj is None:
            return f"#{value}"
        if f.related_model is get_user_model():
            return f"{obj.last_name} {obj.first_name}".strip() or obj.username
        return str(obj)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("có") if value else _("không"))
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = format_number(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _user_units(rows: Iterable[Any]) -> dict[int, OrgUnit]:
    ids = [r.id for r in rows]
    if not ids:
        return {}
    return {p.user_id: p.org_unit for p in UserProfile.objects.filter(user_id__in=ids).select_related("org_unit")}


def _person(user) -> str:
    return f"{user.last_name} {user.first_name}".strip() or user.username


def _event(source: Source, row, user_units: dict[int, OrgUnit]) -> AuditEvent:
    at = getattr(row, source.at)
    actor = getattr(row, source.actor) if source.actor else None
    model = type(row)
    if model is ValueChange:
        s = row.submission
        return AuditEvent(
            at,
            actor,
            "figures",
            str(_("Sửa số liệu")),
            f"{s.form.code} {s.period}",
            reverse("reporting:entry", args=[s.unit.code, s.form.code, s.period]),
            s.unit,
            [(row.indicator.name_vi, _value(row.indicator, row.old), _value(row.indicator, row.new))],
        )
    if model is SubmissionEvent:
        s = row.submission
        changes = [(str(_("Lý do")), "", row.reason)] if row.reason else []
        return AuditEvent(
            at,
            actor,
            "transitions",
            row.get_transition_display(),
            f"{s.form.code} {s.period}",
            reverse("reporting:entry", args=[s.unit.code, s.form.code, s.period]),
            s.unit,
            changes,
        )
    if model is ReportFormVersion:
        return AuditEvent(
            at,
            actor,
            "forms",
            str(_("Phiên bản mới")),
            f"{row.form.code} v{row.number}",
            None,
            row.form.owner,
        )
    action = str(HISTORY_ACTIONS.get(row.history_type, row.history_type))
    instance = row.instance_type
    if instance is Membership:
        return AuditEvent(
            at,
            actor,
            "memberships",
            action,
            f"{row.person_name} — {row.get_role_display()} · {row.committee.short_name or row.committee.name}",
            reverse("committee_detail", args=[row.committee_id]),
            row.committee.org_unit,
        )
    if instance is UserRole:
        return AuditEvent(
            at,
            actor,
            "users",
            str(
                _("Cấp vai trò") if row.history_type == "+" else _("Bỏ vai trò") if row.history_type == "-" else action
            ),
            f"{_person(row.user)} — {row.get_role_display()} @ {row.org_unit.code}",
            reverse("user_detail", args=[row.user_id]),
            row.org_unit,
        )
    if instance is UserProfile:
        return AuditEvent(
            at,
            actor,
            "users",
            action,
            _person(row.user),
            reverse("user_detail", args=[row.user_id]),
            row.org_unit,
        )
    if instance is get_user_model():
        return AuditEvent(
            at,
            actor,
            "users",
            action,
            f"{row.last_name} {row.first_name}".strip() or row.username,
            reverse("user_detail", args=[row.id]) if row.history_type != "-" else None,
            user_units.get(row.id),
        )
    if instance is ReportForm:
        return AuditEvent(at, actor, "forms", action, f"{row.code} — {row.name}", None, row.owner)
    if instance is Indicator:
        return AuditEvent(at, actor, "forms", action, f"{row.code} — {row.name_vi}", None, row.owner)
    # A consolidated report: its creation, or its issue (number and date).
    issued = row.status == ConsolidatedReport.Status.ISSUED
    return AuditEvent(
        at,
        actor,
        "consolidated",
        str(_("Ban hành") if issued else action),
        f"{row.committee.short_name} · {row.form.code} {row.period}" + (f" · {row.number}" if issued else ""),
        reverse("reporting:consolidated", args=[row.committee_id, row.period]) + f"?form={row.form.code}",
        row.committee.org_unit,
    )


def _value(indicator: Indicator, text: str) -> str:
    """A logged figure as the entry page shows it: numbers in Vietnamese format, "—" for none."""
    from decimal import Decimal, InvalidOperation

    if not text:
        return "—"
    if indicator.is_numeric:
        try:
            return format_number(Decimal(text))
        except InvalidOperation:
            pass
    return text
