"""Every cascade page and endpoint, for every role, in and out of scope (tests/access.py); the writes with the
same rule: out of your units 404, visible without the right 403 (API) or 404 (pages), allowed succeeds."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from giaoban.core.access import ROLE_ACTIONS, Role
from giaoban.documents.models import Cascade
from giaoban.documents.services.cascades import ImplementingInput, cascade_implement, cascade_send
from giaoban.documents.services.numbering import document_register_outgoing
from tests.access import Endpoint, check, matrix

from .conftest import DUE, SENT

MEET = {Role.SYSTEM_ADMIN, Role.SECRETARY, Role.APPROVER}


class Sides:
    """In scope: Thanh Hóa's directive sent to its communes; out: Hà Nội's sent to its commune."""

    def __init__(self, world, *, writes: bool = False):
        self.world = world
        self.doc = {"in": world.directive, "out": world.other_directive}
        self.unit = {"in": "38", "out": "01"}
        cascade_send(document=world.directive, sender=world.province, below=True, sent_on=SENT, due_on=DUE)
        cascade_send(document=world.other_directive, sender=world.other, below=True, sent_on=SENT, due_on=DUE)
        self.cascade = {
            "in": Cascade.objects.get(document=world.directive, committee=world.n1),
            "out": Cascade.objects.get(document=world.other_directive, committee=world.q1),
        }
        if writes:
            self.fresh = {
                s: document_register_outgoing(committee=c, type="cong_van", on=SENT, subject=f"Công văn mới {s}")
                for s, c in (("in", world.province), ("out", world.other))
            }
            self.implementing = {}
            for s, c in (("in", world.n2), ("out", world.q1)):
                doc = self.doc[s]
                cascade = Cascade.objects.get(document=doc, committee=c) if s == "in" else self.cascade["out"]
                if s == "out":
                    # The out side's done target must differ from its implement target: another directive.
                    extra = document_register_outgoing(committee=world.other, type="ke_hoach", on=SENT, subject="KH")
                    cascade_send(document=extra, sender=world.other, below=True, sent_on=SENT)
                    cascade = Cascade.objects.get(document=extra, committee=c)
                self.implementing[s] = cascade_implement(
                    cascade=cascade, new=ImplementingInput(date=date(2026, 3, 10), subject="KH xã")
                )


@pytest.fixture
def sides(world):
    return Sides(world)


def _doc(p, s, tail):
    return f"/documents/{p.doc[s].pk}/{tail}"


PAGES = [
    Endpoint("cascade-send-page", lambda p, s: _doc(p, s, "cascade/"), action="meet"),
    Endpoint("coverage-page", lambda p, s: _doc(p, s, f"coverage/?unit={p.unit[s]}")),
    Endpoint("coverage-page-default-unit", lambda p, s: _doc(p, s, "coverage/")),
    Endpoint("coverage-xlsx", lambda p, s: _doc(p, s, f"coverage.xlsx?unit={p.unit[s]}")),
    Endpoint(
        "cascade-list",
        lambda p, s: "/documents/cascades/?all=1",
        marker=lambda p, s: f'data-cascade="{p.cascade[s].pk}"',
    ),
    Endpoint("cascade-page", lambda p, s: f"/documents/cascades/{p.cascade[s].pk}/"),
]

API = [
    Endpoint(
        "api-cascades",
        lambda p, s: "/api/v1/cascades/?page_size=500",
        marker=lambda p, s: f'"subject":"{p.doc[s].subject}"',
        api=True,
    ),
    Endpoint("api-cascade", lambda p, s: f"/api/v1/cascades/{p.cascade[s].pk}/", api=True),
    Endpoint("api-coverage", lambda p, s: f"/api/v1/documents/{p.doc[s].pk}/coverage/?unit={p.unit[s]}", api=True),
    Endpoint("api-coverage-default", lambda p, s: f"/api/v1/documents/{p.doc[s].pk}/coverage/", api=True),
    Endpoint("api-coverage-xlsx", lambda p, s: f"/api/v1/documents/{p.doc[s].pk}/coverage.xlsx", api=True),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(PAGES + API))
def test_it_scopes_every_cascade_page_and_read(client, world, sides, make_user, endpoint, role, scope):
    user = make_user(role, world.tree.vn if role == Role.SYSTEM_ADMIN else world.tree.p1)
    check(client, sides, endpoint, role, scope, user)


WRITES = [
    ("send", lambda p, s: f"/api/v1/documents/{p.fresh[s].pk}/cascade/", {"below": True, "due_on": "2027-12-31"}),
    (
        "implement",
        lambda p, s: f"/api/v1/cascades/{p.cascade[s].pk}/implement/",
        {"type": "ke_hoach", "date": "2027-03-10", "subject": "Kế hoạch của xã"},
    ),
    ("done", lambda p, s: f"/api/v1/cascades/{p.implementing[s].pk}/done/", {}),
]


@pytest.mark.parametrize("scope", ["in", "out"])
@pytest.mark.parametrize("role", Role.values)
def test_it_scopes_every_cascade_write(world, make_user, role, scope):
    sides = Sides(world, writes=True)
    client = APIClient()
    client.force_authenticate(make_user(role, world.tree.vn if role == Role.SYSTEM_ADMIN else world.tree.p1))
    visible = (scope == "in" or role == Role.SYSTEM_ADMIN) and "view" in ROLE_ACTIONS[role]
    wrong = []
    for name, url, body in WRITES:
        r = client.post(url(sides, scope), body, format="json")
        expected = (200, 201) if visible and role in MEET else ((403,) if visible else (404,))
        if r.status_code not in expected:
            wrong.append((name, r.status_code, r.content[:300]))
        elif r.status_code in (403, 404):
            assert set(r.json()) == {"message", "code", "extra"}
    assert not wrong, wrong


@pytest.mark.parametrize("role", Role.values)
def test_page_writes_are_404_without_the_right(client, world, sides, make_user, role):
    user = make_user(role, world.tree.vn if role == Role.SYSTEM_ADMIN else world.tree.p1)
    client.force_login(user)
    allowed = role in MEET
    cascade = sides.cascade["in"]
    r = client.post(f"/documents/cascades/{cascade.pk}/implement/", {"date": "2026-03-10", "subject": "KH"})
    assert r.status_code == (302 if allowed else 404)
    r = client.post(f"/documents/cascades/{sides.cascade['out'].pk}/done/", {})
    assert r.status_code == (302 if role == Role.SYSTEM_ADMIN else 404)
    r = client.post(f"/documents/{sides.doc['in'].pk}/cascade/", {"mode": "below"})
    assert r.status_code == (302 if allowed else 404)


@pytest.mark.parametrize(
    "url", ["/api/v1/cascades/", "/api/v1/documents/1/coverage/", "/api/v1/documents/1/coverage.xlsx"]
)
def test_it_refuses_anonymous_calls(client, world, url):
    response = client.get(url)
    assert response.status_code == 401 and set(response.json()) == {"message", "code", "extra"}
