"""Writes on the logins of a unit admin's subtree: create (one, or many from CSV), edit, roles, deactivate,
password-reset links, links to a committee membership. Every write is checked against the actor's scope
(Action.MANAGE) and recorded in the audit trail (simple_history, with the actor as history_user)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from giaoban.accounts.services import password_reset_email_queue
from giaoban.core import csvfile
from giaoban.core.access import Action, Role, can, is_system_admin
from giaoban.core.errors import RowErrors, ServiceError
from giaoban.core.text import clean_line, fold, sort_key

from ..models import Agency, Membership, OrgUnit, UserProfile, UserRole

__all__ = [
    "USER_COLUMNS",
    "membership_link_user",
    "membership_unlink_user",
    "user_create",
    "user_deactivate",
    "user_reactivate",
    "user_send_password_reset",
    "user_update",
    "userrole_grant",
    "userrole_remove",
    "users_import_csv",
]

logger = logging.getLogger(__name__)

USER_COLUMNS = ["name", "email", "phone", "unit", "role", "agency"]
OPTIONAL_COLUMNS = {"phone", "role", "agency"}
MAX_IMPORT_ROWS = 5000
_PHONE = re.compile(r"^\+?\d{8,15}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def split_name(name: str) -> tuple[str, str]:
    """ "Nguyễn Văn An" -> ("Nguyễn Văn", "An"): family and middle names, then the given name, as Django's
    last_name and first_name (the vn_full_name filter puts them back in Vietnamese order)."""
    parts = clean_line(name or "").split()
    if not parts:
        return "", ""
    return " ".join(parts[:-1]), parts[-1]


def full_name(user) -> str:
    return f"{user.last_name} {user.first_name}".strip()


def _manageable_units(actor):
    return OrgUnit.objects.visible_to(actor, Action.MANAGE)


def out_of_scope_unit_message(code: str) -> str:
    """The same words for a unit code that does not exist and one outside the actor's subtree."""
    return _("Không có đơn vị mã '%(c)s' trong phạm vi quản trị của bạn.") % {"c": code}


def out_of_scope_agency_message() -> str:
    return _("Cơ quan không thuộc phạm vi quản trị của bạn.")


def _role_choices() -> dict[str, str]:
    """What a CSV may write in the role column: the code (secretary) or the role's name in Vietnamese or
    English, with or without diacritics ("thu ky (nhap lieu)", "Thư ký")."""
    names: dict[str, str] = {}
    for value in Role.values:
        names[value] = value
    for language in ("vi", "en"):
        with translation.override(language):
            for value, label in Role.choices:
                names[fold(str(label))] = value
                names[fold(str(label).split(" (")[0])] = value
    return names


def _role_from(text: str) -> str | None:
    text = clean_line(text or "")
    if not text:
        return ""
    return _role_choices().get(text) or _role_choices().get(fold(text))


def _check_phone(errors: RowErrors, row, phone: str) -> str:
    phone = clean_line(phone or "")
    if phone and not _PHONE.match(_PHONE_SEPARATORS.sub("", phone)):
        errors.add(row, "phone", _("Số điện thoại không hợp lệ: '%(v)s' (8 đến 15 chữ số).") % {"v": phone})
    return phone


def _check_email(errors: RowErrors, row, email: str, *, exclude_user=None, taken_emails: set[str] | None = None) -> str:
    email = clean_line(email or "").lower()
    if not email:
        errors.add(row, "email", _("Thiếu thư điện tử."))
        return email
    try:
        validate_email(email)
    except ValidationError:
        errors.add(row, "email", _("Thư điện tử không hợp lệ: '%(v)s'.") % {"v": email})
        return email
    if taken_emails is not None:
        taken = email in taken_emails
    else:
        others = get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        if exclude_user is not None:
            others = others.exclude(pk=exclude_user.pk)
        taken = others.exists()
    if taken:
        errors.add(row, "email", _("Thư điện tử %(v)s đã có tài khoản.") % {"v": email})
    return email


def _check_grant(
    errors: RowErrors, row, *, actor, role: str, unit: OrgUnit | None, agency: Agency | None, unit_column: str = "unit"
) -> None:
    """A role the actor may grant: at a unit of their subtree, never system administrator unless they are one;
    an agency officer's role is at their agency's unit, and only that role names an agency."""
    if role not in Role.values:
        errors.add(
            row,
            "role",
            _("Vai trò không hợp lệ; chọn một trong: %(c)s.")
            % {"c": ", ".join(str(label) for _v, label in Role.choices)},
        )
        return
    if role == Role.SYSTEM_ADMIN and not is_system_admin(actor):
        errors.add(row, "role", _("Chỉ quản trị hệ thống mới giao được vai trò quản trị hệ thống."))
    if role == Role.AGENCY_OFFICER:
        if agency is None:
            errors.add(row, "agency", _("Vai trò cán bộ cơ quan thành viên cần có cơ quan."))
        elif not can(actor, Action.MANAGE, agency.org_unit.path):
            errors.add(row, "agency", out_of_scope_agency_message())
        elif unit is not None and agency.org_unit_id != unit.pk:
            errors.add(row, "agency", _("Cơ quan %(a)s không thuộc đơn vị %(u)s.") % {"a": agency, "u": unit.name})
    elif agency is not None:
        errors.add(row, "agency", _("Chỉ vai trò cán bộ cơ quan thành viên mới gắn với cơ quan."))
    if unit is not None and unit.valid_to is not None and unit.valid_to < timezone.localdate():
        errors.add(
            row,
            unit_column,
            _("Đơn vị %(u)s đã hết hiệu lực từ %(d)s.") % {"u": unit.name, "d": unit.valid_to.strftime("%d/%m/%Y")},
        )


def _raise_fields(errors: RowErrors, message: str) -> None:
    """One form's errors (no rows) as a ServiceError whose `extra.fields` the page puts beside the fields."""
    if errors:
        fields: dict[str, list[str]] = {}
        for e in errors.items:
            fields.setdefault(e["column"] or "__all__", []).append(e["message"])
        first = errors.items[0]["message"]
        raise ServiceError(f"{message} {first}", {"fields": fields})


def _save_profile(user, *, unit: OrgUnit, phone: str, actor) -> UserProfile:
    profile = UserProfile.objects.filter(user=user).first() or UserProfile(user=user)
    profile.org_unit = unit
    profile.phone = phone
    profile.name_folded = fold(f"{full_name(user)} {user.email}")
    profile.sort_key = sort_key(f"{user.first_name} {user.last_name}")
    profile._history_user = actor
    profile.full_clean()
    profile.save()
    return profile


def _new_user(*, name: str, email: str, actor):
    last_name, first_name = split_name(name)
    user = get_user_model()(username=email, email=email, first_name=first_name, last_name=last_name)
    # No password until the user sets one through the e-mailed link.
    user.set_unusable_password()
    user._history_user = actor
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _new_role(*, user, role: str, unit: OrgUnit, agency: Agency | None, actor) -> UserRole:
    user_role = UserRole(user=user, role=role, org_unit=agency.org_unit if agency else unit, agency=agency)
    user_role._history_user = actor
    user_role.full_clean()
    user_role.save()
    return user_role


@transaction.atomic
def user_create(
    *,
    name: str,
    email: str,
    org_unit: OrgUnit,
    actor,
    phone: str = "",
    role: str = "",
    agency: Agency | None = None,
):
    """A login for a person of the actor's subtree (username = e-mail), optionally with one role."""
    errors = RowErrors()
    if not clean_line(name or ""):
        errors.add(None, "name", _("Thiếu họ và tên."))
    email = _check_email(errors, None, email)
    phone = _check_phone(errors, None, phone)
    if org_unit is None or not can(actor, Action.MANAGE, org_unit.path):
        errors.add(None, "org_unit", _("Đơn vị không thuộc phạm vi quản trị của bạn."))
    elif role:
        _check_grant(errors, None, actor=actor, role=role, unit=org_unit, agency=agency, unit_column="org_unit")
    _raise_fields(errors, _("Chưa tạo được tài khoản."))
    user = _new_user(name=name, email=email, actor=actor)
    _save_profile(user, unit=org_unit, phone=phone, actor=actor)
    if role:
        _new_role(user=user, role=role, unit=org_unit, agency=agency, actor=actor)
    return user


@transaction.atomic
def user_update(*, user, actor, name: str, email: str, phone: str, org_unit: OrgUnit):
    errors = RowErrors()
    if not clean_line(name or ""):
        errors.add(None, "name", _("Thiếu họ và tên."))
    email = _check_email(errors, None, email, exclude_user=user)
    phone = _check_phone(errors, None, phone)
    if org_unit is None or not can(actor, Action.MANAGE, org_unit.path):
        errors.add(None, "org_unit", _("Đơn vị không thuộc phạm vi quản trị của bạn."))
    _raise_fields(errors, _("Chưa lưu được tài khoản."))
    user.last_name, user.first_name = split_name(name)
    fields = ["last_name", "first_name", "email"]
    if user.username.lower() == (user.email or "").lower():
        # The login name follows the e-mail for the accounts giaoban made; others keep theirs.
        user.username = email
        fields.append("username")
    user.email = email
    user._history_user = actor
    user.full_clean(exclude=["password"])
    user.save(update_fields=fields)
    _save_profile(user, unit=org_unit, phone=phone, actor=actor)
    return user


@transaction.atomic
def user_deactivate(*, user, actor):
    """The user can no longer sign in nor use their API tokens; roles and history stay."""
    if user.pk == actor.pk:
        raise ServiceError(_("Bạn không thể tự khóa tài khoản của mình."), code="self_deactivate")
    user.is_active = False
    user._history_user = actor
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_reactivate(*, user, actor):
    user.is_active = True
    user._history_user = actor
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def userrole_grant(
    *, user, role: str, actor, org_unit: OrgUnit | None = None, agency: Agency | None = None
) -> UserRole:
    errors = RowErrors()
    if agency is not None and role == Role.AGENCY_OFFICER:
        org_unit = agency.org_unit
    if org_unit is None:
        errors.add(None, "org_unit", _("Thiếu đơn vị."))
    elif not can(actor, Action.MANAGE, org_unit.path):
        errors.add(None, "org_unit", _("Đơn vị không thuộc phạm vi quản trị của bạn."))
    else:
        _check_grant(errors, None, actor=actor, role=role, unit=org_unit, agency=agency, unit_column="org_unit")
    if not errors:
        held = UserRole.objects.filter(user=user)
        held = held.filter(agency=agency) if agency else held.filter(role=role, org_unit=org_unit, agency=None)
        if held.exists():
            errors.add(None, "role", _("Người dùng đã có vai trò này tại đơn vị này."))
    _raise_fields(errors, _("Chưa giao được vai trò."))
    return _new_role(user=user, role=role, unit=org_unit, agency=agency, actor=actor)


@transaction.atomic
def userrole_remove(*, user_role: UserRole, actor) -> None:
    if not can(actor, Action.MANAGE, user_role.org_unit.path) or (
        user_role.role == Role.SYSTEM_ADMIN and not is_system_admin(actor)
    ):
        raise ServiceError(_("Vai trò không thuộc phạm vi quản trị của bạn."), code="not_found")
    user = user_role.user
    if not UserProfile.objects.filter(user=user).exists():
        # Without roles a user belongs to their profile's unit: keep them in this subtree.
        _save_profile(user, unit=user_role.org_unit, phone="", actor=actor)
    user_role._history_user = actor
    user_role.delete()


@transaction.atomic
def membership_link_user(*, membership: Membership, user, actor) -> Membership:
    """The committee member signs in as `user`: reminders and "my meetings" reach them through it."""
    if not can(actor, Action.MANAGE, membership.committee.org_unit.path):
        raise ServiceError(_("Thành viên không thuộc phạm vi quản trị của bạn."), code="not_found")
    membership.user = user
    if not membership.email and user.email:
        membership.email = user.email
    membership._history_user = actor
    membership.save(update_fields=["user", "email"])
    return membership


@transaction.atomic
def membership_unlink_user(*, membership: Membership, actor) -> Membership:
    if not can(actor, Action.MANAGE, membership.committee.org_unit.path):
        raise ServiceError(_("Thành viên không thuộc phạm vi quản trị của bạn."), code="not_found")
    membership.user = None
    membership._history_user = actor
    membership.save(update_fields=["user"])
    return membership


def user_send_password_reset(*, user, actor, domain: str, use_https: bool = True) -> None:
    """Queue an e-mail giving the user a link to choose a new password (Django's reset token and the
    `password_reset_confirm` page; the task worker sends it, accounts.services.password_reset_email_send);
    the audit trail records who asked for it and when."""
    if not user.is_active:
        raise ServiceError(_("Tài khoản đang bị khóa; hãy mở khóa trước."), code="inactive")
    if not user.email:
        raise ServiceError(_("Tài khoản chưa có thư điện tử."), code="no_email")
    password_reset_email_queue(user_ids=[user.pk], domain=domain, use_https=use_https)
    # A history row without a change: who sent the link, when, and the reason saying so.
    user._history_user = actor
    user._change_reason = "password reset link sent"
    user.save(update_fields=["email"])
    logger.info("password reset link for user %s queued by %s", user.pk, actor.pk)


@dataclass
class _Row:
    row: int
    name: str
    email: str
    phone: str
    unit: OrgUnit | None
    role: str
    agency: Agency | None


def _agency_from(cell: str, unit: OrgUnit | None, agencies: list[Agency]) -> Agency | None:
    wanted = fold(cell)
    for a in agencies:
        if unit is not None and a.org_unit_id != unit.pk:
            continue
        if cell == str(a.pk) or wanted in (fold(a.name), fold(a.short_name or "")):
            return a
    return None


@transaction.atomic
def users_import_csv(data: bytes | str, *, actor) -> list:
    """Users from a CSV (USER_COLUMNS: name, email, phone, unit code, role, agency), UTF-8 with or without
    a BOM. The file is checked whole; any bad row writes nothing, and every error names its row and column."""
    errors = RowErrors()
    rows = csvfile.read_csv(data, USER_COLUMNS, errors, optional=OPTIONAL_COLUMNS)
    if not rows and not errors:
        errors.add(None, None, _("Tệp không có dòng dữ liệu nào."))
    if len(rows) > MAX_IMPORT_ROWS:
        errors.add(None, None, _("Tệp có quá %(n)s dòng; hãy chia nhỏ.") % {"n": MAX_IMPORT_ROWS})
        rows = []
    units = {u.code: u for u in _manageable_units(actor).filter(code__in={r.get("unit", "") for _n, r in rows})}
    agency_cells = {r.get("agency", "") for _n, r in rows if r.get("agency")}
    agencies = (
        list(Agency.objects.visible_to(actor, Action.MANAGE).filter(org_unit__in=list(units.values())))
        if agency_cells
        else []
    )
    emails = {clean_line(r.get("email", "")).lower() for _n, r in rows} - {""}
    taken_emails: set[str] = set()
    for e, u in (
        get_user_model()
        .objects.annotate(e=Lower("email"), u=Lower("username"))
        .filter(Q(e__in=emails) | Q(u__in=emails))
        .values_list("e", "u")
    ):
        taken_emails |= {e, u}
    seen: dict[str, int] = {}
    parsed: list[_Row] = []
    for n, r in rows:
        name = clean_line(r.get("name", ""))
        if not name:
            errors.add(n, "name", _("Thiếu họ và tên."))
        email = _check_email(errors, n, r.get("email", ""), taken_emails=taken_emails)
        if email in seen:
            errors.add(n, "email", _("Thư điện tử trùng với dòng %(r)s.") % {"r": seen[email]})
        elif email:
            seen[email] = n
        phone = _check_phone(errors, n, r.get("phone", ""))
        code = r.get("unit", "")
        unit = units.get(code)
        if not code:
            errors.add(n, "unit", _("Thiếu mã đơn vị."))
        elif unit is None:
            errors.add(n, "unit", out_of_scope_unit_message(code))
        role = _role_from(r.get("role", ""))
        if role is None:
            errors.add(
                n,
                "role",
                _("Vai trò không hợp lệ: '%(v)s'; chọn một trong: %(c)s.")
                % {"v": r.get("role", ""), "c": ", ".join(Role.values)},
            )
        agency = None
        if r.get("agency"):
            agency = _agency_from(r["agency"], unit, agencies)
            if agency is None and unit is not None:
                errors.add(
                    n, "agency", _("Đơn vị %(u)s không có cơ quan '%(a)s'.") % {"u": unit.name, "a": r["agency"]}
                )
        if role and unit is not None:
            _check_grant(errors, n, actor=actor, role=role, unit=unit, agency=agency)
        elif not role and r.get("agency"):
            errors.add(n, "role", _("Chỉ vai trò cán bộ cơ quan thành viên mới gắn với cơ quan."))
        parsed.append(_Row(n, name, email, phone, unit, role or "", agency))
    errors.raise_if_any(_("Tệp có lỗi; chưa ghi dòng nào."))
    return _create_users_in_bulk(parsed, actor=actor)


def _create_users_in_bulk(rows: list[_Row], *, actor) -> list:
    """The checked rows written in a few statements whatever their number, each with its history row."""
    user_model = get_user_model()
    users = []
    for p in rows:
        last_name, first_name = split_name(p.name)
        user = user_model(username=p.email, email=p.email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        users.append(user)
    users = bulk_create_with_history(users, user_model, batch_size=500, default_user=actor)
    if any(u.pk is None for u in users):  # backends that return no ids from bulk inserts
        ids = dict(user_model.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
        for u in users:
            u.pk = ids[u.username]
    profiles = [
        UserProfile(
            user=u,
            org_unit=p.unit,
            phone=p.phone,
            name_folded=fold(f"{full_name(u)} {u.email}"),
            sort_key=sort_key(f"{u.first_name} {u.last_name}"),
        )
        for u, p in zip(users, rows, strict=True)
    ]
    bulk_create_with_history(profiles, UserProfile, batch_size=500, default_user=actor)
    roles = [
        UserRole(user=u, role=p.role, org_unit=p.agency.org_unit if p.agency else p.unit, agency=p.agency)
        for u, p in zip(users, rows, strict=True)
        if p.role
    ]
    bulk_create_with_history(roles, UserRole, batch_size=500, default_user=actor)
    return users


def send_links_after_commit(users: list, *, actor, domain: str, use_https: bool) -> None:
    """Password-setting links for newly created users, sent once their creation is committed."""
    ids = [u.pk for u in users]

    def send() -> None:
        for user in get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email=""):
            try:
                user_send_password_reset(user=user, actor=actor, domain=domain, use_https=use_https)
            except Exception:  # a mail server refusing one address must not stop the others
                logger.exception("password link for user %s not sent", user.pk)

    transaction.on_commit(send)
