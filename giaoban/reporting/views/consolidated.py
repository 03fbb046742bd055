"""The consolidated report page: figures table, the units' texts, the editable draft with its history,
issuing, and the .docx/.pdf/.xlsx downloads."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from giaoban.core.access import Action, can
from giaoban.core.errors import Conflict, ServiceError
from giaoban.orgs.models import Committee

from .. import consolidated, periods


def _committee(user, pk: int) -> Committee:
    return get_object_or_404(Committee.objects.visible_to(user).select_related("org_unit", "standing_agency"), pk=pk)


def _resolve(request, committee_pk: int, period: str):
    committee = _committee(request.user, committee_pk)
    try:
        period = periods.parse_period(period).id
        form = consolidated.default_form(committee, request.GET.get("form") or request.POST.get("form"), period)
        consolidated.form_window(form, period)
    except (periods.PeriodError, ServiceError):
        raise Http404 from None
    return committee, form, period


def may_edit(user, committee: Committee) -> bool:
    path = committee.org_unit.path
    return can(user, Action.ENTER, path) or can(user, Action.APPROVE, path)


def _context(request, committee, form, period, report, approved_only, typed=None, conflict=None):
    unit = committee.org_unit
    table = consolidated.consolidated_table(request.user, unit, form, period, approved_only)
    gathered = consolidated.gather_narratives(unit, form, period, approved_only)
    texts = consolidated.effective_narrative(report, gathered)
    sections = [
        {
            "key": s.key,
            "title": s.title,
            "items": s.items,
            "text": (typed or {}).get(s.key, texts[s.key]),
            "saved": (conflict or {}).get("narrative", {}).get(s.key, ""),
        }
        for s in gathered
    ]
    history = list(report.history.select_related("history_user").order_by("-history_date")[:20]) if report.pk else []
    return {
        "committee": committee,
        "unit": unit,
        "form": form,
        "forms": consolidated.forms_for_committee(committee),
        "period": period,
        "period_label": periods.period_label(period, form.scheme, sentence=True),
        "previous": periods.previous_period(period).id,
        "next": periods.next_period(period).id,
        "table": table,
        "sections": sections,
        "report": report,
        "summary": consolidated.summary_paragraph(table),
        "history": history,
        "approved_only": approved_only,
        "editable": may_edit(request.user, committee) and not report.is_issued,
        "can_issue": can(request.user, Action.APPROVE, unit.path) and report.pk and not report.is_issued,
        "conflict": conflict,
        "version_value": conflict["version"] if conflict else (report.version if report.pk else 0),
        "formats": list(consolidated.FORMATS),
        "recipients_text": "\n".join(report.recipients),
    }


@login_required
def consolidated_report(request, committee_pk: int, period: str):
    committee, form, period = _resolve(request, committee_pk, period)
    approved_only = request.GET.get("approved") == "1"
    report = consolidated.report_find_or_build(committee=committee, form=form, period=period)
    if request.method == "GET":
        return render(
            request, "reporting/consolidated.html", _context(request, committee, form, period, report, approved_only)
        )
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if not may_edit(request.user, committee):
        raise Http404
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        expected = -1
    url = reverse("reporting:consolidated", args=[committee.pk, period]) + f"?form={form.code}"
    typed = {s["key"]: request.POST.get(f"n_{s['key']}", "") for s in form.current.narrative_sections}
    try:
        if request.POST.get("action") == "issue":
            if not can(request.user, Action.APPROVE, committee.org_unit.path):
                raise Http404
            try:
                issued_on = date.fromisoformat(request.POST.get("issued_on", ""))
            except ValueError:
                raise ServiceError(_("Ngày ban hành không hợp lệ (invalid issue date).")) from None
            consolidated.report_issue(
                report=report,
                number=request.POST.get("number", ""),
                issued_on=issued_on,
                actor=request.user,
                expected_version=expected,
            )
            messages.success(request, _("Đã ban hành báo cáo."))
        else:
            consolidated.report_save(
                report=report,
                expected_version=expected,
                actor=request.user,
                narrative=typed,
                recipients=request.POST.get("recipients", "").splitlines(),
                **{name: request.POST.get(name, "") for name in consolidated.EDITABLE_FIELDS},
            )
            messages.success(request, _("Đã lưu dự thảo."))
    except ServiceError as exc:
        report = consolidated.report_find_or_build(committee=committee, form=form, period=period)
        conflict = exc.extra if isinstance(exc, Conflict) else None
        context = _context(request, committee, form, period, report, approved_only, typed, conflict)
        context["error"] = exc.message
        return render(request, "reporting/consolidated.html", context, status=409 if conflict else 400)
    return redirect(url)


@login_required
def consolidated_download(request, committee_pk: int, period: str, fmt: str):
    committee, form, period = _resolve(request, committee_pk, period)
    if fmt not in consolidated.FORMATS:
        raise Http404
    report = consolidated.report_find_or_build(committee=committee, form=form, period=period)
    try:
        data = consolidated.export(report, fmt, request.GET.get("approved") == "1", user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("reporting:consolidated", args=[committee.pk, period]) + f"?form={form.code}")
    response = HttpResponse(data, content_type=consolidated.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{consolidated.filename(report, fmt)}"'
    return response


@login_required
def consolidated_for_unit(request, unit_code: str, period: str):
    """From a unit's pages (status, "Báo cáo"), which know the unit but not its committee: the report of the
    unit's committee (a standing one before a dissolved one)."""
    committee = (
        Committee.objects.visible_to(request.user)
        .filter(org_unit__code=unit_code)
        .order_by(F("dissolved_on").asc(nulls_first=True), "pk")
        .first()
    )
    if committee is None:
        raise Http404
    query = f"?form={request.GET['form']}" if request.GET.get("form") else ""
    return redirect(reverse("reporting:consolidated", args=[committee.pk, period]) + query)


# The windows a consolidated report is asked for, as the committee page's period picker offers them.
CONSOLIDATED_WINDOWS = "month,quarter,half,nine_months,year,week"


@login_required
def consolidated_pick(request, committee_pk: int):
    """The committee page's "Báo cáo tổng hợp" period picker: ?period=2023N9 -> that report's page. Without
    JavaScript a changed type or year comes back to the committee page with that type's and year's periods."""
    committee = _committee(request.user, committee_pk)
    ptype, year = request.GET.get("period_type", ""), request.GET.get("period_year", "")
    if ptype or year:
        try:
            chosen = periods.parse_period(request.GET.get("period", ""))
        except periods.PeriodError:
            chosen = None
        if chosen is None or (ptype and chosen.type != ptype) or (year and str(chosen.year) != year):
            query = urlencode({"period_type": ptype, "period_year": year})
            return redirect(reverse("committee_detail", args=[committee.pk]) + f"?{query}#consolidated-pick")
    pid = request.GET.get("period", "").strip()
    try:
        pid = periods.parse_period(pid).id
    except periods.PeriodError as exc:
        messages.error(request, str(exc))
        return redirect("committee_detail", pk=committee.pk)
    return redirect("reporting:consolidated", committee_pk=committee.pk, period=pid)
