"""Template helpers of the orgs app: whether to offer the administration pages to the user."""

from django import template

from giaoban.core.access import Action, scope_paths

register = template.Library()


@register.filter
def administers_units(user) -> bool:
    """True for unit and system administrators: the menu shows "Người dùng" to them only."""
    if not user.is_authenticated:
        return False
    paths = scope_paths(user, Action.MANAGE)
    return paths is None or bool(paths)
