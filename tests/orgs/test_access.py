"""Every orgs page and endpoint, for every role, in and out of scope (see tests/access.py)."""

import pytest
from django.contrib.auth import get_user_model

from giaoban.orgs.models import Membership, UserRole
from tests.access import Endpoint, check, matrix


class World:
    def __init__(self, tree, committees):
        self.tree = tree
        self.committees = committees
        self.unit = {"in": tree.c1, "out": tree.q1}
        self.committee = {"in": committees["38"], "out": committees["01"]}
        self.member = {s: Membership.objects.filter(committee=c).first() for s, c in self.committee.items()}
        self.account = {}
        for s, unit in (("in", tree.n1), ("out", tree.q1)):
            user = get_user_model().objects.create_user(username=f"acct-{s}", email=f"acct-{s}@example.vn")
            UserRole.objects.create(user=user, role="secretary", org_unit=unit)
            self.account[s] = user
        self.role = {s: u.giaoban_roles.get() for s, u in self.account.items()}
        # A unit of each side, today (the pages offer only units valid today).
        self.today_unit = {"in": tree.n1, "out": tree.q1}


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
        "user-list",
        lambda w, s: "/users/?q=acct",
        marker=lambda w, s: f"/users/{w.account[s].pk}/",
        action="manage",
        gated=True,
    ),
    Endpoint("user-page", lambda w, s: f"/users/{w.account[s].pk}/", action="manage"),
    # The one unit picker offers the units one may see (closed ones too: c1 closed in 2025), and no other;
    # scoped to "manage" (the user pages), the units one administers.
    Endpoint(
        "unit-picker",
        lambda w, s: f"/units/picker/?name=unit&unit_q={w.unit[s].name}",
        marker=lambda w, s: f'data-code="{w.unit[s].code}"',
    ),
    Endpoint("unit-picker-pick", lambda w, s: f"/units/picker/?name=unit&code={w.unit[s].code}"),
    # The new-user page offers, through the picker, the units one administers, and no other.
    Endpoint(
        "unit-picker-manage",
        lambda w, s: f"/units/picker/?name=org_unit&scope=manage&org_unit_q={w.today_unit[s].name}",
        marker=lambda w, s: f'data-code="{w.today_unit[s].code}"',
        action="manage",
    ),
    Endpoint(
        "user-import",
        lambda w, s: "/users/import/",
        marker=lambda w, s: f"<code>{w.today_unit[s].code}</code>",
        action="manage",
        gated=True,
    ),
    Endpoint(
        "user-edit",
        lambda w, s: f"/users/{w.account[s].pk}/",
        post=lambda w, s: {
            "name": "Tên Mới",
            "email": f"new-{s}@example.vn",
            "phone": "",
            "org_unit": w.unit["in"].code,
        },
        action="manage",
    ),
    Endpoint(
        "user-role-add",
        lambda w, s: f"/users/{w.account[s].pk}/roles/",
        post=lambda w, s: {"role": "viewer", "org_unit": "38"},
        action="manage",
    ),
    Endpoint(
        "user-role-remove",
        lambda w, s: f"/users/{w.account[s].pk}/roles/{w.role[s].pk}/remove/",
        post=lambda w, s: {},
        action="manage",
    ),
    Endpoint(
        "user-deactivate",
        lambda w, s: f"/users/{w.account[s].pk}/active/",
        post=lambda w, s: {"active": "0"},
        action="manage",
    ),
    Endpoint(
        "user-password-reset",
        lambda w, s: f"/users/{w.account[s].pk}/password-reset/",
        post=lambda w, s: {},
        action="manage",
    ),
    Endpoint(
        "user-membership-link",
        lambda w, s: f"/users/{w.account[s].pk}/memberships/",
        post=lambda w, s: {"membership": w.member["in"].pk},
        action="manage",
    ),
    Endpoint(
        "api-users",
        lambda w, s: "/api/v1/users/?page_size=500",
        marker=lambda w, s: f'"email":"{w.account[s].email}"',
        api=True,
        action="manage",
    ),
    Endpoint("api-user", lambda w, s: f"/api/v1/users/{w.account[s].pk}/", api=True, action="manage"),
    Endpoint(
        "api-user-roles",
        lambda w, s: f"/api/v1/users/{w.account[s].pk}/roles/",
        post=lambda w, s: {"role": "viewer", "unit": "38"},
        api=True,
        action="manage",
    ),
    Endpoint(
        "api-user-deactivate",
        lambda w, s: f"/api/v1/users/{w.account[s].pk}/deactivate/",
        post=lambda w, s: {},
        api=True,
        action="manage",
    ),
    Endpoint(
        "api-user-password-reset",
        lambda w, s: f"/api/v1/users/{w.account[s].pk}/password-reset/",
        post=lambda w, s: {},
        api=True,
        action="manage",
    ),
    Endpoint(
        "api-user-membership",
        lambda w, s: f"/api/v1/users/{w.account[s].pk}/memberships/",
        post=lambda w, s: {"membership": w.member["in"].pk},
        api=True,
        action="manage",
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
