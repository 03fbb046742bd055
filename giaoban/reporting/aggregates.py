"""Maintained aggregates: a submission's figures added to (or removed from) its unit and every ancestor.

Key: (indicator, unit, form, reporting period id, approved). Each row holds, over the unit's whole
subtree, the sum and the count of the figures reported for that period (and their min/max for
indicators aggregated by min/max across units). Rows change in the same transaction as the status
change, with one `INSERT ... SELECT ... ON CONFLICT DO UPDATE SET s = s + excluded.s` per batch of
reports: an increment, so two submissions touching the same ancestor row at once never lose an update
on PostgreSQL, and rows are written in key order so concurrent writers take their row locks in the same
order. ReportCount rows (reports per unit subtree, form, period) are kept the same way.
"""

from __future__ import annotations

from django.db.models import Max, Min

from giaoban.core.access import subtree_q
from giaoban.core.db import Statement, current, execute_all
from giaoban.orgs.models import OrgUnit

from .models import Aggregate, DataValue, Indicator, ReportCount, Submission

_MINMAX = (Indicator.Aggregation.MIN, Indicator.Aggregation.MAX)


def ancestor_ids(unit: OrgUnit) -> list[int]:
    """The unit and all its ancestors, read by path prefix in one query."""
    return list(OrgUnit.objects.filter(path__in=unit.lineage_paths()).values_list("pk", flat=True))


# Tree levels a unit can have ancestors at (national, province, district, commune, and room to spare).
_LEVELS = 8
_CHUNK = 500


def _ancestors_join(unit_alias: str) -> str:
    """FROM-clause fragment joining each unit to itself and every ancestor (`anc`): the paths of its
    prefixes, looked up in the path index (a prefix longer than the path is the path itself, which the IN
    list matches once). No ancestor list is read beforehand."""
    units = current().ops.quote_name(OrgUnit._meta.db_table)
    step = OrgUnit.steplen
    prefixes = ", ".join(f"SUBSTR({unit_alias}.path, 1, {k * step})" for k in range(1, _LEVELS + 1))
    return f"JOIN {units} anc ON anc.path IN ({prefixes}) "


def apply(submission: Submission, *, sign: int, approved: bool) -> None:
    """Add (sign=+1) or remove (sign=-1) the submission (its count and numeric figures) from the aggregates."""
    apply_many([submission], sign=sign, approved=approved)


def apply_many(submissions: list[Submission], *, sign: int, approved: bool) -> None:
    """apply() for many submissions at once: per chunk of reports, one statement for the counts and one
    for the figures, each an INSERT ... SELECT grouped by key (the values are read by the database, not
    round-tripped through Python), ordered by key so concurrent writers lock rows in the same order."""
    if sign not in (1, -1):
        raise ValueError(sign)
    if len(submissions) == 1:
        execute_all(_one(submissions[0], sign=sign, approved=approved))
    else:
        for start in range(0, len(submissions), _CHUNK):
            chunk = submissions[start : start + _CHUNK]
            execute_all([_count(chunk, sign=sign, approved=approved), _figures(chunk, sign=sign, approved=approved)])
    if sign < 0:
        for submission in submissions:
            _recompute_extremes(submission, approved)


def _on_conflict_counts(table: str) -> str:
    return (
        "ON CONFLICT (unit_id, form_id, approved, period) DO UPDATE SET "
        f"reported = {table}.reported + excluded.reported, on_time = {table}.on_time + excluded.on_time"
    )


def _extremes(sign: int, *, grouped: bool) -> tuple[str, list]:
    """The value_min, value_max columns: the figure itself for indicators aggregated by min/max across
    units (their MIN/MAX when grouped); NULL on removal (recomputed afterwards)."""
    if sign < 0:
        return "NULL, NULL", []
    figure = "CASE WHEN i.aggregation IN (%s, %s) THEN dv.value END"
    lo, hi = (f"MIN({figure})", f"MAX({figure})") if grouped else (figure, figure)
    return f"{lo}, {hi}", [*_MINMAX, *_MINMAX]


def _on_conflict_figures(table: str) -> str:
    return (
        "ON CONFLICT (unit_id, form_id, approved, period, indicator_id) DO UPDATE SET "
        f"value_sum = {table}.value_sum + excluded.value_sum, "
        f"value_count = {table}.value_count + excluded.value_count, "
        f"value_min = CASE WHEN excluded.value_min IS NOT NULL AND ({table}.value_min IS NULL "
        f"OR excluded.value_min < {table}.value_min) THEN excluded.value_min ELSE {table}.value_min END, "
        f"value_max = CASE WHEN excluded.value_max IS NOT NULL AND ({table}.value_max IS NULL "
        f"OR excluded.value_max > {table}.value_max) THEN excluded.value_max ELSE {table}.value_max END"
    )


def addition(submission: Submission, *, approved: bool) -> list[Statement]:
    """The statements of apply(submission, sign=1, ...), for a caller to send with its other writes (after
    the report's figures are written: they read them)."""
    return _one(submission, sign=1, approved=approved)


def _one(submission: Submission, *, sign: int, approved: bool) -> list[Statement]:
    """_count() and _figures() for one report (a submit or approval on its page): the same rows from
    statements the database plans in a fraction of the time (0.4 against 2.3 ms on PostgreSQL)."""
    return [
        _count_one(submission, sign=sign, approved=approved),
        _figures_one(submission, sign=sign, approved=approved),
    ]


def _count_one(submission: Submission, *, sign: int, approved: bool) -> Statement:
    """_count() for one report: its ancestors' ids looked up by their paths, the rest given."""
    qn = current().ops.quote_name
    table, units = qn(ReportCount._meta.db_table), qn(OrgUnit._meta.db_table)
    paths = submission.unit.lineage_paths()
    marks = ", ".join(["%s"] * len(paths))
    sql = (
        f"INSERT INTO {table} (unit_id, form_id, period, approved, reported, on_time) "  # noqa: S608
        f"SELECT anc.id, %s, %s, %s, %s, %s FROM {units} anc WHERE anc.path IN ({marks}) ORDER BY anc.id "
        f"{_on_conflict_counts(table)}"
    )
    on_time = sign if submission.on_time else 0
    return sql, [submission.form_id, submission.period, approved, sign, on_time, *paths]


def _figures_one(submission: Submission, *, sign: int, approved: bool) -> Statement:
    """_figures() for one report: a row per (figure, ancestor), no grouping (a report has one figure per
    indicator), in the same order as _figures() (indicator, then unit)."""
    qn = current().ops.quote_name
    table, units = qn(Aggregate._meta.db_table), qn(OrgUnit._meta.db_table)
    values, indicators = qn(DataValue._meta.db_table), qn(Indicator._meta.db_table)
    paths = submission.unit.lineage_paths()
    marks = ", ".join(["%s"] * len(paths))
    extremes, extreme_params = _extremes(sign, grouped=False)
    sql = (
        f"INSERT INTO {table} (indicator_id, unit_id, form_id, period, approved, "  # noqa: S608
        "value_sum, value_count, value_min, value_max) "
        f"SELECT dv.indicator_id, anc.id, %s, %s, %s, {sign} * dv.value, {sign}, {extremes} "
        f"FROM {values} dv JOIN {indicators} i ON i.id = dv.indicator_id "
        f"JOIN {units} anc ON anc.path IN ({marks}) "
        "WHERE dv.submission_id = %s AND dv.value IS NOT NULL ORDER BY dv.indicator_id, anc.id "
        f"{_on_conflict_figures(table)}"
    )
    return sql, [submission.form_id, submission.period, approved, *extreme_params, *paths, submission.pk]


def _count(chunk: list[Submission], *, sign: int, approved: bool) -> Statement:
    """The reports themselves, counted once per ancestor: reported, and on time if submitted by the deadline."""
    qn = current().ops.quote_name
    table, subs, units = qn(ReportCount._meta.db_table), qn(Submission._meta.db_table), qn(OrgUnit._meta.db_table)
    ids = [s.pk for s in chunk]
    late = [s.pk for s in chunk if not s.on_time]
    marks = ", ".join(["%s"] * len(ids))
    late_marks = ", ".join(["%s"] * len(late)) or "NULL"
    # Only identifiers from the models, integers and placeholders go into the statement.
    sql = (
        f"INSERT INTO {table} (unit_id, form_id, period, approved, reported, on_time) "  # noqa: S608
        f"SELECT anc.id, s.form_id, s.period, %s, {sign} * COUNT(*), "
        f"{sign} * SUM(CASE WHEN s.id IN ({late_marks}) THEN 0 ELSE 1 END) "
        f"FROM {subs} s JOIN {units} u ON u.id = s.unit_id {_ancestors_join('u')}"
        f"WHERE s.id IN ({marks}) GROUP BY anc.id, s.form_id, s.period ORDER BY anc.id, s.form_id, s.period "
        f"{_on_conflict_counts(table)}"
    )
    return sql, [approved, *late, *ids]


def _figures(chunk: list[Submission], *, sign: int, approved: bool) -> Statement:
    """The numeric figures, summed per (indicator, ancestor, form, period); min/max kept for indicators
    aggregated by min/max across units (on removal they are recomputed afterwards)."""
    qn = current().ops.quote_name
    table, subs, units = qn(Aggregate._meta.db_table), qn(Submission._meta.db_table), qn(OrgUnit._meta.db_table)
    values, indicators = qn(DataValue._meta.db_table), qn(Indicator._meta.db_table)
    ids = [s.pk for s in chunk]
    marks = ", ".join(["%s"] * len(ids))
    extremes, extreme_params = _extremes(sign, grouped=True)
    key = "dv.indicator_id, anc.id, s.form_id, s.period"
    sql = (
        f"INSERT INTO {table} (indicator_id, unit_id, form_id, period, approved, "  # noqa: S608
        "value_sum, value_count, value_min, value_max) "
        f"SELECT {key}, %s, {sign} * SUM(dv.value), {sign} * COUNT(*), {extremes} "
        f"FROM {values} dv JOIN {subs} s ON s.id = dv.submission_id "
        f"JOIN {indicators} i ON i.id = dv.indicator_id "
        f"JOIN {units} u ON u.id = s.unit_id {_ancestors_join('u')}"
        f"WHERE dv.submission_id IN ({marks}) AND dv.value IS NOT NULL "
        f"GROUP BY {key} ORDER BY {key} {_on_conflict_figures(table)}"
    )
    return sql, [approved, *extreme_params, *ids]


def _recompute_extremes(submission: Submission, approved: bool) -> None:
    """Min/max cannot be un-added: after a removal, read them again from the values (only for the few
    min/max indicators, one query per ancestor level)."""
    indicator_ids = list(
        DataValue.objects.filter(
            submission=submission, value__isnull=False, indicator__aggregation__in=_MINMAX
        ).values_list("indicator_id", flat=True)
    )
    if not indicator_ids:
        return
    statuses = [Submission.Status.APPROVED] if approved else list(Submission.COUNTED)
    for unit in OrgUnit.objects.filter(pk__in=ancestor_ids(submission.unit)):
        found = {
            r["indicator_id"]: r
            for r in DataValue.objects.filter(
                subtree_q("submission__unit__path", unit.path),
                submission__form_id=submission.form_id,
                submission__period=submission.period,
                submission__status__in=statuses,
                indicator_id__in=indicator_ids,
                value__isnull=False,
            )
            .exclude(submission=submission)
            .values("indicator_id")
            .annotate(lo=Min("value"), hi=Max("value"))
        }
        for indicator_id in indicator_ids:
            r = found.get(indicator_id, {})
            Aggregate.objects.filter(
                indicator_id=indicator_id,
                unit=unit,
                form_id=submission.form_id,
                period=submission.period,
                approved=approved,
            ).update(value_min=r.get("lo"), value_max=r.get("hi"))


def rebuild() -> int:
    """Recompute every aggregate from the values (repair tool; the live path never needs it)."""
    Aggregate.objects.all().delete()
    ReportCount.objects.all().delete()
    counted = list(Submission.objects.filter(status__in=Submission.COUNTED).order_by("pk"))
    apply_many(counted, sign=1, approved=False)
    apply_many([s for s in counted if s.status == Submission.Status.APPROVED], sign=1, approved=True)
    return len(counted)
