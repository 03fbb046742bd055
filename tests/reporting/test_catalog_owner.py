"""Indicators and forms belong to a unit: its admins (and those above) change them; a national form is changed
only at national level."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from giaoban.core.errors import Forbidden
from giaoban.reporting import services
from giaoban.reporting.models import Indicator, ReportForm


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def national(tree, catalog):
    """The test catalogue, made by the command line: owned by the national root."""
    return catalog


NEW_INDICATOR = {"code": "MEET38", "name": "Số cuộc họp", "value_type": "integer", "aggregation": "sum"}


def test_it_gives_what_the_command_line_makes_to_the_national_root(tree, national):
    assert national.weekly.owner == tree.vn and national.posts.owner == tree.vn


def test_it_refuses_a_province_admin_changing_a_national_forms_deadline(tree, national, make_user):
    client = _api(make_user("unit_admin", tree.p1))
    r = client.patch("/api/v1/forms/W35/", {"deadline_working_days": 9}, format="json")
    assert r.status_code == 403, r.json()
    assert "only the administrators of that unit or above may change it" in r.json()["message"]
    assert r.json()["extra"]["owner"] == "VN"
    assert ReportForm.objects.get(code="W35").deadline_working_days == 2
    r = client.patch("/api/v1/indicators/POSTS/", {"name": "Đổi tên"}, format="json")
    assert r.status_code == 403 and Indicator.objects.get(code="POSTS").name_vi == "Số bài đăng"


def test_it_lets_national_admins_change_national_items(tree, national, make_user):
    for user in (make_user("system_admin", tree.vn), make_user("unit_admin", tree.vn)):
        r = _api(user).patch("/api/v1/forms/W35/", {"deadline_working_days": 4}, format="json")
        assert r.status_code == 200 and r.json()["owner"] == "VN"


def test_it_lets_a_province_admin_own_and_change_its_own_indicators_and_forms(tree, national, make_user):
    admin38, admin01 = make_user("unit_admin", tree.p1), make_user("unit_admin", tree.p2)
    r = _api(admin38).post("/api/v1/indicators/", NEW_INDICATOR, format="json")
    assert r.status_code == 201 and r.json()["owner"] == "38"
    form = {
        "code": "T38",
        "name": "Biểu của tỉnh",
        "period_type": "month",
        "scheme": "calendar",
        "deadline_working_days": 3,
        "unit_kinds": ["commune"],
        "active_from": "2025-07-01",
        "indicators": ["MEET38", "POSTS"],  # a national indicator may be used in a province's form
    }
    r = _api(admin38).post("/api/v1/forms/", form, format="json")
    assert r.status_code == 201 and r.json()["owner"] == "38"
    assert _api(admin38).patch("/api/v1/forms/T38/", {"deadline_working_days": 5}, format="json").status_code == 200
    assert _api(admin38).patch("/api/v1/indicators/MEET38/", {"name": "Họp"}, format="json").status_code == 200
    # Another province's admin cannot; nor can anyone move the item to another owner.
    assert _api(admin01).patch("/api/v1/forms/T38/", {"deadline_working_days": 1}, format="json").status_code == 403
    assert _api(admin01).patch("/api/v1/indicators/MEET38/", {"name": "X"}, format="json").status_code == 403
    r = _api(admin38).patch("/api/v1/forms/T38/", {"owner": "VN"}, format="json")
    assert r.status_code == 400 and "owner" in r.json()["extra"]["fields"]
    assert ReportForm.objects.get(code="T38").deadline_working_days == 5


def test_it_refuses_creating_for_a_unit_the_admin_does_not_administer(tree, national, make_user):
    r = _api(make_user("unit_admin", tree.p1)).post("/api/v1/indicators/", {**NEW_INDICATOR, "owner": "01"}, format="json")
    assert r.status_code == 403 and not Indicator.objects.filter(code="MEET38").exists()
    r = _api(make_user("unit_admin", tree.p1)).post("/api/v1/indicators/", {**NEW_INDICATOR, "owner": "VN"}, format="json")
    assert r.status_code == 403


def test_it_enforces_the_owner_in_the_services(tree, national, make_user):
    admin38 = make_user("unit_admin", tree.p1)
    with pytest.raises(Forbidden):
        services.reportform_update(form=national.weekly, actor=admin38, deadline_working_days=9)
    with pytest.raises(Forbidden):
        services.indicator_update(indicator=national.posts, actor=admin38, name_vi="x")


def test_the_data_migration_gives_existing_items_to_the_national_root(tree, national):
    Indicator.objects.update(owner=None)
    ReportForm.objects.update(owner=None)
    migration = importlib.import_module("giaoban.reporting.migrations.0007_hardening_owner")
    migration.to_national_root(apps, None)
    assert set(Indicator.objects.values_list("owner", flat=True)) == {tree.vn.pk}
    assert set(ReportForm.objects.values_list("owner", flat=True)) == {tree.vn.pk}
