"""/healthz for the load balancer: 200 when the database, migrations, worker and disk are fine, 503 when one is
not, without login and without saying more than ok/fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


def get(client):
    response = client.get("/healthz")
    return response.status_code, response.json()


def test_it_answers_200_without_login_when_everything_is_fine(client):
    status, body = get(client)
    assert status == 200, body
    assert body == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "worker": "ok", "disk": "ok"}}


def test_it_is_not_cached_and_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_a_migration_is_not_applied(client):
    last = MigrationRecorder.Migration.objects.filter(app="reporting").order_by("-name").first()
    last.delete()
    try:
        status, body = get(client)
    finally:  # the table outlives this test (transactional tests flush the apps' tables only)
        MigrationRecorder.Migration.objects.create(app=last.app, name=last.name)
    assert status == 503
    assert body["checks"]["migrations"] == "fail"
    assert body["checks"]["database"] == "ok"


def test_it_enqueues_a_heartbeat_for_the_worker_once_a_minute(client):
    from django_tasks_db.models import DBTaskResult

    get(client)
    get(client)
    assert DBTaskResult.objects.filter(task_path="giaoban.core.tasks.heartbeat").count() == 1


def test_it_answers_503_when_the_worker_has_not_taken_a_task_for_too_long(client, settings):
    from django_tasks_db.models import DBTaskResult

    settings.HEALTHZ_WORKER_MAX_AGE = 300
    assert get(client)[0] == 200  # a fresh heartbeat waits: fine, the worker has 5 minutes to take it
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=6))
    status, body = get(client)
    assert status == 503
    assert body["checks"]["worker"] == "fail"
    # A worker that ran it makes the server healthy again.
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert get(client)[0] == 200


def test_it_answers_503_when_the_disk_is_nearly_full(client, settings):
    settings.HEALTHZ_DISK_MIN_FREE_MB = 1024**3  # an exabyte
    status, body = get(client)
    assert status == 503
    assert body["checks"]["disk"] == "fail"


def test_it_leaks_nothing_but_the_check_names(client, settings):
    settings.HEALTHZ_DISK_MIN_FREE_MB = 1024**3
    content = client.get("/healthz").content.decode()
    db = settings.DATABASES["default"]
    for secret in (str(settings.MEDIA_ROOT), "low disk", str(db.get("HOST") or "127.0.0.1"), str(db["USER"] or "postgres")):
        assert secret not in content
    assert set(client.get("/healthz").json()) == {"status", "checks"}
