"""Reads: channels, contests and trainings in the user's units; the defaults they give a unit's report; contest
counts rolled up the hierarchy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from giaoban.core.access import PATH_END, Action
from giaoban.core.formats import format_number
from giaoban.orgs.models import OrgUnit
from giaoban.reporting import periods

from .models import Channel, ChannelMetric, Contest, Entry, IndicatorSource, Training, TrainingGroup

__all__ = [
    "Default",
    "channels_for",
    "contest_counts",
    "contests_for",
    "metric_periods",
    "report_defaults",
    "trainings_for",
]


def channels_for(user, action: str = Action.VIEW) -> QuerySet[Channel]:
    return Channel.objects.visible_to(user, action).select_related("org_unit", "committee")


def contests_for(user, action: str = Action.VIEW) -> QuerySet[Contest]:
    return Contest.objects.visible_to(user, action).select_related("org_unit").order_by("-starts_on", "name", "pk")


def trainings_for(user, action: str = Action.VIEW) -> QuerySet[Training]:
    return (
        Training.objects.visible_to(user, action)
        .select_related("org_unit")
        .annotate(participants=Sum("groups__count"))
        .order_by("-starts_on", "title", "pk")
    )


@dataclass(frozen=True)
class Default:
    """A figure offered to a report before the secretary saves it, with where it came from."""

    value: Decimal
    source: str


def metric_periods(start: date, end: date) -> tuple[list[str], list[str]]:
    """The calendar months and ISO weeks whose last day falls in [start, end] (the composition rule the
    reports use: a week belongs to the window of its last day)."""
    months = [p.id for p in periods.periods_between(start, end, periods.MONTH, periods.CALENDAR)]
    weeks = [p.id for p in periods.periods_between(start, end, periods.WEEK, periods.WEEK_MON)]
    return months, weeks


def _over_time(series: list[int], how: str) -> Decimal | None:
    if not series:
        return None
    if how == "last":
        return Decimal(series[-1])
    if how == "max":
        return Decimal(max(series))
    if how == "min":
        return Decimal(min(series))
    if how == "mean":
        return (Decimal(sum(series)) / len(series)).quantize(Decimal(1))
    return Decimal(sum(series))


def _channel_default(source: IndicatorSource, unit: OrgUnit, start: date, end: date) -> Default | None:
    channels = Channel.objects.filter(org_unit=unit)
    if source.platform:
        channels = channels.filter(platform=source.platform)
    if source.channel_name:
        channels = channels.filter(name=source.channel_name)
    channels = list(channels.order_by("name"))
    if not channels:
        return None
    months, weeks = metric_periods(start, end)
    rows = list(
        ChannelMetric.objects.filter(
            channel__in=channels, period__in=months + weeks, **{f"{source.metric}__isnull": False}
        ).values_list("channel__name", "period", source.metric)
    )
    # Monthly figures where a channel has them, else its weekly ones; never both for one channel.
    monthly = {name for name, period, _v in rows if period in months}
    by_period: dict[str, int] = {}
    used: set[str] = set()
    for name, period, value in rows:
        if (period in months) == (name in monthly):
            by_period[period] = by_period.get(period, 0) + value
            used.add(name)
    order = {p: i for i, p in enumerate(months + weeks)}
    series = [by_period[p] for p in sorted(by_period, key=order.__getitem__)]
    value = _over_time(series, source.indicator.time_aggregation)
    if value is None:
        return None
    text = _("Từ %(channels)s: %(n)s kỳ số liệu kênh") % {"channels": ", ".join(sorted(used)), "n": len(series)}
    return Default(value, text)


def report_defaults(unit: OrgUnit, form, period: str) -> dict[str, Default]:
    """Defaults for the unit's report of `form` for `period`, by indicator code, from what the unit recorded
    here: its channels' metrics, its contests' entries and winners, its trainings. Only indicators mapped by
    an IndicatorSource get one; the roll-ups stay those of the submitted reports."""
    from giaoban.reporting.services import current_version, version_indicators

    version = current_version(form)
    if version is None:
        return {}
    indicators = {i.pk: i for i in version_indicators(version)}
    sources = list(IndicatorSource.objects.filter(indicator_id__in=indicators).select_related("indicator"))
    if not sources:
        return {}
    start, end = periods.period_range(period, form.scheme)
    out: dict[str, Default] = {}
    for source in sources:
        code = source.indicator.code
        if source.kind == IndicatorSource.Kind.CHANNEL_METRIC:
            default = _channel_default(source, unit, start, end)
        elif source.kind in (IndicatorSource.Kind.CONTEST_ENTRIES, IndicatorSource.Kind.CONTEST_WINNERS):
            entries = Entry.objects.filter(org_unit=unit, submitted_on__range=(start, end))
            if source.kind == IndicatorSource.Kind.CONTEST_WINNERS:
                entries = entries.exclude(prize="")
            n = entries.count()
            default = Default(Decimal(n), _("Từ %(n)s tác phẩm dự thi đã ghi nhận") % {"n": format_number(n)})
        else:
            trainings = Training.objects.filter(org_unit=unit, starts_on__range=(start, end))
            if source.kind == IndicatorSource.Kind.TRAININGS:
                n = trainings.count()
                default = Default(Decimal(n), _("Từ %(n)s lớp tập huấn đã ghi nhận") % {"n": format_number(n)})
            else:
                n = TrainingGroup.objects.filter(training__in=trainings).aggregate(n=Sum("count"))["n"] or 0
                default = Default(Decimal(n), _("Từ danh sách học viên của các lớp tập huấn") % {})
        # Nothing recorded here offers nothing: a 0 would claim the unit did none of it.
        if default is not None and default.value:
            out[code] = default
    return out


@dataclass
class ContestRow:
    unit: OrgUnit | None
    label: str
    entries: int
    winners: int


def contest_counts(unit: OrgUnit, start: date, end: date, contest: Contest | None = None) -> list[ContestRow]:
    """Entries received and winners between two dates, for the unit itself and for each unit directly below
    it (with its whole subtree): one GROUP BY over the path prefix."""
    entries = Entry.objects.filter(
        org_unit__path__gte=unit.path, org_unit__path__lt=unit.path + PATH_END, submitted_on__range=(start, end)
    )
    if contest is not None:
        entries = entries.filter(contest=contest)
    grouped = {
        r["prefix"]: r
        for r in entries.annotate(prefix=Substr("org_unit__path", 1, len(unit.path) + OrgUnit.steplen))
        .values("prefix")
        .annotate(n=Count("id"), w=Count("id", filter=~Q(prize="")))
    }
    rows = []
    if own := grouped.get(unit.path):
        rows.append(ContestRow(unit, unit.name, own["n"], own["w"]))
    for child in OrgUnit.objects.filter(path__in=[p for p in grouped if p != unit.path]).vn_sorted():
        r = grouped[child.path]
        rows.append(ContestRow(child, child.name, r["n"], r["w"]))
    return rows
