"""Template filters of the work pages."""

from django import template

register = template.Library()


@register.filter
def percent(rate):
    """A completion rate (0.75) as a percentage (75.0), for `vn_number`; None stays None."""
    return None if rate is None else rate * 100
