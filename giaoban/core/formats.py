"""Vietnamese number and date formats (dot for thousands, comma for decimals; Decree 30/2020 date lines)."""

from __future__ import annotations

import functools
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from django.utils.translation import gettext as _

# Blanks users type (or paste from Word/Excel) between digit groups.
_SPACE_GROUPS = (" ", "\u00a0", "\u202f", "\u2009")
_MINUS_SIGNS = "-\u2212\u2013"


def format_number(value: int | float | Decimal | None, decimals: int | None = None, locale: str = "vi") -> str:
    """Format a number with the locale's separators: 56000 -> "56.000", 1234.5 -> "1.234,5"; None -> "".

    With ``decimals=None`` all significant fraction digits are kept (trailing zeros dropped); otherwise
    the value is rounded half up (the usual rule in reports) to exactly ``decimals`` places.
    """
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"format_number expects int, float or Decimal, got {type(value).__name__}")
    # A float holds 15 significant digits reliably: 0.1 + 0.2 shows as "0,3", not "0,30000000000000004".
    number = Decimal(format(value, ".15g")) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(_("Không phải là số hữu hạn: '%(v)s' (not a finite number)") % {"v": value})
    if decimals is None:
        number = number.normalize()
        if number == 0:
            number = Decimal(0)  # no "-0"
        return format_decimal(number, locale=locale, decimal_quantization=False)
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(number, format=pattern, locale=locale)


# Between a number and its "%" and after "≈": a plain space, as official documents write "56,4 %".
SPACE = " "
ESTIMATE_SIGN = "\u2248"  # ≈


def format_percent(value: int | float | Decimal | None, locale: str = "vi", decimals: int = 1) -> str:
    """A percentage (already x 100) to one decimal with a space before the sign: 56.43 -> "56,4 %"
    ("56.4 %" in English); None -> "". Every ratio shown in percent goes through here."""
    if value is None:
        return ""
    return f"{format_number(value, decimals, locale=locale)}{SPACE}%"


def format_estimate(value: int | float | Decimal | None, decimals: int | None = 0, locale: str = "vi") -> str:
    """A figure that is an estimate (a closed unit's figures shared out to its successors), marked with
    "≈": 298.7 -> "≈ 299" for a count; None -> ""."""
    if value is None:
        return ""
    return f"{ESTIMATE_SIGN}{SPACE}{format_number(value, decimals, locale=locale)}"


def number_locale(language: str | None = None) -> str:
    """The number locale ("vi" or "en") of a language code, by default the active language."""
    if language is None:
        from django.utils.translation import get_language

        language = get_language()
    return "en" if (language or "vi").startswith("en") else "vi"


def number_symbols(locale: str = "vi") -> dict[str, str]:
    """The separators a chart (or any client-side formatter) must use to print numbers as the page does."""
    return {"group": get_group_symbol(locale), "decimal": get_decimal_symbol(locale), "space": SPACE}


def parse_number(text: str, locale: str = "vi") -> Decimal:
    """Parse a number typed in the locale's format: "56.000", "56 000", "1.234,5", "5,6", "-3".

    In Vietnamese the dot only separates thousands, so "1.234" is 1234 and a misplaced dot such as
    "12.5" is rejected rather than guessed. Groups must have three digits; no percent or currency signs.
    """
    if not isinstance(text, str):
        raise _not_a_number(text)
    s = text.strip()
    sign = ""
    if s and s[0] in _MINUS_SIGNS + "+":
        sign = "-" if s[0] in _MINUS_SIGNS else ""
        s = s[1:]
    for sep, pattern in _number_patterns(locale):
        m = pattern.fullmatch(s)
        if m is None:
            continue
        integer = m[1].replace(sep, "")
        fraction = m[2] or ""
        try:
            return Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")
        except InvalidOperation:  # pragma: no cover - the regex only lets digits through
            raise _not_a_number(text) from None
    raise _not_a_number(text)


@functools.cache
def _number_patterns(locale: str) -> list[tuple[str, re.Pattern]]:
    """(group separator, pattern) for each way the locale groups thousands, built once per locale: an
    import parses every figure, and Babel's symbol lookups cost more than the match itself."""
    decimal_symbol = get_decimal_symbol(locale)
    separators = [sep for sep in (get_group_symbol(locale), *_SPACE_GROUPS) if sep != decimal_symbol]
    dsym = re.escape(decimal_symbol)
    return [
        (sep, re.compile(rf"([0-9]{{1,3}}(?:{re.escape(sep)}[0-9]{{3}})+|[0-9]+)(?:{dsym}([0-9]+))?"))
        for sep in separators
    ]


def _not_a_number(text: object) -> ValueError:
    # The same message as the services' own check of a typed value, so it is translated once.
    return ValueError(_("Không phải là số: '%s' (not a number)") % (text,))


def official_date(d: date) -> str:
    """Date as written in official documents (Decree 30/2020): "ngày 05 tháng 01 năm 2024".

    Days below 10 and months 1 and 2 take a leading zero; months 3–12 do not.
    """
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def place_date_line(place: str, d: date, blank: bool = False) -> str:
    """Place-and-date line of an official document: "Ngọc Lặc, ngày 05 tháng 10 năm 2023"; with
    blank=True the day and month are left empty to be written on signing: "Ngọc Lặc, ngày     tháng     năm 2023"."""
    place = place.strip()
    if not place:
        raise ValueError(_("Thiếu địa danh (place is required)"))
    if blank:
        gap = "\u00a0" * 6  # no-break spaces: Word keeps them, so the hand-written day and month have room
        return f"{place}, ngày{gap}tháng{gap}năm {d.year}"
    return f"{place}, {official_date(d)}"


def short_date(d: date) -> str:
    """Day/month/year with zero padding: "05/10/2023"."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"
