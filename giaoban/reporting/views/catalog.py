"""The catalog pages of a unit admin: indicators and report forms — list and search, create, edit (a form's
indicator list makes a new version), retire and reactivate, each with its version history.

Everyone signed in reads the catalog (as the API); changing an item is for the admins of its owner unit or
above: the edit pages find it through visible_to(user, MANAGE), so for anyone else they are a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.access import Action
from giaoban.core.errors import ServiceError

from .. import selectors, services
from ..forms import IndicatorForm, ReportFormForm
from ..models import Indicator, ReportForm
from ..services.catalog import INDICATOR_FIELDS

PER_PAGE = 50
REPORTFORM_FIELDS = ("name", "period_type", "scheme", "deadline_working_days", "unit_kinds", "active_from")


def show_service_error(form, exc: ServiceError) -> None:
    """Put a service's refusal beside the fields it names, or above the form."""
    fields = (exc.extra or {}).get("fields") or {}
    shown = False
    for name, msgs in fields.items():
        if name in form.fields:
            for m in msgs if isinstance(msgs, list | tuple) else [exc.message]:
                form.add_error(name, str(m))
            shown = True
    if not shown:
        form.add_error(None, exc.message)


def _require_catalog_admin(request) -> None:
    if not services.may_manage_catalog(request.user):
        raise Http404


def _status(request) -> str:
    status = request.GET.get("status", "active")
    return status if status in selectors.STATUSES else "active"


def _list(request, qs, template: str, **extra):
    context = {
        "page": Paginator(qs, PER_PAGE).get_page(request.GET.get("page")),
        "q": request.GET.get("q", ""),
        "status": _status(request),
        "can_create": services.may_manage_catalog(request.user),
        **extra,
    }
    return render(request, f"{template}#results" if request.htmx else template, context)


# Indicators


@login_required
def indicator_list(request):
    qs = selectors.indicator_search(request.user, q=request.GET.get("q", ""), status=_status(request))
    return _list(request, qs, "reporting/catalog/indicator_list.html")


def _parts(request, exclude=None):
    """Indicators a ratio may be computed from: plain numeric ones in use."""
    qs = (
        Indicator.objects.visible_to(request.user)
        .active()
        .exclude(aggregation=Indicator.Aggregation.RATIO)
        .exclude(value_type=Indicator.ValueType.TEXT)
        .order_by("code")
    )
    return qs.exclude(pk=exclude.pk) if exclude is not None else qs


def _indicator_fields(request, data) -> dict:
    fields = {name: data[name] for name in INDICATOR_FIELDS}
    parts = {
        i.code: i
        for i in Indicator.objects.visible_to(request.user).filter(
            code__in=[c for c in (fields["numerator"], fields["denominator"]) if c]
        )
    }
    for name in ("numerator", "denominator"):
        fields[name] = parts.get(fields[name]) if fields[name] else None
    fields["unit_of_measure"] = fields["unit_of_measure"] or ""
    fields["name_en"] = fields["name_en"] or ""
    return fields


@login_required
def indicator_new(request):
    _require_catalog_admin(request)
    form = IndicatorForm(request.POST or None, parts=_parts(request))
    if request.method == "POST" and form.is_valid():
        fields = _indicator_fields(request, form.cleaned_data)
        try:
            indicator = services.indicator_create(
                code=form.cleaned_data["code"], name_vi=fields.pop("name_vi"), actor=request.user, **fields
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã tạo chỉ tiêu %(c)s.") % {"c": indicator.code})
            return redirect("reporting:indicator_detail", code=indicator.code)
    return render(request, "reporting/catalog/indicator_form.html", {"form": form, "indicator": None})


def _manageable_indicator(request, code) -> Indicator:
    return get_object_or_404(
        Indicator.objects.visible_to(request.user, Action.MANAGE).select_related("owner", "numerator", "denominator"),
        code=code,
    )


@login_required
def indicator_detail(request, code):
    indicator = get_object_or_404(
        Indicator.objects.visible_to(request.user).select_related("owner", "numerator", "denominator"), code=code
    )
    return render(
        request,
        "reporting/catalog/indicator_detail.html",
        {
            "indicator": indicator,
            "history": selectors.indicator_history(indicator),
            "forms": selectors.forms_using(indicator),
            "can_change": Indicator.objects.visible_to(request.user, Action.MANAGE).filter(pk=indicator.pk).exists(),
        },
    )


@login_required
def indicator_edit(request, code):
    """Save the changed fields: the service checks them as for the API, and the history keeps the version
    before."""
    indicator = _manageable_indicator(request, code)
    initial = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
    initial["numerator"] = indicator.numerator.code if indicator.numerator else ""
    initial["denominator"] = indicator.denominator.code if indicator.denominator else ""
    form = IndicatorForm(request.POST or None, initial=initial, parts=_parts(request, indicator), editing=True)
    if request.method == "POST" and form.is_valid():
        fields = _indicator_fields(request, form.cleaned_data)
        changed = {k: v for k, v in fields.items() if v != getattr(indicator, k)}
        if not changed:
            messages.info(request, _("Không có thay đổi."))
            return redirect("reporting:indicator_detail", code=indicator.code)
        try:
            services.indicator_update(indicator=indicator, actor=request.user, **changed)
        except ServiceError as exc:
            indicator.refresh_from_db()
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu phiên bản mới của chỉ tiêu."))
            return redirect("reporting:indicator_detail", code=indicator.code)
    return render(request, "reporting/catalog/indicator_form.html", {"form": form, "indicator": indicator})


def _retire_or_reactivate(request, obj, service, *, done: str, url_name: str, template: str, name: str):
    error = ""
    if request.method == "POST":
        try:
            service(**{name: obj}, actor=request.user)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, done)
            return redirect(url_name, code=obj.code)
    return render(request, template, {"object": obj, "error": error}, status=400 if error else 200)


@login_required
def indicator_retire(request, code):
    """GET asks for confirmation; POST retires."""
    return _retire_or_reactivate(
        request,
        _manageable_indicator(request, code),
        services.indicator_retire,
        done=_("Đã ngừng sử dụng chỉ tiêu."),
        url_name="reporting:indicator_detail",
        template="reporting/catalog/indicator_retire.html",
        name="indicator",
    )


@login_required
@require_POST
def indicator_reactivate(request, code):
    return _retire_or_reactivate(
        request,
        _manageable_indicator(request, code),
        services.indicator_reactivate,
        done=_("Đã dùng lại chỉ tiêu."),
        url_name="reporting:indicator_detail",
        template="reporting/catalog/indicator_retire.html",
        name="indicator",
    )


# Report forms


@login_required
def reportform_list(request):
    qs = selectors.reportform_search(request.user, q=request.GET.get("q", ""), status=_status(request))
    return _list(request, qs, "reporting/catalog/reportform_list.html")


def _manageable_form(request, code) -> ReportForm:
    return get_object_or_404(
        ReportForm.objects.visible_to(request.user, Action.MANAGE).select_related("owner"), code=code
    )


@login_required
def reportform_detail(request, code):
    form = get_object_or_404(ReportForm.objects.visible_to(request.user).select_related("owner"), code=code)
    return render(
        request,
        "reporting/catalog/reportform_detail.html",
        {
            "object": form,
            "versions": selectors.form_versions(form),
            "history": selectors.form_history(form),
            "can_change": ReportForm.objects.visible_to(request.user, Action.MANAGE).filter(pk=form.pk).exists(),
        },
    )


def _apply_op(codes: list[str], op: str, add: str) -> list[str]:
    """One step of the indicator-list editor: add, remove:CODE, up:CODE, down:CODE (nothing is saved)."""
    codes = list(codes)
    verb, _sep, code = op.partition(":")
    if verb == "add" and add and add not in codes:
        codes.append(add)
    elif verb == "remove" and code in codes:
        codes.remove(code)
    elif verb in ("up", "down") and code in codes:
        i = codes.index(code)
        j = i - 1 if verb == "up" else i + 1
        if 0 <= j < len(codes):
            codes[i], codes[j] = codes[j], codes[i]
    return codes


def _resolve(request, codes: list[str]) -> tuple[list[Indicator], list[str]]:
    found = {i.code: i for i in Indicator.objects.visible_to(request.user).filter(code__in=codes)}
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


def _reportform_page(request, *, obj: ReportForm | None):
    editing = obj is not None
    if request.method == "POST":
        codes = [c for c in request.POST.getlist("indicators") if c]
        op = request.POST.get("op", "save")
    else:
        codes = [i.code for i in services.version_indicators(services.current_version(obj))] if editing else []
        op = ""
    if op and op != "save":
        # Editing the list: show the form again as typed, without checking it yet.
        codes = _apply_op(codes, op, request.POST.get("add", ""))
        initial = {k: (request.POST.getlist(k) if k == "unit_kinds" else request.POST.get(k)) for k in request.POST}
        form = ReportFormForm(initial=initial, editing=editing)
    elif op == "save":
        form = ReportFormForm(request.POST, editing=editing)
    else:
        initial = {name: getattr(obj, name) for name in REPORTFORM_FIELDS} if editing else {"unit_kinds": ["commune"]}
        form = ReportFormForm(initial=initial, editing=editing)
    chosen, missing = _resolve(request, codes)
    list_errors: list[str] = []
    if missing:
        list_errors.append(_("Không có chỉ tiêu (unknown indicators): %(c)s") % {"c": ", ".join(missing)})
    if op == "save" and form.is_valid() and not missing:
        data = form.cleaned_data
        try:
            if editing:
                before = services.current_version(obj).number
                changed = {k: data[k] for k in REPORTFORM_FIELDS if data[k] != getattr(obj, k)}
                services.reportform_update(form=obj, indicators=chosen, actor=request.user, **changed)
                after = services.current_version(obj).number
                if after != before:
                    messages.success(request, _("Đã lưu: biểu mẫu có phiên bản %(n)s.") % {"n": after})
                else:
                    messages.success(request, _("Đã lưu."))
                return redirect("reporting:reportform_detail", code=obj.code)
            made = services.reportform_create(
                code=data["code"], indicators=chosen, actor=request.user, **{k: data[k] for k in REPORTFORM_FIELDS}
            )
        except ServiceError as exc:
            if editing:
                obj.refresh_from_db()
            fields = (exc.extra or {}).get("fields") or {}
            if "indicators" in fields:
                list_errors += [str(m) for m in fields["indicators"]]
            else:
                show_service_error(form, exc)
        else:
            messages.success(request, _("Đã tạo biểu mẫu %(c)s.") % {"c": made.code})
            return redirect("reporting:reportform_detail", code=made.code)
    offered = (
        Indicator.objects.visible_to(request.user)
        .active()
        .exclude(aggregation=Indicator.Aggregation.RATIO)
        .exclude(code__in=codes)
        .order_by("code")
    )
    return render(
        request,
        "reporting/catalog/reportform_form.html",
        {
            "form": form,
            "object": obj,
            "chosen": chosen,
            "offered": offered,
            "list_errors": list_errors,
        },
        status=400 if op == "save" and (form.errors or list_errors) else 200,
    )


@login_required
def reportform_new(request):
    _require_catalog_admin(request)
    return _reportform_page(request, obj=None)


@login_required
def reportform_edit(request, code):
    """Details are saved in place (the history keeps the old values); a changed indicator list is a new version:
    reports already made keep the version they were made on."""
    return _reportform_page(request, obj=_manageable_form(request, code))


@login_required
def reportform_retire(request, code):
    return _retire_or_reactivate(
        request,
        _manageable_form(request, code),
        services.reportform_retire,
        done=_("Đã ngừng sử dụng biểu mẫu."),
        url_name="reporting:reportform_detail",
        template="reporting/catalog/reportform_retire.html",
        name="form",
    )


@login_required
@require_POST
def reportform_reactivate(request, code):
    return _retire_or_reactivate(
        request,
        _manageable_form(request, code),
        services.reportform_reactivate,
        done=_("Đã dùng lại biểu mẫu."),
        url_name="reporting:reportform_detail",
        template="reporting/catalog/reportform_retire.html",
        name="form",
    )
