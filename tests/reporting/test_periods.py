"""Tests for reporting periods: ids, ranges under each scheme and the composition rule."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from giaoban.reporting.periods import (
    CALENDAR,
    DECREE09,
    HALF,
    MONTH,
    NINE_MONTHS,
    PERIOD_TYPES,
    QUARTER,
    SCHEMES,
    WEEK,
    WEEK_MON,
    WEEK_THU,
    YEAR,
    Period,
    PeriodError,
    composed_of,
    cutoff,
    next_period,
    parse_period,
    period_of,
    period_range,
    periods_between,
    previous_period,
)

D = date.fromisoformat

# Keep away from the 1900/2200 edges, where a neighbouring period would be out of range.
dates = st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 6, 30))
schemes = st.sampled_from(SCHEMES)
window_schemes = st.sampled_from([CALENDAR, DECREE09])
contiguous_types = st.sampled_from([t for t in PERIOD_TYPES if t != NINE_MONTHS])
years = st.integers(min_value=1901, max_value=2199)


# --- examples ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pid", "scheme", "start", "end"),
    [
        ("2023-10", DECREE09, "2023-09-15", "2023-10-14"),
        ("2023-01", DECREE09, "2022-12-15", "2023-01-14"),
        ("2023N9", DECREE09, "2022-12-15", "2023-09-14"),
        ("2023Q1", DECREE09, "2022-12-15", "2023-03-14"),
        ("2023Q2", DECREE09, "2023-03-15", "2023-06-14"),
        ("2023Q3", DECREE09, "2023-06-15", "2023-09-14"),
        ("2023Q4", DECREE09, "2023-09-15", "2023-12-14"),
        ("2023S1", DECREE09, "2022-12-15", "2023-06-14"),
        ("2023S2", DECREE09, "2023-06-15", "2023-12-14"),
        ("2023", DECREE09, "2022-12-15", "2023-12-14"),
        ("2023Q3", CALENDAR, "2023-07-01", "2023-09-30"),
        ("2023N9", CALENDAR, "2023-01-01", "2023-09-30"),
        ("2023S1", CALENDAR, "2023-01-01", "2023-06-30"),
        ("2023S2", CALENDAR, "2023-07-01", "2023-12-31"),
        ("2024-02", CALENDAR, "2024-02-01", "2024-02-29"),
        ("2023", CALENDAR, "2023-01-01", "2023-12-31"),
        ("2023W41", WEEK_MON, "2023-10-09", "2023-10-15"),
        ("2023W41", CALENDAR, "2023-10-09", "2023-10-15"),
        ("2023W41", DECREE09, "2023-10-09", "2023-10-15"),
        ("2023W41", WEEK_THU, "2023-10-12", "2023-10-18"),
        ("2020W53", WEEK_MON, "2020-12-28", "2021-01-03"),
        ("2023-10", WEEK_THU, "2023-10-01", "2023-10-31"),  # longer windows of a week scheme are calendar
    ],
)
def test_period_range_examples(pid: str, scheme: str, start: str, end: str) -> None:
    assert period_range(pid, scheme) == (D(start), D(end))
    assert cutoff(pid, scheme) == D(end)


def test_parse_period_fields() -> None:
    assert parse_period("2023W41") == Period("2023W41", WEEK, 2023, 41)
    assert parse_period("2023-10") == Period("2023-10", MONTH, 2023, 10)
    assert parse_period("2023Q3") == Period("2023Q3", QUARTER, 2023, 3)
    assert parse_period("2023S2") == Period("2023S2", HALF, 2023, 2)
    assert parse_period("2023N9") == Period("2023N9", NINE_MONTHS, 2023, 9)
    assert parse_period("2023") == Period("2023", YEAR, 2023, 0)
    assert parse_period(" 2023q3 ").id == "2023Q3"


def test_week_53_only_in_long_iso_years() -> None:
    assert parse_period("2020W53").index == 53
    with pytest.raises(PeriodError):
        parse_period("2023W53")


@pytest.mark.parametrize(
    "bad",
    "|2023W00|2023W54|2023W1|2023-00|2023-13|2023-1|2023Q0|2023Q5|2023S0|2023S3|2023N8|2023N|1899|2201-01"
    "|23-10|2023/10|2023M10|abc|2023-10-01".split("|"),
)
def test_bad_ids_raise(bad: str) -> None:
    with pytest.raises(PeriodError, match="Mã kỳ không hợp lệ") as exc:
        parse_period(bad)
    assert isinstance(exc.value, ValueError)
    assert "(invalid period id)" in str(exc.value)


def test_bad_scheme_and_type_raise() -> None:
    with pytest.raises(PeriodError):
        period_range("2023-10", "lunar")
    with pytest.raises(PeriodError):
        period_of(D("2023-10-01"), "fortnight", CALENDAR)


def test_straddling_week_belongs_to_month_of_its_end() -> None:
    # 2023W35 = 28/08–03/09: its Sunday is in September.
    assert period_range("2023W35", WEEK_MON) == (D("2023-08-28"), D("2023-09-03"))
    assert parse_period("2023W35") in composed_of("2023-09", WEEK, CALENDAR)
    assert parse_period("2023W35") not in composed_of("2023-08", WEEK, CALENDAR)
    september = ["2023W35", "2023W36", "2023W37", "2023W38"]
    assert [p.id for p in composed_of("2023-09", WEEK, CALENDAR)] == september


def test_week_thu_composition_differs_from_iso() -> None:
    # ISO 2023W30 = 24/07–30/07 (July); Thursday week 2023W30 = 27/07–02/08 (August).
    assert period_range("2023W30", WEEK_THU) == (D("2023-07-27"), D("2023-08-02"))
    assert parse_period("2023W30") in composed_of("2023-07", WEEK, WEEK_MON)
    assert parse_period("2023W30") in composed_of("2023-08", WEEK, WEEK_THU)


def test_decree09_weekly_composition() -> None:
    # 2023W37 ends Sunday 17/09, inside decree09 2023-10 (15/09–14/10), but calendar September.
    assert parse_period("2023W37") in composed_of("2023-10", WEEK, DECREE09)
    assert parse_period("2023W37") in composed_of("2023-09", WEEK, CALENDAR)
    thu = composed_of("2023-10", WEEK, DECREE09, week_scheme=WEEK_THU)
    assert [p.id for p in thu] == ["2023W37", "2023W38", "2023W39", "2023W40"]


def test_composition_of_months_and_quarters() -> None:
    assert [p.id for p in composed_of("2023Q3", MONTH, DECREE09)] == ["2023-07", "2023-08", "2023-09"]
    assert [p.id for p in composed_of("2023N9", QUARTER, CALENDAR)] == ["2023Q1", "2023Q2", "2023Q3"]
    assert [p.id for p in composed_of("2023", HALF, CALENDAR)] == ["2023S1", "2023S2"]
    assert composed_of("2023-10", MONTH, CALENDAR) == [parse_period("2023-10")]


@pytest.mark.parametrize(("window", "rtype"), [("2023N9", HALF), ("2023", NINE_MONTHS), ("2023-10", QUARTER)])
def test_composition_that_does_not_tile_is_refused(window: str, rtype: str) -> None:
    with pytest.raises(PeriodError):
        composed_of(window, rtype, CALENDAR)


def test_period_of_examples() -> None:
    assert period_of(D("2023-10-14"), MONTH, DECREE09).id == "2023-10"
    assert period_of(D("2023-10-15"), MONTH, DECREE09).id == "2023-11"
    assert period_of(D("2023-12-15"), YEAR, DECREE09).id == "2024"
    assert period_of(D("2023-12-15"), MONTH, DECREE09).id == "2024-01"
    assert period_of(D("2021-01-01"), WEEK, WEEK_MON).id == "2020W53"
    assert period_of(D("2023-10-11"), WEEK, WEEK_THU).id == "2023W40"
    assert period_of(D("2023-10-12"), WEEK, WEEK_THU).id == "2023W41"
    assert period_of(D("2023-09-14"), NINE_MONTHS, DECREE09).id == "2023N9"
    with pytest.raises(PeriodError):
        period_of(D("2023-09-15"), NINE_MONTHS, DECREE09)
    with pytest.raises(PeriodError):
        period_of(D("2023-10-01"), NINE_MONTHS, CALENDAR)


def test_next_and_previous_examples() -> None:
    assert next_period("2020W53").id == "2021W01"
    assert previous_period("2021W01", WEEK_MON).id == "2020W53"
    assert next_period("2023-12", DECREE09).id == "2024-01"
    assert previous_period("2023Q1").id == "2022Q4"
    assert next_period("2023S2").id == "2024S1"
    assert next_period("2023N9").id == "2024N9"
    assert previous_period("2023").id == "2022"


def test_periods_between_uses_end_dates() -> None:
    got = periods_between(D("2023-01-01"), D("2023-12-31"), MONTH, DECREE09)
    assert [p.id for p in got] == [f"2023-{m:02d}" for m in range(1, 13)]
    assert periods_between(D("2023-02-01"), D("2023-01-01"), MONTH, CALENDAR) == []


# --- properties -------------------------------------------------------------------------------------


@given(d=dates, ptype=contiguous_types, scheme=schemes)
def test_every_day_in_exactly_one_period(d: date, ptype: str, scheme: str) -> None:
    p = period_of(d, ptype, scheme)
    start, end = period_range(p, scheme)
    assert start <= d <= end
    assert period_of(start, ptype, scheme) == p
    assert period_of(end, ptype, scheme) == p
    # Neighbours are contiguous: no gap and no overlap.
    assert period_range(next_period(p, scheme), scheme)[0] == end + timedelta(days=1)
    assert period_range(previous_period(p, scheme), scheme)[1] == start - timedelta(days=1)
    assert next_period(previous_period(p)) == p


@given(d=dates, scheme=schemes)
def test_nine_months_contains_its_days_only(d: date, scheme: str) -> None:
    year = period_of(d, YEAR, scheme)
    n9_start, n9_end = period_range(f"{year.year}N9", scheme)
    assert n9_start == period_range(year, scheme)[0]
    if d <= n9_end:
        assert period_of(d, NINE_MONTHS, scheme).id == f"{year.year}N9"
    else:
        with pytest.raises(PeriodError):
            period_of(d, NINE_MONTHS, scheme)


@given(d=dates, scheme=schemes)
def test_every_week_in_exactly_one_month(d: date, scheme: str) -> None:
    week = period_of(d, WEEK, scheme)
    month = period_of(cutoff(week, scheme), MONTH, scheme)
    assert week in composed_of(month, WEEK, scheme)
    assert week not in composed_of(previous_period(month), WEEK, scheme)
    assert week not in composed_of(next_period(month), WEEK, scheme)


@given(d=dates, scheme=schemes)
def test_month_weeks_are_complete_and_consecutive(d: date, scheme: str) -> None:
    month = period_of(d, MONTH, scheme)
    start, end = period_range(month, scheme)
    weeks = composed_of(month, WEEK, scheme)
    assert weeks, "every month has at least one week ending in it"
    assert all(start <= cutoff(w, scheme) <= end for w in weeks)
    assert all(next_period(a) == b for a, b in pairwise(weeks))
    assert cutoff(previous_period(weeks[0]), scheme) < start
    assert cutoff(next_period(weeks[-1]), scheme) > end


def _union(windows: list[Period], rtype: str, scheme: str) -> list[Period]:
    return [p for w in windows for p in composed_of(w, rtype, scheme)]


@settings(deadline=None)  # a property check, not a timing: the shared CI machine can be slow
@given(year=years, scheme=schemes, week_scheme=st.sampled_from([None, WEEK_MON, WEEK_THU]))
def test_windows_are_unions_of_their_parts(year: int, scheme: str, week_scheme: str | None) -> None:
    def weeks(pid: str) -> list[Period]:
        return composed_of(pid, WEEK, scheme, week_scheme=week_scheme)

    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    quarters = [f"{year}Q{q}" for q in range(1, 5)]
    for q in range(4):
        assert weeks(quarters[q]) == [w for m in months[3 * q : 3 * q + 3] for w in weeks(m)]
    assert weeks(f"{year}N9") == [w for q in quarters[:3] for w in weeks(q)]
    assert weeks(f"{year}N9") == [w for m in months[:9] for w in weeks(m)]
    assert weeks(f"{year}") == weeks(f"{year}S1") + weeks(f"{year}S2")
    assert composed_of(f"{year}N9", MONTH, scheme) == [parse_period(m) for m in months[:9]]
    assert composed_of(f"{year}N9", QUARTER, scheme) == [parse_period(q) for q in quarters[:3]]
    assert composed_of(f"{year}", MONTH, scheme) == _union([f"{year}S1", f"{year}S2"], MONTH, scheme)
    assert composed_of(f"{year}", QUARTER, scheme) == _union([f"{year}S1", f"{year}S2"], QUARTER, scheme)


@given(d=dates, ptype=st.sampled_from(PERIOD_TYPES), scheme=window_schemes)
def test_parse_round_trip(d: date, ptype: str, scheme: str) -> None:
    p = period_of(d, ptype, scheme) if ptype != NINE_MONTHS else parse_period(f"{d.year}N9")
    assert parse_period(p.id) == p
    assert parse_period(p.id.lower()) == p


@given(a=dates, b=dates, ptype=st.sampled_from(PERIOD_TYPES), scheme=schemes)
def test_ids_sort_chronologically_within_a_type(a: date, b: date, ptype: str, scheme: str) -> None:
    if ptype == NINE_MONTHS:
        pa, pb = parse_period(f"{a.year}N9"), parse_period(f"{b.year}N9")
    else:
        pa, pb = period_of(a, ptype, scheme), period_of(b, ptype, scheme)
    sa, sb = period_range(pa, scheme)[0], period_range(pb, scheme)[0]
    assert (pa.id < pb.id) == (sa < sb)
    assert (pa < pb) == (sa < sb)


@given(a=dates, length=st.integers(min_value=0, max_value=400), ptype=contiguous_types, scheme=schemes)
def test_periods_between_matches_cutoffs(a: date, length: int, ptype: str, scheme: str) -> None:
    b = a + timedelta(days=length)
    got = periods_between(a, b, ptype, scheme)
    expected = sorted({period_of(a + timedelta(days=i), ptype, scheme) for i in range(length + 1)})
    assert got == [p for p in expected if a <= cutoff(p, scheme) <= b]
