"""Report pages of a unit: its recent periods for every form it reports, and the phone-friendly data entry."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.access import Action, can
from giaoban.core.errors import Conflict, ServiceError
from giaoban.core.formats import format_number
from giaoban.orgs.models import OrgUnit, UserRole

from .. import periods, selectors, services
from ..models import Indicator, ReportForm, Submission
from .common import unit_or_404


@login_required
def my_reports(request):
    """The "Báo cáo kỳ này" page: my unit's (or ?unit=) recent periods for every form it reports, and for an
    officer the forms reported below with links to their status pages."""
    role_units = list(
        OrgUnit.objects.filter(pk__in=UserRole.objects.filter(user=request.user).values("org_unit")).order_by("path")
    )
    code = request.GET.get("unit")
    unit = unit_or_404(request.user, code) if code else (role_units[0] if role_units else None)
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
        # The first wrong field gets autofocus (htmx focuses it after the swap): on a phone the answer to the
        # bottom bar's buttons is then on screen, not somewhere above.
        "first_error": next((f.indicator.code for f in fields if f.error), ""),
        "can_review": can(request.user, Action.APPROVE, unit.path),
        "own_report": submission is not None and not services.may_review(submission, request.user),
        "can_audit": submission is not None and can(request.user, Action.AUDIT, unit.path),
    }


@login_required
def entry(request, unit_code, form_code, period):
    """Enter, save as a draft and submit one report. Errors are shown field by field and nothing typed is lost."""
    unit = unit_or_404(request.user, unit_code)
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
                    confirm=request.POST.get("confirm") == "1",
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
        context["confirm_needed"] = isinstance(exc, services.UnusualFigures)
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
