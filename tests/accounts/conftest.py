"""Fixtures of the sign-in tests: two-factor required as in production (on request) and a real SMTP server on
localhost (aiosmtpd)."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

DEFAULT_REQUIRED_ROLES = ["system_admin", "unit_admin", "approver"]


@pytest.fixture
def two_factor_as_in_production(settings):
    """The default roles that need two-factor sign-in (the suite's conftest turns the requirement off)."""
    settings.TWO_FACTOR_REQUIRED_ROLES = DEFAULT_REQUIRED_ROLES


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
