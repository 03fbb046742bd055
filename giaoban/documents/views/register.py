"""Register pages: "Văn bản" (search over every document the user can see), a committee's outgoing register and
its incoming register (Decree 30/2020 Phụ lục IV; cards on a phone, a table from md up), each also as .xlsx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from giaoban.core.xlsx import table_to_xlsx
from giaoban.orgs.models import Committee

from .. import selectors
from ..filters import DocumentFilter, IncomingEntryFilter
from ..models import DocumentType
from ..services.register import may_register
from .common import visible_committee

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
EXPORT_LIMIT = 20000


def _filtered(request, filterset_class, queryset):
    filtered = filterset_class(request.GET, queryset=queryset)
    if not filtered.is_valid():
        messages.error(request, _("Bộ lọc không hợp lệ (invalid filter)."))
        return queryset.none()
    return filtered.qs


def _query(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


@login_required
def document_list(request):
    """Every document the user can see, searched without diacritics; links to their committees' registers."""
    rows = _filtered(request, DocumentFilter, selectors.documents_for(request.user).order_by("-date", "-id"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "documents": page.object_list,
        "committees": list(Committee.objects.visible_to(request.user).select_related("org_unit")[:300]),
        "types": DocumentType.choices,
        "params": request.GET,
        "query": _query(request),
    }
    template = "documents/document_list.html#rows" if request.htmx else "documents/document_list.html"
    return render(request, template, context)


def _years(queryset) -> list[int]:
    return sorted(set(queryset.order_by().values_list("year", flat=True).distinct()), reverse=True)


@login_required
def outgoing_register(request, committee_pk: int):
    committee = visible_committee(request.user, committee_pk)
    base = selectors.outgoing_register(request.user, committee)
    rows = _filtered(request, DocumentFilter, base)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "committee": committee,
        "page": page,
        "documents": page.object_list,
        "years": _years(base),
        "types": DocumentType.choices,
        "params": request.GET,
        "query": _query(request),
        "may_register": may_register(request.user, committee),
    }
    template = "documents/outgoing_register.html#rows" if request.htmx else "documents/outgoing_register.html"
    return render(request, template, context)


@login_required
def incoming_register(request, committee_pk: int):
    committee = visible_committee(request.user, committee_pk)
    base = selectors.incoming_register(request.user, committee)
    rows = _filtered(request, IncomingEntryFilter, base)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "committee": committee,
        "page": page,
        "entries": page.object_list,
        "years": _years(base),
        "types": DocumentType.choices,
        "params": request.GET,
        "query": _query(request),
        "may_register": may_register(request.user, committee),
    }
    template = "documents/incoming_register.html#rows" if request.htmx else "documents/incoming_register.html"
    return render(request, template, context)


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _day(d) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


@login_required
def outgoing_register_xlsx(request, committee_pk: int):
    """The outgoing register as .xlsx (sổ đăng ký văn bản đi), with the page's filters."""
    committee = visible_committee(request.user, committee_pk)
    rows = _filtered(request, DocumentFilter, selectors.outgoing_register(request.user, committee))[:EXPORT_LIMIT]
    headers = [_("Số, ký hiệu văn bản"), _("Ngày tháng văn bản"), _("Tên loại và trích yếu nội dung"), _("Người ký")]
    table = [[d.number_symbol, _day(d.date), f"{d.get_type_display()}: {d.subject}", d.signer] for d in rows]
    title = _("Sổ đăng ký văn bản đi — %(c)s") % {"c": committee.name}
    return _xlsx(table_to_xlsx([(_("Văn bản đi"), headers, table)], title=title), f"so-van-ban-di-{committee.pk}.xlsx")


@login_required
def incoming_register_xlsx(request, committee_pk: int):
    """The incoming register as .xlsx, in the columns of Decree 30/2020 Phụ lục IV, with the page's filters."""
    committee = visible_committee(request.user, committee_pk)
    entries = _filtered(request, IncomingEntryFilter, selectors.incoming_register(request.user, committee))
    headers = [
        _("Ngày đến"),
        _("Số đến"),
        _("Tác giả"),
        _("Số, ký hiệu"),
        _("Ngày tháng"),
        _("Tên loại và trích yếu nội dung"),
        _("Đơn vị hoặc người nhận"),
        _("Ngày chuyển"),
        _("Ghi chú"),
        _("Hạn giải quyết"),
        _("Tiến độ giải quyết"),
    ]
    table = [
        [
            _day(e.received_on),
            e.serial,
            e.document.issuer,
            e.document.number_symbol,
            _day(e.document.date),
            f"{e.document.get_type_display()}: {e.document.subject}",
            e.recipient,
            _day(e.passed_on),
            e.notes,
            _day(e.deadline),
            e.progress,
        ]
        for e in entries[:EXPORT_LIMIT]
    ]
    title = _("Sổ đăng ký văn bản đến — %(c)s") % {"c": committee.name}
    return _xlsx(
        table_to_xlsx([(_("Văn bản đến"), headers, table)], title=title), f"so-van-ban-den-{committee.pk}.xlsx"
    )
