"""Plan pages: the list, the plan with its targets' live progress, drafting and editing (items as a formset, a
unit picker that searches without diacritics), issuing, generating the year's meetings, and the plan as a file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.access import Action
from giaoban.core.errors import Conflict, ServiceError
from giaoban.core.text import fold
from giaoban.orgs.models import Committee, OrgUnit

from .. import plan_documents, selectors, services
from ..filters import PlanFilter
from ..models import Meeting, Plan
from ..plan_forms import MeetingsForm, PlanForm, PlanIssueForm, make_item_formset
from ..plans import plan_items, plan_progress, plans_for
from .common import error_text

BLANK_ROWS = 2
UNIT_RESULTS = 20


def _plan(user, pk: int, action: str = Action.VIEW) -> Plan:
    return get_object_or_404(plans_for(user, action), pk=pk)


@login_required
def plan_list(request):
    """The plans in the user's reach, newest year first; filters by committee, year and status."""
    base = plans_for(request.user)
    qs = PlanFilter(request.GET, queryset=base).qs.order_by("-year", "committee__name", "pk")[:200]
    context = {
        "plans": list(qs),
        "committees": list(Committee.objects.visible_to(request.user).select_related("org_unit")[:500]),
        "committee": request.GET.get("committee", ""),
        "year": request.GET.get("year", ""),
        "can_draft": Committee.objects.visible_to(request.user, Action.MEET).exists(),
    }
    template = "work/plan_list.html#rows" if request.htmx else "work/plan_list.html"
    return render(request, template, context)


@login_required
def plan_detail(request, pk: int):
    plan = _plan(request.user, pk)
    return render(request, "work/plan_detail.html", _detail_context(request, plan))


def _detail_context(request, plan: Plan, **extra) -> dict:
    today = timezone.localdate()
    items = plan_items(plan)
    progress = {p.item.pk: p for p in plan_progress(plan, today, items)}
    draft = plan.status == Plan.Status.DRAFT
    context = {
        "plan": plan,
        "committee": plan.committee,
        "rows": [(item, progress.get(item.pk)) for item in items],
        "targets": len(progress),
        "may_edit": draft and services.may_draft_plan(request.user, plan.committee),
        "may_issue": draft and services.may_assign(request.user, plan.committee) and bool(items),
        "may_meet": services.may_draft_plan(request.user, plan.committee),
        "issue_form": extra.pop("issue_form", None) or PlanIssueForm(initial={"issued_on": today}),
        "meetings_form": MeetingsForm(),
        "meetings": list(
            Meeting.objects.filter(plan=plan).order_by("starts_at", "pk").only("pk", "title", "starts_at", "status")
        ),
        "formats": list(plan_documents.FORMATS),
        "today": today,
    }
    context.update(extra)
    return context


def _detail_error(request, plan: Plan, exc: ServiceError | str, **extra):
    text = error_text(exc) if isinstance(exc, ServiceError) else exc
    plan.refresh_from_db()
    status = 409 if isinstance(exc, Conflict) else 400
    ctx = _detail_context(request, plan, error=text, **extra)
    return render(request, "work/plan_detail.html", ctx, status=status)


@login_required
@require_POST
def plan_issue(request, pk: int):
    plan = _plan(request.user, pk)
    if not services.may_assign(request.user, plan.committee):
        raise Http404
    form = PlanIssueForm(request.POST)
    if not form.is_valid():
        return _detail_error(request, plan, _("Số hoặc ngày không hợp lệ (invalid number or date)."), issue_form=form)
    try:
        plan = services.plan_issue(
            plan=plan,
            number=form.cleaned_data["number"],
            issued_on=form.cleaned_data["issued_on"],
            actor=request.user,
        )
    except ServiceError as exc:
        return _detail_error(request, plan, exc, issue_form=form)
    messages.success(request, _("Đã ban hành kế hoạch số %(n)s và giao nhiệm vụ.") % {"n": plan.number})
    return redirect("work:plan", pk=plan.pk)


@login_required
@require_POST
def plan_meetings(request, pk: int):
    plan = _plan(request.user, pk, Action.MEET)
    form = MeetingsForm(request.POST)
    if not form.is_valid():
        return _detail_error(request, plan, _("Chọn họp hằng tuần hoặc hằng tháng (choose weekly or monthly)."))
    try:
        made = services.plan_meetings_generate(plan=plan, cadence=form.cleaned_data["cadence"], actor=request.user)
    except ServiceError as exc:
        return _detail_error(request, plan, exc)
    messages.success(request, _("Đã tạo %(n)s cuộc họp dự thảo.") % {"n": len(made)})
    return redirect("work:plan", pk=plan.pk)


@login_required
def plan_document(request, pk: int, fmt: str):
    if fmt not in plan_documents.FORMATS:
        raise Http404
    plan = _plan(request.user, pk)
    try:
        return plan_documents.file_response(plan, fmt)
    except ServiceError as exc:  # no LibreOffice for the .pdf
        messages.error(request, exc.message)
        return redirect("work:plan", pk=plan.pk)


# --- Drafting ---------------------------------------------------------------------------------------------


def _committee_to_draft(request) -> Committee | None:
    choices = Committee.objects.visible_to(request.user, Action.MEET).select_related("org_unit")
    pk = request.POST.get("committee") or request.GET.get("committee")
    if pk:
        if not str(pk).isdigit():
            raise Http404
        return get_object_or_404(choices, pk=int(pk))
    return choices.first() if choices.count() == 1 else None


def _year_of(request, default: int) -> int:
    try:
        year = int(request.POST.get("year") or default)
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def _item_initial(plan: Plan | None) -> list[dict]:
    if plan is None:
        return []
    rows = []
    for item in plan_items(plan):
        target = getattr(item, "target", None)
        row = {
            "content": item.content,
            "lead_agency": item.lead_agency_id,
            "supporting": [a.pk for a in item.supporting.all()],
            "starts_on": item.starts_on,
            "due_on": item.due_on,
            "output": item.output,
        }
        if target is not None:
            row |= {
                "target_indicator": target.indicator_id,
                "target_unit": target.unit.code,
                "target_period": target.period,
                "target_kind": target.kind,
                "target_value": target.value.normalize(),
            }
        rows.append(row)
    return rows


def _units_by_code(formset) -> dict[str, OrgUnit]:
    codes = {(f.data.get(f.add_prefix("target_unit")) or "").strip() for f in formset.forms} - {""}
    codes |= {(f.initial.get("target_unit") or "") for f in formset.forms} - {""}
    return {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}


def _form_context(request, committee, plan, form, formset, error=""):
    units = _units_by_code(formset)
    rows = []
    for f in formset.forms:
        code = (f.data.get(f.add_prefix("target_unit")) if f.is_bound else f.initial.get("target_unit")) or ""
        rows.append({"form": f, "unit": units.get(code.strip()), "code": code.strip()})
    return {
        "committee": committee,
        "plan": plan,
        "form": form,
        "formset": formset,
        "rows": rows,
        "error": error,
    }


def _inputs(formset, units: dict[str, OrgUnit]) -> tuple[list[services.ItemInput], list[str]]:
    items, errors = [], []
    for n, f in enumerate([f for f in formset.forms if not f.is_blank], start=1):
        d = f.cleaned_data
        target = None
        code = (d.get("target_unit") or "").strip()
        if d.get("target_indicator") or code or d.get("target_value") is not None:
            unit = units.get(code)
            if (
                d.get("target_indicator") is None
                or unit is None
                or not d.get("target_period")
                or (d.get("target_value") is None)
            ):
                errors.append(
                    _("Dòng %(n)s: mục tiêu cần chỉ tiêu, đơn vị, kỳ và giá trị (a target needs all four).") % {"n": n}
                )
                continue
            target = services.TargetInput(
                d["target_indicator"], unit, d["target_period"], d.get("target_kind") or "min", d["target_value"]
            )
        items.append(
            services.ItemInput(
                content=d.get("content") or "",
                lead_agency=d.get("lead_agency"),
                supporting=list(d.get("supporting") or ()),
                starts_on=d.get("starts_on"),
                due_on=d.get("due_on"),
                output=d.get("output") or "",
                target=target,
            )
        )
    return items, errors


def _render_form(request, committee, plan, form, formset, error="", status=200):
    return render(
        request, "work/plan_form.html", _form_context(request, committee, plan, form, formset, error), status=status
    )


def _save(request, committee: Committee, plan: Plan | None):
    agencies = selectors.committee_agencies(committee)
    year = _year_of(request, plan.year if plan else timezone.localdate().year)
    form = PlanForm(request.POST)
    extra = 1 if request.POST.get("action") == "add_row" else 0
    Formset = make_item_formset(0)
    formset = Formset(request.POST, prefix="items", form_kwargs={"agencies": agencies, "year": year})
    if extra:
        # One more blank row: rebuild from what was typed, nothing saved.
        formset.is_valid()
        data = request.POST.copy()
        data["items-TOTAL_FORMS"] = str(int(data.get("items-TOTAL_FORMS", "0") or 0) + 1)
        formset = Formset(data, prefix="items", form_kwargs={"agencies": agencies, "year": year})
        return _render_form(request, committee, plan, form, formset)
    if not form.is_valid() or not formset.is_valid():
        error = _("Kiểm tra lại các trường được đánh dấu (check the marked fields).")
        return _render_form(request, committee, plan, form, formset, error, 400)
    items, errors = _inputs(formset, _units_by_code(formset))
    if errors:
        return _render_form(request, committee, plan, form, formset, " ".join(errors), 400)
    d = form.cleaned_data
    try:
        if plan is None:
            plan = services.plan_create(
                committee=committee, title=d["title"], year=d["year"], items=items, actor=request.user
            )
        else:
            plan = services.plan_update(
                plan=plan,
                title=d["title"],
                year=d["year"],
                items=items,
                actor=request.user,
                expected_version=d.get("version"),
            )
    except ServiceError as exc:
        status = 409 if isinstance(exc, Conflict) else 400
        return _render_form(request, committee, plan, form, formset, error_text(exc), status)
    messages.success(request, _("Đã lưu kế hoạch."))
    return redirect("work:plan", pk=plan.pk)


@login_required
def plan_new(request):
    committee = _committee_to_draft(request)
    if committee is None:
        choices = list(Committee.objects.visible_to(request.user, Action.MEET).select_related("org_unit")[:200])
        if not choices:
            raise Http404
        return render(request, "work/plan_pick.html", {"committees": choices})
    if request.method == "POST":
        return _save(request, committee, None)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    year = timezone.localdate().year + (1 if timezone.localdate().month >= 11 else 0)
    agencies = selectors.committee_agencies(committee)
    form = PlanForm(
        initial={
            "title": _("Kế hoạch hoạt động năm %(y)s của %(c)s") % {"y": year, "c": committee.name},
            "year": year,
            "version": 0,
        }
    )
    formset = make_item_formset(BLANK_ROWS)(prefix="items", form_kwargs={"agencies": agencies, "year": year})
    return _render_form(request, committee, None, form, formset)


@login_required
def plan_edit(request, pk: int):
    plan = _plan(request.user, pk, Action.MEET)
    if plan.status != Plan.Status.DRAFT:
        messages.error(request, _("Kế hoạch đã ban hành, không sửa được (the plan is issued and locked)."))
        return redirect("work:plan", pk=plan.pk)
    committee = plan.committee
    if request.method == "POST":
        return _save(request, committee, plan)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    agencies = selectors.committee_agencies(committee)
    form = PlanForm(initial={"title": plan.title, "year": plan.year, "version": plan.version})
    formset = make_item_formset(1)(
        prefix="items", initial=_item_initial(plan), form_kwargs={"agencies": agencies, "year": plan.year}
    )
    return _render_form(request, committee, plan, form, formset)


# --- The unit picker ----------------------------------------------------------------------------------------


def _field(request) -> str:
    field = request.GET.get("field", "")
    if not (field.startswith("items-") and field.removeprefix("items-").isdigit()):
        raise Http404
    return field


@login_required
def unit_search(request):
    """Units the user may see whose name (without diacritics: "thanh hoa" finds "Thanh Hóa") or code matches,
    as buttons that pick one for the row `field`."""
    field = _field(request)
    q = (request.GET.get(f"{field}-unit_q") or request.GET.get("q") or "").strip()
    units = []
    if q:
        units = list(
            OrgUnit.objects.visible_to(request.user)
            .valid_on(timezone.localdate())
            .filter(Q(name_folded__contains=fold(q)) | Q(code=q))
            .select_related("parent")
            .vn_sorted()[:UNIT_RESULTS]
        )
    return render(request, "work/includes/unit_picker.html#results", {"field": field, "units": units, "q": q})


@login_required
def unit_pick(request):
    field = _field(request)
    unit = get_object_or_404(OrgUnit.objects.visible_to(request.user), code=request.GET.get("code", ""))
    return render(request, "work/includes/unit_picker.html#picker", {"field": field, "unit": unit, "code": unit.code})


__all__ = [
    "plan_detail",
    "plan_document",
    "plan_edit",
    "plan_issue",
    "plan_list",
    "plan_meetings",
    "plan_new",
    "unit_pick",
    "unit_search",
]
