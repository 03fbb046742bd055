"""Maintained aggregates: a submission's figures added to (or removed from) its unit and every ancestor.

Key: (indicator, unit, form, reporting period id, approved). Each row holds, over the unit's whole
subtree, the sum and the count of the figures reported for that period (and their min/max for
indicators aggregated by min/max across units). Rows change in the same transaction as the status
change, with one `INSERT ... ON CONFLICT DO UPDATE SET s = s + excluded.s` per batch: an increment,
so two submissions touching the same ancestor row at once never lose an update on PostgreSQL, and
rows are written in key order so concurrent writers take their row locks in the same order.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from giaoban.core.access import subtree_q
from giaoban.orgs.models import OrgUnit

from .models import Aggregate, DataValue, Indicator, ReportCount, Submission

_MINMAX = (Indicator.Aggregation.MIN, Indicator.Aggregation.MAX)
_BATCH = 400


def ancestor_ids(unit: OrgUnit) -> list[int]:
    """The unit and all its ancestors, read by path prefix in one query."""
    paths = [unit.path[: OrgUnit.steplen * d] for d in range(1, unit.depth + 1)]
    return list(OrgUnit.objects.filter(path__in=paths).values_list("pk", flat=True))


def _upsert(rows: list[tuple]) -> None:
    table = connection.ops.quote_name(Aggregate._meta.db_table)
    cols = "indicator_id, unit_id, form_id, period, approved, value_sum, value_count, value_min, value_max"
    for start in range(0, len(rows), _BATCH):
        chunk = rows[start : start + _BATCH]
        placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        # Only identifiers from the model and placeholders go into the statement; values are parameters.
        sql = (
            f"INSERT INTO {table} ({cols}) VALUES {placeholders} "  # noqa: S608
            "ON CONFLICT (indicator_id, unit_id, form_id, period, approved) DO UPDATE SET "
            f"value_sum = {table}.value_sum + excluded.value_sum, "
            f"value_count = {table}.value_count + excluded.value_count, "
            f"value_min = CASE WHEN excluded.value_min IS NOT NULL AND ({table}.value_min IS NULL "
            f"OR excluded.value_min < {table}.value_min) THEN excluded.value_min ELSE {table}.value_min END, "
            f"value_max = CASE WHEN excluded.value_max IS NOT NULL AND ({table}.value_max IS NULL "
            f"OR excluded.value_max > {table}.value_max) THEN excluded.value_max ELSE {table}.value_max END"
        )
        params = [p for row in chunk for p in row]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _count(submission: Submission, ancestors: list[int], *, sign: int, approved: bool) -> None:
    """The report itself, counted once per ancestor: reported, and on time if submitted by the deadline."""
    table = connection.ops.quote_name(ReportCount._meta.db_table)
    submitted = submission.submitted_at
    on_time = int(submitted is not None and timezone.localdate(submitted) <= submission.deadline)
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(ancestors))
    params = [
        p
        for unit_id in ancestors
        for p in (unit_id, submission.form_id, submission.period, approved, sign, sign * on_time)
    ]
    sql = (
        f"INSERT INTO {table} (unit_id, form_id, period, approved, reported, on_time) VALUES {placeholders} "  # noqa: S608
        "ON CONFLICT (unit_id, form_id, period, approved) DO UPDATE SET "
        f"reported = {table}.reported + excluded.reported, on_time = {table}.on_time + excluded.on_time"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def apply(submission: Submission, *, sign: int, approved: bool) -> None:
    """Add (sign=+1) or remove (sign=-1) the submission (its count and numeric figures) from the aggregates."""
    ancestors = sorted(ancestor_ids(submission.unit))
    _count(submission, ancestors, sign=sign, approved=approved)
    figures = list(
        DataValue.objects.filter(submission=submission, value__isnull=False).values_list(
            "indicator_id", "value", "indicator__aggregation"
        )
    )
    if not figures:
        return
    minmax: list[int] = []
    rows = []
    for indicator_id, value, aggregation in sorted(figures):
        keep_extremes = aggregation in _MINMAX
        if keep_extremes:
            minmax.append(indicator_id)
        extreme = value if keep_extremes and sign > 0 else None
        for unit_id in ancestors:
            rows.append(
                (
                    indicator_id,
                    unit_id,
                    submission.form_id,
                    submission.period,
                    approved,
                    Decimal(sign) * value,
                    sign,
                    extreme,
                    extreme,
                )
            )
    _upsert(rows)
    if sign < 0 and minmax:
        _recompute_extremes(submission, minmax, approved)


def _recompute_extremes(submission: Submission, indicator_ids: list[int], approved: bool) -> None:
    """Min/max cannot be un-added: after a removal, read them again from the values (only for the few
    min/max indicators, one query per ancestor level)."""
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
    n = 0
    for submission in Submission.objects.filter(status__in=Submission.COUNTED).select_related("unit"):
        apply(submission, sign=1, approved=False)
        if submission.status == Submission.Status.APPROVED:
            apply(submission, sign=1, approved=True)
        n += 1
    return n
