"""Helpers of the sign-in tests: signing in through the wizard, walking the setup, TOTP codes from a key, running
the queued e-mail jobs."""

from __future__ import annotations

import re
import time
from base64 import b32decode

from django.core.management import call_command
from django_otp.oath import hotp

PASSWORD = "matkhau-an-toan-123"
LOGIN = "/accounts/login/"
STEP = "login_view-current_step"
SETUP_STEP = "setup_view-current_step"


def code_for(key_hex: str, at: float | None = None) -> str:
    """The 6-digit TOTP code of a hex key (as django-otp stores it) at a time (now by default)."""
    counter = int((time.time() if at is None else at) // 30)
    return f"{hotp(bytes.fromhex(key_hex), counter, digits=6):06d}"


def key_from_secret(secret_b32: str) -> str:
    """The hex key behind the base32 secret the setup page shows."""
    secret = secret_b32.replace(" ", "")
    return b32decode(secret + "=" * (-len(secret) % 8)).hex()


def sign_in(client, username: str, password: str = PASSWORD, code: str | None = None):
    """Sign in through the wizard: the password step, then (when asked) the authenticator code. The last answer."""
    response = client.post(LOGIN, {STEP: "auth", "username": username, "password": password})
    if code is not None:
        assert response.status_code == 200, "no code step"
        response = client.post(LOGIN, {STEP: "token", "token-otp_token": code})
    return response


def set_up_totp(client) -> str:
    """Walk the setup wizard as a signed-in user; the device's hex key."""
    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 200
    page = client.post("/accounts/two-factor/setup/", {SETUP_STEP: "welcome"})
    secret = re.search(r'data-key="([A-Z2-7]+)"', page.content.decode()).group(1)
    key = key_from_secret(secret)
    done = client.post("/accounts/two-factor/setup/", {SETUP_STEP: "generator", "generator-token": code_for(key)})
    assert done.status_code == 302, done.content.decode()[:2000]
    return key


def run_queued_tasks() -> None:
    """What the task worker does (`giaoban db_worker`): run every queued job, then stop. Inside a test's
    transaction (tests without transaction=True) the worker, which closes the database connection on
    PostgreSQL, cannot run: the queued jobs' functions are called here instead, as the worker would."""
    from django.db import connection

    if not connection.in_atomic_block:
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-reload", verbosity=0)
        return
    from django_tasks_db.models import DBTaskResult

    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        result.delete()


def queued(task_name: str) -> list:
    """The args of the jobs of that task waiting for the worker (database backend)."""
    from django_tasks_db.models import DBTaskResult

    return [r.args_kwargs["args"] for r in DBTaskResult.objects.ready() if r.task_path.endswith(task_name)]
