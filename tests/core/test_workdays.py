"""Tests for Vietnamese working-day arithmetic used for reporting deadlines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giaoban.core.workdays import add_working_days, is_working_day, working_days_between

D = date.fromisoformat

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
counts = st.integers(min_value=0, max_value=60)


def test_weekends_are_not_working_days() -> None:
    assert is_working_day(D("2023-10-13"))  # Friday
    assert not is_working_day(D("2023-10-14"))  # Saturday
    assert not is_working_day(D("2023-10-15"))  # Sunday


def test_deadline_three_working_days_after_friday_is_wednesday() -> None:
    deadline = add_working_days(D("2023-10-13"), 3)
    assert deadline == D("2023-10-18")
    assert deadline.weekday() == 2


def test_tet_2024_is_skipped() -> None:
    tet = [D("2024-02-08") + timedelta(days=i) for i in range(7)]  # 08/02–14/02/2024
    assert not any(is_working_day(d) for d in tet)
    # Wednesday 07/02 + 1 working day jumps the whole Tết break to Thursday 15/02.
    assert add_working_days(D("2024-02-07"), 1) == D("2024-02-15")
    # 01/02–29/02/2024: 21 weekdays minus the 5 weekday Tết days.
    assert working_days_between(D("2024-01-31"), D("2024-02-29")) == 16


def test_national_day_is_skipped() -> None:
    assert not is_working_day(D("2024-09-02"))  # Monday
    assert not is_working_day(D("2024-09-03"))  # Tuesday, second National Day holiday
    assert add_working_days(D("2024-08-30"), 1) == D("2024-09-04")


def test_observed_and_swapped_days() -> None:
    assert not is_working_day(D("2023-01-02"))  # New Year's Day fell on a Sunday: in lieu on Monday
    assert not is_working_day(D("2024-04-29"))  # day off swapped with Saturday 04/05/2024
    assert is_working_day(D("2024-05-04"))  # ... which is worked instead


def test_add_zero_working_days() -> None:
    assert add_working_days(D("2023-10-13"), 0) == D("2023-10-13")
    assert add_working_days(D("2023-10-14"), 0) == D("2023-10-16")
    with pytest.raises(ValueError):
        add_working_days(D("2023-10-13"), -1)


def test_working_days_between_is_half_open_and_antisymmetric() -> None:
    assert working_days_between(D("2023-10-13"), D("2023-10-13")) == 0
    assert working_days_between(D("2023-10-13"), D("2023-10-18")) == 3
    assert working_days_between(D("2023-10-18"), D("2023-10-13")) == -3


@given(d=dates, n=counts)
def test_add_working_days_returns_working_day(d: date, n: int) -> None:
    result = add_working_days(d, n)
    assert is_working_day(result)
    assert result >= d
    if n:
        assert result > d
        assert working_days_between(d, result) == n


@given(d=dates, n=counts, m=counts)
def test_add_working_days_is_monotonic(d: date, n: int, m: int) -> None:
    n, m = sorted((n, m))
    # Non-strict from 0: on a day off, 0 and 1 working days both give the next working day.
    assert add_working_days(d, n) <= add_working_days(d, m)
    if 1 <= n < m:
        assert add_working_days(d, n) < add_working_days(d, m)
