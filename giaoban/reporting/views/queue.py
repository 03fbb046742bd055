"""The approver's queue: the reports waiting in their units, filtered by form, period, status and unit (the
API's SubmissionFilter), approved several at once (all or nothing) or returned one by one with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from giaoban.core.access import Action, scope_paths, subtree_q
from giaoban.core.errors import ServiceError
from giaoban.orgs.models import OrgUnit
from giaoban.orgs.selectors import unit_pick

from .. import periods, selectors, services
from ..filters import SubmissionFilter
from ..models import ReportForm, Submission
from ..pickers import period_picker

PAGE_SIZE = 50
ALL = gettext_lazy("Tất cả")


def queue_filter(request) -> SubmissionFilter:
    """The page's filter: the API's SubmissionFilter over the reports the user may approve; status defaults to
    "submitted" (waiting), "all" lifts it."""
    data = request.GET.copy()
    data.pop("unit", None)  # the unit picker: a unit and everything below it, see queue()
    if "period_type" in data or "period_year" in data:
        data["period"] = period_picker(data, "period", types=periods.PERIOD_TYPES, blank=ALL)["period"]
    if "status" not in data:
        data["status"] = Submission.Status.SUBMITTED
    elif data["status"] == "all":
        data["status"] = ""
    queryset = (
        selectors.submissions_for(request.user, Action.APPROVE)
        .select_related("unit__parent", "submitted_by")
        .order_by("deadline", "unit__path", "form__code", "period")
    )
    return SubmissionFilter(data, queryset=queryset)


@login_required
def queue(request):
    """Báo cáo chờ duyệt. POST ids=… (with version-<id>=… as rendered) approves the ticked reports, all or
    nothing; a refused one (already approved, your own report, changed since the page was loaded, …) is named on
    its row and nothing is approved."""
    row_errors: dict[int, str] = {}
    ticked: set[int] = set()
    error = ""
    status = 200
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        # The version each ticked row had when the page was rendered: approving checks nothing changed since.
        versions = {i: int(v) for i in ids if (v := request.POST.get(f"version-{i}", "")).isdigit()}
        try:
            done = services.submissions_approve(
                queryset=selectors.submissions_for(request.user, Action.APPROVE),
                ids=ids,
                versions=versions,
                actor=request.user,
            )
        except ServiceError as exc:
            error, status = exc.message, exc.status
            row_errors = {e["id"]: e["message"] for e in exc.extra.get("errors", [])}
            ticked = set(row_errors)
            if exc.code == "stale_version":
                stale = set(exc.extra["stale"])
                names = [e["unit"] for e in exc.extra["errors"] if e["id"] in stale]
                error = f"{error} {_('Đã thay đổi:')} {', '.join(names)}"
                # The changed rows are shown unticked: the approver looks at them again before approving.
                ticked = set(ids) - stale
        else:
            messages.success(request, _("Đã duyệt %(n)d báo cáo.") % {"n": len(done)})
            return redirect(request.get_full_path())
    filtered = queue_filter(request)
    rows = filtered.qs if filtered.is_valid() else filtered.queryset.none()
    pick = unit_pick(
        OrgUnit.objects.visible_to(request.user, Action.APPROVE), request.GET.get("unit"), request.GET.get("unit_q")
    )
    if pick.unit is not None:
        rows = rows.filter(subtree_q("unit__path", pick.unit.path))
    elif pick.text or ("unit_q" not in request.GET and request.GET.get("unit")):
        rows = rows.none()  # a name that matches no unit, or several: nothing until one is chosen
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for s in page:
        s.own = s.submitted_by_id == request.user.pk and not services.may_review(s, request.user)
        s.error = row_errors.get(s.pk, "")
    paths = scope_paths(request.user, Action.APPROVE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/queue.html",
        {
            "filter": filtered,
            "page": page,
            "forms": ReportForm.objects.order_by("name"),
            "statuses": Submission.Status.choices,
            "status": request.GET.get("status", Submission.Status.SUBMITTED),
            "can_approve": paths is None or bool(paths),
            "error": error,
            "row_errors": row_errors,
            "ticked": ticked,
            "query": query.urlencode(),
            "unit_pick": pick,
        },
        status=status,
    )
