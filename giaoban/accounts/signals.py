"""A password change or a login lockout deletes the user's API tokens. Signals, because passwords change in many
places (admin, the password pages, `giaoban changepassword`) and the lockout is decided inside django-axes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

from .services import api_tokens_revoke_all


def revoke_on_password_change(sender, instance, created=False, **kwargs) -> None:
    # set_password() keeps the raw password on the instance until save() has run (Django's own
    # password_changed hook reads it the same way).
    if not created and getattr(instance, "_password", None) is not None:
        api_tokens_revoke_all(instance)


def revoke_on_lockout(sender, username=None, **kwargs) -> None:
    if username:
        field = get_user_model().USERNAME_FIELD
        user = get_user_model().objects.filter(**{field: username}).first()
        if user is not None:
            api_tokens_revoke_all(user)


def connect() -> None:
    from axes.signals import user_locked_out
    from django.db.models.signals import post_save

    post_save.connect(revoke_on_password_change, sender=settings.AUTH_USER_MODEL, dispatch_uid="giaoban-token-pw")
    user_locked_out.connect(revoke_on_lockout, dispatch_uid="giaoban-token-lockout")
