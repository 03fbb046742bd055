"""The one access choke point: every queryset a page or endpoint returns goes through visible_to().

A user's scope is the set of org units they hold a role at, each with its whole subtree. Objects
outside it are filtered out, so views answer 404 for them (never 403, which would confirm they exist).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# Materialized paths use 0-9A-Z; "~" sorts after all of them in binary/C collation, so
# [path, path + "~") is exactly the subtree and both databases answer it from the path index.
PATH_END = "~"


class Action:
    VIEW = "view"
    ENTER = "enter"  # enter and submit figures
    APPROVE = "approve"
    MANAGE = "manage"  # unit administration: users, committees, forms
    MEET = "meet"  # schedule meetings, record attendance and minutes, draft conclusions
    AUDIT = "audit"  # read the change log: who changed which figure, when, from what to what


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")
    UNIT_ADMIN = "unit_admin", _("Quản trị đơn vị")
    SECRETARY = "secretary", _("Thư ký (nhập liệu)")
    APPROVER = "approver", _("Người duyệt")
    MEMBER = "member", _("Thành viên")
    VIEWER = "viewer", _("Người xem")
    # Linked to one member agency (UserRole.agency): sees and follows up that agency's tasks only.
    AGENCY_OFFICER = "agency_officer", _("Cán bộ cơ quan thành viên")


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset(
        {Action.VIEW, Action.ENTER, Action.APPROVE, Action.MANAGE, Action.MEET, Action.AUDIT}
    ),
    Role.UNIT_ADMIN: frozenset({Action.VIEW, Action.MANAGE, Action.AUDIT}),
    Role.SECRETARY: frozenset({Action.VIEW, Action.ENTER, Action.MEET}),
    Role.APPROVER: frozenset({Action.VIEW, Action.APPROVE, Action.MEET, Action.AUDIT}),
    Role.MEMBER: frozenset({Action.VIEW}),
    Role.VIEWER: frozenset({Action.VIEW}),
    # No unit-wide action: an agency officer's reach is their agency's tasks (work.models.TaskQuerySet).
    Role.AGENCY_OFFICER: frozenset(),
}


def subtree_q(path_field: str, path: str) -> Q:
    return Q(**{f"{path_field}__gte": path, f"{path_field}__lt": path + PATH_END})


def user_roles(user: AbstractBaseUser | AnonymousUser) -> list[tuple[str, str]]:
    """(role, unit path) pairs of the user, read once per user object (i.e. once per request)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_giaoban_roles", None)
    if cached is None:
        from giaoban.orgs.models import UserRole

        cached = list(UserRole.objects.filter(user=user).values_list("role", "org_unit__path"))
        user._giaoban_roles = cached  # type: ignore[union-attr]
    return cached


def officer_agency_ids(user) -> list[int]:
    """Ids of the member agencies the user is an officer of, read once per user object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_giaoban_agencies", None)
    if cached is None:
        from giaoban.orgs.models import UserRole

        cached = sorted(
            UserRole.objects.filter(user=user, role=Role.AGENCY_OFFICER, agency__isnull=False).values_list(
                "agency_id", flat=True
            )
        )
        user._giaoban_agencies = cached  # type: ignore[union-attr]
    return cached


def is_system_admin(user) -> bool:
    return bool(
        user.is_authenticated and (user.is_superuser or any(r == Role.SYSTEM_ADMIN for r, _ in user_roles(user)))
    )


def scope_paths(user, action: str = Action.VIEW) -> list[str] | None:
    """Subtree roots the user may act on; None means everything (system admin)."""
    if is_system_admin(user):
        return None
    paths = sorted({p for role, p in user_roles(user) if action in ROLE_ACTIONS.get(role, ())})
    # Drop paths inside another one: fewer OR terms, same rows.
    kept: list[str] = []
    for p in paths:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


def can(user, action: str, unit_path: str) -> bool:
    paths = scope_paths(user, action)
    return paths is None or any(unit_path.startswith(p) for p in paths)


class ScopedQuerySet(models.QuerySet):
    """Mixin for querysets of things that belong to an org unit."""

    scope_path_field = "org_unit__path"

    def visible_to(self, user, action: str = Action.VIEW):
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, action)
        if paths is None:
            return self
        if not paths:
            return self.none()
        q = Q()
        for p in paths:
            q |= subtree_q(self.scope_path_field, p)
        return self.filter(q)
