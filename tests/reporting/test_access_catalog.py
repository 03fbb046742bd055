"""The catalog pages for every role, in and out of scope (see tests/access.py): an item is changed by the admins
of its owner unit or above; the catalog itself is read by everyone signed in."""

from datetime import date

import pytest

from giaoban.core.access import Role
from giaoban.reporting import services
from tests.access import Endpoint, check, matrix


class World:
    def __init__(self, tree):
        self.indicator = {
            s: services.indicator_create(code=f"IND-{s.upper()}", name_vi=f"Chỉ tiêu {s}", owner=owner)
            for s, owner in (("in", tree.p1), ("out", tree.p2))
        }
        self.form = {
            s: services.reportform_create(
                code=f"FORM-{s.upper()}",
                name=f"Biểu {s}",
                period_type="month",
                scheme="calendar",
                deadline_working_days=3,
                unit_kinds=["commune"],
                active_from=date(2024, 1, 1),
                indicators=[self.indicator[s]],
                owner=self.indicator[s].owner,
            )
            for s in ("in", "out")
        }
        # What a reactivation needs: a retired item.
        self.retired = {
            s: services.indicator_retire(
                indicator=services.indicator_create(code=f"OLD-{s.upper()}", name_vi="Cũ", owner=owner)
            )
            for s, owner in (("in", tree.p1), ("out", tree.p2))
        }


ENDPOINTS = [
    Endpoint("indicator-edit", lambda w, s: f"/reports/indicators/{w.indicator[s].code}/edit/", action="manage"),
    Endpoint("indicator-retire", lambda w, s: f"/reports/indicators/{w.indicator[s].code}/retire/", action="manage"),
    Endpoint(
        "indicator-edit-post",
        lambda w, s: f"/reports/indicators/{w.indicator[s].code}/edit/",
        action="manage",
        post=lambda w, s: {
            "name_vi": "Tên mới",
            "value_type": "integer",
            "aggregation": "sum",
            "time_aggregation": "sum",
        },
    ),
    Endpoint(
        "indicator-retire-post",
        lambda w, s: f"/reports/indicators/{w.indicator[s].code}/retire/",
        action="manage",
        post=lambda w, s: {},
    ),
    Endpoint(
        "indicator-reactivate-post",
        lambda w, s: f"/reports/indicators/{w.retired[s].code}/reactivate/",
        action="manage",
        post=lambda w, s: {},
    ),
    Endpoint("reportform-edit", lambda w, s: f"/reports/forms/{w.form[s].code}/edit/", action="manage"),
    Endpoint("reportform-retire", lambda w, s: f"/reports/forms/{w.form[s].code}/retire/", action="manage"),
    Endpoint(
        "reportform-edit-post",
        lambda w, s: f"/reports/forms/{w.form[s].code}/edit/",
        action="manage",
        post=lambda w, s: {"op": "remove:" + w.indicator[s].code, "indicators": [w.indicator[s].code]},
    ),
    Endpoint(
        "reportform-retire-post",
        lambda w, s: f"/reports/forms/{w.form[s].code}/retire/",
        action="manage",
        post=lambda w, s: {},
    ),
    Endpoint(
        "reportform-reactivate-post",
        lambda w, s: f"/reports/forms/{w.form[s].code}/reactivate/",
        action="manage",
        post=lambda w, s: {},
    ),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_access(client, tree, make_user, endpoint, role, scope):
    world = World(tree)
    check(client, world, endpoint, role, scope, make_user(role, tree.p1))


@pytest.mark.parametrize("role", Role.values)
def test_it_lets_everyone_signed_in_read_the_whole_catalog(client, tree, make_user, role):
    world = World(tree)
    client.force_login(make_user(role, tree.p1))
    for url in ("/reports/indicators/?status=all", "/reports/forms/"):
        text = client.get(url).content.decode()
        for s in ("in", "out"):
            assert f"-{s.upper()}/" in text, (url, s)
    for s in ("in", "out"):
        assert client.get(f"/reports/indicators/{world.indicator[s].code}/").status_code == 200
        page = client.get(f"/reports/forms/{world.form[s].code}/")
        assert page.status_code == 200
        # Buttons to change it only where one may.
        may = role == Role.SYSTEM_ADMIN or (role == Role.UNIT_ADMIN and s == "in")
        assert (f"/reports/forms/{world.form[s].code}/edit/" in page.content.decode()) == may


@pytest.mark.parametrize("role", Role.values)
def test_it_offers_the_new_item_pages_to_administrators_only(client, tree, make_user, role):
    client.force_login(make_user(role, tree.p1))
    admin = role in (Role.SYSTEM_ADMIN, Role.UNIT_ADMIN)
    for url in ("/reports/indicators/new/", "/reports/forms/new/"):
        assert client.get(url).status_code == (200 if admin else 404), url
    assert ("/reports/indicators/new/" in client.get("/reports/indicators/").content.decode()) == admin


def test_it_sends_anonymous_visitors_to_sign_in(client, tree):
    World(tree)
    for url in ("/reports/indicators/", "/reports/forms/", "/reports/indicators/IND-IN/", "/reports/forms/FORM-IN/"):
        assert client.get(url).status_code == 302
