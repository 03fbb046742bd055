"""Excel pages: the entry template download (one unit, or every unit below an officer), the upload page with
its list of wrong cells, and the .xlsx export of a roll-up table."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from giaoban.core.access import Action
from giaoban.core.errors import ServiceError
from giaoban.core.xlsx import Number, table_to_xlsx
from giaoban.orgs.models import OrgUnit

from .. import periods, selectors, xlsx
from ..figures import ESTIMATE_NOTE, figure
from ..forms import RollupForm
from ..models import Indicator, ReportForm


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=xlsx.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _context(user, unit_code: str, form_code: str, period: str, action: str = Action.ENTER):
    unit = get_object_or_404(OrgUnit.objects.visible_to(user, action), code=unit_code)
    form = get_object_or_404(ReportForm, code=form_code)
    try:
        p = periods.parse_period(period)
    except periods.PeriodError:
        raise Http404 from None
    if p.type != form.period_type:
        raise Http404
    return unit, form, p.id


@login_required
def template_download(request, unit_code, form_code, period):
    """The .xlsx entry template; ?below=1 (or a unit that does not report the form itself) gives one sheet
    per unit below that still has to report."""
    unit, form, period = _context(request.user, unit_code, form_code, period)
    try:
        data, name, _units = xlsx.template_workbook(
            request.user, unit, form, period, below=request.GET.get("below") == "1"
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("reporting:my_reports") + f"?unit={unit.code}")
    return xlsx_response(data, name)


def _oversized(request) -> bool:
    # Refuse from the header, before Django reads (and spools) the body.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > xlsx.MAX_BYTES + 64 * 1024


PENDING_DIR = "xlsx-pending"
PENDING_SALT = "giaoban.reporting.xlsx-pending"
#: How long a file whose unusual figures were shown waits for its confirmation (seconds).
PENDING_MAX_AGE = 3600


def pending_keep(data: bytes, user, where: list[str]) -> str:
    """Keep an uploaded file (Django's storage: shared by every app server) until its unusual figures are
    confirmed; the signed token names the file, the user and the page, so nobody else can confirm it."""
    name = default_storage.save(f"{PENDING_DIR}/{secrets.token_hex(16)}.xlsx", ContentFile(data))
    return signing.dumps({"name": name, "user": user.pk, "where": where}, salt=PENDING_SALT)


def pending_take(token: str, user, where: list[str]) -> bytes:
    """The file a confirmation token names, removed from storage (a confirmation is used once)."""
    expired = ServiceError(
        _("Tệp chờ xác nhận không còn; hãy tải tệp lên lại (the file awaiting confirmation is gone: upload it again).")
    )
    try:
        kept = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        raise expired from None
    name = kept.get("name", "")
    if kept.get("user") != user.pk or kept.get("where") != where or not name.startswith(f"{PENDING_DIR}/"):
        raise expired
    try:
        with default_storage.open(name, "rb") as fh:
            data = fh.read()
    except OSError:
        raise expired from None
    default_storage.delete(name)
    return data


@login_required
def upload(request, unit_code, form_code, period):
    """Upload a filled template for this unit (or the units below it), form and period; all or nothing."""
    unit, form, period = _context(request.user, unit_code, form_code, period)
    context = {"unit": unit, "form": form, "period": period, "max_mb": xlsx.MAX_BYTES // (1024 * 1024)}
    if request.method == "GET":
        return render(request, "reporting/xlsx_upload.html", context)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if _oversized(request):
        # Checked from the header: the file itself is never read.
        exc = xlsx.XlsxRejected.one(xlsx.too_large_message(int(request.META["CONTENT_LENGTH"])), 413)
        context.update(error=exc.message, errors=exc.errors)
        return render(request, "reporting/xlsx_upload.html", context, status=413)
    submit = request.POST.get("submit") == "1"
    where = [unit.code, form.code, period]
    token = request.POST.get("token", "")
    data = b""
    try:
        if token:
            # "Xác nhận và nhập": the file kept when its unusual figures were shown, imported as it was.
            data = pending_take(token, request.user, where)
            submit = True
        else:
            f = request.FILES.get("file")
            if f is None:
                raise ServiceError(_("Chưa chọn tệp (no file chosen)."))
            xlsx.check_upload(f.name, f.content_type, f.size)
            data = f.read()
        result = xlsx.workbook_import(
            data, actor=request.user, submit=submit, within=(unit, form, period), confirm=bool(token)
        )
    except xlsx.UnusualUpload as exc:
        context.update(unusual=exc.errors, error=exc.message, token=pending_keep(data, request.user, where))
        return render(request, "reporting/xlsx_upload.html", context, status=exc.status)
    except ServiceError as exc:
        context.update(error=exc.message, errors=exc.extra.get("errors", []), submit=submit)
        return render(request, "reporting/xlsx_upload.html", context, status=exc.status)
    n = len(result.sheets)
    if submit:
        messages.success(request, _("Đã nộp %(n)d báo cáo, %(v)d số liệu từ tệp Excel.") % {"n": n, "v": result.values})
    else:
        messages.success(
            request, _("Đã lưu nháp %(n)d báo cáo, %(v)d số liệu từ tệp Excel.") % {"n": n, "v": result.values}
        )
    if n == 1 and result.sheets[0].unit == unit:
        return redirect("reporting:entry", unit.code, form.code, period)
    if unit.numchild:
        return redirect("reporting:status", unit.code, form.code, period)
    return redirect("reporting:entry", unit.code, form.code, period)


ROLLUP_HEADERS = (
    gettext_lazy("Mã đơn vị"),
    gettext_lazy("Đơn vị"),
    gettext_lazy("Giá trị"),
    gettext_lazy("Đơn vị tính"),
    gettext_lazy("Phải nộp"),
    gettext_lazy("Đã nộp"),
    gettext_lazy("Đúng hạn"),
    gettext_lazy("Muộn"),
    gettext_lazy("Chưa nộp"),
)


def rollup_table(result, indicator: Indicator, period: str, approved: bool, restated: bool):
    """(title, [(sheet, headers, rows)]) of a roll-up by child unit, the whole unit last."""

    def row(r, name=None):
        shown = figure(indicator, r.value, estimated=r.estimated)
        return [
            r.unit.code,
            name or r.unit.name,
            Number(shown.value, shown.number_format),
            indicator.unit_of_measure,
            r.expected,
            r.reported,
            r.on_time,
            r.late,
            r.missing,
        ]

    rows = [row(c) for c in result.children]
    rows.append(row(result, _("Toàn %s") % result.unit.name))
    notes = []
    if approved:
        notes.append(_("chỉ số liệu đã duyệt"))
    if restated:
        notes.append(_("tính cả đơn vị tiền thân"))
        if result.estimated or any(c.estimated for c in result.children):
            notes.append(str(ESTIMATE_NOTE))
    label = periods.period_label_or_id(period, sentence=True)
    title = f"{indicator.name_vi} ({indicator.code}) — {result.unit.name} — {_('kỳ')} {label}"
    if notes:
        title += f" ({', '.join(notes)})"
    return title, [(_("Tổng hợp"), [str(h) for h in ROLLUP_HEADERS], rows)]


def rollup_xlsx_bytes(user, params) -> tuple[bytes, str]:
    """The roll-up named by query parameters (indicator, unit, period, approved, restated) as .xlsx."""
    indicator = get_object_or_404(
        Indicator.objects.exclude(value_type=Indicator.ValueType.TEXT), code=params.get("indicator", "")
    )
    unit = get_object_or_404(OrgUnit.objects.visible_to(user), code=(params.get("unit") or "").strip())
    flag = {"1", "on", "true", "yes"}
    approved, restated = params.get("approved", "").lower() in flag, params.get("restated", "").lower() in flag
    result = selectors.rollup(
        user, indicator, unit, params.get("period", ""), by_child=True, approved_only=approved, restated=restated
    )
    period = periods.parse_period(params["period"]).id
    title, sheets = rollup_table(result, indicator, period, approved, restated)
    return table_to_xlsx(sheets, title=title), f"tong_hop_{indicator.code}_{unit.code}_{period}.xlsx"


@login_required
def rollup_download(request):
    """The roll-up page's table (unit x children for one indicator and window) as .xlsx."""
    form = RollupForm(request.GET, indicators=list(Indicator.objects.exclude(value_type=Indicator.ValueType.TEXT)))
    if not form.is_valid():
        raise Http404
    try:
        data, name = rollup_xlsx_bytes(request.user, request.GET)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("reporting:rollup") + "?" + request.GET.urlencode())
    return xlsx_response(data, name)
