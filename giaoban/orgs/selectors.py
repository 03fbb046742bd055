"""Reads on the unit tree and its lineage, always through the access choke point when a user asks."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from giaoban.core.access import Action, Role, scope_paths
from giaoban.core.text import fold

from .models import Agency, Committee, Decision, Membership, OrgUnit, Succession, UserProfile, UserRole

MAX_GENERATIONS = 50


def units_for(user, action: str = Action.VIEW) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(user, action)


def unit_search(
    user, *, q: str = "", on: date | None = None, kind: str | None = None, parent: OrgUnit | None = None
) -> QuerySet[OrgUnit]:
    """Units the user may see, filtered and in Vietnamese order. "ngoc lac" finds "Ngọc Lặc"."""
    qs = units_for(user).select_related("parent")
    if on is not None:
        qs = qs.valid_on(on)
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(parent=parent)
    if q:
        needle = fold(q)
        qs = qs.filter(Q(name_folded__contains=needle) | Q(code=q.strip()))
    return qs.vn_sorted()


UNIT_PICKER_LIMIT = 12
_TRAILING_PARENS = re.compile(r"\s*\([^()]*\)\s*$")


def unit_picker_search(units: QuerySet[OrgUnit], q: str, limit: int = UNIT_PICKER_LIMIT) -> list[OrgUnit]:
    """What the unit picker offers for what was typed: units of `units` (already scoped by the caller through
    visible_to) whose name without diacritics contains it ("ngoc lac" finds "Huyện Ngọc Lặc" and "Xã Ngọc
    Lặc") or whose code it is, closed ones too, in Vietnamese order, at most `limit` + 1 (one more tells
    "there are more"). One query, however many units there are."""
    text = _TRAILING_PARENS.sub("", q or "").strip()
    code = (q or "").strip()
    if not text and not code:
        return []
    cond = Q(code=code)
    if text:
        cond |= Q(name_folded__contains=fold(text))
    return list(units.filter(cond).select_related("parent").vn_sorted()[: limit + 1])


@dataclass(frozen=True)
class UnitPick:
    """What a unit picker submitted, resolved: the unit, or what was typed with the candidates to choose from."""

    unit: OrgUnit | None
    text: str = ""
    candidates: tuple[OrgUnit, ...] = ()
    more: bool = False

    @property
    def ambiguous(self) -> bool:
        return self.unit is None and len(self.candidates) > 1

    @property
    def not_found(self) -> bool:
        return self.unit is None and bool(self.text) and not self.candidates


def unit_pick(units: QuerySet[OrgUnit], code: str | None, text: str | None) -> UnitPick:
    """Resolve a picker's two inputs: the code (hidden, set when a unit is chosen; the only one old URLs and
    the API send) and the text typed (without JavaScript the only one that changes). The text wins when it
    is sent: its candidates are searched, and the code picks among them (a choice from the list shown for
    an ambiguous text), else a single candidate or an exact code is the unit."""
    code = (code or "").strip()
    if text is None:
        return UnitPick(units.select_related("parent").filter(code=code).first() if code else None)
    text = text.strip()
    if not text:
        return UnitPick(None)
    found = unit_picker_search(units, text)
    more = len(found) > UNIT_PICKER_LIMIT
    found = found[:UNIT_PICKER_LIMIT]
    chosen = next((u for u in found if u.code == code), None) if code else None
    if chosen is None:
        chosen = next((u for u in found if u.code == text), None)
    if chosen is None and len(found) == 1:
        chosen = found[0]
    if chosen is None and code and text.endswith(f"({code})"):  # the chosen unit's label, beyond the limit
        chosen = units.select_related("parent").filter(code=code).first()
    if chosen is not None:
        return UnitPick(chosen, text)
    return UnitPick(None, text, tuple(found), more)


def unit_children(unit: OrgUnit, on: date | None = None) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.filter(parent=unit)
    if on is not None:
        qs = qs.valid_on(on)
    return qs.vn_sorted()


def unit_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """From the root down to the parent, in one query."""
    return list(OrgUnit.objects.filter(path__in=unit.lineage_paths()[:-1]).order_by("depth"))


def tree_as_of(day: date, root: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """Every unit valid on `day` (below `root` if given): the hierarchy as it stood then."""
    qs = OrgUnit.objects.valid_on(day)
    if root is not None:
        qs = qs.subtree_of(root)
    return qs


@dataclass(frozen=True)
class LineageStep:
    unit: OrgUnit
    generation: int  # 1 = direct predecessor/successor
    weight: Decimal  # product of split shares along the way
    succession: Succession  # the edge that reached this unit


def _lineage(unit: OrgUnit, backward: bool) -> list[LineageStep]:
    """Walk successions any number of reorganisations deep, one query per generation."""
    frontier: dict[int, Decimal] = {unit.pk: Decimal(1)}
    seen = {unit.pk}
    steps: list[LineageStep] = []
    for generation in range(1, MAX_GENERATIONS + 1):
        if not frontier:
            break
        field, other = ("successor_id", "predecessor") if backward else ("predecessor_id", "successor")
        edges = (
            Succession.objects.filter(**{f"{field}__in": list(frontier)}).select_related(other).order_by("date", "id")
        )
        nxt: dict[int, Decimal] = defaultdict(Decimal)
        first_edge: dict[int, Succession] = {}
        for edge in edges:
            target = getattr(edge, other)
            if target.pk in seen:
                continue
            # Backwards, the current unit received `share` of its predecessor; forwards, it gave it.
            # Several paths into one unit in the same generation (split then merge) add up.
            nxt[target.pk] += frontier[getattr(edge, field)] * edge.share
            first_edge.setdefault(target.pk, edge)
        for pk, weight in nxt.items():
            edge = first_edge[pk]
            steps.append(LineageStep(getattr(edge, other), generation, weight, edge))
        seen.update(nxt)
        frontier = dict(nxt)
    return steps


def unit_predecessors(unit: OrgUnit) -> list[LineageStep]:
    """Units this one continues, through any number of reorganisations, each with its weight in it."""
    return _lineage(unit, backward=True)


def unit_successors(unit: OrgUnit) -> list[LineageStep]:
    return _lineage(unit, backward=False)


def agencies_for(user, action: str = Action.VIEW) -> QuerySet[Agency]:
    return Agency.objects.visible_to(user, action)


def committees_for(user) -> QuerySet[Committee]:
    return Committee.objects.visible_to(user).select_related("org_unit", "standing_agency")


def committee_detail(user, pk: int, action: str = Action.VIEW) -> Committee:
    """The committee with its members (current and past) and decisions, in a fixed number of queries."""
    from django.shortcuts import get_object_or_404

    qs = (
        Committee.objects.visible_to(user, action)
        .select_related("org_unit", "standing_agency")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("agency", "appointed_by", "ended_by")),
            Prefetch("decisions", queryset=Decision.objects.prefetch_related("appointments", "endings")),
        )
    )
    return get_object_or_404(qs, pk=pk)


def visible_ancestors(user, unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors that the user may open (a commune secretary sees none above)."""
    from giaoban.core.access import can

    return [a for a in unit_ancestors(unit) if can(user, Action.VIEW, a.path)]


def visible_lineage(user, steps: list[LineageStep]) -> list[LineageStep]:
    from giaoban.core.access import can

    return [s for s in steps if can(user, Action.VIEW, s.unit.path)]


def current_members(committee: Committee, day: date) -> list[Membership]:
    """Members on `day`, by committee role (Trưởng ban first), from the prefetched memberships."""
    from .models import ROLE_ORDER

    members = [
        m for m in committee.memberships.all() if m.start_date <= day and (m.end_date is None or m.end_date >= day)
    ]
    return sorted(members, key=lambda m: (ROLE_ORDER.get(m.role, 99), m.start_date, m.pk))


def users_for(actor, action: str = Action.MANAGE) -> QuerySet:
    """The logins the actor may administer: those placed in the actor's subtree by a role or their profile's
    unit, with no role nor profile outside it (a province admin does not edit a national official who also
    holds a role in the province), never a system administrator unless the actor is one. Scoped through
    UserRole's and UserProfile's visible_to, so out-of-scope users are 404 like any other object."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.all()
    if not actor.is_authenticated:
        return users.none()
    paths = scope_paths(actor, action)
    if paths is None:
        return users
    if not paths:
        return users.none()
    roles_in = UserRole.objects.visible_to(actor, action)
    profiles_in = UserProfile.objects.visible_to(actor, action)
    return (
        users.filter(Q(pk__in=roles_in.values("user_id")) | Q(pk__in=profiles_in.values("user_id")))
        .exclude(pk__in=UserRole.objects.exclude(pk__in=roles_in.values("pk")).values("user_id"))
        .exclude(pk__in=UserProfile.objects.exclude(pk__in=profiles_in.values("pk")).values("user_id"))
        .exclude(pk__in=UserRole.objects.filter(role=Role.SYSTEM_ADMIN).values("user_id"))
        .exclude(is_superuser=True)
    )


def user_list(actor) -> QuerySet:
    """users_for() in Vietnamese order of given name, with what the list shows, in a fixed number of queries."""
    from django.db.models import F

    return (
        users_for(actor)
        .select_related("giaoban_profile__org_unit")
        .prefetch_related(
            Prefetch("giaoban_roles", queryset=UserRole.objects.select_related("org_unit", "agency").order_by("id"))
        )
        .order_by(F("giaoban_profile__sort_key").asc(nulls_last=True), "username", "pk")
    )


def user_detail(actor, pk: int):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(user_list(actor), pk=pk)


def memberships_to_link(actor) -> QuerySet[Membership]:
    """Current members of the committees the actor administers, for linking to a login."""
    return (
        Membership.objects.visible_to(actor, Action.MANAGE)
        .current()
        .filter(committee__dissolved_on__isnull=True)
        .select_related("committee")
        .order_by("committee__org_unit__path", "committee__name", "person_name", "pk")
    )
