"""Reads of plans: the plans a user may see, and the progress of their targets read from the live roll-up.

A target is indicator I over unit U's subtree and the window W (a period id), at least (`min`) or at most (`max`)
a value. Its **value** is exactly what reporting's roll-up gives for (I, U, W) with every submitted figure (not
only approved ones): the same rule for sum, last, mean, max, min and ratio indicators, computed from the
maintained aggregates by `giaoban.reporting.selectors.window_values` (one statement per window, whatever the
number of targets, units and figures).

**Percent achieved** (one decimal):

* min: value / target x 100 (over 100 when exceeded); a target of 0 or less is 100 % once the value reaches it;
* max: 100 while the value is within the target; above it, target / value x 100, falling as the value
  overshoots (a value of twice the target is 50 %); a target of 0 exceeded is 0 %;
* no figure yet: no percent (None).

**On track** as of a day D, with `elapsed` = the share of the window's days up to D (0 before it starts, 1 from
its last day on):

* for a cumulative indicator (summed across time: posts, trainings), the allowance grows with the window:
  min: value >= target x elapsed; max: value <= target x elapsed;
* for a level (last, mean, max, min across time, and every ratio: followers, a share of original posts), a
  level is not accumulated over time, so it is held to the whole target at every moment:
  min: value >= target; max: value <= target;
* no figure yet counts as 0 for a cumulative indicator (a min target is on track only before its window starts;
  a max one always is) and, for a level, as on track only for a max target.

**Reached** (the item's task is then proposed as done, once, by `services.plans.targets_check`): a min target
when its value is at least the target, at any time; a max target when its window has ended and the value is
within it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from giaoban.core.access import Action
from giaoban.core.errors import ServiceError
from giaoban.reporting import periods
from giaoban.reporting import selectors as rollups
from giaoban.reporting.models import Indicator

from .models import Plan, PlanItem, Target, Task

__all__ = [
    "TargetProgress",
    "elapsed_fraction",
    "is_cumulative",
    "plan_items",
    "plan_progress",
    "plans_for",
    "target_progress",
    "window_of",
]

Agg = Indicator.Aggregation
ONE_DECIMAL = Decimal("0.1")


def plans_for(user, action: str = Action.VIEW) -> QuerySet[Plan]:
    return Plan.objects.visible_to(user, action).select_related("committee__org_unit", "document")


def plan_items(plan: Plan) -> list[PlanItem]:
    """The plan's items with what a page, the API and the document print, in a constant number of queries."""
    return list(
        plan.items.select_related("lead_agency", "target__indicator", "target__unit")
        .prefetch_related("supporting", Prefetch("tasks", queryset=Task.objects.order_by("pk")))
        .order_by("position", "pk")
    )


@dataclass
class TargetProgress:
    target: Target
    value: Decimal | None
    percent: Decimal | None
    on_track: bool
    reached: bool
    elapsed: Decimal
    start: date
    end: date

    @property
    def item(self) -> PlanItem:
        return self.target.item

    @property
    def bar(self) -> int:
        """The width of a progress bar, 0..100."""
        return 0 if self.percent is None else max(0, min(100, int(self.percent)))


def window_of(target: Target, scheme: str = periods.CALENDAR) -> tuple[date, date]:
    """The target's window as dates under the scheme of the forms that report its indicator."""
    return periods.period_range(target.period, scheme)


def elapsed_fraction(start: date, end: date, day: date) -> Decimal:
    """The share of the window's days up to and including `day`: 0 before it, 1 from its last day on."""
    if day < start:
        return Decimal(0)
    if day >= end:
        return Decimal(1)
    return Decimal((day - start).days + 1) / Decimal((end - start).days + 1)


def is_cumulative(indicator: Indicator) -> bool:
    """Summed across time (a count of things done): its allowance grows with the elapsed part of the window."""
    return not indicator.is_ratio and indicator.time_aggregation == Agg.SUM


def percent_of(kind: str, value: Decimal | None, target: Decimal) -> Decimal | None:
    if value is None:
        return None
    if kind == Target.Kind.MIN:
        if target <= 0:
            pct = Decimal(100) if value >= target else Decimal(0)
        else:
            pct = value / target * 100
    elif value <= target:
        pct = Decimal(100)
    else:
        pct = target / value * 100 if target > 0 and value > 0 else Decimal(0)
    return pct.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def on_track_of(kind: str, value: Decimal | None, target: Decimal, elapsed: Decimal, cumulative: bool) -> bool:
    if value is None:
        if not cumulative:
            return kind == Target.Kind.MAX
        value = Decimal(0)
    allowance = target * elapsed if cumulative else target
    return value >= allowance if kind == Target.Kind.MIN else value <= allowance


def reached_of(kind: str, value: Decimal | None, target: Decimal, end: date, day: date) -> bool:
    if value is None:
        return False
    if kind == Target.Kind.MIN:
        return value >= target
    return day > end and value <= target


def _schemes(forms) -> dict[int, str]:
    """indicator id -> the scheme of the first form (by id) that holds it."""
    out: dict[int, str] = {}
    for form_id in sorted(forms):
        form, ids = forms[form_id]
        for i in ids:
            out.setdefault(i, form.scheme)
    return out


def target_progress(targets: list[Target], day: date | None = None) -> list[TargetProgress]:
    """The progress of each target as of `day` (today by default), in the order given.

    Targets need `indicator` loaded (select_related). Queries: the base indicators of ratios (1, when any), the
    forms holding the indicators (1), then one roll-up statement per distinct window: constant for a plan
    however many units and figures are below.
    """
    day = day or timezone.localdate()
    if not targets:
        return []
    indicators = {t.indicator_id: t.indicator for t in targets}
    base_ids: set[int] = set()
    for ind in indicators.values():
        base_ids |= {ind.numerator_id, ind.denominator_id} if ind.is_ratio else {ind.pk}
    missing = base_ids - set(indicators)
    bases = dict(indicators)
    if missing:
        bases.update({i.pk: i for i in Indicator.objects.filter(pk__in=missing)})
    base_aggs = {pk: (bases[pk].aggregation, bases[pk].time_aggregation) for pk in base_ids if pk in bases}
    forms = rollups.forms_of(sorted(base_ids))
    schemes = _schemes(forms)

    by_window: dict[str, list[Target]] = defaultdict(list)
    for t in targets:
        by_window[t.period].append(t)
    found: dict[tuple[str, int], dict[int, Decimal | None]] = {}
    for period, group in by_window.items():
        try:
            window = periods.parse_period(period)
            buckets = rollups.form_buckets(forms, window)
        except (periods.PeriodError, ServiceError):
            continue  # a window no form can compose: no figure
        if not buckets:
            continue
        wanted = set()
        for t in group:
            ind = t.indicator
            wanted |= {ind.numerator_id, ind.denominator_id} if ind.is_ratio else {ind.pk}
        values = rollups.window_values(
            sorted({t.unit_id for t in group}),
            {pk: base_aggs[pk] for pk in wanted if pk in base_aggs},
            forms,
            buckets,
            False,
        )
        for unit_id, per_indicator in values.items():
            found[(period, unit_id)] = per_indicator

    out = []
    for t in targets:
        ind = t.indicator
        value = rollups.indicator_value(ind, found.get((t.period, t.unit_id), {}))
        base = ind.numerator_id if ind.is_ratio else ind.pk
        try:
            start, end = window_of(t, schemes.get(base, periods.CALENDAR))
        except periods.PeriodError:
            start = end = day
        elapsed = elapsed_fraction(start, end, day)
        cumulative = is_cumulative(ind)
        out.append(
            TargetProgress(
                target=t,
                value=value,
                percent=percent_of(t.kind, value, t.value),
                on_track=on_track_of(t.kind, value, t.value, elapsed, cumulative),
                reached=reached_of(t.kind, value, t.value, end, day),
                elapsed=elapsed,
                start=start,
                end=end,
            )
        )
    return out


def plan_progress(plan: Plan, day: date | None = None, items: list[PlanItem] | None = None) -> list[TargetProgress]:
    """The progress of every target of the plan, in the order of its items."""
    items = plan_items(plan) if items is None else items
    targets = []
    for item in items:
        target = getattr(item, "target", None) if _has_target(item) else None
        if target is not None:
            target.item = item
            targets.append(target)
    return target_progress(targets, day)


def _has_target(item: PlanItem) -> bool:
    try:
        item.target  # noqa: B018 - loaded by select_related; raises when the item has none
    except Target.DoesNotExist:
        return False
    return True
