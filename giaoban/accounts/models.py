"""API tokens a user owns: several per user, each named, kept only as a digest (the key is shown once, when it is
made), expiring settings.API_TOKEN_TTL_DAYS after it was made, with the time it was last used."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["ApiToken", "ApiTokenQuerySet"]


def token_ttl() -> timedelta:
    return timedelta(days=settings.API_TOKEN_TTL_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """A token is its owner's alone, whatever their roles: anyone else's is a 404, a system admin's too."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def live(self, now=None):
        return self.filter(created__gt=(now or timezone.now()) - token_ttl())

    def expired(self, now=None):
        return self.filter(created__lte=(now or timezone.now()) - token_ttl())


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("Người dùng")
    )
    name = models.CharField(_("Tên"), max_length=100)
    # sha256 of the key, hex: a copy of the database does not hand out working keys.
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, shown so the owner can tell their tokens apart.
    prefix = models.CharField(_("Đầu mã"), max_length=8, editable=False)
    created = models.DateTimeField(_("Tạo lúc"), default=timezone.now, db_index=True)
    last_used = models.DateTimeField(_("Dùng lần cuối"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("Mã truy cập API")
        verbose_name_plural = _("Mã truy cập API")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expires(self):
        return self.created + token_ttl()

    def is_expired(self, now=None) -> bool:
        return self.expires <= (now or timezone.now())
