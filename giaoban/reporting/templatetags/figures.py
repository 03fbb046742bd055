"""{% figure indicator value estimated %}: an indicator's figure as reporting.figures shows it, with the
estimate's note as a tooltip ("≈ 299")."""

from django import template
from django.utils.html import format_html

from giaoban.reporting.figures import ESTIMATE_NOTE, figure

register = template.Library()


@register.simple_tag
def figure_of(indicator, value, estimated=False, empty="—"):
    shown = figure(indicator, value, estimated=bool(estimated))
    if shown.value is None:
        return empty
    if shown.estimated:
        return format_html('<span class="estimated" title="{}">{}</span>', ESTIMATE_NOTE, shown.text())
    return shown.text()
