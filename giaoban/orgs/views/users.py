"""The users of a unit admin's subtree: list and search, create (one or from CSV), edit, roles, deactivate,
password-reset links, links to committee memberships. Users outside the subtree are 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.access import Action, scope_paths
from giaoban.core.errors import ImportRejected, ServiceError

from .. import selectors
from ..filters import UserFilter
from ..forms import MembershipLinkForm, RoleForm, UserCreateForm, UserCsvForm, UserForm, grantable_roles
from ..models import UserRole
from ..services import users as services

USERS_PER_PAGE = 50
MAX_UNIT_CHOICES = 1000


def _require_manager(request) -> None:
    """Only unit and system administrators have these pages; for anyone else they do not exist."""
    paths = scope_paths(request.user, Action.MANAGE)
    if paths is not None and not paths:
        raise Http404


def _units(request):
    return selectors.units_for(request.user, Action.MANAGE)


def _unit_choices(request):
    """Today's units of the admin's subtree: the codes a CSV of users may name."""
    return _units(request).valid_on(timezone.localdate()).vn_sorted()[:MAX_UNIT_CHOICES]


def _agencies(request):
    return selectors.agencies_for(request.user, Action.MANAGE).select_related("org_unit")


def _show_field_errors(form, exc: ServiceError) -> None:
    for field, msgs in (exc.extra or {}).get("fields", {}).items():
        for m in msgs:
            form.add_error(field if field in form.fields else None, m)
    if not (exc.extra or {}).get("fields"):
        form.add_error(None, exc.message)


def _site(request) -> dict:
    return {"domain": request.get_host(), "use_https": request.is_secure()}


@login_required
def user_list(request):
    _require_manager(request)
    filterset = UserFilter(request.GET, queryset=selectors.user_list(request.user))
    qs = filterset.qs if filterset.is_valid() else selectors.user_list(request.user).none()
    context = {"filter": filterset, "page": Paginator(qs, USERS_PER_PAGE).get_page(request.GET.get("page"))}
    template = "orgs/user_list.html#results" if request.htmx else "orgs/user_list.html"
    return render(request, template, context)


@login_required
def user_new(request):
    _require_manager(request)
    form = UserCreateForm(
        request.POST or None, units=_units(request), agencies=_agencies(request), roles=grantable_roles(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                org_unit=data["org_unit"],
                role=data["role"],
                agency=data["agency"],
                actor=request.user,
            )
        except ServiceError as exc:
            _show_field_errors(form, exc)
        else:
            if data["send_link"]:
                services.send_links_after_commit([user], actor=request.user, **_site(request))
            messages.success(request, _("Đã tạo tài khoản %(e)s.") % {"e": user.email})
            return redirect("user_detail", pk=user.pk)
    return render(request, "orgs/user_form.html", {"form": form})


@login_required
def user_import(request):
    _require_manager(request)
    form = UserCsvForm(request.POST or None, request.FILES or None)
    errors: list[dict] = []
    if request.method == "POST" and form.is_valid():
        try:
            made = services.users_import_csv(form.cleaned_data["file"].read(), actor=request.user)
        except ImportRejected as exc:
            errors = exc.errors
            form.add_error(None, exc.message)
        else:
            if form.cleaned_data["send_links"]:
                services.send_links_after_commit(made, actor=request.user, **_site(request))
            messages.success(request, _("Đã tạo %(n)s tài khoản.") % {"n": len(made)})
            return redirect("user_list")
    return render(
        request,
        "orgs/user_import.html",
        {
            "form": form,
            "errors": errors,
            "columns": services.USER_COLUMNS,
            "roles": grantable_roles(request.user),
            "unit_choices": _unit_choices(request),
        },
    )


def _detail_context(request, user, **forms) -> dict:
    memberships = selectors.memberships_to_link(request.user)
    context = {
        "account": user,
        "profile": getattr(user, "giaoban_profile", None),
        "linked": list(selectors.memberships_to_link(request.user).filter(user=user)),
        "edit_form": UserForm(
            initial={
                "name": f"{user.last_name} {user.first_name}".strip(),
                "email": user.email,
                "phone": getattr(getattr(user, "giaoban_profile", None), "phone", ""),
                "org_unit": getattr(getattr(user, "giaoban_profile", None), "org_unit", None),
            },
            units=_units(request),
        ),
        "role_form": RoleForm(
            units=_units(request), agencies=_agencies(request), roles=grantable_roles(request.user), auto_id="role_%s"
        ),
        "link_form": MembershipLinkForm(memberships=memberships.exclude(user=user)),
        "is_self": user.pk == request.user.pk,
    }
    context.update(forms)
    return context


@login_required
def user_detail(request, pk):
    """The user's page: their details (edit), roles (grant, remove), committee memberships (link, unlink),
    and the buttons to deactivate, reactivate and send a password-reset link."""
    _require_manager(request)
    user = selectors.user_detail(request.user, pk)
    if request.method == "POST":
        form = UserForm(request.POST, units=_units(request))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.user_update(
                    user=user,
                    actor=request.user,
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    org_unit=data["org_unit"],
                )
            except ServiceError as exc:
                _show_field_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu."))
                return redirect("user_detail", pk=user.pk)
        return render(request, "orgs/user_detail.html", _detail_context(request, user, edit_form=form))
    return render(request, "orgs/user_detail.html", _detail_context(request, user))


@login_required
@require_POST
def user_role_add(request, pk):
    _require_manager(request)
    user = selectors.user_detail(request.user, pk)
    form = RoleForm(
        request.POST,
        units=_units(request),
        agencies=_agencies(request),
        roles=grantable_roles(request.user),
        auto_id="role_%s",
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.userrole_grant(
                user=user, role=data["role"], org_unit=data["org_unit"], agency=data["agency"], actor=request.user
            )
        except ServiceError as exc:
            _show_field_errors(form, exc)
        else:
            messages.success(request, _("Đã giao vai trò."))
            return redirect("user_detail", pk=user.pk)
    return render(request, "orgs/user_detail.html", _detail_context(request, user, role_form=form), status=400)


@login_required
@require_POST
def user_role_remove(request, pk, role_pk):
    _require_manager(request)
    user = selectors.user_detail(request.user, pk)
    user_role = get_object_or_404(
        UserRole.objects.visible_to(request.user, Action.MANAGE).select_related("org_unit", "user"),
        pk=role_pk,
        user=user,
    )
    try:
        services.userrole_remove(user_role=user_role, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã bỏ vai trò."))
    return redirect("user_detail", pk=user.pk)


@login_required
@require_POST
def user_active(request, pk):
    """Deactivate (active=0) or reactivate (active=1) the user."""
    _require_manager(request)
    user = selectors.user_detail(request.user, pk)
    try:
        if request.POST.get("active") == "1":
            services.user_reactivate(user=user, actor=request.user)
            messages.success(request, _("Đã mở khóa tài khoản."))
        else:
            services.user_deactivate(user=user, actor=request.user)
            messages.success(request, _("Đã khóa tài khoản; người dùng không đăng nhập được nữa."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("user_detail", pk=user.pk)


@login_required
@require_POST
def user_password_reset(request, pk):
    _require_manager(request)
    user = selectors.user_detail(request.user, pk)
    try:
        services.user_send_password_reset(user=user, actor=request.user, **_site(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi thư đặt lại mật khẩu tới %(e)s.") % {"e": user.email})
    return redirect("user_detail", pk=user.pk)


@login_required
@require_POST
def user_membership_link(request, pk):
    _require_manager(request)
    user = selectors.user_detail(request.user, pk)
    form = MembershipLinkForm(request.POST, memberships=selectors.memberships_to_link(request.user))
    if form.is_valid():
        services.membership_link_user(membership=form.cleaned_data["membership"], user=user, actor=request.user)
        messages.success(request, _("Đã gắn tài khoản với thành viên Ban Chỉ đạo."))
        return redirect("user_detail", pk=user.pk)
    return render(request, "orgs/user_detail.html", _detail_context(request, user, link_form=form), status=400)


@login_required
@require_POST
def user_membership_unlink(request, pk, membership_pk):
    _require_manager(request)
    user = selectors.user_detail(request.user, pk)
    membership = get_object_or_404(selectors.memberships_to_link(request.user), pk=membership_pk, user=user)
    services.membership_unlink_user(membership=membership, actor=request.user)
    messages.success(request, _("Đã bỏ gắn tài khoản với thành viên Ban Chỉ đạo."))
    return redirect("user_detail", pk=user.pk)
