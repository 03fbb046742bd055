"""Template helpers of the orgs app: whether to offer the administration pages to the user."""

from django import template

from giaoban.core.access import Action, is_system_admin, scope_paths

register = template.Library()


@register.filter
def administers_units(user) -> bool:
    """True for unit and system administrators: the menu shows "Người dùng" to them only."""
    if not user.is_authenticated:
        return False
    paths = scope_paths(user, Action.MANAGE)
    return paths is None or bool(paths)


@register.filter
def administers_system(user) -> bool:
    """True for system administrators: the menu offers them the import of units and successions."""
    return is_system_admin(user)
