"""Vietnamese working days: Monday–Friday minus public holidays (Tết included), for reporting deadlines.

Holidays come from ``holidays.country_holidays("VN")`` with its default ``observed=True``, which adds the
in-lieu days (nghỉ bù) and the government's day swaps; the Saturdays worked in exchange for a swapped day
off (e.g. 04/05/2024) count as working days, as they do for state agencies.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _calendar_for_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, weekend days worked) falling in ``year``."""
    # Neighbouring years are populated too: a swap declared for one year can move a day in the next
    # (e.g. 31/12/2018 off in exchange for working Saturday 05/01/2019).
    vn = holidays.country_holidays("VN", years=(year - 1, year, year + 1), observed=True)
    days_off = frozenset(d for d in vn if d.year == year)
    weekend_workdays = frozenset(d for d in getattr(vn, "weekend_workdays", ()) if d.year == year)
    return days_off, weekend_workdays


def is_working_day(d: date) -> bool:
    """True for a Monday–Friday that is not a public holiday, or a Saturday/Sunday declared a working day."""
    days_off, weekend_workdays = _calendar_for_year(d.year)
    if d.weekday() >= 5:
        return d in weekend_workdays
    return d not in days_off


def add_working_days(d: date, n: int) -> date:
    """The n-th working day strictly after ``d``.

    ``n == 0`` returns ``d`` itself if it is a working day, otherwise the next working day (a deadline
    "within 0 working days" of a holiday cut-off falls on the first working day after it).
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n == 0:
        current = d
        while not is_working_day(current):
            current += timedelta(days=1)
        return current
    current = d
    remaining = n
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(a: date, b: date) -> int:
    """Number of working days in the half-open range (a, b]; negative if ``b`` is before ``a``.

    Half-open so that ``working_days_between(d, add_working_days(d, n)) == n`` for every n >= 1.
    """
    if b < a:
        return -working_days_between(b, a)
    return sum(1 for offset in range(1, (b - a).days + 1) if is_working_day(a + timedelta(days=offset)))
