"""Task pages: "Việc được giao", the assigner's list, the task page with its timeline and follow-up forms,
and the scorecard with its drill-down and .xlsx."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.access import Action, can, officer_agency_ids, scope_paths
from giaoban.core.errors import Conflict, ServiceError
from giaoban.orgs.models import Agency, Committee, OrgUnit, UserRole

from .. import exports, selectors, services
from .. import status as task_status
from ..filters import TaskFilter
from ..forms import ConfirmForm, DoneForm, ExtensionForm, ProgressForm, ReasonForm, UrgeForm
from ..models import ExtensionRequest, Task, TaskFile
from .common import error_text, file_response, parse_day


def _task(user, pk: int) -> Task:
    return get_object_or_404(selectors.tasks_for(user).prefetch_related("supporting"), pk=pk)


def _open_first(tasks: list[Task]) -> list[Task]:
    """Not yet done first, soonest deadline first (no deadline last), then the done ones."""
    return sorted(tasks, key=lambda t: (t.state == Task.State.DONE, t.due_on or date.max, t.pk))


@login_required
def tasks_mine(request):
    """ "Việc được giao": an agency officer's agency's tasks (led or supported) across committees; for a lower
    committee's secretary or approver, the tasks given to their unit."""
    user = request.user
    agencies = officer_agency_ids(user)
    units = list(
        UserRole.objects.filter(user=user, role__in=["secretary", "approver"]).values_list("org_unit_id", flat=True)
    )
    qs = selectors.tasks_given_to(user)
    show_done = request.GET.get("done") == "1"
    if not show_done:
        qs = qs.exclude(state=Task.State.DONE)
    tasks = _open_first(selectors.tasks_with_status(qs[:500]))
    context = {
        "tasks": tasks,
        "show_done": show_done,
        "agencies": list(Agency.objects.filter(pk__in=agencies)),
        "units": list(OrgUnit.objects.filter(pk__in=units)),
        "statuses": task_status.Status,
    }
    template = "work/tasks_mine.html#rows" if request.htmx else "work/tasks_mine.html"
    return render(request, template, context)


@login_required
def task_list(request):
    """The assigner's list: `?committee=&status=&agency=`."""
    today = timezone.localdate()
    qs = selectors.tasks_for(request.user).prefetch_related("supporting")
    filtered = TaskFilter(request.GET, queryset=qs)
    if not filtered.is_valid():
        messages.error(request, _("Bộ lọc không hợp lệ (invalid filter)."))
        rows = qs.none()
    else:
        rows = filtered.qs.order_by(F("due_on").asc(nulls_last=True), "pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page.object_list = selectors.tasks_with_status(page.object_list, today)
    committees = list(Committee.objects.visible_to(request.user).select_related("org_unit")[:300])
    agencies = list(Agency.objects.visible_to(request.user)[:500]) if scope_paths(request.user) != [] else []
    context = {
        "page": page,
        "tasks": page.object_list,
        "committees": committees,
        "agencies": agencies,
        "statuses": task_status.Status.choices,
        "committee": request.GET.get("committee", ""),
        "agency": request.GET.get("agency", ""),
        "status": request.GET.get("status", ""),
        "query": request.GET.copy(),
    }
    template = "work/task_list.html#rows" if request.htmx else "work/task_list.html"
    return render(request, template, context)


def _task_context(request, task: Task, **extra) -> dict:
    user = request.user
    today = timezone.localdate()
    task.status, task.due_soon = selectors.task_status_of(task, today)
    assigner = services.may_assign(user, task.committee)
    follower = services.may_follow_up(user, task)
    pending = task.extensions.filter(status=ExtensionRequest.Status.PENDING).first()
    open_ = task.state != Task.State.DONE
    context = {
        "task": task,
        "events": list(selectors.task_timeline(task)),
        "pending": pending,
        "may_progress": follower and open_,
        "may_report_done": follower and task.state == Task.State.OPEN,
        "may_extend": follower and open_ and pending is None,
        "may_confirm": assigner and task.state == Task.State.REPORTED,
        "may_return": assigner and task.state != Task.State.OPEN,
        "may_decide": assigner and pending is not None,
        "may_urge": assigner and open_,
        "progress_form": ProgressForm(initial={"percent": task.percent, "version": task.version}),
        "done_form": DoneForm(initial={"version": task.version}),
        "reason_form": ReasonForm(initial={"version": task.version}),
        "extension_form": ExtensionForm(),
        "urge_form": UrgeForm(),
        "today": today,
    }
    context.update(extra)
    return context


@login_required
def task_detail(request, pk: int):
    task = _task(request.user, pk)
    return render(request, "work/task_detail.html", _task_context(request, task))


ASSIGNER = {"confirm", "return", "approve", "refuse", "urge"}
FOLLOWER = {"progress", "done", "extend"}


def _version(form) -> int | None:
    return form.cleaned_data.get("version") if form.is_valid() else None


@login_required
@require_POST
def task_action(request, pk: int, name: str):
    """One follow-up step; who may take it is checked here (404 otherwise) and the service keeps the rules."""
    task = _task(request.user, pk)
    if name in ASSIGNER:
        allowed = services.may_assign(request.user, task.committee)
    elif name in FOLLOWER:
        allowed = services.may_follow_up(request.user, task)
    else:
        raise Http404
    if not allowed:
        raise Http404
    user = request.user
    forms = {}
    try:
        if name == "progress":
            form = forms["progress_form"] = ProgressForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ServiceError(_("Tiến độ phải là số từ 0 đến 100 (percent must be 0 to 100)."))
            d = form.cleaned_data
            services.task_progress(
                task=task,
                actor=user,
                note=d["note"],
                percent=d["percent"],
                files=d["files"],
                expected_version=d["version"],
            )
            done = _("Đã cập nhật tiến độ.")
        elif name == "done":
            form = forms["done_form"] = DoneForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ServiceError(_("Kiểm tra lại nội dung báo cáo (check the report)."))
            d = form.cleaned_data
            services.task_report_done(
                task=task,
                actor=user,
                note=d["note"],
                result_document=d["result_document"],
                files=d["files"],
                expected_version=d["version"],
            )
            done = _("Đã báo cáo hoàn thành; chờ Ban xác nhận.")
        elif name == "confirm":
            services.task_confirm(task=task, actor=user, expected_version=_version(ConfirmForm(request.POST)))
            done = _("Đã xác nhận hoàn thành.")
        elif name == "return":
            form = forms["reason_form"] = ReasonForm(request.POST)
            form.is_valid()
            services.task_return(
                task=task, actor=user, reason=form.cleaned_data.get("reason", ""), expected_version=_version(form)
            )
            done = _("Đã trả lại nhiệm vụ.")
        elif name == "extend":
            form = forms["extension_form"] = ExtensionForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("Nhập thời hạn đề nghị hợp lệ (enter a valid date)."))
            services.task_extension_request(
                task=task, actor=user, due_on=form.cleaned_data["due_on"], reason=form.cleaned_data["reason"]
            )
            done = _("Đã gửi đề nghị gia hạn.")
        elif name == "approve":
            services.task_extension_approve(task=task, actor=user)
            done = _("Đã đồng ý gia hạn.")
        elif name == "refuse":
            form = forms["reason_form"] = ReasonForm(request.POST)
            form.is_valid()
            services.task_extension_refuse(task=task, actor=user, reason=form.cleaned_data.get("reason", ""))
            done = _("Đã không đồng ý gia hạn.")
        else:  # urge
            form = forms["urge_form"] = UrgeForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("Chọn hình thức đôn đốc (choose nhắc nhở or phê bình)."))
            services.task_urge(task=task, actor=user, kind=form.cleaned_data["kind"], note=form.cleaned_data["note"])
            done = _("Đã đôn đốc.")
    except ServiceError as exc:
        task = _task(request.user, pk)
        context = _task_context(request, task, error=error_text(exc), **forms)
        return render(request, "work/task_detail.html", context, status=409 if isinstance(exc, Conflict) else 400)
    messages.success(request, done)
    return redirect("work:task", pk=task.pk)


@login_required
def task_file(request, pk: int, file_pk: int):
    task = _task(request.user, pk)
    f = get_object_or_404(TaskFile, pk=file_pk, event__task=task)
    return file_response(f.file, f.name)


# --- Scorecard -----------------------------------------------------------------------------------------


def _scorecard_args(request):
    user = request.user
    code = request.GET.get("unit", "").strip()
    visible = OrgUnit.objects.visible_to(user)
    if code:
        unit = get_object_or_404(visible, code=code)
    else:
        roots = scope_paths(user)
        if roots is None:
            unit = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
        elif roots:
            unit = visible.filter(path=roots[0]).first()
        else:
            unit = None
        if unit is None:
            raise Http404
    as_of = parse_day(request.GET.get("as_of"))
    by = request.GET.get("by") if request.GET.get("by") in ("child", "agency") else "child"
    return unit, as_of, by


@login_required
def scorecard_page(request):
    unit, as_of, by = _scorecard_args(request)
    card = selectors.scorecard(unit, as_of, by)
    ancestors = [
        a
        for a in OrgUnit.objects.filter(path__in=[unit.path[:n] for n in range(len(unit.path))]).order_by("path")
        if can(request.user, Action.VIEW, a.path)
    ]
    context = {
        "card": card,
        "unit": unit,
        "as_of": as_of,
        "by": by,
        "ancestors": ancestors,
        "query": f"unit={unit.code}&as_of={as_of.isoformat()}&by={by}",
    }
    template = "work/scorecard.html#table" if request.htmx else "work/scorecard.html"
    return render(request, template, context)


@login_required
def scorecard_download(request):
    unit, as_of, by = _scorecard_args(request)
    data = exports.scorecard_xlsx(selectors.scorecard(unit, as_of, by))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="ket-qua-nhiem-vu-{unit.code}-{as_of:%Y%m%d}.xlsx"'
    return response


def scorecard_url(unit: OrgUnit, as_of: date, by: str) -> str:
    return reverse("work:scorecard") + f"?unit={unit.code}&as_of={as_of.isoformat()}&by={by}"
