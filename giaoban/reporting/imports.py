"""Imports of figures from a file or a request body (CSV, JSON, flat .xlsx): reading the rows, the row limits,
and large imports as background jobs (ImportJob, run by giaoban.reporting.tasks) with their progress.

Every path ends in services.datavalues_import, all or nothing. Above GIAOBAN_IMPORT_ASYNC_ROWS rows the file
is kept through Django's storage and imported by the task worker (`giaoban db_worker`), so that no request
waits for it; the page and GET /api/v1/imports/{id}/ show the progress.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core import csvfile
from giaoban.core.access import Action, scope_paths
from giaoban.core.errors import ImportRejected, RowErrors, ServiceError, TooLarge
from giaoban.orgs.models import OrgUnit

from . import services
from .models import ImportJob

__all__ = [
    "MAX_JOB_ERRORS",
    "TooManyRows",
    "async_threshold",
    "check_row_count",
    "importjob_create",
    "importjob_run",
    "importjob_status",
    "max_rows",
    "rows_from_csv",
    "rows_from_json",
    "run_or_queue",
]

log = logging.getLogger(__name__)

MAX_JOB_ERRORS = 1000  # errors kept on a rejected job; errors_total counts them all
PROGRESS_EVERY = 5000  # rows between two progress notes


def max_rows() -> int:
    """The most rows one import may have, whatever its format (CSV, JSON, .xlsx)."""
    return getattr(settings, "GIAOBAN_IMPORT_MAX_ROWS", 200_000)


def async_threshold() -> int:
    """From this many rows an import runs as a background job (202 and a job) instead of in the request."""
    return getattr(settings, "GIAOBAN_IMPORT_ASYNC_ROWS", 20_000)


class TooManyRows(TooLarge):
    """More rows than GIAOBAN_IMPORT_MAX_ROWS: 413, code too_large."""


def _too_many(n: int) -> TooManyRows:
    return TooManyRows(
        _("Quá %(m)d dòng (%(n)d dòng); hãy chia tệp (more than %(m)d rows: split the file)")
        % {"m": max_rows(), "n": n},
        {"rows": n, "max_rows": max_rows()},
    )


def rows_from_csv(raw: bytes | str, errors: RowErrors | None = None) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {unit, form, period, indicator, value}) of a CSV body or file. Problems of the file
    itself (not UTF-8, a wrong number of cells, a missing column) go to `errors` beside the row errors that
    services.datavalues_import finds; without `errors` they are raised at once as ImportRejected."""
    own = errors is None
    errors = RowErrors() if own else errors
    rows = csvfile.read_csv(raw, services.IMPORT_COLUMNS, errors)
    if own:
        errors.raise_if_any(_("Tệp CSV không hợp lệ (invalid CSV file)"))
    return rows


def rows_from_json(data: Any) -> list[tuple[int, Any]]:
    if not isinstance(data, list):
        raise ServiceError(_("Cần một danh sách JSON hoặc tệp CSV (a JSON list or a CSV body is required)."))
    return list(enumerate(data, start=1))


def check_row_count(n: int) -> None:
    if n > max_rows():
        raise _too_many(n)


def _rows_of(data: bytes, fmt: str, errors: RowErrors) -> list[tuple[int, Any]]:
    if fmt == ImportJob.Format.CSV:
        return rows_from_csv(data, errors)
    if fmt == ImportJob.Format.JSON:
        try:
            return rows_from_json(json.loads(data))
        except ValueError:
            raise ServiceError(_("JSON không hợp lệ (invalid JSON)")) from None
    from . import xlsx

    _name, _cols, rows = xlsx.read_table(data)
    return rows


# --- Background jobs ---------------------------------------------------------------------------------


def _scope_unit(actor) -> OrgUnit:
    """The root of the actor's scope for entering figures (their common ancestor when they hold several)."""
    paths = scope_paths(actor, Action.ENTER)
    if paths is None:
        root = OrgUnit.objects.filter(depth=1).order_by("path").first()
        if root is not None:
            return root
        raise ServiceError(_("Chưa có đơn vị nào (no units yet)."))
    if not paths:
        raise ServiceError(_("Bạn không được nhập số liệu cho đơn vị nào (you may not enter figures for any unit)."))
    common = paths[0]
    for p in paths[1:]:
        while not p.startswith(common):
            common = common[: -OrgUnit.steplen]
    if not common:
        common = paths[0][: OrgUnit.steplen]
    return OrgUnit.objects.get(path=common)


@transaction.atomic
def importjob_create(*, actor, data: bytes, fmt: str, file_name: str = "", draft: bool = False) -> ImportJob:
    """Keep the file through Django's storage and queue its import; the task runs it after this commits."""
    from . import tasks

    job = ImportJob(
        org_unit=_scope_unit(actor),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        file_format=fmt,
        file_name=(file_name or f"import.{fmt}")[:255],
        draft=draft,
    )
    job.file.save(f"import.{fmt}", ContentFile(data), save=False)
    job.save()
    transaction.on_commit(lambda: _enqueue(tasks, job))
    return job


def _enqueue(tasks, job: ImportJob) -> None:
    result = tasks.run_import.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def _progress_name(job_id: int) -> str:
    return f"imports/progress/{job_id}.json"


def note_progress(job_id: int, phase: str, done: int, total: int) -> None:
    """Record how far import job `job_id` is (phase, rows done of total) for its page to show."""
    # Through storage, not the job row: the import's transaction holds the write lock (SQLite) and its rows
    # are invisible to the page until it commits; a small file is visible at once to every app server.
    name = _progress_name(job_id)
    body = json.dumps({"phase": phase, "done": done, "total": total}).encode()
    try:
        default_storage.delete(name)
        default_storage.save(name, ContentFile(body))
    except OSError:  # progress is a courtesy: never fail an import for it
        log.warning("import job %s: could not note progress", job_id, exc_info=True)


def _read_progress(job_id: int) -> dict[str, Any] | None:
    try:
        with default_storage.open(_progress_name(job_id)) as fh:
            return json.loads(fh.read())
    except (OSError, ValueError):
        return None


def importjob_run(*, job_id: int) -> ImportJob:
    """Run a queued import all or nothing and record the outcome; safe to run twice (a finished or
    running job is left alone)."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    outcome: dict[str, Any] = {}
    try:
        with job.file.open("rb") as fh:
            data = fh.read()
        errors = RowErrors()
        rows = _rows_of(data, job.file_format, errors)
        job.rows_total = len(rows)
        ImportJob.objects.filter(pk=job.pk).update(rows_total=job.rows_total)
        check_row_count(len(rows))

        def progress(phase: str, done: int, total: int) -> None:
            note_progress(job.pk, phase, done, total)

        if job.file_format == ImportJob.Format.XLSX:
            from . import xlsx

            result = xlsx.table_import(data, actor=job.created_by, draft=job.draft, progress=progress)
        else:
            result = services.datavalues_import(
                rows=rows, actor=job.created_by, draft=job.draft, file_errors=errors, progress=progress
            )
        outcome = {
            "state": ImportJob.State.DONE,
            "rows_done": job.rows_total,
            "submissions": result.submissions,
            "values": result.values,
            "message": _("Đã nhập %(v)d số liệu trong %(r)d báo cáo (%(v)d values in %(r)d reports)")
            % {"v": result.values, "r": result.submissions},
        }
    except ImportRejected as exc:
        outcome = {
            "state": ImportJob.State.REJECTED,
            "message": exc.message,
            "errors": exc.errors[:MAX_JOB_ERRORS],
            "errors_total": len(exc.errors),
        }
    except ServiceError as exc:
        outcome = {"state": ImportJob.State.REJECTED, "message": exc.message, "errors": [], "errors_total": 0}
    except Exception:
        log.exception("import job %s failed", job_id)
        outcome = {
            "state": ImportJob.State.FAILED,
            "message": _("Lỗi hệ thống khi nhập; chưa ghi gì (system error during the import; nothing was written)"),
        }
    finally:
        ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **outcome)
        for name in (job.file.name, _progress_name(job.pk)):
            try:
                if name:
                    default_storage.delete(name)
            except OSError:
                log.warning("import job %s: could not delete %s", job_id, name, exc_info=True)
    job.refresh_from_db()
    return job


@dataclass
class JobStatus:
    job: ImportJob
    phase: str
    rows_done: int
    rows_total: int

    @property
    def percent(self) -> int:
        if self.job.state == ImportJob.State.DONE:
            return 100
        if not self.rows_total:
            return 0
        # Checking the rows is the first half of the work, writing them the second.
        half = 0 if self.phase == "checking" else 50
        return min(99, half + self.rows_done * 50 // self.rows_total)


def importjob_status(job: ImportJob) -> JobStatus:
    """The job with its live progress (read from storage while it runs)."""
    if job.state == ImportJob.State.RUNNING:
        note = _read_progress(job.pk) or {}
        return JobStatus(job, note.get("phase", "checking"), int(note.get("done", 0)), job.rows_total)
    phase = {ImportJob.State.QUEUED: "queued", ImportJob.State.DONE: "done"}.get(job.state, "finished")
    return JobStatus(job, phase, job.rows_done, job.rows_total)


def run_or_queue(
    *, actor, data: bytes, fmt: str, rows: list | None, file_name: str = "", draft: bool = False, confirm: bool = True
):
    """Import now (small) or queue a job (from async_threshold() rows on). Returns ImportResult or ImportJob.
    `rows` are the parsed rows when the caller has them (then `data` is only stored for a job). A CSV body is
    not parsed to decide: its line count is enough, so a large file costs the request only its storing.
    `confirm` False: an import done now stops on unusual figures (services.datavalues_import); a queued job
    is not checked for them."""
    errors = RowErrors()
    if rows is None and fmt == ImportJob.Format.CSV:
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1  # quoted line breaks overcount: fine
        if async_threshold() <= lines <= max_rows():
            return importjob_create(actor=actor, data=data, fmt=fmt, file_name=file_name, draft=draft)
    if rows is None:
        rows = _rows_of(data, fmt, errors)
    check_row_count(len(rows))
    if len(rows) >= async_threshold():
        return importjob_create(actor=actor, data=data, fmt=fmt, file_name=file_name, draft=draft)
    return services.datavalues_import(rows=rows, actor=actor, draft=draft, file_errors=errors, confirm=confirm)
