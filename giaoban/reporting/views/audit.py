"""The audit page: who changed what and when — figures, report transitions, committee memberships, users and
roles, indicators and forms, consolidated reports — filtered, paged, exportable as .xlsx or CSV."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.access import Action, scope_paths
from giaoban.core.xlsx import table_to_xlsx
from giaoban.orgs.models import OrgUnit

from .. import selectors
from ..forms import AuditFilterForm
from ..selectors.audit import AUDIT_KINDS, audit_events

PER_PAGE = 50
EXPORT_MAX = 5000  # rows of one export: the newest ones when the filters match more


@login_required
def audit(request):
    """Lịch sử thay đổi: the changes in the units the user audits (users and roles: the units they
    administer); a system admin sees everything, others an empty list. ?unit= (with the units below), actor,
    kind, from, to, submission; ?export=xlsx|csv downloads the filtered rows."""
    form = AuditFilterForm(request.GET, kinds=AUDIT_KINDS)
    unit = None
    if form.is_valid() and form.cleaned_data["unit"]:
        unit = OrgUnit.objects.filter(code=form.cleaned_data["unit"].strip()).first()
        if unit is None:
            form.add_error("unit", _("Không có đơn vị mã %(c)s.") % {"c": form.cleaned_data["unit"]})
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    filters = {
        "unit": unit,
        "actor": (data.get("actor") or "").strip(),
        "kind": data.get("kind") or "",
        "start": data.get("start"),
        "end": data.get("end"),
        "submission_id": data.get("submission"),
    }
    export = request.GET.get("export")
    if valid and export in ("xlsx", "csv"):
        return _export(audit_events(request.user, limit=EXPORT_MAX, **filters).events, export)
    page = audit_events(request.user, cursor=data.get("cursor"), limit=PER_PAGE, **filters) if valid else None
    # One report asked for: its narrative's changes too (texts, so not in the figures' log).
    report = None
    if data.get("submission"):
        report = (
            selectors.submissions_for(request.user, Action.AUDIT)
            .select_related("form_version")
            .filter(pk=data["submission"])
            .first()
        )
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("export", None)
    return render(
        request,
        "reporting/audit.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "is_first": not data.get("cursor"),
            "can_audit": can_audit_somewhere(request.user),
            "report": report,
            "narrative_changes": selectors.narrative_changes(report) if report else [],
        },
    )


def can_audit_somewhere(user) -> bool:
    paths = scope_paths(user, Action.AUDIT)
    return paths is None or bool(paths)


def _export(events, fmt: str) -> HttpResponse:
    headers = [
        _("Lúc"),
        _("Người sửa"),
        _("Loại"),
        _("Thao tác"),
        _("Đối tượng"),
        _("Mã đơn vị"),
        _("Đơn vị"),
        _("Thay đổi"),
    ]
    rows = [
        [
            timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"),
            (f"{e.actor.last_name} {e.actor.first_name}".strip() or e.actor.username) if e.actor else "",
            e.kind_label,
            e.action,
            e.label,
            e.unit.code if e.unit else "",
            e.unit.name if e.unit else "",
            "; ".join(f"{name}: {old} → {new}" for name, old, new in e.changes),
        ]
        for e in events
    ]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        body = table_to_xlsx([(_("Lịch sử thay đổi"), headers, rows)])
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
        body = ("\ufeff" + out.getvalue()).encode()
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response
