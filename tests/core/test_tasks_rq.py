"""Several app servers: with TASKS_BACKEND=rq a task enqueued by one process runs in a real rq worker (Redis on
127.0.0.1:6379, database 4), and nothing is kept in process memory (sessions in the database, a shared cache)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError:
        return False
    return True


def giaoban(args: list[str], env: dict[str, str], code: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "giaoban", *args]
    return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)  # noqa: S603


@pytest.mark.skipif(not redis_up() and os.environ.get("CI") != "true", reason="no Redis on 127.0.0.1:6379")
def test_it_runs_a_task_enqueued_by_one_process_in_an_rq_worker(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env |= {
        "TASKS_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GIAOBAN_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "giaoban.settings",
        "PYTHONPATH": str(ROOT),
    }
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    setup = "import django; django.setup(); "
    enqueued = giaoban([], env, setup + "from tests.core.rq_tasks import add; r = add.enqueue(2, 3); print(r.id, r.status)")
    assert enqueued.returncode == 0, enqueued.stderr
    result_id, status = enqueued.stdout.split()
    assert status == "READY"

    worker = giaoban(["rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default"], env)
    assert worker.returncode == 0, worker.stderr

    done = giaoban(
        [], env, setup + f"from tests.core.rq_tasks import add; r = add.get_result({result_id!r}); print(r.status, r.return_value)"
    )
    assert done.stdout.split() == ["SUCCESSFUL", "5"], done.stdout + done.stderr


def test_it_keeps_nothing_in_process_memory(settings):
    # Sessions live in the database; the cache is shared (Redis) or none at all, never per process.
    from django.conf import settings as live

    assert live.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert live.CACHES["default"]["BACKEND"] in {
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.redis.RedisCache",
    }
    assert "locmem" not in live.CACHES["default"]["BACKEND"].lower()
    assert "memory" not in live.TASKS["default"]["BACKEND"].lower()


def test_it_shares_the_cache_and_the_task_backend_between_servers_from_the_environment(tmp_path):
    env = dict(os.environ) | {
        "CACHE_URL": "redis://10.0.0.5:6379/1",
        "TASKS_BACKEND": "rq",
        "REDIS_URL": "redis://10.0.0.5:6379/0",
        "GIAOBAN_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "giaoban.settings",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], s.TASKS['default']['BACKEND'], "
        "s.RQ_QUEUES['default']['URL'])"
    )
    out = giaoban([], env, code)
    assert out.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://10.0.0.5:6379/1",
        "django_tasks_rq.RQBackend",
        "redis://10.0.0.5:6379/0",
    ], out.stderr


@pytest.mark.skipif(not redis_up() and os.environ.get("CI") != "true", reason="no Redis on 127.0.0.1:6379")
def test_it_reports_the_rq_workers_heartbeat_in_healthz(tmp_path):
    import time

    import redis

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env |= {
        "TASKS_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GIAOBAN_VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "giaoban.settings",
        "PYTHONPATH": str(ROOT),
    }
    redis.Redis.from_url(REDIS_URL).flushdb()
    assert giaoban(["migrate", "--noinput", "-v", "0"], env).returncode == 0
    probe = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client(HTTP_HOST='127.0.0.1').get('/healthz'); print(r.status_code, r.json()['checks']['worker'])"
    )
    assert giaoban([], env, probe).stdout.split() == ["503", "fail"]  # no worker
    worker = subprocess.Popen(
        [sys.executable, "-m", "giaoban", "rqworker", "--job-class", "django_tasks_rq.Job", "default"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            out = giaoban([], env, probe).stdout.split()
            if out == ["200", "ok"]:
                break
            time.sleep(1)
        assert out == ["200", "ok"]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
