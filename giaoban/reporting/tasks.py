"""Background jobs of reporting, run by `giaoban db_worker`: thin wrappers that call a service with primary keys."""

from __future__ import annotations

from django_tasks import task

from . import imports


@task()
def run_import(job_id: int) -> str:
    """Run a queued import of figures (imports.importjob_run); returns the job's final state."""
    return imports.importjob_run(job_id=job_id).state
