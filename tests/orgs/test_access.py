"""Every orgs page and endpoint, for every role, in and out of scope (see tests/access.py)."""

import pytest

from giaoban.orgs.models import Membership
from tests.access import Endpoint, check, matrix


class World:
    def __init__(self, tree, committees):
        self.tree = tree
        self.committees = committees
        self.unit = {"in": tree.c1, "out": tree.q1}
        self.committee = {"in": committees["38"], "out": committees["01"]}
        self.member = {s: Membership.objects.filter(committee=c).first() for s, c in self.committee.items()}


ENDPOINTS = [
    Endpoint("unit-page", lambda w, s: f"/units/{w.unit[s].code}/"),
    Endpoint(
        "unit-search",
        lambda w, s: (
            f"/units/?q={w.unit[s].name}&valid_on=2024-01-01&kind=commune"
            if s == "in"
            else f"/units/?q={w.unit[s].name}&kind=commune"
        ),
        marker=lambda w, s: f"/units/{w.unit[s].code}/",
    ),
    # Browsing below a unit outside the scope is a 404 like its page.
    Endpoint("unit-children", lambda w, s: f"/units/?parent={w.unit[s].parent.code}&valid_on=2024-01-01"),
    Endpoint("committee-page", lambda w, s: f"/committees/{w.committee[s].pk}/"),
    Endpoint("committee-reconstitute", lambda w, s: f"/committees/{w.committee[s].pk}/reconstitute/", action="manage"),
    Endpoint("committee-list", lambda w, s: "/committees/", marker=lambda w, s: f"/committees/{w.committee[s].pk}/"),
    Endpoint("api-orgunit", lambda w, s: f"/api/v1/orgunits/{w.unit[s].code}/", api=True),
    Endpoint(
        "api-orgunits",
        lambda w, s: "/api/v1/orgunits/?kind=commune&page_size=500",
        marker=lambda w, s: f'"code":"{w.unit[s].code}"',
        api=True,
    ),
    Endpoint("api-committee", lambda w, s: f"/api/v1/committees/{w.committee[s].pk}/", api=True),
    Endpoint(
        "api-committees",
        lambda w, s: "/api/v1/committees/",
        marker=lambda w, s: f'"name":"{w.committee[s].name}"',
        api=True,
    ),
    Endpoint(
        "api-memberships",
        lambda w, s: "/api/v1/memberships/",
        marker=lambda w, s: f'"person_name":"{w.member[s].person_name}"',
        api=True,
    ),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_every_page_and_endpoint(client, tree, committees, make_user, endpoint, role, scope):
    world = World(tree, committees)
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, world, endpoint, role, scope, user)


def test_it_shows_a_unit_below_the_users_unit_but_nothing_above(client, tree, make_user):
    client.force_login(make_user("secretary", tree.n1))
    assert client.get(f"/units/{tree.n1.code}/").status_code == 200
    assert client.get(f"/units/{tree.p1.code}/").status_code == 404
    page = client.get(f"/units/{tree.n1.code}/").content.decode()
    # The predecessors lie outside a new commune's subtree: not shown, not linked.
    assert "/units/90001/" not in page


@pytest.mark.parametrize("url", ["/", "/units/", "/units/38/", "/committees/"])
def test_it_sends_anonymous_visitors_to_login(client, tree, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url", ["/api/v1/orgunits/", "/api/v1/orgunits/38/", "/api/v1/committees/", "/api/v1/memberships/"]
)
def test_it_refuses_anonymous_api_calls(client, tree, url):
    response = client.get(url)
    assert response.status_code == 401
    assert set(response.json()) == {"message", "code", "extra"}
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("role", "status"), [("system_admin", 200), ("unit_admin", 302), ("viewer", 302)])
def test_it_opens_django_admin_to_system_admins_only(client, tree, make_user, role, status):
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get("/admin/").status_code == status
