"""How an indicator's figure is shown, the one rule for pages, exports, charts and the API: a percent or
another ratio to one decimal ("56,4 %", "1,3"), a count whole, and a restated count (a closed unit's
figures shared out to its successors, 298,7 buổi) rounded and marked as an estimate ("≈ 299")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy

from giaoban.core import formats

from .models import Indicator

__all__ = ["ESTIMATE_NOTE", "Figure", "figure"]

# The title of a "≈" figure and the footnote under a table or document that shows one.
ESTIMATE_NOTE = gettext_lazy("ước tính (số liệu đơn vị cũ chia theo tỷ lệ)")


@dataclass(frozen=True)
class Figure:
    """A figure as shown: `value` already rounded where the rule says so (a JSON number or an .xlsx cell
    takes it as it is), `text` in the active language, `number_format` for an .xlsx cell."""

    value: Decimal | None
    decimals: int | None = None
    percent: bool = False
    estimated: bool = False

    def text(self, locale: str | None = None) -> str:
        locale = locale or formats.number_locale()
        if self.value is None:
            return ""
        if self.percent:
            shown = formats.format_percent(self.value, locale=locale, decimals=self.decimals or 0)
        else:
            shown = formats.format_number(self.value, self.decimals, locale=locale)
        return f"{formats.ESTIMATE_SIGN}{formats.SPACE}{shown}" if self.estimated else shown

    def __str__(self) -> str:
        return self.text()

    @property
    def number_format(self) -> str:
        """Excel's format for the cell: thousands grouped, one decimal for a ratio, ' %' after a percent
        (the cell holds 56.4, not 0.564, as the page and the API do)."""
        if self.decimals is None:  # "#,##0.####" would show a whole number with a trailing point ("8.134,")
            fmt = "#,##0" if self.value is None or self.value == self.value.to_integral_value() else "#,##0.0###"
        else:
            fmt = "#,##0" + ("." + "0" * self.decimals if self.decimals else "")
        return fmt + '" %"' if self.percent else fmt


def figure(indicator: Indicator, value: Decimal | float | int | None, *, estimated: bool = False) -> Figure:
    """The figure of `indicator` as shown. `estimated`: the value comes from a restatement that shared a
    predecessor's figures by a split share; a whole-number indicator's value is then rounded (half up)."""
    if value is not None and not isinstance(value, Decimal):
        value = Decimal(format(value, ".15g")) if isinstance(value, float) else Decimal(value)
    if indicator.value_type == Indicator.ValueType.PERCENT:
        return Figure(value, 1, percent=True, estimated=estimated)
    if indicator.is_ratio:
        return Figure(value, 1, estimated=estimated)
    if indicator.value_type == Indicator.ValueType.INTEGER and estimated:
        rounded = None if value is None else value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return Figure(rounded, 0, estimated=True)
    return Figure(value, None, estimated=estimated)
