"""Fixtures of the sign-in tests: two-factor required as in production (on request), a signing-in client that goes through the
wizard, TOTP codes computed from a device's key, and a real SMTP server on localhost (aiosmtpd)."""

from __future__ import annotations

import re
import socket
import threading
import time
from base64 import b32decode
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django_otp.oath import hotp

PASSWORD = "matkhau-an-toan-123"
LOGIN = "/accounts/login/"
STEP = "login_view-current_step"
SETUP_STEP = "setup_view-current_step"


@pytest.fixture
def two_factor_as_in_production(settings):
    """The default roles that need two-factor sign-in (the suite's conftest turns the requirement off)."""
    settings.TWO_FACTOR_REQUIRED_ROLES = ["system_admin", "unit_admin", "approver"]


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


class Collector:
    def __init__(self) -> None:
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def take(self) -> list:
        with self.lock:
            got, self.messages = self.messages, []
        return got


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://giaoban.example.vn"
    try:
        yield handler
    finally:
        controller.stop()
