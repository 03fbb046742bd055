"""`giaoban check`: a misspelt role in TWO_FACTOR_REQUIRED_ROLES would silently leave that role without two-factor
sign-in; it fails at start instead."""

from django.conf import settings
from django.core.checks import Error, register

from giaoban.core.access import Role


@register()
def check_required_roles(app_configs, **kwargs):
    unknown = [r for r in settings.TWO_FACTOR_REQUIRED_ROLES if r not in Role.values]
    if not unknown:
        return []
    return [
        Error(
            f"TWO_FACTOR_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}",
            hint=f"Roles: {', '.join(Role.values)}",
            id="giaoban.accounts.E001",
        )
    ]
