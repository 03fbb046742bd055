"""The scorecard as .xlsx, through the one table writer (core.xlsx)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from giaoban.core.formats import short_date
from giaoban.core.xlsx import ratio, table_to_xlsx

from .selectors import Scorecard, ScoreRow

__all__ = ["scorecard_headers", "scorecard_rows", "scorecard_xlsx"]


def scorecard_headers() -> list[str]:
    """The column labels, in the active language."""
    return [
        _("Đơn vị / cơ quan"),
        _("Được giao"),
        _("Hoàn thành đúng hạn"),
        _("Hoàn thành quá hạn"),
        _("Đang thực hiện, trong hạn"),
        _("Quá hạn"),
        _("Không thời hạn"),
        _("Đã đến hạn"),
        _("Tỷ lệ hoàn thành (%)"),
    ]


def _line(row: ScoreRow) -> list:
    c = row.counts
    rate = row.completion_rate
    return [
        row.label,
        c["assigned"],
        c["done_on_time"],
        c["done_late"],
        c["in_time"],
        c["overdue"],
        c["no_deadline"],
        c["fallen_due"],
        ratio(None if rate is None else round(rate * 100, 1)),
    ]


def scorecard_rows(card: Scorecard) -> list[list]:
    """The table's rows: one per child unit or agency, then the total."""
    return [*(_line(r) for r in card.rows), [_("Tổng cộng"), *_line(card.total)[1:]]]


def scorecard_xlsx(card: Scorecard) -> bytes:
    title = _("Kết quả thực hiện nhiệm vụ — %(u)s, đến ngày %(d)s") % {"u": card.unit.name, "d": short_date(card.as_of)}
    return table_to_xlsx([(card.unit.name, scorecard_headers(), scorecard_rows(card))], title=title)
