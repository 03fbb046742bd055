"""The one period picker: type, year and number selects that show periods as people say them and submit the
period id ("2026W49") as the form value, so URLs and the API keep ids. Works without JavaScript: changing the
type or year and submitting comes back with that type's and year's periods to choose from."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.utils import timezone

from . import periods

FIRST_YEARS_BACK = 5  # how many years back a picker offers when nothing bounds it


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if periods.MIN_YEAR <= year <= periods.MAX_YEAR else None


def period_picker(
    data,
    name: str = "period",
    *,
    types: list[str] | tuple[str, ...],
    scheme: str = periods.CALENDAR,
    start: date | None = None,
    end: date | None = None,
    value: str | None = None,
    blank: str = "",
    label: str = "",
    today: date | None = None,
) -> dict:
    """The picker's template context, resolved from the submitted `data` (a QueryDict or dict): `period` is the
    chosen id, or "" when the submitted id does not match the type and year chosen beside it (no JavaScript:
    the type or year changed), is not one of the periods offered, or was left blank.

    `types` are the period types offered (a form's own type, or the windows of a consolidated report);
    `start`/`end` bound the periods offered (a form's start, a closed unit's last day; `end` defaults to today).
    """
    today = today or timezone.localdate()
    types = [t for t in types if t in periods.PERIOD_TYPES] or [periods.MONTH]
    end = min(end, today) if end else today
    raw = (data.get(name) if data is not None else None) or value or ""
    chosen = None
    try:
        chosen = periods.parse_period(raw) if raw else None
    except periods.PeriodError:
        chosen = None
    if chosen is not None and chosen.type not in types:
        chosen = None
    ptype = (data.get(f"{name}_type") if data is not None else None) or (chosen.type if chosen else types[0])
    if ptype not in types:
        ptype = types[0]
    year = _year(data.get(f"{name}_year") if data is not None else None)
    if year is None:
        year = chosen.year if chosen else end.year
    if chosen is not None and (chosen.type != ptype or chosen.year != year):
        chosen = None  # the type or year changed beside it: offer that type's and year's periods
    first_year = start.year if start else end.year - FIRST_YEARS_BACK
    years = list(range(end.year, first_year - 1, -1))
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    options = periods.period_options(ptype, year, scheme, start, end)
    if chosen is not None and chosen not in options:
        chosen = None
    if chosen is None and not blank and options:
        chosen = options[-1]  # the latest period of that type and year: the one people mostly want
    config = {
        "types": ",".join(types),
        "scheme": scheme,
        "start": start.isoformat() if start else "",
        "end": end.isoformat(),
        "blank": blank,
        "label": label,
    }
    return {
        "name": name,
        "label": label,
        "blank": blank,
        "types": [(t, periods.period_type_label(t)) for t in types],
        "type": ptype,
        "years": years,
        "year": year,
        "options": [(p.id, periods.period_label(p, scheme)) for p in options],
        "period": chosen.id if chosen else "",
        "config_query": urlencode(config),  # the endpoint re-renders the picker with the same configuration
    }
