"""/healthz for a load balancer (django-health-check): the database answers, every migration is applied, the task
worker takes tasks, the disk has room. 200 when all hold, 503 when one fails; the answer names the checks and
says ok or fail, never why (details go to the log: no host, path or error text leaks)."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import HealthCheckException, ServiceUnavailable

__all__ = ["Disk", "Migrations", "Worker", "healthz"]

logger = logging.getLogger(__name__)

# The worker check enqueues a heartbeat task at most this often (the worker runs it within seconds).
HEARTBEAT_EVERY = timedelta(seconds=60)


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration this code knows is applied (a server started before `migrate` finished is not ready)."""

    def run(self) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise ServiceUnavailable("unapplied migrations")


@dataclasses.dataclass
class Worker(HealthCheck):
    """The task worker takes tasks.

    Database backend (`giaoban db_worker`): the check enqueues a no-op `core.tasks.heartbeat` at most once a
    minute, and fails when the oldest task ready to run has waited longer than HEALTHZ_WORKER_MAX_AGE seconds
    (a stopped worker leaves the heartbeat, and everything else, waiting). Redis backend (`giaoban rqworker`):
    RQ workers write their own heartbeat into Redis; the check fails when no worker's is that recent."""

    def run(self) -> None:
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        max_age = timedelta(seconds=settings.HEALTHZ_WORKER_MAX_AGE)
        name = type(backend).__module__
        if name.startswith("django_tasks_db"):
            self.check_db_worker(max_age)
        elif name.startswith("django_tasks_rq"):
            self.check_rq_worker(backend, max_age)
        # Other backends (immediate, dummy) have no worker.

    @staticmethod
    def check_db_worker(max_age: timedelta) -> None:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult, get_date_max

        from giaoban.core.tasks import heartbeat

        now = timezone.now()
        waiting = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", "run_after")[:50]
        never = get_date_max()
        oldest = min((max(enq, run) if run != never else enq for enq, run in waiting), default=None)
        if oldest is not None and now - oldest > max_age:
            raise ServiceUnavailable("the task worker has not taken a task")
        recent = DBTaskResult.objects.filter(
            task_path=heartbeat.module_path, enqueued_at__gte=now - HEARTBEAT_EVERY
        ).exclude(status=TaskResultStatus.FAILED)
        if not recent.exists():
            heartbeat.enqueue()

    @staticmethod
    def check_rq_worker(backend, max_age: timedelta) -> None:
        import django_rq
        from rq import Worker as RQWorker

        now = datetime.now(UTC)
        for queue in backend.queues:
            beats = [w.last_heartbeat for w in RQWorker.all(connection=django_rq.get_connection(queue))]
            beats = [b if b.tzinfo else b.replace(tzinfo=UTC) for b in beats if b]
            if not any(now - b <= max_age for b in beats):
                raise ServiceUnavailable("no task worker has a recent heartbeat")


@dataclasses.dataclass
class Disk(HealthCheck):
    """The disks holding the stored files and (SQLite) the database have HEALTHZ_DISK_MIN_FREE_MB free."""

    def run(self) -> None:
        paths = [Path(settings.MEDIA_ROOT)]
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3") and db["NAME"] and ":memory:" not in str(db["NAME"]):
            paths.append(Path(db["NAME"]))
        for path in paths:
            while not path.exists() and path != path.parent:  # the media folder is made on first upload
                path = path.parent
            if shutil.disk_usage(path).free < settings.HEALTHZ_DISK_MIN_FREE_MB * 1024 * 1024:
                raise ServiceUnavailable("low disk space")


CHECKS = {"database": Database, "migrations": Migrations, "worker": Worker, "disk": Disk}


@never_cache
def healthz(request):
    """The checks run one after the other in the request's thread (a plain WSGI view: no event loop, and the
    request's own database connection)."""
    states = {}
    for name, cls in CHECKS.items():
        check = cls()
        try:
            check.run()
        except HealthCheckException:
            logger.warning("health check %s failed", name, exc_info=True)
            states[name] = "fail"
        except Exception:
            logger.exception("health check %s failed unexpectedly", name)
            states[name] = "fail"
        else:
            states[name] = "ok"
    failed = "fail" in states.values()
    return JsonResponse({"status": "fail" if failed else "ok", "checks": states}, status=503 if failed else 200)
