"""Template filters for Vietnamese formats: {{ value|vn_number }}, {{ day|vn_official_date }}."""

from django import template

from giaoban.core import formats

register = template.Library()


@register.filter
def vn_number(value, decimals=None):
    """56000 -> "56.000", 0.6 -> "0,6"; English pages get "56,000"."""
    if value is None or value == "":
        return ""
    return formats.format_number(
        value, None if decimals in (None, "") else int(decimals), locale=formats.number_locale()
    )


@register.filter
def vn_percent(value, decimals=1):
    """A percentage (already x 100) to one decimal: 56.43 -> "56,4 %" ("56.4 %" in English); None -> ""."""
    if value is None or value == "":
        return ""
    return formats.format_percent(value, locale=formats.number_locale(), decimals=int(decimals))


@register.filter
def vn_official_date(value):
    return formats.official_date(value) if value else ""


@register.filter
def vn_full_name(user):
    """Family name first, as Vietnamese write it ("Nguyễn Quốc Toàn"), or the username."""
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.get_username()


@register.simple_tag
def native_languages():
    """settings.LANGUAGES as (code, name) with each name in its own language ("Tiếng Việt", "English"), never
    translated: the language switch reads the same on every page."""
    from django.conf import settings

    return settings.LANGUAGES
