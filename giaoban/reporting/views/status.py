"""The officer's status page of a form and period (who reported, who is late, who is missing, totals by child
unit) and the approve / return / reopen transitions it posts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from giaoban.core.access import Action, can
from giaoban.core.errors import ServiceError
from giaoban.orgs.selectors import visible_ancestors

from .. import periods, selectors, services
from ..forms import ReasonForm
from ..models import ReportForm
from .common import unit_or_404


@login_required
def status(request, unit_code, form_code, period):
    """The officer's page: who reported, who is late, who is missing; totals by child unit; approve/return."""
    unit = unit_or_404(request.user, unit_code)
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
            "can_enter": can(request.user, Action.ENTER, unit.path),
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
