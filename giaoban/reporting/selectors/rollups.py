"""Reads: roll-ups from the maintained aggregates, completeness and timeliness, report lists.

Roll-up rule for indicator I, unit U, window W (a period id):
* buckets = for every form that holds I, the reporting periods composing W (periods.composed_of);
  a bucket is identified by its end date, so the figures of two forms ending on the same day merge;
* per bucket, the across-units value over U's subtree comes from one aggregate row:
  sum -> sum, mean -> sum / count, max/min -> max/min;
* across time, over the buckets that have figures: sum, mean, max, min, or last = the bucket value
  of the latest bucket in W that has any figure (e.g. followers: the subtree's total in the last
  week of the window that was reported; a unit that skipped that week is not carried forward);
* a ratio is the roll-up of its numerator divided by that of its denominator (never a mean of ratios);
* restated: each bucket also gets the predecessors' figures (through any number of reorganisations),
  weighted by share, before the across-time step.
Cost: a constant number of indexed queries whatever the number of units and values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from giaoban.core.access import Action, can, subtree_q
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import OrgUnit, Succession

from .. import periods
from ..models import VALUE_PLACES, Aggregate, FormIndicator, Indicator, ReportCount, ReportForm

__all__ = [
    "MAX_GENERATIONS",
    "PLACES",
    "STORED_PLACES",
    "Bucket",
    "Rollup",
    "completeness",
    "form_buckets",
    "forms_of",
    "indicator_value",
    "over_time",
    "predecessors_of",
    "rollup",
    "round_value",
    "weighted_values",
    "window_of",
    "window_values",
]

MAX_GENERATIONS = 50
PLACES = Decimal("0.0001")
STORED_PLACES = Decimal(1).scaleb(-VALUE_PLACES)
Agg = Indicator.Aggregation


@dataclass
class Rollup:
    """What rollup() returns: the value and report counts of one unit, with its child units' when asked."""

    unit: OrgUnit
    value: Decimal | None = None
    expected: int = 0
    reported: int = 0
    on_time: int = 0
    children: list[Rollup] = field(default_factory=list)
    # Restated with a predecessor's figures at a split share: an estimate (reporting.figures shows it so).
    estimated: bool = False

    @property
    def late(self) -> int:
        return self.reported - self.on_time

    @property
    def missing(self) -> int:
        return max(self.expected - self.reported, 0)


@dataclass
class Bucket:
    """One bucket (a reporting period, by its end date) of aggregate rows added up across units, each row
    weighted (a predecessor by its share); value() gives it for an across-units aggregation."""

    sum: Decimal = Decimal(0)
    count: Decimal = Decimal(0)
    min: Decimal | None = None
    max: Decimal | None = None

    def add(self, row: dict, weight: Decimal) -> None:
        self.sum += row["value_sum"] * weight
        self.count += row["value_count"] * weight
        for name, better in (("min", min), ("max", max)):
            v = row[f"value_{name}"]
            if v is not None:
                v = v * weight
                cur = getattr(self, name)
                setattr(self, name, v if cur is None else better(cur, v))

    def value(self, aggregation: str) -> Decimal | None:
        if aggregation == Agg.MEAN:
            return self.sum / self.count if self.count else None
        if aggregation == Agg.MAX:
            return self.max
        if aggregation == Agg.MIN:
            return self.min
        return self.sum


def over_time(buckets: Mapping[date, Bucket], across_units: str, how: str) -> Decimal | None:
    """The window's value from its buckets (keyed by end date): each bucket's value across units, then
    `how` across time over the buckets that have one."""
    values = [v for _end, b in sorted(buckets.items()) if (v := b.value(across_units)) is not None]
    if not values:
        return None
    if how == Agg.LAST:
        return values[-1]
    if how == Agg.MEAN:
        return sum(values) / len(values)
    if how == Agg.MAX:
        return max(values)
    if how == Agg.MIN:
        return min(values)
    return sum(values)


def indicator_value(indicator: Indicator, values: Mapping[int, Decimal | None]) -> Decimal | None:
    """The indicator's rounded value from its base indicators' window values (id -> value): its own, or
    for a ratio numerator / denominator (x 100 for a percent; none when the denominator is 0 or missing)."""
    if not indicator.is_ratio:
        return round_value(values.get(indicator.pk))
    num, den = values.get(indicator.numerator_id), values.get(indicator.denominator_id)
    value = None if num is None or not den else num / den
    if value is not None and indicator.value_type == Indicator.ValueType.PERCENT:
        value *= 100
    return round_value(value)


def round_value(v: Decimal | None) -> Decimal | None:
    """A computed value as shown and stored: 4 decimal places at most, a whole number without any."""
    if v is None:
        return None
    v = v.quantize(PLACES)
    return v.quantize(Decimal(1)) if v == v.to_integral_value() else v.normalize()


def predecessors_of(unit_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """For each unit, every predecessor through any number of reorganisations with its weight (product of
    shares), one query per generation for all units together."""
    result: dict[int, dict[int, Decimal]] = {u: {} for u in unit_ids}
    frontier: dict[int, dict[int, Decimal]] = {u: {u: Decimal(1)} for u in unit_ids}
    for _generation in range(MAX_GENERATIONS):
        current = {pk for f in frontier.values() for pk in f}
        if not current:
            break
        edges = defaultdict(list)
        for pred, succ, share in Succession.objects.filter(successor_id__in=current).values_list(
            "predecessor_id", "successor_id", "share"
        ):
            edges[succ].append((pred, share))
        nxt: dict[int, dict[int, Decimal]] = {}
        for target, units in frontier.items():
            new: dict[int, Decimal] = defaultdict(Decimal)
            for pk, weight in units.items():
                for pred, share in edges.get(pk, ()):
                    if pred != target and pred not in result[target]:
                        new[pred] += weight * share
            if new:
                result[target].update(new)
                nxt[target] = dict(new)
        frontier = nxt
    return result


def window_of(period: str) -> periods.Period:
    """The window named by a period id; a ServiceError (not a PeriodError) when it is not one."""
    try:
        return periods.parse_period(period)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc), {"period": period}) from None


def forms_of(indicator_ids: list[int]) -> dict[int, tuple[ReportForm, set[int]]]:
    """Forms (any version) holding the indicators: form id -> (form, indicator ids it holds)."""
    found: dict[int, tuple[ReportForm, set[int]]] = {}
    for item in FormIndicator.objects.filter(indicator_id__in=indicator_ids).select_related("version__form"):
        form = item.version.form
        found.setdefault(form.pk, (form, set()))[1].add(item.indicator_id)
    return found


def form_buckets(forms, window: periods.Period) -> dict[int, list[tuple[str, date]]]:
    """form id -> [(reporting period id, its end date)] composing the window."""
    out: dict[int, list[tuple[str, date]]] = {}
    for form_id, (form, _ids) in forms.items():
        try:
            composed = periods.composed_of(window, form.period_type, form.scheme)
        except periods.PeriodError:
            continue
        out[form_id] = [(p.id, periods.cutoff(p, form.scheme)) for p in composed]
    if forms and not out:
        raise ServiceError(
            f"Kỳ {window.id} không ghép được từ các kỳ báo cáo của biểu mẫu "
            f"(window {window.id} cannot be composed of the forms' reporting periods)",
            {"period": window.id},
        )
    return out


def _to_decimal(v, exact: bool) -> Decimal | None:
    """A number as the database returned it: Decimal from PostgreSQL; int or float from SQLite, whose
    float noise on sums of stored figures is dropped by rounding to the stored places (`exact`)."""
    if v is None or isinstance(v, Decimal):
        return v
    if isinstance(v, int):
        return Decimal(v)
    d = Decimal(repr(v))
    return d.quantize(STORED_PLACES) if exact else d


def _marks(items) -> str:
    return ", ".join(["%s"] * len(items))


def window_values(
    unit_ids: list[int],
    base: dict[int, tuple[str, str]],
    forms: dict[int, tuple[ReportForm, set[int]]],
    buckets: dict[int, list[tuple[str, date]]],
    approved_only: bool,
) -> dict[int, dict[int, Decimal | None]]:
    """unit id -> {indicator id -> value over the window} for each unit's own subtree, computed by the
    database in one statement from the aggregate rows (bucket by end date, across units per bucket, then
    across time), so what comes back is one row per (unit, indicator), whatever the window's length.
    `base`: indicator id -> (aggregation across units, across time); `forms`/`buckets` as forms_of()
    and form_buckets() give them. The rule is the module's; weighted_values() is the same in Python for
    weighted (restated) sets of units, and a test holds the two equal."""
    parts = [
        (form_id, plist, sorted(forms[form_id][1] & set(base))) for form_id, plist in sorted(buckets.items()) if plist
    ]
    parts = [(f, plist, held) for f, plist, held in parts if held]
    if not parts or not unit_ids:
        return {}
    table = connection.ops.quote_name(Aggregate._meta.db_table)
    single = len(parts) == 1
    ends = sorted({end for _f, plist, _h in parts for _p, end in plist})
    rank = {end: i for i, end in enumerate(ends)}

    def bucket_rows(ind_ids: list[int]) -> tuple[str, list]:
        """One row (unit_id, indicator_id, r = the bucket's order, v = its value across units) per bucket.
        With one form a bucket is one aggregate row, ordered by its period id (one period type, so
        chronological); with several, rows of forms whose periods end on the same day are merged."""
        wanted = set(ind_ids)
        where, where_params = [], []
        for form_id, plist, held in parts:
            mine = [i for i in held if i in wanted]
            if mine:
                # A range, not the list: one form's periods are of one type, whose ids have one width and sort
                # by date, and a window's periods are consecutive; so the range holds exactly them, and the
                # index is read as one run per unit (an IN list made PostgreSQL read each unit's history).
                ids = sorted(p for p, _e in plist)
                where.append(
                    f"(a.form_id = %s AND a.period >= %s AND a.period <= %s AND a.indicator_id IN ({_marks(mine)}))"
                )
                where_params += [form_id, ids[0], ids[-1], *mine]
        if not where:
            return "", []
        by_agg: dict[str, list[int]] = defaultdict(list)
        for ind_id in ind_ids:
            by_agg[base[ind_id][0]].append(ind_id)
        if single:
            columns = {Agg.MEAN: "a.value_sum * 1.0 / a.value_count", Agg.MAX: "a.value_max", Agg.MIN: "a.value_min"}
            plain = "a.value_sum"
        else:
            columns = {
                Agg.MEAN: "SUM(a.value_sum) * 1.0 / SUM(a.value_count)",
                Agg.MAX: "MAX(a.value_max)",
                Agg.MIN: "MIN(a.value_min)",
            }
            plain = "SUM(a.value_sum)"
        picks, pick_params = [], []
        for agg, column in columns.items():
            if by_agg.get(agg):
                picks.append(f"WHEN a.indicator_id IN ({_marks(by_agg[agg])}) THEN {column}")
                pick_params += by_agg[agg]
        v = f"CASE {' '.join(picks)} ELSE {plain} END" if picks else plain
        if single:
            r, r_params, group = "a.period", [], ""
        else:
            whens = [
                f"WHEN a.form_id = %s AND a.period = %s THEN {rank[end]}"
                for _f, plist, _h in parts
                for _p, end in plist
            ]
            r = f"CASE {' '.join(whens)} END"
            r_params = [x for form_id, plist, _h in parts for pid, _e in plist for x in (form_id, pid)]
            group = " GROUP BY 1, 2, 3"
        sql = (
            f"SELECT a.unit_id AS unit_id, a.indicator_id AS indicator_id, {r} AS r, {v} AS v "  # noqa: S608
            f"FROM {table} a WHERE a.unit_id IN ({_marks(unit_ids)}) AND a.approved = %s AND a.value_count > 0 "
            f"AND ({' OR '.join(where)}){group}"
        )
        return sql, [*r_params, *pick_params, *unit_ids, approved_only, *where_params]

    # Identifiers from the model, integers and placeholders only; every value is a parameter. "Last"
    # indicators need each pair's latest bucket with a figure: a window function, over their rows only.
    last_ids = [i for i, (_u, t) in base.items() if t == Agg.LAST]
    other_ids = [i for i, (_u, t) in base.items() if t != Agg.LAST]
    statements, params = [], []
    rows_sql, rows_params = bucket_rows(other_ids)
    if rows_sql:
        statements.append(
            "SELECT unit_id, indicator_id, SUM(v), COUNT(v), MIN(v), MAX(v), NULL "  # noqa: S608
            f"FROM ({rows_sql}) b GROUP BY unit_id, indicator_id"
        )
        params += rows_params
    rows_sql, rows_params = bucket_rows(last_ids)
    if rows_sql:
        statements.append(
            "SELECT unit_id, indicator_id, NULL, COUNT(v), NULL, NULL, MAX(CASE WHEN rn = 1 THEN v END) "  # noqa: S608
            "FROM (SELECT unit_id, indicator_id, v, ROW_NUMBER() OVER (PARTITION BY unit_id, indicator_id "
            f"ORDER BY CASE WHEN v IS NULL THEN 1 ELSE 0 END, r DESC) AS rn FROM ({rows_sql}) b) ranked "
            "GROUP BY unit_id, indicator_id"
        )
        params += rows_params
    if not statements:
        return {}
    sql = " UNION ALL ".join(statements)
    out: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for unit_id, ind_id, total, n, lo, hi, last in rows:
        across_units, across_time = base[ind_id]
        exact = across_units != Agg.MEAN
        if not n:
            value = None
        elif across_time == Agg.LAST:
            value = _to_decimal(last, exact)
        elif across_time == Agg.MEAN:
            value = _to_decimal(total, exact) / n
        elif across_time == Agg.MAX:
            value = _to_decimal(hi, exact)
        elif across_time == Agg.MIN:
            value = _to_decimal(lo, exact)
        else:
            value = _to_decimal(total, exact)
        out[unit_id][ind_id] = value
    return out


def weighted_values(
    weights: dict[int, dict[int, Decimal]],
    base: dict[int, tuple[str, str]],
    forms: dict[int, tuple[ReportForm, set[int]]],
    buckets: dict[int, list[tuple[str, date]]],
    approved_only: bool,
    estimated: set[int] | None = None,
) -> dict[int, dict[int, Decimal | None]]:
    """window_values() for targets that each add several units' rows, weighted (a unit and its
    predecessors by share): target id -> {unit id: weight}. The aggregate rows of every bucket come back
    and are rolled up here. `estimated`, if given, receives the targets whose value took in rows at a
    split share (weight other than 1): an estimate, shown as such (reporting.figures)."""
    data: dict[int, list[dict]] = defaultdict(list)
    q = Q()
    for form_id, plist in buckets.items():
        q |= Q(form_id=form_id, period__in=[p for p, _e in plist], indicator_id__in=forms[form_id][1] & set(base))
    wanted = {pk for w in weights.values() for pk in w}
    for row in Aggregate.objects.filter(q, unit_id__in=wanted, approved=approved_only, value_count__gt=0).values(
        "indicator_id", "unit_id", "form_id", "period", "value_sum", "value_count", "value_min", "value_max"
    ):
        data[row["unit_id"]].append(row)
    ends = {(form_id, pid): end for form_id, plist in buckets.items() for pid, end in plist}
    out: dict[int, dict[int, Decimal | None]] = {}
    for target_id, units in weights.items():
        per_indicator: dict[int, dict[date, Bucket]] = defaultdict(lambda: defaultdict(Bucket))
        for unit_id, weight in units.items():
            rows = data.get(unit_id, ())
            if rows and weight != 1 and estimated is not None:
                estimated.add(target_id)
            for row in rows:
                per_indicator[row["indicator_id"]][ends[(row["form_id"], row["period"])]].add(row, weight)
        out[target_id] = {
            ind_id: over_time(per_indicator[ind_id], across_units, across_time)
            for ind_id, (across_units, across_time) in base.items()
        }
    return out


def completeness(
    targets: list[OrgUnit], prefix_len: int, forms, buckets, approved_only: bool
) -> dict[str, tuple[int, int, int]]:
    """(expected, reported, on time) report counts by path prefix of length prefix_len, one query per form
    for the expected units (valid at each period's end) and one for the reports.

    A period that has not started expects no report. In a window of several periods (a year of weeks), a
    period whose deadline has not passed yet (the week in progress, or last week on its deadline day: the rule
    that makes a report late) expects only the reports already in, so that it counts nobody as missing; a
    period asked for by itself (the dashboard's, the status page's) expects every unit, the page showing that
    its deadline has not come."""
    from ..services import deadline_for

    scope = Q()
    for t in targets:
        scope |= subtree_q("path", t.path)
    result: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    today = timezone.localdate()
    for form_id, plist in buckets.items():
        form = forms[form_id][0]
        started = [
            (pid, end)
            for pid, end in plist
            if end >= form.active_from and periods.period_range(pid, form.scheme)[0] <= today
        ]
        not_due = {pid for pid, _end in started if len(plist) > 1 and deadline_for(form, pid) >= today}
        counts = {
            f"p{i}": Count("pk", filter=Q(valid_from__lte=end) & (Q(valid_to__isnull=True) | Q(valid_to__gte=end)))
            for i, (pid, end) in enumerate(started)
            if pid not in not_due
        }
        if counts:
            rows = (
                OrgUnit.objects.filter(scope, kind__in=form.unit_kinds)
                .annotate(prefix=Substr("path", 1, prefix_len))
                .order_by()
                .values("prefix")
                .annotate(**counts)
            )
            for row in rows:
                result[row["prefix"]][0] += sum(row[k] for k in counts)
        # Reports come from the maintained counts: each target's row, and the rows of the units at
        # prefix depth below it; what a target reported itself is its row less theirs.
        depth = prefix_len // OrgUnit.steplen
        unit_scope = Q(pk__in=[t.pk for t in targets])
        for t in targets:
            if depth > t.depth:
                unit_scope |= subtree_q("path", t.path) & Q(depth=depth)
        # `e`: the reports of the periods not due yet, which are all those periods expect.
        counted: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for path, reported, on_time, early in (
            ReportCount.objects.filter(
                unit__in=OrgUnit.objects.filter(unit_scope),
                form_id=form_id,
                period__in=[p for p, _e in plist],
                approved=approved_only,
            )
            .values("unit__path")
            .annotate(
                r=Sum("reported"),
                o=Sum("on_time"),
                e=Sum("reported", filter=Q(period__in=not_due)) if not_due else Value(0),
            )
            .values_list("unit__path", "r", "o", "e")
        ):
            counted[path][0] += reported
            counted[path][1] += on_time
            counted[path][2] += early or 0
        for t in targets:
            own_reported, own_on_time, own_early = counted.get(t.path, (0, 0, 0))
            if len(t.path) < prefix_len:
                for path, (reported, on_time, early) in counted.items():
                    if len(path) == prefix_len and path.startswith(t.path):
                        result[path][0] += early
                        result[path][1] += reported
                        result[path][2] += on_time
                        own_reported -= reported
                        own_on_time -= on_time
                        own_early -= early
            if own_reported or own_on_time or own_early:
                result[t.path][0] += own_early
                result[t.path][1] += own_reported
                result[t.path][2] += own_on_time
    return {k: tuple(v) for k, v in result.items()}


def rollup(
    user,
    indicator: Indicator,
    unit: OrgUnit,
    period: str,
    by_child: bool = False,
    approved_only: bool = False,
    restated: bool = False,
) -> Rollup:
    """Value, expected/reported/on-time counts of `indicator` for `unit` over window `period`
    (with `children` filled when by_child). Out of the user's scope: 404."""
    if not can(user, Action.VIEW, unit.path):
        raise Http404
    if indicator.value_type == Indicator.ValueType.TEXT:
        raise ServiceError(
            "Chỉ tiêu văn bản không tổng hợp được (text indicators are not rolled up)", {"indicator": indicator.code}
        )
    window = window_of(period)
    base = [indicator.numerator_id, indicator.denominator_id] if indicator.is_ratio else [indicator.pk]
    base_aggs = (
        {i.pk: (i.aggregation, i.time_aggregation) for i in Indicator.objects.filter(pk__in=base)}
        if indicator.is_ratio
        else {indicator.pk: (indicator.aggregation, indicator.time_aggregation)}
    )
    forms = forms_of(base)
    buckets = form_buckets(forms, window)

    total = Rollup(unit=unit)
    targets = [total]
    if by_child:
        start, end = periods.period_range(
            window, periods.CALENDAR if not forms else next(iter(forms.values()))[0].scheme
        )
        children = (
            OrgUnit.objects.filter(parent=unit, valid_from__lte=end)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
            .vn_sorted()
        )
        total.children = [Rollup(unit=c) for c in children]
        targets += total.children

    found: dict[int, dict[int, Decimal | None]] = {}
    if buckets and restated:
        weights: dict[int, dict[int, Decimal]] = {t.unit.pk: {t.unit.pk: Decimal(1)} for t in targets}
        for target_id, preds in predecessors_of(list(weights)).items():
            weights[target_id].update(preds)
        shared: set[int] = set()
        found = weighted_values(weights, base_aggs, forms, buckets, approved_only, shared)
        for target in targets:
            target.estimated = target.unit.pk in shared
    elif buckets:
        found = window_values([t.unit.pk for t in targets], base_aggs, forms, buckets, approved_only)

    for target in targets:
        target.value = indicator_value(indicator, found.get(target.unit.pk, {}))

    if buckets:
        prefix_len = len(unit.path) + (OrgUnit.steplen if by_child else 0)
        counts = completeness([unit], prefix_len, forms, buckets, approved_only)
        for target in targets:
            if target is total:
                continue
            target.expected, target.reported, target.on_time = counts.get(target.unit.path, (0, 0, 0))
        total.expected = sum(c[0] for c in counts.values())
        total.reported = sum(c[1] for c in counts.values())
        total.on_time = sum(c[2] for c in counts.values())
    return total
