"""Tests for Vietnamese number and date formatting."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giaoban.core.formats import format_number, official_date, parse_number, place_date_line, short_date

D = date.fromisoformat

decimals_2dp = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False
)


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (56000, {}, "56.000"),
        (1234.5, {}, "1.234,5"),
        (11008, {}, "11.008"),
        (None, {}, ""),
        (Decimal("56000.00"), {}, "56.000"),
        (Decimal("1234.50"), {}, "1.234,5"),
        (-1234567, {}, "-1.234.567"),
        (0.1 + 0.2, {}, "0,3"),
        (Decimal("-0.00"), {}, "0"),
        (56000, {"locale": "en"}, "56,000"),
        (1234.5, {"locale": "en"}, "1,234.5"),
        (1234.5, {"decimals": 2}, "1.234,50"),
        (Decimal("2.5"), {"decimals": 0}, "3"),  # half up, not banker's rounding
        (Decimal("1.005"), {"decimals": 2}, "1,01"),
        (7, {"decimals": 1}, "7,0"),
        (Decimal("-0.004"), {"decimals": 2}, "0,00"),
    ],
)
def test_format_number(value: object, kwargs: dict[str, object], expected: str) -> None:
    assert format_number(value, **kwargs) == expected  # type: ignore[arg-type]


def test_format_number_rejects_non_numbers() -> None:
    with pytest.raises(TypeError):
        format_number("56000")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_number(True)
    with pytest.raises(ValueError):
        format_number(float("nan"))
    with pytest.raises(ValueError):
        format_number(Decimal("Infinity"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("56.000", "56000"),
        ("56000", "56000"),
        ("56 000", "56000"),
        ("56\u00a0000", "56000"),
        ("5,6", "5.6"),
        ("1.234,5", "1234.5"),
        ("-3", "-3"),
        ("\u22123", "-3"),
        ("+3", "3"),
        ("1.234.567", "1234567"),
        ("1.234", "1234"),  # the dot is a thousands separator in Vietnamese
        ("1,5", "1.5"),
        ("  0,25 ", "0.25"),
    ],
)
def test_parse_number(text: str, expected: str) -> None:
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    ["", " ", "abc", "12,5%", "12.5", "1.23.4", "1..234", "1.2345", ",5", "5,", "1,2,3", "- 3", "1e5", "5đ"],
)
def test_parse_number_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="Không phải là số") as exc:
        parse_number(text)
    assert f"'{text}' (not a number)" in str(exc.value)


def test_parse_number_en_locale() -> None:
    assert parse_number("56,000", locale="en") == Decimal("56000")
    assert parse_number("1,234.5", locale="en") == Decimal("1234.5")
    with pytest.raises(ValueError):
        parse_number("1.234,5", locale="en")


@given(x=decimals_2dp)
def test_round_trip(x: Decimal) -> None:
    assert parse_number(format_number(x)) == x
    assert parse_number(format_number(x, decimals=2)) == x
    assert parse_number(format_number(x, locale="en"), locale="en") == x


@given(n=st.integers(min_value=-(10**15), max_value=10**15))
def test_round_trip_integers(n: int) -> None:
    assert parse_number(format_number(n)) == n


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        ("2024-01-05", "ngày 05 tháng 01 năm 2024"),
        ("2024-02-29", "ngày 29 tháng 02 năm 2024"),
        ("2024-03-07", "ngày 07 tháng 3 năm 2024"),
        ("2024-03-15", "ngày 15 tháng 3 năm 2024"),
        ("2023-10-05", "ngày 05 tháng 10 năm 2023"),
        ("2023-12-31", "ngày 31 tháng 12 năm 2023"),
    ],
)
def test_official_date(d: str, expected: str) -> None:
    assert official_date(D(d)) == expected


def test_place_date_line() -> None:
    assert place_date_line("Ngọc Lặc", D("2023-10-05")) == "Ngọc Lặc, ngày 05 tháng 10 năm 2023"
    assert place_date_line(" Hà Nội ", D("2024-01-05")) == "Hà Nội, ngày 05 tháng 01 năm 2024"
    with pytest.raises(ValueError):
        place_date_line("  ", D("2024-01-05"))


def test_short_date() -> None:
    assert short_date(D("2023-10-05")) == "05/10/2023"
    assert short_date(D("2024-12-31")) == "31/12/2024"
    assert short_date(datetime(2024, 1, 2, 15, 30)) == "02/01/2024"
