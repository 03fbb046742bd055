"""Report pages: my unit's periods, the phone-friendly data entry, the officer's status page, roll-ups."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.access import Action, can, scope_paths
from giaoban.core.errors import Conflict, ServiceError
from giaoban.core.formats import format_number
from giaoban.orgs.models import OrgUnit, UserRole
from giaoban.orgs.selectors import visible_ancestors

from . import periods, selectors, services
from .filters import ValueChangeFilter
from .forms import ReasonForm, RollupForm
from .models import Indicator, ReportForm, Submission


def _unit(user, code: str) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.visible_to(user), code=code)


@login_required
def my_reports(request):
    """The "Báo cáo kỳ này" page: my unit's (or ?unit=) recent periods for every form it reports, and for an
    officer the forms reported below with links to their status pages."""
    role_units = list(
        OrgUnit.objects.filter(pk__in=UserRole.objects.filter(user=request.user).values("org_unit")).order_by("path")
    )
    code = request.GET.get("unit")
    unit = _unit(request.user, code) if code else (role_units[0] if role_units else None)
    today = timezone.localdate()
    rows = selectors.unit_periods(unit, today) if unit else []
    return render(
        request,
        "reporting/my_reports.html",
        {
            "unit": unit,
            "role_units": role_units,
            "rows": rows,
            "below": selectors.forms_below(unit, today) if unit and unit.numchild else [],
            "can_enter": unit and can(request.user, Action.ENTER, unit.path),
        },
    )


@dataclass
class Field:
    indicator: Indicator
    value: str  # what is shown in the input
    saved: str  # the saved value, shown beside it after a conflict
    error: str
    source: str = ""  # where an offered (not yet saved) figure came from


def _entry_context(request, unit, form, period, submission, typed=None, narrative=None, errors=None, conflict=None):
    version = submission.form_version if submission else services.current_version(form)
    saved = services.current_values(submission) if submission else {}
    errors = errors or {}
    fields = [
        Field(
            ind,
            (typed or {}).get(ind.code, saved.get(ind.code, "")) if typed is not None else saved.get(ind.code, ""),
            (conflict or {}).get("values", {}).get(ind.code, ""),
            errors.get(ind.code, ""),
        )
        for ind in services.version_indicators(version)
    ]
    if typed is None and (submission is None or submission.is_editable):
        # Figures the unit recorded elsewhere (its channels, contests, trainings) fill what is not saved yet.
        offered = selectors.report_defaults(unit, form, period)
        for f in fields:
            if f.value == "" and f.indicator.code in offered:
                f.value = format_number(offered[f.indicator.code].value)
                f.source = offered[f.indicator.code].source
    saved_narrative = submission.narrative if submission else {}
    sections = [
        {
            "key": s["key"],
            "title": s["title"],
            "text": (narrative or {}).get(s["key"], saved_narrative.get(s["key"], "")),
            "saved": (conflict or {}).get("narrative", {}).get(s["key"], ""),
            "error": errors.get(s["key"], ""),
        }
        for s in version.narrative_sections
    ]
    editable = can(request.user, Action.ENTER, unit.path) and (submission is None or submission.is_editable)
    start, end = periods.period_range(period, form.scheme)
    return {
        "unit": unit,
        "form": form,
        "period": period,
        "start": start,
        "end": end,
        "deadline": submission.deadline if submission else services.deadline_for(form, period),
        "submission": submission,
        "fields": fields,
        "sections": sections,
        "editable": editable,
        "conflict": conflict,
        "version_value": conflict["version"] if conflict else (submission.version if submission else 0),
        "events": submission.events.select_related("actor") if submission else [],
        "can_review": can(request.user, Action.APPROVE, unit.path),
        "own_report": submission is not None and not services.may_review(submission, request.user),
        "can_audit": submission is not None and can(request.user, Action.AUDIT, unit.path),
    }


@login_required
def entry(request, unit_code, form_code, period):
    """Enter, save as a draft and submit one report. Errors are shown field by field and nothing typed is lost."""
    unit = _unit(request.user, unit_code)
    form = get_object_or_404(ReportForm, code=form_code)
    try:
        period = periods.parse_period(period).id
    except periods.PeriodError:
        raise Http404 from None
    submission = Submission.objects.filter(unit=unit, form=form, period=period).select_related("form_version").first()
    if submission is None and services.applies_to(form, unit, period):
        raise Http404
    template = "reporting/entry.html#entry" if request.htmx else "reporting/entry.html"
    if request.method == "GET":
        return render(request, template, _entry_context(request, unit, form, period, submission))
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if not can(request.user, Action.ENTER, unit.path):
        raise Http404
    created = submission is None
    version = submission.form_version if submission else services.current_version(form)
    typed = {ind.code: request.POST.get(f"v_{ind.code}", "") for ind in services.version_indicators(version)}
    narrative = {s["key"]: request.POST.get(f"n_{s['key']}", "") for s in version.narrative_sections}
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        expected = -1
    try:
        # One transaction: a first save that fails leaves no empty report behind.
        with transaction.atomic():
            if created:
                # Version 0 (the page was opened before the report existed) matches only a report nobody has
                # saved into: of two first saves at once, the second gets the conflict, never the other's row.
                submission = services.submission_open(unit=unit, form=form, period=period, actor=request.user)
            if request.POST.get("action") == "submit":
                services.submission_submit(
                    submission=submission,
                    actor=request.user,
                    expected_version=expected,
                    values=typed,
                    narrative=narrative,
                )
                messages.success(request, _("Đã nộp báo cáo."))
            else:
                services.submission_save_draft(
                    submission=submission,
                    actor=request.user,
                    expected_version=expected,
                    values=typed,
                    narrative=narrative,
                )
                messages.success(request, _("Đã lưu nháp."))
    except ServiceError as exc:
        # Whatever this request wrote is rolled back; show the report as it is saved now (someone else may
        # have created it meanwhile).
        submission = (
            Submission.objects.filter(unit=unit, form=form, period=period).select_related("form_version").first()
        )
        conflict = exc.extra if isinstance(exc, Conflict) else None
        context = _entry_context(
            request, unit, form, period, submission, typed, narrative, exc.extra.get("fields"), conflict
        )
        context["error"] = exc.message
        response = render(request, template, context, status=409 if conflict else 400)
        if request.htmx:
            # htmx swaps 2xx answers only by default; this fragment is the answer to show.
            response["HX-Retarget"] = "#entry"
            response["HX-Reswap"] = "outerHTML"
            response.status_code = 200
        return response
    url = reverse("reporting:entry", args=[unit.code, form.code, period])
    if request.htmx:
        submission.refresh_from_db()
        return render(request, template, _entry_context(request, unit, form, period, submission))
    return redirect(url)


@login_required
def status(request, unit_code, form_code, period):
    """The officer's page: who reported, who is late, who is missing; totals by child unit; approve/return."""
    unit = _unit(request.user, unit_code)
    form = get_object_or_404(ReportForm, code=form_code)
    try:
        period = periods.parse_period(period).id
        if periods.parse_period(period).type != form.period_type:
            raise Http404
    except periods.PeriodError:
        raise Http404 from None
    approved_only = request.GET.get("approved") == "1"
    rows, indicators, table = selectors.form_period_status(form, period, unit, approved_only)
    counts = {"on_time": 0, "late": 0, "missing": 0}
    for r in rows:
        counts[r.state] += 1
    # Reports this officer submitted: no approve/return buttons for them (segregation of duties).
    own_reports = {
        r.submission.pk
        for r in rows
        if r.submission and r.submission.submitted_by_id == request.user.pk and not services.may_review(r.submission, request.user)
    }
    template = "reporting/status.html#status" if request.htmx else "reporting/status.html"
    return render(
        request,
        template,
        {
            "unit": unit,
            "form": form,
            "period": period,
            "rows": rows,
            "counts": counts,
            "indicators": indicators,
            "table": table,
            "approved_only": approved_only,
            "can_review": can(request.user, Action.APPROVE, unit.path),
            "own_reports": own_reports,
            "ancestors": visible_ancestors(request.user, unit),
            "previous": periods.previous_period(period).id,
            "next": periods.next_period(period).id,
        },
    )


TRANSITIONS = {
    "approve": lambda s, user, reason, version: services.submission_approve(
        submission=s, actor=user, expected_version=version
    ),
    "return": lambda s, user, reason, version: services.submission_return(
        submission=s, actor=user, reason=reason, expected_version=version
    ),
    "reopen": lambda s, user, reason, version: services.submission_reopen(
        submission=s, actor=user, reason=reason, expected_version=version
    ),
}


@login_required
def transition(request, pk, name):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if name not in TRANSITIONS:
        raise Http404
    submission = get_object_or_404(selectors.submissions_for(request.user, Action.APPROVE), pk=pk)
    data = ReasonForm(request.POST)
    data.is_valid()
    try:
        TRANSITIONS[name](
            submission, request.user, data.cleaned_data.get("reason", ""), data.cleaned_data.get("version")
        )
        messages.success(request, _("Đã cập nhật báo cáo của %(u)s.") % {"u": submission.unit.name})
    except ServiceError as exc:
        messages.error(request, exc.message)
    back = request.POST.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("reporting:entry", args=[submission.unit.code, submission.form.code, submission.period])
    return redirect(back)


@login_required
def rollup_page(request):
    indicators = list(Indicator.objects.exclude(value_type=Indicator.ValueType.TEXT).order_by("code"))
    bound = "indicator" in request.GET
    form = RollupForm(
        request.GET if bound else None,
        indicators=indicators,
        initial={"unit": request.GET.get("unit", ""), "period": str(timezone.localdate().year)},
    )
    result = error = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        unit = _unit(request.user, data["unit"].strip())
        indicator = next(i for i in indicators if i.code == data["indicator"])
        try:
            result = selectors.rollup(
                request.user,
                indicator,
                unit,
                data["period"],
                by_child=True,
                approved_only=data["approved"],
                restated=data["restated"],
            )
            result.indicator = indicator
        except ServiceError as exc:
            error = exc.message
    template = "reporting/rollup.html#result" if request.htmx else "reporting/rollup.html"
    return render(request, template, {"form": form, "result": result, "error": error})


def shown_value(indicator: Indicator, text: str) -> str:
    """A logged value as the entry page shows it: numbers in Vietnamese format, "—" for no figure."""
    if not text:
        return "—"
    if indicator.is_numeric:
        try:
            return format_number(Decimal(text))
        except InvalidOperation:
            pass
    return text


@login_required
def audit(request):
    """Lịch sử thay đổi: who changed which figure when, from what to what, in the units the user approves or
    administers (everyone else sees an empty list); ?unit= (with the units below), from, to, actor, submission."""
    changes = ValueChangeFilter(request.GET, queryset=selectors.value_changes_for(request.user))
    page = Paginator(changes.qs if changes.is_valid() else changes.queryset.none(), 100).get_page(
        request.GET.get("page")
    )
    for change in page:
        change.old_shown = shown_value(change.indicator, change.old)
        change.new_shown = shown_value(change.indicator, change.new)
    # One report asked for: its narrative's changes too (texts, so not in the figures' log).
    report = None
    if changes.is_valid() and changes.form.cleaned_data.get("submission"):
        report = (
            selectors.submissions_for(request.user, Action.AUDIT)
            .select_related("form_version")
            .filter(pk=changes.form.cleaned_data["submission"])
            .first()
        )
    return render(
        request,
        "reporting/audit.html",
        {
            "filter": changes,
            "page": page,
            "can_audit": can_audit_somewhere(request.user),
            "report": report,
            "narrative_changes": selectors.narrative_changes(report) if report else [],
        },
    )


def can_audit_somewhere(user) -> bool:
    paths = scope_paths(user, Action.AUDIT)
    return paths is None or bool(paths)
