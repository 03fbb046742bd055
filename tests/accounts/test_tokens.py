"""API tokens: named, several per user, listed (made, expires, last used; never the key after it was made) and
revoked by their owner only, on the account page and in the API; tokens made by DRF's authtoken keep working."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from giaoban.accounts.models import ApiToken
from giaoban.accounts.services import api_token_create, key_digest
from giaoban.core.access import Role
from tests.access import Endpoint, check

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(tree, make_user):
    return make_user(Role.SECRETARY, tree.c1, username="thuky")


def auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_it_makes_a_named_token_shows_its_key_once_and_lists_it_without_the_key(client, owner):
    client.force_login(owner)
    made = client.post("/accounts/tokens/", {"name": "Bảng tính tổng hợp"})
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    page = made.content.decode()
    token = ApiToken.objects.get(user=owner)
    key = page.split('id="new-token-key">')[1].split("<")[0]
    assert key_digest(key) == token.digest and token.prefix == key[:8]
    assert APIClient().get("/api/v1/tokens/", **auth(key)).status_code == 200

    again = client.get("/accounts/tokens/").content.decode()
    assert "Bảng tính tổng hợp" in again and f"{key[:8]}…" in again and key not in again
    assert "chưa dùng" not in again  # it was used just above
    assert ApiToken.objects.get(pk=token.pk).last_used is not None


def test_a_token_is_not_stored_as_its_key(owner):
    _token, key = api_token_create(name="x", actor=owner)
    assert not ApiToken.objects.filter(digest=key).exists()
    assert key not in str(list(ApiToken.objects.values_list()))


def test_the_owner_revokes_one_token_and_the_others_keep_working(client, owner):
    first, key1 = api_token_create(name="một", actor=owner)
    _second, key2 = api_token_create(name="hai", actor=owner)
    client.force_login(owner)
    response = client.post(f"/accounts/tokens/{first.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/accounts/tokens/"
    assert APIClient().get("/api/v1/tokens/", **auth(key1)).status_code == 401
    assert APIClient().get("/api/v1/tokens/", **auth(key2)).status_code == 200


def test_the_api_lists_and_revokes_the_callers_tokens(owner):
    token, key = api_token_create(name="cron", actor=owner)
    api = APIClient()
    listed = api.get("/api/v1/tokens/", **auth(key)).json()["results"]
    assert listed == [
        {
            "id": token.pk,
            "name": "cron",
            "prefix": key[:8],
            "created": listed[0]["created"],
            "expires": listed[0]["expires"],
            "expired": False,
            "last_used": listed[0]["last_used"],
        }
    ]
    assert "token" not in listed[0] and key not in str(listed)
    assert api.get(f"/api/v1/tokens/{token.pk}/", **auth(key)).json()["name"] == "cron"
    assert api.delete(f"/api/v1/tokens/{token.pk}/", **auth(key)).status_code == 204
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert api.get("/api/v1/tokens/", **auth(key)).status_code == 401


@pytest.mark.parametrize("role", Role.values)
def test_nobody_sees_or_revokes_anothers_token_not_even_a_system_admin(client, tree, make_user, role, owner):
    theirs, _ = api_token_create(name="của người khác", actor=owner)
    user = make_user(role, tree.vn if role == Role.SYSTEM_ADMIN else tree.p1)
    _mine, key = api_token_create(name="của tôi", actor=user)
    api = APIClient()
    for method in (api.get, api.delete):
        r = method(f"/api/v1/tokens/{theirs.pk}/", **auth(key))
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert "của người khác" not in api.get("/api/v1/tokens/", **auth(key)).content.decode()
    client.force_login(user)
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert "của người khác" not in client.get("/accounts/tokens/").content.decode()
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


class World:
    """An "in" token is the user's own; an "out" one belongs to someone else (tests/access.py, owner_only)."""

    def __init__(self, user, other):
        self.token = {"in": api_token_create(name="tôi-token", actor=user)[0], "out": api_token_create(name="khác-token", actor=other)[0]}


ENDPOINTS = [
    Endpoint("tokens-page", lambda w, s: "/accounts/tokens/", marker=lambda w, s: w.token[s].name, owner_only=True),
    Endpoint("api-tokens", lambda w, s: "/api/v1/tokens/", marker=lambda w, s: w.token[s].name, api=True, owner_only=True),
    Endpoint("api-token", lambda w, s: f"/api/v1/tokens/{w.token[s].pk}/", api=True, owner_only=True),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("scope", ["in", "out"])
def test_the_token_pages_join_the_access_matrix(client, tree, make_user, owner, endpoint, role, scope):
    user = make_user(role, tree.vn if role == Role.SYSTEM_ADMIN else tree.p1)
    check(client, World(user, owner), endpoint, role, scope, user)


def test_the_token_list_answers_in_the_same_number_of_queries_whatever_its_length(owner, django_assert_num_queries):
    _t, key = api_token_create(name="chính", actor=owner)
    api = APIClient()
    api.get("/api/v1/tokens/", **auth(key))  # last_used written once
    counts = []
    for n in (2, 30):
        for i in range(n):
            api_token_create(name=f"t{n}-{i}", actor=owner)
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/tokens/?page_size=100", **auth(key)).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1] <= 6, counts


def test_an_expired_token_is_listed_as_expired_and_cleared_when_a_new_one_is_made(client, settings, owner):
    old, _ = api_token_create(name="cũ", actor=owner)
    ApiToken.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=settings.API_TOKEN_TTL_DAYS + 1))
    client.force_login(owner)
    page = client.get("/accounts/tokens/").content.decode()
    assert "cũ" in page and "đã hết hạn" in page
    api_token_create(name="mới", actor=owner)
    assert list(ApiToken.objects.filter(user=owner).values_list("name", flat=True)) == ["mới"]


def test_a_token_made_by_drf_authtoken_before_keeps_working_after_the_migration(owner):
    """Migration accounts.0002 reads the old table (when there is one), keeps each key as its digest, empties it."""
    from importlib import import_module

    from django.apps import apps

    move = import_module("giaoban.accounts.migrations.0002_move_drf_tokens").move
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp with time zone, user_id integer)" if connection.vendor == "postgresql" else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created datetime, user_id integer)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, timezone.now() - timedelta(days=2), owner.pk])
    try:
        move(apps, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")
    token = ApiToken.objects.get(user=owner)
    assert token.name == "API" and token.prefix == key[:8]
    assert APIClient().get("/api/v1/tokens/", **auth(key)).status_code == 200
