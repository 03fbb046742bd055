"""Who has to report what: a unit's recent periods with their status and deadline, the forms reported below
a unit, and the officer's view of one form and period across the units below."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from giaoban.core.access import subtree_q
from giaoban.orgs.models import OrgUnit

from .. import periods
from ..models import Aggregate, ReportForm, Submission
from .rollups import Bucket, round_value

__all__ = [
    "PeriodRow",
    "UnitStatus",
    "form_period_status",
    "forms_below",
    "forms_for_unit",
    "unit_periods",
]


def forms_for_unit(unit: OrgUnit) -> list[ReportForm]:
    return [f for f in ReportForm.objects.all() if unit.kind in f.unit_kinds]


def forms_below(unit: OrgUnit, today: date) -> list[tuple[ReportForm, list[str]]]:
    """Forms reported by units below `unit`, each with its latest three periods (current first); a closed unit's
    latest are those of its last day, never periods after it closed."""
    depth = OrgUnit.KIND_DEPTH.get(unit.kind, 0)
    anchor = min(today, unit.valid_to or today)
    result = []
    for form in ReportForm.objects.active():  # a retired form expects no more reports
        if not any(OrgUnit.KIND_DEPTH.get(k, 0) > depth for k in form.unit_kinds):
            continue
        try:
            p = periods.period_of(anchor, form.period_type, form.scheme)
        except periods.PeriodError:  # 4th quarter: the latest nine-month period is this year's
            p = periods.parse_period(f"{anchor.year}N9")
        while unit.valid_to and periods.cutoff(p, form.scheme) > unit.valid_to:
            p = periods.previous_period(p)
        previous = periods.previous_period(p)
        result.append((form, [p.id, previous.id, periods.previous_period(previous).id]))
    return result


@dataclass
class PeriodRow:
    form: ReportForm
    period: str
    start: date
    end: date
    deadline: date
    submission: Submission | None

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else "missing"


def unit_periods(unit: OrgUnit, today: date, count: int = 6) -> list[PeriodRow]:
    """The unit's recent periods (current first) for every form it reports, with status and deadline."""
    from ..services import deadline_for

    rows: list[PeriodRow] = []
    anchor = min(today, unit.valid_to or today)
    for form in forms_for_unit(unit):
        try:
            p = periods.period_of(anchor, form.period_type, form.scheme)
        except periods.PeriodError:  # a date in the 4th quarter: the last nine-month period is this year's
            p = periods.parse_period(f"{anchor.year}N9")
        for _i in range(count):
            start, end = periods.period_range(p, form.scheme)
            if end < form.active_from or end < unit.valid_from:
                break
            if unit.is_valid_on(end):
                rows.append(PeriodRow(form, p.id, start, end, deadline_for(form, p.id), None))
            p = periods.previous_period(p)
    subs = {
        (s.form_id, s.period): s
        for s in Submission.objects.filter(unit=unit, period__in={r.period for r in rows}).select_related("form")
    }
    for r in rows:
        r.submission = subs.get((r.form.pk, r.period))
    # A retired form asks for nothing more: only the reports already made on it stay listed.
    return [r for r in rows if r.submission is not None or r.form.retired_at is None]


@dataclass
class UnitStatus:
    """A unit's report for one form and period, and its totals by indicator id, for the status page and
    the dashboard; `state` is on_time, late or missing."""

    unit: OrgUnit
    submission: Submission | None
    values: dict[int, Decimal | None] = field(default_factory=dict)

    @property
    def state(self) -> str:
        if self.submission is None or self.submission.status in Submission.EDITABLE:
            return "missing"
        return "on_time" if self.submission.on_time else "late"


def form_period_status(form: ReportForm, period: str, unit: OrgUnit, approved_only: bool = False):
    """For the officer page: every unit below `unit` expected to report `form` for `period`, its report,
    and the totals by child unit for each indicator of the form (from the aggregates), in 4 queries."""
    from ..services import current_version, version_indicators

    end = periods.cutoff(period, form.scheme)
    expected = list(
        OrgUnit.objects.filter(subtree_q("path", unit.path), kind__in=form.unit_kinds)
        .valid_on(end)
        .select_related("parent")
        .order_by("path")
    )
    subs = {
        s.unit_id: s for s in Submission.objects.filter(subtree_q("unit__path", unit.path), form=form, period=period)
    }
    statuses = [UnitStatus(u, subs.get(u.pk)) for u in expected]
    indicators = version_indicators(current_version(form))
    children = list(
        OrgUnit.objects.filter(Q(parent=unit) | Q(pk=unit.pk))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=periods.period_range(period, form.scheme)[0]))
        .filter(valid_from__lte=end)
        .order_by("path")
    )
    table = {c.pk: UnitStatus(c, None) for c in children}
    by_id = {i.pk: i for i in indicators}
    for row in Aggregate.objects.filter(
        form=form, period=period, unit__in=children, approved=approved_only, value_count__gt=0
    ).values("indicator_id", "unit_id", "value_sum", "value_count", "value_min", "value_max"):
        ind = by_id.get(row["indicator_id"])
        if ind is None:
            continue
        b = Bucket()
        b.add(row, Decimal(1))
        table[row["unit_id"]].values[ind.pk] = round_value(b.value(ind.aggregation))
    return statuses, indicators, [table[c.pk] for c in children]
