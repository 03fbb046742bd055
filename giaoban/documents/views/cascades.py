"""Cascade pages: sending a directive down (all below, or chosen committees found without diacritics), its coverage
(totals, by child unit with drill-down, the pending list, .xlsx), and the receiving committee's "Văn bản cấp trên
gửi" with the implement and report-done forms."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.access import Action, can
from giaoban.core.dates import parse_date
from giaoban.core.errors import ServiceError
from giaoban.core.formats import format_number
from giaoban.core.text import fold
from giaoban.orgs.models import Committee, OrgUnit, UserRole

from .. import coverage as cov
from ..filters_cascades import CascadeFilter
from ..models import Cascade, Document, DocumentType
from ..services import cascades as services

__all__ = [
    "cascade_detail",
    "cascade_done",
    "cascade_implement",
    "cascade_list",
    "cascade_send",
    "coverage_download",
    "coverage_page",
]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PICK_LIMIT = 50


def _document(user, pk: int) -> Document:
    return get_object_or_404(Document.objects.visible_to(user).select_related("committee__org_unit"), pk=pk)


def _error(request, exc: ServiceError) -> None:
    messages.error(request, exc.message)


def _day(text: str | None, name: str) -> date | None:
    """A typed date (2026-03-31 or 31/03/2026); a malformed one is a ServiceError naming the field."""
    try:
        return parse_date(text or "")
    except ValueError as exc:
        raise ServiceError(str(exc), {"fields": {name: [str(exc)]}}) from None


# --- send -------------------------------------------------------------------------------------------------------


def _pick(sender: Committee, on: date, q: str, checked: list[int]) -> tuple[list[Committee], list[Committee], int]:
    """The committees below matching `q` (by the unit's name without diacritics, or its code), at most PICK_LIMIT;
    the checked ones first, whatever `q` is."""
    below = services.committees_below(sender, on)
    chosen = list(below.filter(pk__in=checked).order_by("org_unit__sort_key", "org_unit__code"))
    qs = below.exclude(pk__in=checked)
    if q:
        needle = fold(q)
        qs = qs.filter(Q(org_unit__name_folded__contains=needle) | Q(org_unit__code=q.strip()))
    matches = list(qs.order_by("org_unit__sort_key", "org_unit__code")[: PICK_LIMIT + 1])
    return chosen, matches[:PICK_LIMIT], len(matches)


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()][:20000]


@login_required
def cascade_send(request, pk: int):
    """GET the form (an htmx request renders only the committee picker); POST sends."""
    document = _document(request.user, pk)
    sender = services.sender_for(request.user, document)
    if sender is None:
        raise Http404
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else request.GET
    checked = _ids(data.getlist("committees"))
    mode = data.get("mode") or "below"
    try:
        due_on = _day(data.get("due_on"), "due_on")
    except ServiceError as exc:
        due_on = None
        if request.method == "POST":
            _error(request, exc)
    if request.method == "POST" and not (data.get("due_on") and due_on is None):
        try:
            summary = services.cascade_send(
                document=document,
                sender=sender,
                committees=None if mode == "below" else checked,
                below=mode == "below",
                due_on=due_on,
                actor=request.user,
            )
        except ServiceError as exc:
            _error(request, exc)
        else:
            messages.success(
                request,
                _("Đã gửi %(n)s Ban Chỉ đạo; %(s)s Ban đã nhận trước đó.")
                % {"n": format_number(len(summary.sent)), "s": format_number(len(summary.skipped))},
            )
            return redirect(reverse("documents:coverage", args=[document.pk]) + f"?unit={sender.org_unit.code}")
    q = (data.get("q") or "").strip()
    chosen, matches, found = _pick(sender, today, q, checked)
    context = {
        "document": document,
        "sender": sender,
        "below_count": services.committees_below(sender, today).count(),
        "already": Cascade.objects.filter(document=document).count(),
        "mode": mode,
        "due_on": due_on,
        "q": q,
        "chosen": chosen,
        "matches": matches,
        "more": found > PICK_LIMIT,
    }
    template = "documents/cascade_send.html#picker" if request.htmx else "documents/cascade_send.html"
    return render(request, template, context)


# --- coverage ---------------------------------------------------------------------------------------------------


def _coverage_args(request, pk: int):
    document = _document(request.user, pk)
    code = (request.GET.get("unit") or "").strip()
    if code:
        unit = get_object_or_404(OrgUnit.objects.visible_to(request.user), code=code)
    else:
        unit = cov.coverage_default_unit(request.user, document)
        if unit is None:
            raise Http404
    rows = request.GET.get("rows") if request.GET.get("rows") in cov.ROW_FILTERS else "pending"
    return document, unit, rows


@login_required
def coverage_page(request, pk: int):
    document, unit, rows = _coverage_args(request, pk)
    c = cov.coverage(request.user, document, unit, rows=rows)
    ancestors = [
        a
        for a in OrgUnit.objects.filter(path__in=unit.lineage_paths()[:-1]).order_by("path")
        if can(request.user, Action.VIEW, a.path)
    ]
    page = Paginator(c.rows, 100).get_page(request.GET.get("page"))
    context = {
        "document": document,
        "unit": unit,
        "cov": c,
        "rows": rows,
        "page": page,
        "ancestors": ancestors,
        "may_send": services.sender_for(request.user, document) is not None,
        "query": f"unit={unit.code}&rows={rows}",
    }
    template = "documents/coverage.html#rows" if request.htmx else "documents/coverage.html"
    return render(request, template, context)


@login_required
def coverage_download(request, pk: int):
    document, unit, _rows = _coverage_args(request, pk)
    c = cov.coverage(request.user, document, unit, rows="all")
    response = HttpResponse(cov.coverage_xlsx(c), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="trien-khai-{document.pk}-{unit.code}-{c.as_of:%Y%m%d}.xlsx"'
    )
    return response


# --- the receiving committee ------------------------------------------------------------------------------------


@login_required
def cascade_list(request):
    """ "Văn bản cấp trên gửi": the directives the user's committees received (`all=1`: every committee in their
    units), not yet done first, soonest deadline first."""
    user = request.user
    qs = cov.cascades_received(user)
    show_all = request.GET.get("all") == "1"
    if not show_all and not request.GET.get("committee"):
        own = list(UserRole.objects.filter(user=user).values_list("org_unit_id", flat=True))
        qs = qs.filter(committee__org_unit_id__in=own)
    filterset = CascadeFilter(request.GET or None, queryset=qs)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
    order = Case(
        When(status=Cascade.Status.RECEIVED, then=Value(0)),
        When(status=Cascade.Status.IMPLEMENTING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    qs = qs.order_by(order, "due_on", "-sent_on", "id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for c in page.object_list:
        c.overdue = cov.is_overdue(c, today)
    context = {
        "page": page,
        "filterset": filterset,
        "show_all": show_all,
        "statuses": Cascade.Status.choices,
        "status": request.GET.get("status", ""),
    }
    template = "documents/cascade_list.html#rows" if request.htmx else "documents/cascade_list.html"
    return render(request, template, context)


def _cascade(user, pk: int, action: str = Action.VIEW) -> Cascade:
    return get_object_or_404(cov.cascades_for(user, action), pk=pk)


@login_required
def cascade_detail(request, pk: int):
    cascade = _cascade(request.user, pk)
    cascade.overdue = cov.is_overdue(cascade, timezone.localdate())
    may = services.may_implement(request.user, cascade)
    own_documents = []
    if may and cascade.status != Cascade.Status.DONE:
        own_documents = list(
            Document.objects.filter(committee=cascade.committee, direction=Document.Direction.OUTGOING)
            .exclude(pk=cascade.document_id)
            .order_by("-date", "-id")[:50]
        )
    context = {
        "cascade": cascade,
        "may_implement": may,
        "own_documents": own_documents,
        "types": DocumentType.choices,
        "today": timezone.localdate(),
    }
    return render(request, "documents/cascade_detail.html", context)


@login_required
@require_POST
def cascade_implement(request, pk: int):
    cascade = _cascade(request.user, pk, Action.MEET)
    data = request.POST
    try:
        document, new = None, None
        if data.get("document"):
            document = Document.objects.filter(
                pk=int(data["document"]) if data["document"].isdigit() else 0, committee=cascade.committee
            ).first()
            if document is None:
                raise ServiceError(_("Không có văn bản này trong sổ của Ban (no such document in the register)."))
        else:
            number = data.get("number", "").strip()
            new = services.ImplementingInput(
                type=data.get("type") or DocumentType.KE_HOACH,
                date=_day(data.get("date"), "date"),
                subject=data.get("subject", ""),
                number=int(number) if number.isdigit() else None,
                signer=data.get("signer", ""),
            )
        version = data.get("version")
        services.cascade_implement(
            cascade=cascade,
            document=document,
            new=new,
            actor=request.user,
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except ServiceError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Đã đăng ký văn bản triển khai."))
    return redirect("documents:cascade_detail", pk=cascade.pk)


@login_required
@require_POST
def cascade_done(request, pk: int):
    cascade = _cascade(request.user, pk, Action.MEET)
    version = request.POST.get("version")
    try:
        services.cascade_report_done(
            cascade=cascade,
            actor=request.user,
            done_on=_day(request.POST.get("done_on"), "done_on"),
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except ServiceError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Đã báo cáo hoàn thành."))
    return redirect("documents:cascade_detail", pk=cascade.pk)
