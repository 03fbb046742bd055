"""Figures far outside a unit's own history: submitted only once the user confirms them (never refused).

The rule (one function, `is_unusual`): a figure is unusual when it is more than UNUSUAL_FACTOR (10) times the
median of the unit's figures for the same indicator over its last HISTORY_PERIODS (8) submitted periods of
the same form (at least 3 of them, with a median above zero), or, for a count over time (an indicator summed
across periods) in a weekly form, when it reaches WEEKLY_COUNT_LIMIT (10.000: "in the tens of thousands").
Stocks (followers, "last" over time), ratios and texts are never compared with the weekly limit.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median

from django.utils.translation import gettext as _

from giaoban.core.errors import ServiceError
from giaoban.core.formats import format_number

from .. import periods
from ..models import DataValue, Indicator, Submission

__all__ = [
    "HISTORY_PERIODS",
    "UNUSUAL_FACTOR",
    "WEEKLY_COUNT_LIMIT",
    "UnusualFigures",
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
    rows = DataValue.objects.filter(
        submission_id__in=list(order), indicator__in=indicators, value__isnull=False
    ).values_list("indicator_id", "submission_id", "value")
    out: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for ind, sub, value in rows:
        out[ind].append((order[sub], value))
    return {ind: [v for _i, v in sorted(pairs)] for ind, pairs in out.items()}


def unusual_figures(submission: Submission, values: dict[Indicator, Decimal | None]) -> dict[str, str]:
    """{indicator code: why} for the figures of `values` that is_unusual() flags in this unit's report."""
    numeric = {
        i: v
        for i, v in values.items()
        if v is not None and i.is_numeric and i.value_type != Indicator.ValueType.PERCENT
    }
    if not numeric:
        return {}
    weekly = periods.parse_period(submission.period).type == periods.WEEK
    history = _history(submission, list(numeric))
    out = {}
    for ind, value in numeric.items():
        past = history.get(ind.pk, [])
        weekly_count = weekly and ind.time_aggregation == Indicator.Aggregation.SUM
        if is_unusual(value, past, weekly_count=weekly_count):
            recent = [v for v in past[:HISTORY_PERIODS] if v is not None]
            if len(recent) >= MIN_HISTORY:
                out[ind.code] = _(
                    "%(v)s lớn hơn %(f)d lần mức thường kỳ của đơn vị (trung vị %(m)s); hãy kiểm tra và xác nhận"
                ) % {"v": format_number(value), "f": UNUSUAL_FACTOR, "m": format_number(median(recent))}
            else:
                out[ind.code] = _("%(v)s trong một tuần là số rất lớn; hãy kiểm tra và xác nhận") % {
                    "v": format_number(value)
                }
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
