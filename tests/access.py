"""One helper that turns a table of endpoints into the roles x (in scope, out of scope) access matrix.

Every user holds one role at province 38; the "in" object lies under it, the "out" object under
province 01. Out of scope must look exactly like a missing object: 404 for a detail, absent from a list.
A system administrator's scope is the whole country, so nothing is out of scope for them, except objects
that belong to one user (owner_only): there "in" is the user's own and "out" anyone else's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from giaoban.core.access import ROLE_ACTIONS, Role


def api_token_key(user, name: str = "test") -> str:
    """A working API key of `user` (Authorization: Token <key>)."""
    from giaoban.accounts.services import api_token_create

    return api_token_create(name=name, actor=user)[1]


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: Callable[[Any, str], str]  # (world, "in"|"out") -> url
    marker: Callable[[Any, str], str] | None = None  # text that shows the object in a list; None: a detail page
    api: bool = False
    action: str = "view"  # what the endpoint lets one do; roles without it get 404 even in scope
    gated: bool = False  # a list page that is 404 as a whole for roles without `action`
    post: Callable[[Any, str], dict] | None = None  # POST this body instead of a GET; in scope: anything but a 404
    # Per-user objects (API tokens): "in" is the user's own, "out" someone else's, and every role, a system
    # admin's too, sees its own only.
    owner_only: bool = False
    # A page of system administrators only (units, the country's tree): 404 as a whole for every other role.
    system_only: bool = False


# One test checks both sides: the world and the user are built once for the pair, which halves the
# matrix's cost (it is a third of the suite) without losing a case: each assertion names its side.
BOTH = "in+out"


def matrix(endpoints: list[Endpoint]):
    return [pytest.param(ep, role, BOTH, id=f"{ep.name}-{role}") for ep in endpoints for role in Role.values]


def check(client, world, endpoint: Endpoint, role: str, scope: str, user) -> None:
    """Check `endpoint` for `role` on one side ("in", "out") or, given BOTH, on "in" and then on "out"."""
    if scope == BOTH:
        for side in ("in", "out"):
            check_one(client, world, endpoint, role, side, user)
    else:
        check_one(client, world, endpoint, role, scope, user)


def check_one(client, world, endpoint: Endpoint, role: str, scope: str, user) -> None:
    body = endpoint.post(world, scope) if endpoint.post is not None else None
    if endpoint.api:
        auth = {"HTTP_AUTHORIZATION": f"Token {api_token_key(user)}"}
        if body is not None:
            response = client.post(endpoint.url(world, scope), body, content_type="application/json", **auth)
        else:
            response = client.get(endpoint.url(world, scope), **auth)
    else:
        client.force_login(user)
        if body is not None:
            response = client.post(endpoint.url(world, scope), body)
        else:
            response = client.get(endpoint.url(world, scope))
    allowed = role == Role.SYSTEM_ADMIN if endpoint.system_only else endpoint.action in ROLE_ACTIONS[role]
    if endpoint.owner_only:
        visible = scope == "in"
    else:
        visible = (scope == "in" or role == Role.SYSTEM_ADMIN) and allowed
    if body is not None:
        if visible:
            assert response.status_code != 404 and response.status_code < 500, (endpoint.name, role, scope)
        else:
            assert response.status_code == 404, (endpoint.name, role, scope, response.status_code)
    elif (endpoint.gated or endpoint.system_only) and not allowed:
        assert response.status_code == 404, (endpoint.name, role, scope, response.status_code)
    elif endpoint.marker is None:
        assert response.status_code == (200 if visible else 404), (endpoint.name, role, scope, response.status_code)
        if endpoint.api and not visible:
            assert set(response.json()) == {"message", "code", "extra"}
            assert response.json()["code"] == "not_found", (endpoint.name, role, scope)
    else:
        assert response.status_code == 200, (endpoint.name, role, scope, response.status_code)
        text = response.content.decode()
        assert (endpoint.marker(world, scope) in text) == visible, (endpoint.name, role, scope)
