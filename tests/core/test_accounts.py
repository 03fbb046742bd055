"""Accounts: a login lockout nobody can turn against others behind a proxy, and API tokens that expire and
that a password change or a lockout revokes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from giaoban.accounts.models import ApiToken
from giaoban.accounts.services import api_token_create, key_digest

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
PASSWORD = "mat-khau-dai-123"
PROXY = "10.0.0.5"


@pytest.fixture
def victim(tree, make_user):
    return make_user("viewer", tree.p1, username="nan-nhan", password=PASSWORD)


def _fail_login_until_locked(client, settings, **headers):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "nan-nhan", "password": "sai"}, **headers)


# --- The client's address behind a proxy ----------------------------------------------------------------------


def test_it_locks_out_only_the_attackers_address_behind_a_trusted_proxy(client, settings, victim):
    settings.TRUSTED_PROXIES = [PROXY]
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    _fail_login_until_locked(client, settings, **attacker)
    locked = client.post(LOGIN, {"username": "nan-nhan", "password": PASSWORD}, **attacker)
    assert locked.status_code == 429
    # The real user, through the same proxy from their own address, still logs in.
    ok = client.post(
        LOGIN, {"username": "nan-nhan", "password": PASSWORD}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert ok.status_code == 302


def test_it_believes_only_the_hop_the_trusted_proxy_appended(client, settings, victim):
    settings.TRUSTED_PROXIES = [PROXY]
    # The attacker writes a fake address at the left; the proxy appends the real one at the right.
    for fake in ("198.51.100.7", "198.51.100.8", "198.51.100.9", "1.1.1.1", "8.8.8.8"):
        client.post(
            LOGIN,
            {"username": "nan-nhan", "password": "sai"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"{fake}, 203.0.113.66",
        )
    still_locked = client.post(
        LOGIN, {"username": "nan-nhan", "password": PASSWORD}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66"
    )
    assert still_locked.status_code == 429
    ok = client.post(
        LOGIN, {"username": "nan-nhan", "password": PASSWORD}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert ok.status_code == 302


def test_it_ignores_the_forwarded_header_without_a_configured_proxy(client, settings, victim):
    settings.TRUSTED_PROXIES = []
    # Changing X-Forwarded-For at every try does not escape the lockout of the address the request came from.
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN, {"username": "nan-nhan", "password": "sai"}, REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}"
        )
    locked = client.post(
        LOGIN,
        {"username": "nan-nhan", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.66",
        HTTP_X_FORWARDED_FOR="10.9.9.99",
    )
    assert locked.status_code == 429
    assert client.post(LOGIN, {"username": "nan-nhan", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_it_ignores_the_header_from_an_untrusted_sender(client, settings, victim):
    settings.TRUSTED_PROXIES = [PROXY]
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN, {"username": "nan-nhan", "password": "sai"}, REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}"
        )
    assert client.post(LOGIN, {"username": "nan-nhan", "password": PASSWORD}, REMOTE_ADDR="203.0.113.66").status_code == 429


# --- API tokens -----------------------------------------------------------------------------------------------------


def _token(client=None, **headers) -> str:
    client = client or APIClient()
    r = client.post(TOKEN, {"username": "nan-nhan", "password": PASSWORD}, format="json", **headers)
    assert r.status_code == 200, r.content
    return r.json()["token"]


def _get(key: str, **headers):
    return APIClient().get("/api/v1/orgunits/38/", HTTP_AUTHORIZATION=f"Token {key}", **headers)


def test_it_refuses_an_expired_token_with_a_clear_401(settings, victim):
    settings.API_TOKEN_TTL_DAYS = 30
    key = _token()
    assert _get(key).status_code == 200
    ApiToken.objects.filter(digest=key_digest(key)).update(created=timezone.now() - timedelta(days=31))
    r = _get(key)
    assert r.status_code == 401
    assert set(r.json()) == {"message", "code", "extra"} and "the API token has expired" in r.json()["message"]
    # Asking again gives a new token that works.
    fresh = _token()
    assert fresh != key and _get(fresh).status_code == 200


def test_it_reads_the_lifetime_from_the_settings(settings, victim):
    settings.API_TOKEN_TTL_DAYS = 1
    key = _token()
    ApiToken.objects.filter(digest=key_digest(key)).update(created=timezone.now() - timedelta(hours=25))
    assert _get(key).status_code == 401


def test_it_revokes_tokens_when_the_password_changes(victim):
    key = _token()
    victim = get_user_model().objects.get(pk=victim.pk)
    victim.set_password("mat-khau-moi-456")
    victim.save()
    assert _get(key).status_code == 401
    assert not ApiToken.objects.filter(user=victim).exists()


def test_it_keeps_tokens_when_the_user_changes_something_else(victim):
    key = _token()
    victim.first_name = "Nam"
    victim.save()
    assert _get(key).status_code == 200


def test_it_revokes_tokens_on_lockout_and_refuses_them_while_locked_out(client, settings, victim):
    key = _token(REMOTE_ADDR="203.0.113.66")
    _fail_login_until_locked(client, settings, REMOTE_ADDR="203.0.113.66")
    assert not ApiToken.objects.filter(digest=key_digest(key)).exists()
    assert _get(key, REMOTE_ADDR="203.0.113.66").status_code == 401
    # A token made anyhow (e.g. by an admin) does not work from the locked-out address while it lasts.
    other = api_token_create(name="admin", actor=victim)[1]
    r = _get(other, REMOTE_ADDR="203.0.113.66")
    assert r.status_code == 401 and "locked out" in r.json()["message"]
