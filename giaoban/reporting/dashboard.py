"""Reads for the dashboard: completeness and timeliness by child unit for one form and period, the late and
missing units, and the trend of chosen indicators over the last periods, each in a constant number of queries.

The counts and values are those of `selectors.rollup` (same helpers, same rules), batched for a page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, Subquery

from giaoban.core.access import subtree_q
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import OrgUnit

from . import periods, selectors, services
from .models import Aggregate, Indicator, ReportForm, Submission

__all__ = [
    "Completeness",
    "Trend",
    "completeness_by_child",
    "current_period",
    "default_indicators",
    "default_period",
    "forms_for_dashboard",
    "late_and_missing",
    "late_and_missing_querysets",
    "period_dates",
    "period_label",
    "trend",
    "trend_choices",
    "trend_periods",
    "units_page",
]

TREND_PERIODS = 8
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


# --- Periods -----------------------------------------------------------------------------------------


def period_label(p: periods.Period | str, scheme: str, short: bool = False, with_dates: bool = True) -> str:
    """The period's one label (periods.period_label); kept so the dashboard's callers read as before."""
    return periods.period_label(p, scheme, dates=with_dates, short=short)


def period_dates(p: periods.Period | str, scheme: str) -> str:
    """ "02/11–08/11/2026": the days a period covers."""
    start, end = periods.period_range(p, scheme)
    return f"{start:%d/%m}–{end:%d/%m/%Y}"


def current_period(form: ReportForm, today: date) -> periods.Period:
    """The form's period that contains `today` (in the 4th quarter, this year's nine months)."""
    try:
        return periods.period_of(today, form.period_type, form.scheme)
    except periods.PeriodError:  # 4th quarter: the latest nine-month period is this year's
        return periods.parse_period(f"{today.year}N9")


def default_period(form: ReportForm, today: date) -> periods.Period:
    """The last period of the form that has ended: the current one cannot be complete yet."""
    p = current_period(form, today)
    while periods.cutoff(p, form.scheme) >= today:
        p = periods.previous_period(p)
    return p


def trend_periods(period: periods.Period, form: ReportForm, count: int = TREND_PERIODS) -> list[periods.Period]:
    """The `count` periods ending with `period`, oldest first, none ending before the form applied."""
    out = [period]
    while len(out) < count:
        prev = periods.previous_period(out[-1])
        if periods.cutoff(prev, form.scheme) < form.active_from:
            break
        out.append(prev)
    return out[::-1]


# --- Forms and indicators ------------------------------------------------------------------------------


def forms_for_dashboard(unit: OrgUnit) -> list[ReportForm]:
    """Forms reported by the unit itself or by units below it; those reported at the lowest level (by the
    most units, e.g. the communes' weekly report) first."""
    depth = OrgUnit.KIND_DEPTH.get(unit.kind, 0)
    forms = []
    for f in ReportForm.objects.order_by("code"):
        lowest = max((OrgUnit.KIND_DEPTH.get(k, 0) for k in f.unit_kinds), default=-1)
        if lowest >= depth:
            forms.append((-lowest, f.code, f))
    return [f for *_key, f in sorted(forms, key=lambda t: t[:2])]


def trend_choices(form: ReportForm) -> list[Indicator]:
    """Numeric indicators of the form's current version, and ratios of two of them (e.g. share of original
    posts), in the form's order."""
    held = [i for i in services.version_indicators(services.current_version(form)) if i.is_numeric]
    ids = {i.pk for i in held}
    ratios = Indicator.objects.filter(
        aggregation=Indicator.Aggregation.RATIO, numerator_id__in=ids, denominator_id__in=ids
    ).order_by("code")
    return held + [r for r in ratios if r.pk not in ids]


def default_indicators(choices: list[Indicator], limit: int = 3) -> list[Indicator]:
    required = [i for i in choices if i.required]
    return (required or choices)[:limit]


# --- Completeness and timeliness ---------------------------------------------------------------------


@dataclass
class Completeness:
    unit: OrgUnit
    expected: int = 0
    reported: int = 0
    on_time: int = 0

    @property
    def late(self) -> int:
        return self.reported - self.on_time

    @property
    def missing(self) -> int:
        return max(self.expected - self.reported, 0)

    @property
    def reported_pct(self) -> Decimal | None:
        return _pct(self.reported, self.expected)

    @property
    def on_time_pct(self) -> Decimal | None:
        return _pct(self.on_time, self.expected)


def _pct(part: int, whole: int) -> Decimal | None:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1")) if whole else None


def completeness_by_child(
    unit: OrgUnit, form: ReportForm, period: periods.Period, approved_only: bool = False
) -> tuple[Completeness, list[Completeness], Completeness | None]:
    """(total over the unit's subtree, one row per child unit valid in the period, the unit's own reports or
    None), counted exactly as `selectors.rollup` counts them, in three queries."""
    start, end = periods.period_range(period, form.scheme)
    children = list(
        OrgUnit.objects.filter(parent=unit, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .vn_sorted()
    )
    counts = selectors.completeness(
        [unit],
        len(unit.path) + OrgUnit.steplen,
        {form.pk: (form, set())},
        {form.pk: [(period.id, periods.cutoff(period, form.scheme))]},
        approved_only,
    )
    rows = [Completeness(c, *counts.get(c.path, (0, 0, 0))) for c in children]
    own = Completeness(unit, *counts[unit.path]) if unit.path in counts else None
    total = Completeness(unit, *(sum(c[i] for c in counts.values()) for i in range(3)))
    return total, rows, own


def late_and_missing_querysets(unit: OrgUnit, form: ReportForm, period: periods.Period, approved_only: bool = False):
    """(late, missing) querysets, ordered by path: the reports below `unit` (itself included) made after the
    deadline, and the units expected that have not reported (each annotated with the status of its report not
    (yet) counted, if any). Slice them: a national page expects thousands of units."""
    end = periods.cutoff(period, form.scheme)
    expected = OrgUnit.objects.filter(subtree_q("path", unit.path), kind__in=form.unit_kinds).valid_on(end)
    reports = Submission.objects.filter(form=form, period=period.id)
    reported = reports.filter(status__in=[Submission.Status.APPROVED] if approved_only else Submission.COUNTED)
    fields = ("code", "name", "path", "parent_id", "parent__code", "parent__name", "parent__path")
    missing = (
        expected.exclude(Exists(reported.filter(unit=OuterRef("pk"))))
        .annotate(report_status=Subquery(reports.filter(unit=OuterRef("pk")).values("status")[:1]))
        .select_related("parent")
        .only(*fields)
        .order_by("path")
    )
    # Late: reported, and submitted after the deadline day (in local time), or with no submission time.
    late = (
        reported.filter(unit__in=expected.values("pk"))
        .filter(Q(submitted_at__isnull=True) | Q(submitted_at__date__gt=F("deadline")))
        .select_related("unit", "unit__parent")
        .only(
            "unit", "form", "period", "status", "deadline", "submitted_at", "version", *(f"unit__{f}" for f in fields)
        )
        .order_by("unit__path")
    )
    return late, missing


def _late_statuses(rows) -> list[selectors.UnitStatus]:
    return [selectors.UnitStatus(s.unit, s) for s in rows]


def _missing_statuses(rows, form: ReportForm, period: periods.Period) -> list[selectors.UnitStatus]:
    out = []
    for u in rows:
        status = u.report_status
        submission = None if status is None else Submission(unit=u, form=form, period=period.id, status=status)
        out.append(selectors.UnitStatus(u, submission))
    return out


def late_and_missing(
    unit: OrgUnit, form: ReportForm, period: periods.Period, approved_only: bool = False, limit: int | None = None
):
    """(late, missing): the units below `unit` (itself included) that reported after the deadline, and those
    expected that have not reported (a draft or a returned report is not reported), as
    `selectors.form_period_status` classes them, in two queries; the first `limit` of each when given.

    A national page expects thousands of units, of which only the late and the missing are shown: the database
    picks them out, and only they (or the first `limit`) are read."""
    late, missing = late_and_missing_querysets(unit, form, period, approved_only)
    if limit is not None:
        late, missing = late[:limit], missing[:limit]
    return _late_statuses(late), _missing_statuses(missing, form, period)


def units_page(
    unit: OrgUnit, form: ReportForm, period: periods.Period, state: str, page: int, size: int, approved_only: bool
) -> tuple[list[selectors.UnitStatus], bool]:
    """One page (from 1) of the late or the missing units below `unit`, and whether another follows, in one
    query."""
    late, missing = late_and_missing_querysets(unit, form, period, approved_only)
    start = (page - 1) * size
    if state == "late":
        rows = _late_statuses(late[start : start + size + 1])
    else:
        rows = _missing_statuses(missing[start : start + size + 1], form, period)
    return rows[:size], len(rows) > size


# --- Trends ------------------------------------------------------------------------------------------


@dataclass
class TrendSeries:
    indicator: Indicator
    values: list[Decimal | None] = field(default_factory=list)

    @property
    def decimals(self) -> int | None:
        # A percent or another ratio to one decimal, as everywhere (reporting.figures).
        return 1 if self.indicator.value_type == Indicator.ValueType.PERCENT or self.indicator.is_ratio else None


@dataclass
class Trend:
    periods: list[periods.Period]
    series: list[TrendSeries]

    @property
    def rows(self) -> list[tuple[periods.Period, list[tuple[Decimal | None, int | None]]]]:
        """Table rows: one per period, the value of every series with its decimals."""
        return [(p, [(s.values[i], s.decimals) for s in self.series]) for i, p in enumerate(self.periods)]


def trend(
    unit: OrgUnit, indicators: list[Indicator], windows: list[periods.Period], approved_only: bool = False
) -> Trend:
    """The value of each indicator for `unit` over each window, as `selectors.rollup` computes it (not
    restated), in three queries whatever the number of indicators and windows."""
    base_ids = {pk for i in indicators for pk in ((i.numerator_id, i.denominator_id) if i.is_ratio else (i.pk,))}
    base = {i.pk: i for i in Indicator.objects.filter(pk__in=base_ids)}
    forms = selectors.forms_of(list(base_ids))
    buckets: dict[str, dict[int, list[tuple[str, date]]]] = {}
    for w in windows:
        try:
            buckets[w.id] = selectors.form_buckets(forms, w)
        except ServiceError:  # a window the forms cannot compose has no value
            buckets[w.id] = {}
    q = Q()
    for by_form in buckets.values():
        for form_id, plist in by_form.items():
            q |= Q(form_id=form_id, period__in=[p for p, _e in plist], indicator_id__in=forms[form_id][1])
    rows: dict[tuple[int, int, str], dict] = {}
    if q:
        for row in Aggregate.objects.filter(q, unit=unit, approved=approved_only, value_count__gt=0).values(
            "indicator_id", "form_id", "period", "value_sum", "value_count", "value_min", "value_max"
        ):
            rows[(row["indicator_id"], row["form_id"], row["period"])] = row

    def value_of(ind: Indicator, window: str) -> Decimal | None:
        per_end: dict[date, selectors.Bucket] = defaultdict(selectors.Bucket)
        for form_id, plist in buckets[window].items():
            for pid, end in plist:
                row = rows.get((ind.pk, form_id, pid))
                if row is not None:
                    per_end[end].add(row, Decimal(1))
        return selectors.over_time(per_end, ind.aggregation, ind.time_aggregation)

    result = Trend(windows, [TrendSeries(i) for i in indicators])
    for s in result.series:
        ind = s.indicator
        parts = (ind.numerator_id, ind.denominator_id) if ind.is_ratio else (ind.pk,)
        for w in windows:
            s.values.append(selectors.indicator_value(ind, {pk: value_of(base[pk], w.id) for pk in parts}))
    return result
