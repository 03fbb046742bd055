"""Template names of periods: ``{% load periods %}{{ s.period|period_label:s.form.scheme }}``."""

from django import template

from giaoban.reporting import periods

register = template.Library()


@register.filter
def period_label(pid, scheme=None) -> str:
    """ "2026W49" -> "Tuần 49/2026 (30/11–06/12)"; an id that does not parse is shown as it is."""
    return periods.period_label_or_id(str(pid), scheme or None) if pid else ""


@register.filter
def period_label_short(pid, scheme=None) -> str:
    """The label without a week's dates, where space is tight: "Tuần 49/2026"."""
    return periods.period_label_or_id(str(pid), scheme or None, dates=False) if pid else ""


@register.inclusion_tag("reporting/includes/period_picker.html", takes_context=True)
def period_picker(
    context, name="period", types="", scheme="calendar", value="", blank="", label="", start=None, end=None
):
    """{% period_picker "period" types="month,quarter,nine_months" blank=_("Tất cả") %}: the one period picker,
    resolved from the request's GET data."""
    from giaoban.reporting.pickers import period_picker as build

    request = context.get("request")
    return build(
        request.GET if request is not None else None,
        name,
        types=[t for t in str(types).split(",") if t],
        scheme=scheme or "calendar",
        value=value or None,
        blank=blank,
        label=label,
        start=start,
        end=end,
    )
