"""The system admin's import of units and successions from CSV: the same services, hence the same rules, as
`giaoban orgunits import-units|import-successions`; a check-only run writes nothing. Anyone else: 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from giaoban.core.access import is_system_admin
from giaoban.core.errors import ImportRejected

from .. import services
from ..forms import UnitImportForm
from ..models import OrgUnit, Succession

PREVIEW_ROWS = 200

# What each kind of file holds, its columns and the service that imports it (the CLI calls the same ones).
KINDS = {
    UnitImportForm.UNITS: (services.UNIT_COLUMNS, services.orgunits_import_csv),
    UnitImportForm.SUCCESSIONS: (services.SUCCESSION_COLUMNS, services.successions_import_csv),
}
EXAMPLES = {
    UnitImportForm.UNITS: ["38100", "Xã Mới", "commune", "xa", "38", "2026-01-01", ""],
    UnitImportForm.SUCCESSIONS: ["38001", "38100", "2026-01-01", "merge", "1", "Nghị quyết số .../NQ-UBTVQH15"],
}


def _require_system_admin(request) -> None:
    """Units and successions are the whole country's: only system administrators have this page."""
    if not is_system_admin(request.user):
        raise Http404


def _import(what: str, data: bytes, *, dry_run: bool) -> list:
    """Run the import in one transaction; a check-only run rolls it back after every rule has passed."""
    with transaction.atomic():
        made = KINDS[what][1](data)
        if dry_run:
            transaction.set_rollback(True)
    return made


@login_required
def unit_import(request):
    """Nhập đơn vị / kế thừa từ tệp CSV: check (dry run) or import, every error listed by row and column."""
    _require_system_admin(request)
    form = UnitImportForm(request.POST or None, request.FILES or None)
    errors: list[dict] = []
    preview: list = []
    what = form.data.get("what") if form.is_bound else UnitImportForm.UNITS
    if request.method == "POST" and form.is_valid():
        what, dry_run = form.cleaned_data["what"], form.cleaned_data["dry_run"]
        try:
            made = _import(what, form.cleaned_data["file"].read(), dry_run=dry_run)
        except ImportRejected as exc:
            errors = exc.errors
            form.add_error(None, exc.message)
        else:
            if not dry_run:
                messages.success(request, _("Đã ghi %(n)s dòng.") % {"n": len(made)})
                return redirect("unit_import")
            preview = made[:PREVIEW_ROWS]
            messages.info(
                request,
                _("Tệp hợp lệ: %(n)s dòng sẽ được ghi. Bỏ chọn “Chỉ kiểm tra” và gửi lại tệp để ghi.")
                % {"n": len(made)},
            )
    return render(
        request,
        "orgs/unit_import.html",
        {
            "form": form,
            "errors": errors,
            "preview": preview,
            "what": what if what in KINDS else UnitImportForm.UNITS,
            "unit_columns": services.UNIT_COLUMNS,
            "succession_columns": services.SUCCESSION_COLUMNS,
            "kinds": OrgUnit.Kind.choices,
            "subtypes": OrgUnit.Subtype.choices,
            "succession_kinds": Succession.Kind.choices,
        },
    )


@login_required
def unit_import_template(request, what: str):
    """The header row (and one example row) of a units or successions file, UTF-8 with a BOM for Excel."""
    _require_system_admin(request)
    if what not in KINDS:
        raise Http404
    columns = KINDS[what][0]
    body = "\ufeff" + ",".join(columns) + "\r\n" + ",".join(EXAMPLES[what]) + "\r\n"
    response = HttpResponse(body.encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{what}.csv"'
    return response
