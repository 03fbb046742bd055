"""Writes of the accounts app: making and revoking API tokens; password-reset e-mails, queued and sent."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from giaoban.core.errors import ServiceError, full_clean_or_raise
from giaoban.core.text import clean_line

from .models import ApiToken

__all__ = [
    "api_token_create",
    "api_token_revoke",
    "api_token_touch",
    "api_tokens_revoke_all",
    "key_digest",
    "otp_verify",
    "password_reset_email_queue",
    "password_reset_email_send",
]

# last_used is written at most this often per token: one write a minute, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_digest(key: str) -> str:
    """The stored form of a key (sha256, hex)."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, name: str, actor) -> tuple[ApiToken, str]:
    """A new token of `actor`, and its key: the only time the key is seen. The actor's expired tokens go."""
    name = clean_line(name or "").strip()
    if not name:
        raise ServiceError(
            _("Hãy đặt tên cho mã truy cập (ví dụ: tên chương trình dùng nó)."), {"fields": {"name": [_("Bắt buộc.")]}}
        )
    ApiToken.objects.filter(user=actor).expired().delete()
    key = secrets.token_hex(20)
    token = ApiToken(user=actor, name=name, digest=key_digest(key), prefix=key[:8])
    full_clean_or_raise(token)
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> None:
    """Delete one of the actor's tokens; it stops working at once."""
    if token.user_id != actor.pk:
        # Callers look tokens up through visible_to(); this is the last line, not the access rule.
        raise ServiceError(_("Không tìm thấy (not found)."), code="not_found")
    token.delete()


def api_tokens_revoke_all(user) -> int:
    """Delete every token of a user; the number deleted."""
    return ApiToken.objects.filter(user=user).delete()[0]


def api_token_touch(*, token: ApiToken, now=None) -> None:
    """Record that the token was used now: one conditional UPDATE per request (the same query count on every
    call), which writes only when the recorded time is older than LAST_USED_RESOLUTION."""
    now = now or timezone.now()
    stale = Q(last_used__isnull=True) | Q(last_used__lte=now - LAST_USED_RESOLUTION)
    if ApiToken.objects.filter(stale, pk=token.pk).update(last_used=now):
        token.last_used = now


def otp_verify(*, user, code: str):
    """The user's confirmed device that accepts this code (a code of the authenticator app, or a recovery code,
    which is then used up), or None. Only the device the code's shape points at is tried, so a wrong code is
    counted against that device's throttle alone (django-otp slows down repeated failures)."""
    from django_otp import devices_for_user
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    code = (code or "").strip().replace(" ", "")
    if not code:
        return None
    kind = TOTPDevice if code.isdigit() else StaticDevice
    for device in devices_for_user(user, confirmed=True):
        if not isinstance(device, kind):
            continue
        allowed, _extra = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            return device
    return None


#: The name the password-reset e-mail signs with.
SITE_NAME = "giaoban"


def password_reset_email_queue(*, user_ids: list[int], domain: str, use_https: bool) -> None:
    """Queue a password-reset e-mail per user, once the current transaction commits; the request that asks
    answers at once and the task worker sends them (in the language active now)."""
    from .tasks import send_password_reset_email

    language = translation.get_language() or settings.LANGUAGE_CODE
    ids = list(user_ids)

    def enqueue() -> None:
        for pk in ids:
            send_password_reset_email.enqueue(pk, domain, use_https, language)

    transaction.on_commit(enqueue)


def password_reset_email_send(*, user_id: int, domain: str, use_https: bool, language: str) -> bool:
    """E-mail the user a link to choose a new password (Django's reset token, made now, and the
    `password_reset_confirm` page). False, sending nothing, when the account was deactivated, deleted or lost
    its address since the e-mail was queued."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return False
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": SITE_NAME,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    with translation.override(language):
        PasswordResetForm().send_mail(
            "registration/password_reset_subject.txt",
            "registration/password_reset_email.html",
            context,
            None,
            user.email,
        )
    return True
