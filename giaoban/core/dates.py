"""Parsing dates as Vietnamese offices write them (05/10/2023) and as ISO (2023-10-05)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _


def parse_date(text: str | date | None) -> date | None:
    if text is None or isinstance(text, date):
        return text
    text = str(text).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(_("Ngày không hợp lệ: '%(d)s' (invalid date; use 2023-10-05 or 05/10/2023)") % {"d": text})
