"""Pages of figure imports: upload a table of figures (CSV or flat .xlsx; large files run as a background job)
and a job's page with its progress bar, polled with htmx until the job has finished."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from giaoban.core.access import Action, scope_paths
from giaoban.core.errors import ImportRejected, ServiceError

from .. import imports, xlsx
from ..models import ImportJob

MAX_UPLOAD_MB = 50


def error_rows(errors) -> list[tuple[object, object, str]]:
    """(row or sheet, column or cell, message) of import errors, whichever reader found them."""
    return [
        (e.get("row") or e.get("sheet") or "—", e.get("column") or e.get("cell") or "—", e.get("message", ""))
        for e in errors
    ]


def _may_enter(user) -> bool:
    paths = scope_paths(user, Action.ENTER)
    return paths is None or bool(paths)


@login_required
def import_page(request):
    """Upload a table of figures (columns unit, form, period, indicator, value) as CSV or .xlsx."""
    if not _may_enter(request.user):
        raise Http404
    context = {
        "columns": ", ".join(imports.services.IMPORT_COLUMNS),
        "threshold": imports.async_threshold(),
        "max_rows": imports.max_rows(),
        "max_mb": MAX_UPLOAD_MB,
        "jobs": ImportJob.objects.visible_to(request.user).filter(created_by=request.user)[:10],
    }
    if request.method == "GET":
        return render(request, "reporting/import.html", context)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    draft = request.POST.get("draft") == "1"
    context["draft"] = draft
    try:
        f = request.FILES.get("file")
        if f is None:
            raise ServiceError(_("Chưa chọn tệp (no file chosen)."))
        if f.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise ServiceError(_("Tệp quá lớn, tối đa %d MB (file too large)") % MAX_UPLOAD_MB)
        name = f.name.lower()
        data = f.read()
        if name.endswith(".xlsx"):
            xlsx.check_upload(f.name, f.content_type, f.size)
            fmt = ImportJob.Format.XLSX
            _sheet, _cols, rows = xlsx.read_table(data)
        elif name.endswith((".csv", ".txt")):
            fmt, rows = ImportJob.Format.CSV, None
        else:
            raise ServiceError(_("Chỉ nhận tệp .csv hoặc .xlsx (only .csv or .xlsx files)"))
        if fmt == ImportJob.Format.XLSX and len(rows) < imports.async_threshold():
            result = xlsx.table_import(data, actor=request.user, draft=draft)
        else:
            result = imports.run_or_queue(
                actor=request.user, data=data, fmt=fmt, rows=rows, file_name=f.name, draft=draft
            )
    except ImportRejected as exc:
        context.update(error=exc.message, errors=error_rows(exc.errors[: imports.MAX_JOB_ERRORS]))
        return render(request, "reporting/import.html", context, status=exc.status)
    except ServiceError as exc:
        context.update(error=exc.message, errors=error_rows(exc.extra.get("errors", [])))
        return render(request, "reporting/import.html", context, status=exc.status)
    if isinstance(result, ImportJob):
        return redirect("reporting:import_job", result.pk)
    messages.success(
        request,
        _("Đã nhập %(v)d số liệu trong %(r)d báo cáo (%(v)d values in %(r)d reports)")
        % {"v": result.values, "r": result.submissions},
    )
    return redirect("reporting:import")


@login_required
def import_job(request, pk: int):
    """A background import: state and progress bar; the bar polls this page (htmx) until the job ends."""
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    context = {"status": imports.importjob_status(job), "job": job, "errors": error_rows(job.errors)}
    template = "reporting/import_job.html#progress" if request.htmx else "reporting/import_job.html"
    return render(request, template, context)
