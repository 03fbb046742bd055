"""Reporting periods (week, month, quarter, half year, nine months, year) and their date ranges.

Period ids: ``2023W41`` (ISO week), ``2023-10`` (month), ``2023Q3``, ``2023S1``/``2023S2`` (half year),
``2023N9`` (first nine months), ``2023`` (year).

Schemes:

* ``calendar``: calendar ranges (2023Q3 = 01/07–30/09/2023, 2023N9 = 01/01–30/09/2023).
* ``decree09`` (Decree 09/2019/NĐ-CP art. 12): reporting month M runs from the 15th of month M-1 to the 14th
  of month M (2023-01 = 15/12/2022–14/01/2023); quarters, halves, nine months and years are unions of those
  months (2023N9 = 15/12/2022–14/09/2023, 2023 = 15/12/2022–14/12/2023).
* ``week_mon``: week ``YYYYWnn`` is ISO week nn, Monday–Sunday.
* ``week_thu``: week ``YYYYWnn`` runs from the Thursday of ISO week nn to the Wednesday of ISO week nn+1,
  i.e. a week is named after the ISO week of the Thursday it starts on.

Week ids asked for under ``calendar``/``decree09`` use ``week_mon``; windows of a month or longer asked
for under a week scheme use ``calendar`` (a weekly form aggregates into calendar months by default).

Composition rule: a longer window W is composed of the reporting periods of type T whose *end date*
(cut-off) falls within W's date range. A week that straddles two months therefore belongs to the month
in which it ends (its Sunday for ``week_mon``, its Wednesday for ``week_thu``; under ``decree09`` the
decree09 month containing that day). Since the windows of one type partition the timeline, every
reporting period belongs to exactly one month, quarter, half, year; the weeks of a quarter are the
weeks of its three months, N9 = Q1 ∪ Q2 ∪ Q3 = months 1–9, year = S1 ∪ S2.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext

WEEK = "week"
MONTH = "month"
QUARTER = "quarter"
HALF = "half"
NINE_MONTHS = "nine_months"
YEAR = "year"
PERIOD_TYPES: tuple[str, ...] = (WEEK, MONTH, QUARTER, HALF, NINE_MONTHS, YEAR)

CALENDAR = "calendar"
DECREE09 = "decree09"
WEEK_MON = "week_mon"
WEEK_THU = "week_thu"
SCHEMES: tuple[str, ...] = (CALENDAR, DECREE09, WEEK_MON, WEEK_THU)
WEEK_SCHEMES: tuple[str, ...] = (WEEK_MON, WEEK_THU)

MIN_YEAR = 1900
MAX_YEAR = 2200

# Which reporting types tile which windows. Halves do not tile N9 and N9 does not tile a year, so
# those compositions are refused instead of silently returning a partial window.
_COMPOSABLE: dict[str, frozenset[str]] = {
    WEEK: frozenset({WEEK}),
    MONTH: frozenset({WEEK, MONTH}),
    QUARTER: frozenset({WEEK, MONTH, QUARTER}),
    HALF: frozenset({WEEK, MONTH, QUARTER, HALF}),
    NINE_MONTHS: frozenset({WEEK, MONTH, QUARTER, NINE_MONTHS}),
    YEAR: frozenset({WEEK, MONTH, QUARTER, HALF, YEAR}),
}

_ID_RE = re.compile(
    r"^(?P<year>\d{4})(?:"
    r"W(?P<week>\d{2})|-(?P<month>\d{2})|Q(?P<quarter>\d)|S(?P<half>\d)|N(?P<nine>\d)"
    r")?$"
)


class PeriodError(ValueError):
    """Invalid period id, type, scheme or composition."""


@dataclass(frozen=True, order=True)
class Period:
    id: str  # canonical id
    type: str  # "week" | "month" | "quarter" | "half" | "nine_months" | "year"
    year: int  # ISO year for weeks, reporting year otherwise
    index: int  # week no, month no, quarter no, half no, 9 for nine_months, 0 for year

    def __str__(self) -> str:
        return self.id


def _invalid(pid: object) -> PeriodError:
    return PeriodError(gettext("Mã kỳ không hợp lệ: '%(p)s' (invalid period id)") % {"p": pid})


def _iso_weeks_in_year(year: int) -> int:
    # 28 December is always in the last ISO week of its year.
    return date(year, 12, 28).isocalendar()[1]


def _make(ptype: str, year: int, index: int) -> Period:
    if ptype == WEEK:
        pid = f"{year:04d}W{index:02d}"
    elif ptype == MONTH:
        pid = f"{year:04d}-{index:02d}"
    elif ptype == QUARTER:
        pid = f"{year:04d}Q{index}"
    elif ptype == HALF:
        pid = f"{year:04d}S{index}"
    elif ptype == NINE_MONTHS:
        pid = f"{year:04d}N{index}"
    else:
        pid = f"{year:04d}"
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _invalid(pid)
    return Period(pid, ptype, year, index)


def parse_period(pid: str) -> Period:
    """Parse a period id (case-insensitive, surrounding blanks ignored) into a canonical Period."""
    if not isinstance(pid, str):
        raise _invalid(pid)
    m = _ID_RE.match(pid.strip().upper())
    if m is None:
        raise _invalid(pid)
    year = int(m["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _invalid(pid)
    if m["week"] is not None:
        ptype, index, valid = WEEK, int(m["week"]), 1 <= int(m["week"]) <= _iso_weeks_in_year(year)
    elif m["month"] is not None:
        ptype, index, valid = MONTH, int(m["month"]), 1 <= int(m["month"]) <= 12
    elif m["quarter"] is not None:
        ptype, index, valid = QUARTER, int(m["quarter"]), 1 <= int(m["quarter"]) <= 4
    elif m["half"] is not None:
        ptype, index, valid = HALF, int(m["half"]), 1 <= int(m["half"]) <= 2
    elif m["nine"] is not None:
        ptype, index, valid = NINE_MONTHS, int(m["nine"]), m["nine"] == "9"
    else:
        ptype, index, valid = YEAR, 0, True
    if not valid:
        raise _invalid(pid)
    return _make(ptype, year, index)


def _as_period(p: Period | str) -> Period:
    # Re-parse Period instances too: they may have been built by hand with inconsistent fields.
    return parse_period(p.id if isinstance(p, Period) else p)


def period_label(
    pid_or_period: Period | str,
    scheme: str | None = None,
    *,
    dates: bool = True,
    short: bool = False,
    sentence: bool = False,
) -> str:
    """The one name of a period, as people say it, in the active language: "Tuần 49/2026 (30/11–06/12)",
    "Tháng 10/2026", "Quý 3/2026", "6 tháng 2026", "6 tháng cuối năm 2026", "9 tháng 2026", "Năm 2026".

    Every page, export, chart and notification names periods through this function; the id ("2026W49")
    stays the value forms and the API carry. ``scheme`` decides a week's days (Monday or Thursday weeks;
    Monday when not given); ``dates=False`` drops them where space is tight ("Tuần 49/2026"); ``short``
    is a chart axis tick ("Tuần 49", other types unchanged); ``sentence`` starts lower-case, for use inside
    a sentence ("Báo cáo tháng 10/2026").
    """
    p = _as_period(pid_or_period)
    if p.type == WEEK:
        if short:
            label = gettext("Tuần %(n)s") % {"n": p.index}
        else:
            label = gettext("Tuần %(n)s/%(y)s") % {"n": p.index, "y": p.year}
            if dates:
                start, end = period_range(p, _week_scheme(scheme or WEEK_MON))
                label = f"{label} ({start:%d/%m}–{end:%d/%m})"
    elif p.type == MONTH:
        label = gettext("Tháng %(m)s/%(y)s") % {"m": f"{p.index:02d}", "y": p.year}
    elif p.type == QUARTER:
        label = gettext("Quý %(q)s/%(y)s") % {"q": p.index, "y": p.year}
    elif p.type == HALF:
        label = (gettext("6 tháng %(y)s") if p.index == 1 else gettext("6 tháng cuối năm %(y)s")) % {"y": p.year}
    elif p.type == NINE_MONTHS:
        label = gettext("9 tháng %(y)s") % {"y": p.year}
    else:
        label = gettext("Năm %(y)s") % {"y": p.year}
    return label[0].lower() + label[1:] if sentence else label


def period_label_or_id(pid: str, scheme: str | None = None, **kwargs) -> str:
    """period_label() for a stored id, or the id itself if it does not parse (an old or hand-typed value)."""
    try:
        return period_label(pid, scheme, **kwargs)
    except PeriodError:
        return pid


def period_type_label(period_type: str) -> str:
    """The name of a period type in the active language: "Tuần", "Tháng", "Quý", "6 tháng", "9 tháng", "Năm"."""
    names = {
        WEEK: gettext("Tuần"),
        MONTH: gettext("Tháng"),
        QUARTER: gettext("Quý"),
        HALF: gettext("6 tháng"),
        NINE_MONTHS: gettext("9 tháng"),
        YEAR: gettext("Năm"),
    }
    return names[period_type]


def period_numbers(period_type: str, year: int) -> list[Period]:
    """Every period of a type in a (reporting or ISO) year, in order: 52 or 53 weeks, 12 months, …"""
    _check_type(period_type)
    if period_type == WEEK:
        return [_make(WEEK, year, n) for n in range(1, _iso_weeks_in_year(year) + 1)]
    count = {MONTH: 12, QUARTER: 4, HALF: 2}.get(period_type)
    if count is not None:
        return [_make(period_type, year, n) for n in range(1, count + 1)]
    return [_make(period_type, year, 9 if period_type == NINE_MONTHS else 0)]


def period_options(period_type: str, year: int, scheme: str, start: date | None, end: date | None) -> list[Period]:
    """The periods of a type and year that exist between `start` and `end` (both optional): what a period
    picker offers, e.g. nothing after the day a unit was closed, nothing before a form began."""
    scheme = _week_scheme(scheme) if period_type == WEEK else _window_scheme(scheme)
    rows = []
    for p in period_numbers(period_type, year):
        first, last = period_range(p, scheme)
        if (end is None or first <= end) and (start is None or last >= start):
            rows.append(p)
    return rows


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise PeriodError(gettext("Chế độ kỳ không hợp lệ: '%(s)s' (invalid period scheme)") % {"s": scheme})


def _check_type(ptype: str) -> None:
    if ptype not in PERIOD_TYPES:
        raise PeriodError(gettext("Loại kỳ không hợp lệ: '%(t)s' (invalid period type)") % {"t": ptype})


def _week_scheme(scheme: str) -> str:
    return scheme if scheme in WEEK_SCHEMES else WEEK_MON


def _window_scheme(scheme: str) -> str:
    return CALENDAR if scheme in WEEK_SCHEMES else scheme


def _month_bounds(ptype: str, index: int) -> tuple[int, int]:
    """First and last month (1..12) of a month-or-longer window within its reporting year."""
    if ptype == MONTH:
        return index, index
    if ptype == QUARTER:
        return 3 * index - 2, 3 * index
    if ptype == HALF:
        return 6 * index - 5, 6 * index
    if ptype == NINE_MONTHS:
        return 1, 9
    return 1, 12


def _month_range(year: int, month: int, scheme: str) -> tuple[date, date]:
    if scheme == DECREE09:
        start = date(year - 1, 12, 15) if month == 1 else date(year, month - 1, 15)
        return start, date(year, month, 14)
    return date(year, month, 1), date(year, month, _calendar.monthrange(year, month)[1])


def period_range(pid_or_period: Period | str, scheme: str) -> tuple[date, date]:
    """Inclusive (start, end) dates of a period under a scheme."""
    _check_scheme(scheme)
    p = _as_period(pid_or_period)
    if p.type == WEEK:
        if _week_scheme(scheme) == WEEK_THU:
            start = date.fromisocalendar(p.year, p.index, 4)
        else:
            start = date.fromisocalendar(p.year, p.index, 1)
        return start, start + timedelta(days=6)
    first, last = _month_bounds(p.type, p.index)
    window_scheme = _window_scheme(scheme)
    return _month_range(p.year, first, window_scheme)[0], _month_range(p.year, last, window_scheme)[1]


def cutoff(pid_or_period: Period | str, scheme: str) -> date:
    """End date of the period: the day its reporting is cut off."""
    return period_range(pid_or_period, scheme)[1]


def _reporting_month(d: date, scheme: str) -> tuple[int, int]:
    if scheme == DECREE09 and d.day >= 15:
        return (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return d.year, d.month


def period_of(d: date, period_type: str, scheme: str) -> Period:
    """The period of ``period_type`` containing ``d``.

    Nine-month windows do not cover the last quarter: for such a date a PeriodError is raised.
    A PeriodError is also raised when the period would fall outside years 1900..2200.
    """
    _check_scheme(scheme)
    _check_type(period_type)
    if period_type == WEEK:
        # A week_thu week is named after the ISO week of the Thursday it starts on.
        anchor = d - timedelta(days=(d.weekday() - 3) % 7) if _week_scheme(scheme) == WEEK_THU else d
        iso_year, iso_week, _ = anchor.isocalendar()
        return _make(WEEK, iso_year, iso_week)
    year, month = _reporting_month(d, _window_scheme(scheme))
    if period_type == MONTH:
        return _make(MONTH, year, month)
    if period_type == QUARTER:
        return _make(QUARTER, year, (month - 1) // 3 + 1)
    if period_type == HALF:
        return _make(HALF, year, (month - 1) // 6 + 1)
    if period_type == NINE_MONTHS:
        if month > 9:
            raise PeriodError(
                gettext("Ngày %(d)s không thuộc kỳ 9 tháng nào (date not in a nine-month period)")
                % {"d": d.isoformat()}
            )
        return _make(NINE_MONTHS, year, 9)
    return _make(YEAR, year, 0)


def next_period(p: Period | str, scheme: str | None = None) -> Period:
    """The following period of the same type (ids follow each other the same way under every scheme)."""
    if scheme is not None:
        _check_scheme(scheme)
    p = _as_period(p)
    if p.type == WEEK:
        iso_year, iso_week, _ = (date.fromisocalendar(p.year, p.index, 1) + timedelta(days=7)).isocalendar()
        return _make(WEEK, iso_year, iso_week)
    if p.type == MONTH:
        return _make(MONTH, p.year + 1, 1) if p.index == 12 else _make(MONTH, p.year, p.index + 1)
    if p.type == QUARTER:
        return _make(QUARTER, p.year + 1, 1) if p.index == 4 else _make(QUARTER, p.year, p.index + 1)
    if p.type == HALF:
        return _make(HALF, p.year + 1, 1) if p.index == 2 else _make(HALF, p.year, 2)
    return _make(p.type, p.year + 1, p.index)


def previous_period(p: Period | str, scheme: str | None = None) -> Period:
    """The preceding period of the same type."""
    if scheme is not None:
        _check_scheme(scheme)
    p = _as_period(p)
    if p.type == WEEK:
        iso_year, iso_week, _ = (date.fromisocalendar(p.year, p.index, 1) - timedelta(days=7)).isocalendar()
        return _make(WEEK, iso_year, iso_week)
    if p.type == MONTH:
        return _make(MONTH, p.year - 1, 12) if p.index == 1 else _make(MONTH, p.year, p.index - 1)
    if p.type == QUARTER:
        return _make(QUARTER, p.year - 1, 4) if p.index == 1 else _make(QUARTER, p.year, p.index - 1)
    if p.type == HALF:
        return _make(HALF, p.year - 1, 2) if p.index == 1 else _make(HALF, p.year, 1)
    return _make(p.type, p.year - 1, p.index)


def periods_between(start: date, end: date, period_type: str, scheme: str) -> list[Period]:
    """Periods of ``period_type`` whose end date (cut-off) lies in [start, end], in chronological order.

    This is the composition rule applied to an arbitrary date range.
    """
    _check_scheme(scheme)
    _check_type(period_type)
    if end < start:
        return []
    if period_type == NINE_MONTHS:
        # N9 windows leave gaps, so start from the N9 of the reporting year of ``start``.
        year, _ = _reporting_month(start, _window_scheme(scheme))
        current = _make(NINE_MONTHS, year, 9)
    else:
        current = period_of(start, period_type, scheme)
    result: list[Period] = []
    while True:
        period_end = cutoff(current, scheme)
        if period_end > end:
            return result
        if period_end >= start:
            result.append(current)
        if period_end >= end:
            return result
        current = next_period(current)


def composed_of(
    pid_or_period: Period | str, reporting_type: str, scheme: str, *, week_scheme: str | None = None
) -> list[Period]:
    """Reporting periods of ``reporting_type`` whose data compose the window (see module docstring).

    ``scheme`` is the form's scheme. ``week_scheme`` optionally overrides how weeks are delimited,
    e.g. Thursday–Wednesday weeks reported into decree09 months (``scheme="decree09",
    week_scheme="week_thu"``).
    """
    _check_scheme(scheme)
    _check_type(reporting_type)
    window = _as_period(pid_or_period)
    if reporting_type not in _COMPOSABLE[window.type]:
        raise PeriodError(
            gettext("Không thể ghép kỳ loại '%(t)s' thành kỳ '%(p)s' (cannot compose %(t)s periods into %(p)s)")
            % {"t": reporting_type, "p": window.id}
        )
    if window.type == reporting_type:
        return [window]
    start, end = period_range(window, scheme)
    inner_scheme = scheme
    if reporting_type == WEEK and week_scheme is not None:
        if week_scheme not in WEEK_SCHEMES:
            raise PeriodError(gettext("Chế độ tuần không hợp lệ: '%(s)s' (invalid week scheme)") % {"s": week_scheme})
        inner_scheme = week_scheme
    return periods_between(start, end, reporting_type, inner_scheme)
