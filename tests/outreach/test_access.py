"""Every outreach page and endpoint, for every role, in and out of scope (see tests/access.py)."""

from datetime import date

import pytest

from giaoban.outreach import services
from tests.access import Endpoint, check, matrix


class World:
    def __init__(self, tree):
        self.channel = {
            "in": services.channel_create(org_unit=tree.c1, name="Blog Ngọc Lặc trong", platform="blog"),
            "out": services.channel_create(org_unit=tree.q1, name="Blog Ba Đình ngoài", platform="blog"),
        }
        self.contest = {
            s: services.contest_create(
                org_unit=u, name=f"Cuộc thi {s}x", starts_on=date(2023, 1, 1), ends_on=date(2023, 12, 31)
            )
            for s, u in (("in", tree.c1), ("out", tree.q1))
        }
        self.training = {
            s: services.training_create(
                org_unit=u, title=f"Lớp {s}x", starts_on=date(2023, 1, 1), ends_on=date(2023, 1, 1)
            )
            for s, u in (("in", tree.c1), ("out", tree.q1))
        }


ENDPOINTS = [
    Endpoint("outreach-index", lambda w, s: "/outreach/", marker=lambda w, s: w.channel[s].name),
    Endpoint("outreach-index-contests", lambda w, s: "/outreach/", marker=lambda w, s: w.contest[s].name),
    Endpoint("channel-page", lambda w, s: f"/outreach/channels/{w.channel[s].pk}/"),
    Endpoint("contest-page", lambda w, s: f"/outreach/contests/{w.contest[s].pk}/"),
    Endpoint("contest-winners", lambda w, s: f"/outreach/contests/{w.contest[s].pk}/winners.xlsx"),
    Endpoint("training-page", lambda w, s: f"/outreach/trainings/{w.training[s].pk}/"),
    Endpoint("api-channels", lambda w, s: "/api/v1/channels/", marker=lambda w, s: w.channel[s].name, api=True),
    Endpoint("api-channel", lambda w, s: f"/api/v1/channels/{w.channel[s].pk}/", api=True),
    Endpoint("api-channel-metrics", lambda w, s: f"/api/v1/channels/{w.channel[s].pk}/metrics/", api=True),
    Endpoint("api-contests", lambda w, s: "/api/v1/contests/", marker=lambda w, s: w.contest[s].name, api=True),
    Endpoint("api-contest-entries", lambda w, s: f"/api/v1/contests/{w.contest[s].pk}/entries/", api=True),
    Endpoint("api-trainings", lambda w, s: "/api/v1/trainings/", marker=lambda w, s: w.training[s].title, api=True),
    Endpoint("api-training", lambda w, s: f"/api/v1/trainings/{w.training[s].pk}/", api=True),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_every_page_and_endpoint(client, tree, make_user, endpoint, role, scope):
    world = World(tree)
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, world, endpoint, role, scope, user)
