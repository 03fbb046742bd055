"""Pages: the committee's own channels and their metrics, contests (entries, scores, winners), trainings.

Every object comes through the access choke point (outside your units: 404); writes go through services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from giaoban.core.access import Action, is_system_admin, scope_paths
from giaoban.core.errors import ImportRejected, ServiceError
from giaoban.orgs.models import OrgUnit
from giaoban.reporting import periods

from . import documents, selectors, services
from .filters import ChannelFilter
from .forms import ChannelForm, ContestForm, CsvForm, EntryForm, MetricForm, ScoreForm, TrainingForm
from .models import Entry


def writable_units(user):
    """Units the user records outreach for, for the pickers: where they hold an entering or managing role,
    and the units directly below those (closed ones too: their past is still recorded)."""
    if is_system_admin(user):
        roots = OrgUnit.objects.filter(depth__lte=2)
    else:
        paths = {*(scope_paths(user, Action.ENTER) or []), *(scope_paths(user, Action.MANAGE) or [])}
        roots = OrgUnit.objects.filter(Q(path__in=paths) | Q(parent__path__in=paths))
    return roots.vn_sorted()


def _show_error(request, exc: ServiceError) -> None:
    messages.error(request, exc.message)
    for e in (exc.extra or {}).get("errors", [])[:50]:
        where = ", ".join(str(x) for x in (e.get("row") and _("dòng %(r)s") % {"r": e["row"]}, e.get("column")) if x)
        messages.error(request, f"{where}: {e['message']}" if where else e["message"])


@login_required
def index(request):
    channels = ChannelFilter(request.GET, queryset=selectors.channels_for(request.user))
    context = {
        "filter": channels,
        "channels": channels.qs[:200] if channels.is_valid() else [],
        "contests": selectors.contests_for(request.user).annotate(entry_count=Count("entries"))[:50],
        "trainings": selectors.trainings_for(request.user)[:50],
        "can_add": writable_units(request.user).exists(),
    }
    return render(request, "outreach/index.html", context)


def _new(request, form_class, create, title, redirect_to):
    units = writable_units(request.user)
    if not units.exists():
        raise Http404
    form = form_class(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            obj = create(actor=request.user, **data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect(redirect_to, obj.pk)
    return render(request, "outreach/new.html", {"form": form, "title": title}, status=400 if form.errors else 200)


@login_required
def channel_new(request):
    return _new(request, ChannelForm, services.channel_create, _("Thêm kênh thông tin"), "outreach:channel")


@login_required
def channel_detail(request, pk):
    channel = get_object_or_404(selectors.channels_for(request.user), pk=pk)
    may_edit = services.may_edit(request.user, channel.org_unit)
    form = MetricForm(request.POST or None)
    if request.method == "POST":
        if not may_edit:
            raise Http404
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "period"}
            try:
                services.metric_record(
                    channel=channel, period=form.cleaned_data["period"], values=values, actor=request.user
                )
            except ServiceError as exc:
                for field, errs in exc.extra.get("fields", {}).items():
                    form.add_error(field if field in form.fields else None, errs[0])
            else:
                messages.success(
                    request,
                    _("Đã ghi số liệu kỳ %(p)s.")
                    % {"p": periods.period_label_or_id(form.cleaned_data["period"], sentence=True)},
                )
                return redirect("outreach:channel", channel.pk)
    context = {"channel": channel, "metrics": channel.metrics.order_by("-period"), "form": form, "may_edit": may_edit}
    return render(request, "outreach/channel_detail.html", context, status=400 if form.errors else 200)


@login_required
def metrics_import(request):
    if not writable_units(request.user).exists():
        raise Http404
    form = CsvForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.metrics_import_csv(form.cleaned_data["file"].read(), actor=request.user)
        except ImportRejected as exc:
            _show_error(request, exc)
        else:
            messages.success(request, _("Đã nhập %(n)s dòng số liệu kênh.") % {"n": len(made)})
            return redirect("outreach:index")
    return render(request, "outreach/import.html", {"form": form, "columns": services.METRIC_COLUMNS})


@login_required
def contest_new(request):
    return _new(request, ContestForm, _create_contest, _("Thêm cuộc thi"), "outreach:contest")


def _create_contest(*, categories: str = "", **data):
    return services.contest_create(categories=categories.splitlines(), **data)


def _contest(request, pk):
    contests = selectors.contests_for(request.user)
    return get_object_or_404(contests, pk=pk)


@login_required
def contest_detail(request, pk):
    contest = _contest(request, pk)
    may_edit = services.may_edit(request.user, contest.org_unit)
    units = writable_units(request.user)
    entry_form = EntryForm(units=units)
    if request.method == "POST":
        if not may_edit:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "entry":
                entry_form = EntryForm(request.POST, request.FILES, units=units)
                if entry_form.is_valid():
                    services.entry_create(contest=contest, actor=request.user, **entry_form.cleaned_data)
                    messages.success(request, _("Đã thêm tác phẩm."))
                    return redirect("outreach:contest", contest.pk)
            elif action == "import":
                form = CsvForm(request.POST, request.FILES)
                if form.is_valid():
                    made = services.entries_import_csv(
                        form.cleaned_data["file"].read(), contest=contest, actor=request.user
                    )
                    messages.success(request, _("Đã nhập %(n)s tác phẩm.") % {"n": len(made)})
                    return redirect("outreach:contest", contest.pk)
            elif action == "score":
                form = ScoreForm(request.POST)
                if form.is_valid():
                    entry = get_object_or_404(Entry, contest=contest, pk=form.cleaned_data["entry"])
                    services.score_record(
                        entry=entry, judge=form.cleaned_data["judge"], score=form.cleaned_data["score"]
                    )
                    messages.success(request, _("Đã ghi điểm."))
                    return redirect("outreach:contest", contest.pk)
            elif action == "rank":
                services.contest_rank(contest=contest, actor=request.user)
                messages.success(request, _("Đã xếp hạng và trao giải theo điểm trung bình."))
                return redirect("outreach:contest", contest.pk)
        except ServiceError as exc:
            _show_error(request, exc)
    entries = (
        Entry.objects.filter(contest=contest)
        .select_related("org_unit")
        .annotate(mean=Avg("scores__score"))
        .order_by("rank", "id")
    )
    context = {
        "contest": contest,
        "entries": entries,
        "may_edit": may_edit,
        "entry_form": entry_form,
        "csv_form": CsvForm(),
        "counts": selectors.contest_counts(contest.org_unit, contest.starts_on, contest.ends_on, contest),
        "columns": services.ENTRY_COLUMNS,
    }
    return render(request, "outreach/contest_detail.html", context, status=400 if entry_form.errors else 200)


@login_required
def contest_winners(request, pk, fmt):
    contest = _contest(request, pk)
    if fmt == "xlsx":
        data, content_type = (
            documents.winners_xlsx(contest),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    elif fmt == "docx":
        data = documents.winners_docx(contest)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise Http404
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ket-qua-cuoc-thi-{contest.pk}.{fmt}"'
    return response


@login_required
def training_new(request):
    return _new(request, TrainingForm, services.training_create, _("Thêm lớp tập huấn"), "outreach:training")


@login_required
def training_detail(request, pk):
    training = get_object_or_404(selectors.trainings_for(request.user).prefetch_related("groups"), pk=pk)
    return render(request, "outreach/training_detail.html", {"training": training})
