"""Figures far outside a unit's own history: submitted only once the user confirms them (never refused).

The rule (one function, `is_unusual`): a figure is unusual when it is more than UNUSUAL_FACTOR (10) times the
median of the unit's figures for the same indicator over its last HISTORY_PERIODS (8) submitted periods of
the same form (at least 3 of them, with a median above zero), or, for a count over time (an indicator summed
across periods) in a weekly form, when it reaches WEEKLY_COUNT_LIMIT (10.000: "in the tens of thousands").
Stocks (followers, "last" over time), ratios and texts are never compared with the weekly limit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from giaoban.core.errors import ServiceError
from giaoban.core.formats import format_number

from .. import periods
from ..models import DataValue, Indicator, Submission

__all__ = [
    "HISTORY_PERIODS",
    "UNUSUAL_FACTOR",
    "WEEKLY_COUNT_LIMIT",
    "UnusualFigure",
    "UnusualFigures",
    "find_unusual_many",
    "is_unusual",
    "require_confirmation",
    "unusual_figures",
]

UNUSUAL_FACTOR = 10
HISTORY_PERIODS = 8
MIN_HISTORY = 3
WEEKLY_COUNT_LIMIT = Decimal(10000)


class UnusualFigures(ServiceError):
    """Some figures are far outside the unit's history: resend with confirm to submit them as they are."""

    code = "unusual_figures"


def is_unusual(value: Decimal | None, history: list[Decimal], *, weekly_count: bool = False) -> bool:
    """Whether `value` needs a confirmation, given the unit's figures for the same indicator in its previous
    periods (most recent first; only the first HISTORY_PERIODS count). `weekly_count`: the indicator is a
    count summed over time and the form is weekly, where tens of thousands a week is never ordinary."""
    if value is None:
        return False
    if weekly_count and value >= WEEKLY_COUNT_LIMIT:
        return True
    recent = [v for v in history[:HISTORY_PERIODS] if v is not None]
    if len(recent) < MIN_HISTORY:
        return False
    typical = median(recent)
    return typical > 0 and value > UNUSUAL_FACTOR * typical


@dataclass(frozen=True)
class UnusualFigure:
    """One figure is_unusual() flags: its median over the unit's recent periods (None when only the weekly
    limit applies, the unit having too little history) and the message saying why, in the active language."""

    indicator: Indicator
    value: Decimal
    median: Decimal | None
    message: str


def _history(submission: Submission, indicators: list[Indicator]) -> dict[int, list[Decimal]]:
    """The unit's figures of these indicators in its last HISTORY_PERIODS submitted reports of the form before
    this period, most recent first, by indicator id (two queries)."""
    earlier = list(
        Submission.objects.filter(
            unit_id=submission.unit_id,
            form_id=submission.form_id,
            status__in=Submission.COUNTED,
            period__lt=submission.period,
        )
        .order_by("-period")
        .values_list("pk", "period")[:HISTORY_PERIODS]
    )
    order = {pk: i for i, (pk, _p) in enumerate(earlier)}
    return _values_by_recency(order, indicators, dict.fromkeys(order, submission.unit_id)).get(submission.unit_id, {})


def _values_by_recency(
    order: dict[int, int], indicators: list[Indicator], units: dict[int, int]
) -> dict[int, dict[int, list[Decimal]]]:
    """{unit id: {indicator id: [values, most recent first]}} of the reports `order` ranks ({report id: rank});
    `units` gives each report's unit."""
    if not order:
        return {}
    rows = DataValue.objects.filter(
        submission_id__in=list(order), indicator__in=indicators, value__isnull=False
    ).values_list("indicator_id", "submission_id", "value")
    pairs: dict[int, dict[int, list[tuple[int, Decimal]]]] = defaultdict(lambda: defaultdict(list))
    for ind, sub, value in rows:
        pairs[units[sub]][ind].append((order[sub], value))
    return {
        unit: {ind: [v for _i, v in sorted(found)] for ind, found in by_ind.items()} for unit, by_ind in pairs.items()
    }


def _numeric(values: dict[Indicator, Decimal | None]) -> dict[Indicator, Decimal]:
    return {
        i: v
        for i, v in values.items()
        if v is not None and i.is_numeric and i.value_type != Indicator.ValueType.PERCENT
    }


def _judge(ind: Indicator, value: Decimal, past: list[Decimal], weekly: bool) -> UnusualFigure | None:
    weekly_count = weekly and ind.time_aggregation == Indicator.Aggregation.SUM
    if not is_unusual(value, past, weekly_count=weekly_count):
        return None
    recent = [v for v in past[:HISTORY_PERIODS] if v is not None]
    if len(recent) >= MIN_HISTORY:
        typical = median(recent)
        message = _("%(v)s lớn hơn %(f)d lần mức thường kỳ của đơn vị (trung vị %(m)s); hãy kiểm tra và xác nhận") % {
            "v": format_number(value),
            "f": UNUSUAL_FACTOR,
            "m": format_number(typical),
        }
        return UnusualFigure(ind, value, typical, message)
    message = _("%(v)s trong một tuần là số rất lớn; hãy kiểm tra và xác nhận") % {"v": format_number(value)}
    return UnusualFigure(ind, value, None, message)


def unusual_figures(submission: Submission, values: dict[Indicator, Decimal | None]) -> dict[str, str]:
    """{indicator code: why} for the figures of `values` that is_unusual() flags in this unit's report."""
    numeric = _numeric(values)
    if not numeric:
        return {}
    weekly = periods.parse_period(submission.period).type == periods.WEEK
    history = _history(submission, list(numeric))
    out = {}
    for ind, value in numeric.items():
        found = _judge(ind, value, history.get(ind.pk, []), weekly)
        if found is not None:
            out[ind.code] = found.message
    return out


def find_unusual_many(
    reports: Sequence[tuple[Submission, dict[Indicator, Decimal | None]]],
) -> list[list[UnusualFigure]]:
    """The unusual figures of many reports at once (an import, an upload of several sheets), by the same rule as
    unusual_figures(): one list per report, in order. A report may be unsaved (unit, form and period set). Two
    queries per (form, period) and 500 units, whatever the number of reports."""
    out: list[list[UnusualFigure]] = [[] for _r in reports]
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for n, (s, values) in enumerate(reports):
        if _numeric(values):
            groups[(s.form_id, s.period)].append(n)
    for (form_id, period), members in groups.items():
        weekly = periods.parse_period(period).type == periods.WEEK
        for start in range(0, len(members), 500):
            chunk = members[start : start + 500]
            unit_ids = {reports[n][0].unit_id for n in chunk}
            indicators = list({i for n in chunk for i in _numeric(reports[n][1])})
            ranked = (
                Submission.objects.filter(
                    unit_id__in=unit_ids, form_id=form_id, status__in=Submission.COUNTED, period__lt=period
                )
                .annotate(rank=Window(RowNumber(), partition_by=[F("unit_id")], order_by=F("period").desc()))
                .filter(rank__lte=HISTORY_PERIODS)
                .values_list("pk", "unit_id", "rank")
            )
            order, units = {}, {}
            for pk, unit_id, rank in ranked:
                order[pk], units[pk] = rank, unit_id
            history = _values_by_recency(order, indicators, units)
            for n in chunk:
                s, values = reports[n]
                past = history.get(s.unit_id, {})
                for ind, value in _numeric(values).items():
                    found = _judge(ind, value, past.get(ind.pk, []), weekly)
                    if found is not None:
                        out[n].append(found)
    return out


def require_confirmation(submission: Submission, values: dict[Indicator, Decimal | None], confirm: bool) -> None:
    """Raise UnusualFigures (400, code unusual_figures, extra.fields by indicator code) unless `confirm`."""
    if confirm:
        return
    found = unusual_figures(submission, values)
    if found:
        raise UnusualFigures(
            _(
                "Xác nhận số liệu bất thường: %(n)d số liệu khác xa các kỳ trước của đơn vị. Kiểm tra lại, rồi "
                "đánh dấu “Xác nhận số liệu bất thường” và nộp lại."
            )
            % {"n": len(found)},
            {"fields": found, "unusual": sorted(found)},
        )
