"""Writes: channels and their metrics (typed or imported), contests with entries, scores and prizes,
trainings with their participants. Imports are all or nothing, with every bad cell named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Avg
from django.utils.translation import gettext as _

from giaoban.core.access import Action, can
from giaoban.core.dates import parse_date
from giaoban.core.errors import RowErrors, ServiceError, full_clean_or_raise
from giaoban.core.formats import parse_number
from giaoban.orgs.models import Agency, OrgUnit
from giaoban.orgs.services import read_csv
from giaoban.reporting import periods

from .models import METRICS, Channel, ChannelMetric, Contest, Entry, Score, Training, TrainingGroup

__all__ = [
    "ENTRY_COLUMNS",
    "METRIC_COLUMNS",
    "channel_create",
    "contest_create",
    "contest_rank",
    "entries_import_csv",
    "entry_create",
    "may_edit",
    "metric_record",
    "metrics_import_csv",
    "score_record",
    "training_create",
]

METRIC_COLUMNS = ["unit", "channel", "period", *METRICS]
ENTRY_COLUMNS = ["title", "authors", "unit", "category", "submitted_on"]


def may_edit(user, unit: OrgUnit) -> bool:
    """Who records a unit's channels, contests and trainings: its secretaries and admins (and above)."""
    return can(user, Action.ENTER, unit.path) or can(user, Action.MANAGE, unit.path)



def metric_period(value: str) -> str:
    """A calendar month (2023-03) or ISO week (2023W10) id, canonical; ValueError otherwise."""
    p = periods.parse_period((value or "").strip())
    if p.type not in (periods.MONTH, periods.WEEK):
        raise periods.PeriodError(
            _("Số liệu kênh ghi theo tháng (2023-03) hoặc tuần (2023W10), không theo %(p)s (month or week only).")
            % {"p": p.id}
        )
    return p.id


def _count(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = parse_number(value) if isinstance(value, str) else Decimal(value)
    if number < 0 or number != number.to_integral_value():
        raise ValueError(_("Phải là số nguyên không âm (a whole number, 0 or more)."))
    return int(number)


@transaction.atomic
def channel_create(
    *, org_unit: OrgUnit, name: str, platform: str, url: str = "", since: date | None = None, committee=None, actor=None
) -> Channel:
    channel = Channel(
        org_unit=org_unit, committee=committee, name=(name or "").strip(), platform=platform, url=url or "", since=since
    )
    full_clean_or_raise(channel)
    channel.save()
    return channel


def _metric_values(errors: RowErrors, row: int | None, values: Mapping[str, Any]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for m in METRICS:
        try:
            out[m] = _count(values.get(m))
        except (ValueError, InvalidOperation) as exc:
            errors.add(row, m, str(exc))
    if not errors and all(v is None for v in out.values()):
        errors.add(row, None, _("Chưa nhập số liệu nào (no figure given)."))
    return out


@transaction.atomic
def metric_record(*, channel: Channel, period: str, values: Mapping[str, Any], actor=None) -> ChannelMetric:
    """Record (or correct) a channel's published figures for a month or a week."""
    errors = RowErrors()
    try:
        period = metric_period(period)
    except periods.PeriodError as exc:
        errors.add(None, "period", str(exc))
    counted = _metric_values(errors, None, values)
    if errors:
        raise ServiceError(
            errors.items[0]["message"],
            {"fields": {e["column"] or "__all__": [e["message"]] for e in errors.items}},
        )
    metric, _created = ChannelMetric.objects.update_or_create(
        channel=channel,
        period=period,
        defaults={**counted, "recorded_by": actor if getattr(actor, "pk", None) else None},
    )
    return metric


@transaction.atomic
def metrics_import_csv(data: bytes | str, *, actor) -> list[ChannelMetric]:
    """Columns unit,channel,period,posts,reach,followers,interactions (unit code, channel name, a month or
    week id; empty cells allowed, not a whole empty row). All or nothing."""
    errors = RowErrors()
    rows = read_csv(data, METRIC_COLUMNS, errors)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r["unit"] for _i, r in rows})}
    channels = {
        (c.org_unit.code, c.name): c
        for c in Channel.objects.filter(org_unit__in=units.values()).select_related("org_unit")
    }
    seen: dict[tuple, int] = {}
    planned = []
    for i, r in rows:
        unit = units.get(r["unit"])
        if unit is None or not may_edit(actor, unit):
            # A unit out of the user's scope reads exactly like one that does not exist.
            errors.add(i, "unit", _("Không có đơn vị mã %(c)s (unknown unit).") % {"c": r["unit"]})
            continue
        channel = channels.get((unit.code, r["channel"]))
        if channel is None:
            errors.add(i, "channel", _("Đơn vị không có kênh %(n)s (no such channel).") % {"n": r["channel"]})
            continue
        try:
            period = metric_period(r["period"])
        except periods.PeriodError as exc:
            errors.add(i, "period", str(exc))
            continue
        key = (channel.pk, period)
        if key in seen:
            errors.add(
                i, "period", _("Trùng với dòng %(r)s (same channel and period as row %(r)s).") % {"r": seen[key]}
            )
            continue
        seen[key] = i
        before = len(errors.items)
        counted = _metric_values(errors, i, r)
        if len(errors.items) == before:
            planned.append((channel, period, counted))
    errors.raise_if_any(_("Không nhập được số liệu kênh (metrics import rejected)."))
    return [
        ChannelMetric.objects.update_or_create(
            channel=channel, period=period, defaults={**counted, "recorded_by": actor}
        )[0]
        for channel, period, counted in planned
    ]


@transaction.atomic
def contest_create(
    *,
    org_unit: OrgUnit,
    name: str,
    starts_on: date,
    ends_on: date,
    organiser: str = "",
    rules: str = "",
    categories: Sequence[str] = (),
    rounds: Sequence[str] = (),
    prizes: Sequence[Mapping[str, Any]] = (),
    committee=None,
    actor=None,
) -> Contest:
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        raise ServiceError(
            _("Ngày kết thúc trước ngày bắt đầu (ends before it starts)."), {"fields": {"ends_on": ["<"]}}
        )
    cleaned_prizes = []
    for p in prizes:
        try:
            count = int(p.get("count", 1))
        except (TypeError, ValueError):
            count = 0
        if not str(p.get("name", "")).strip() or count < 1:
            raise ServiceError(
                _("Mỗi giải cần tên và số lượng từ 1 trở lên (each prize needs a name and a count of 1 or more)."),
                {"fields": {"prizes": [str(p)]}},
            )
        cleaned_prizes.append({"name": str(p["name"]).strip(), "count": count})
    contest = Contest(
        org_unit=org_unit,
        committee=committee,
        name=(name or "").strip(),
        organiser=organiser or "",
        rules=rules or "",
        starts_on=starts_on,
        ends_on=ends_on,
        categories=[c.strip() for c in categories if c.strip()],
        rounds=[r.strip() for r in rounds if r.strip()],
        prizes=cleaned_prizes,
    )
    full_clean_or_raise(contest)
    contest.save()
    return contest


def _check_entry(errors: RowErrors, row, contest: Contest, unit, category: str, submitted_on) -> None:
    if unit is None:
        errors.add(row, "unit", _("Không có đơn vị này (unknown unit)."))
    if contest.categories and category and category not in contest.categories:
        errors.add(
            row,
            "category",
            _("Thể loại phải là một trong: %(c)s (unknown category).") % {"c": ", ".join(contest.categories)},
        )
    if submitted_on is not None and not (contest.starts_on <= submitted_on <= contest.ends_on):
        errors.add(row, "submitted_on", _("Ngày nhận ngoài thời gian cuộc thi (outside the contest's dates)."))


@transaction.atomic
def entry_create(
    *,
    contest: Contest,
    title: str,
    authors: str,
    org_unit: OrgUnit,
    submitted_on: date,
    category: str = "",
    agency: Agency | None = None,
    file=None,
    actor=None,
) -> Entry:
    errors = RowErrors()
    _check_entry(errors, None, contest, org_unit, category, submitted_on)
    if errors:
        raise ServiceError(errors.items[0]["message"], {"fields": {e["column"]: [e["message"]] for e in errors.items}})
    entry = Entry(
        contest=contest,
        title=(title or "").strip(),
        authors=(authors or "").strip(),
        org_unit=org_unit,
        agency=agency,
        category=category or "",
        submitted_on=submitted_on,
    )
    if file is not None:
        entry.file = file
    full_clean_or_raise(entry)
    entry.save()
    return entry


@transaction.atomic
def entries_import_csv(data: bytes | str, *, contest: Contest, actor) -> list[Entry]:
    """Columns title,authors,unit,category,submitted_on (unit code; a date as 2023-05-01 or 01/05/2023).
    All or nothing."""
    errors = RowErrors()
    rows = read_csv(data, ENTRY_COLUMNS, errors)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r["unit"] for _i, r in rows})}
    made = []
    for i, r in rows:
        for column in ("title", "authors"):
            if not r[column]:
                errors.add(i, column, _("Bắt buộc (required)"))
        try:
            submitted_on = parse_date(r["submitted_on"])
            if submitted_on is None:
                errors.add(i, "submitted_on", _("Bắt buộc (required)"))
        except ValueError as exc:
            errors.add(i, "submitted_on", str(exc))
            submitted_on = None
        unit = units.get(r["unit"])
        _check_entry(errors, i, contest, unit, r["category"], submitted_on)
        if unit is not None and submitted_on is not None:
            made.append(
                Entry(
                    contest=contest,
                    title=r["title"],
                    authors=r["authors"],
                    org_unit=unit,
                    category=r["category"],
                    submitted_on=submitted_on,
                )
            )
    errors.raise_if_any(_("Không nhập được danh sách tác phẩm (entries import rejected)."))
    return Entry.objects.bulk_create(made)


@transaction.atomic
def score_record(*, entry: Entry, judge: str, score: Any, round: str = "", actor=None) -> Score:
    """A judge's score for an entry (0 to 100), replacing their earlier score in that round."""
    try:
        value = parse_number(score) if isinstance(score, str) else Decimal(str(score))
    except (ValueError, InvalidOperation):
        value = None
    if value is None or not (0 <= value <= 100):
        raise ServiceError(
            _("Điểm phải từ 0 đến 100 (a score is 0 to 100)."), {"fields": {"score": [_("Không hợp lệ (invalid)")]}}
        )
    if not (judge or "").strip():
        raise ServiceError(
            _("Ghi tên giám khảo (the judge is required)."), {"fields": {"judge": [_("Bắt buộc (required)")]}}
        )
    if entry.contest.rounds and round and round not in entry.contest.rounds:
        raise ServiceError(_("Vòng không có trong cuộc thi (unknown round)."), {"fields": {"round": [round]}})
    obj, _created = Score.objects.update_or_create(
        entry=entry, judge=judge.strip(), round=round or "", defaults={"score": value}
    )
    return obj


@transaction.atomic
def contest_rank(*, contest: Contest, actor=None) -> list[Entry]:
    """Rank the scored entries by their mean score (ties share the order of entry), and give the prizes in
    the contest's order: the first `count` entries the first prize, and so on."""
    entries = list(Entry.objects.filter(contest=contest).annotate(mean=Avg("scores__score")).order_by("-mean", "id"))
    prizes = [p["name"] for p in contest.prizes for _n in range(p["count"])]
    rank = 0
    for entry in entries:
        if entry.mean is None:
            entry.rank, entry.prize = None, ""
            continue
        rank += 1
        entry.rank = rank
        entry.prize = prizes[rank - 1] if rank <= len(prizes) else ""
    Entry.objects.bulk_update(entries, ["rank", "prize"])
    return [e for e in entries if e.rank is not None]


@transaction.atomic
def training_create(
    *,
    org_unit: OrgUnit,
    title: str,
    starts_on: date,
    ends_on: date,
    groups: Mapping[str, int] | None = None,
    sessions: int = 1,
    place: str = "",
    online: bool = False,
    organiser: str = "",
    trainers: str = "",
    materials: str = "",
    committee=None,
    actor=None,
) -> Training:
    """A training or conference; participants counted by group (cán bộ, đảng viên, đoàn viên, …)."""
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        raise ServiceError(
            _("Ngày kết thúc trước ngày bắt đầu (ends before it starts)."), {"fields": {"ends_on": ["<"]}}
        )
    training = Training(
        org_unit=org_unit,
        committee=committee,
        title=(title or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        sessions=sessions,
        place=place or "",
        online=online,
        organiser=organiser or "",
        trainers=trainers or "",
        materials=materials or "",
    )
    full_clean_or_raise(training)
    training.save()
    for group, count in (groups or {}).items():
        try:
            n = int(count)
        except (TypeError, ValueError):
            n = -1
        if not group.strip() or n < 0:
            raise ServiceError(
                _("Số người của nhóm %(g)s không hợp lệ (invalid participant count).") % {"g": group},
                {"fields": {"groups": [group]}},
            )
        if n:
            TrainingGroup.objects.create(training=training, group=group.strip(), count=n)
    return training
