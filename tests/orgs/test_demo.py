"""`giaoban demo`: what it loads, and that it never writes into a database holding other data."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from giaoban.core.management.commands import demo as demo_command
from giaoban.orgs import demo, selectors
from giaoban.orgs.models import Committee, CommitteeRole, Membership, OrgUnit, Succession, UserRole

TODAY_AFTER_REFORM = date(2025, 9, 1)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def check_hierarchy() -> None:
    assert OrgUnit.objects.filter(kind="province").count() == 34
    assert OrgUnit.objects.valid_on(TODAY_AFTER_REFORM).filter(kind="province").count() == 34
    assert OrgUnit.objects.valid_on(TODAY_AFTER_REFORM).filter(kind="commune").count() == 3321

    province = OrgUnit.objects.get(code="38")
    district = OrgUnit.objects.get(code=demo.DISTRICT_CODE)
    assert (district.name, district.kind, district.subtype) == ("Huyện Ngọc Lặc", "district", "huyen")
    assert district.parent_id == province.pk
    assert province.valid_from <= district.valid_from == date(1963, 1, 1)
    assert district.valid_to == date(2025, 6, 30)

    # The province as it was in 2024: the district and its communes, none of today's communes.
    then = selectors.tree_as_of(date(2024, 1, 1), root=province)
    assert set(then.filter(kind="district").values_list("code", flat=True)) == {demo.DISTRICT_CODE}
    assert not then.filter(valid_from=date(2025, 7, 1)).exists()

    communes = list(OrgUnit.objects.filter(parent=district))
    assert len(communes) >= 5
    for commune in communes:
        assert commune.valid_to == date(2025, 6, 30)
        successors = selectors.unit_successors(commune)
        assert successors, commune.name
        assert all(s.unit.valid_from == date(2025, 7, 1) for s in successors)
        assert sum(s.weight for s in successors if s.generation == 1) == 1
    assert any(Succession.objects.filter(predecessor=c, kind="split").count() == 2 for c in communes)

    shares = Succession.objects.filter(predecessor=district).values_list("successor__code", "share")
    assert {code for code, _ in shares} == {"15061", "15085", "15091", "15124", "15115", "15118"}
    assert sum(share for _, share in shares) == Decimal(1)

    new_commune = OrgUnit.objects.get(code="15061")
    assert {s.unit.name for s in selectors.unit_predecessors(new_commune)} >= {"Thị trấn Ngọc Lặc", "Huyện Ngọc Lặc"}


def check_committees() -> None:
    # The work demo adds a committee to every current commune; these are the orgs demo's own.
    committees = {
        c.org_unit.code: c
        for c in Committee.objects.exclude(org_unit__kind="commune").select_related("org_unit", "standing_agency")
    }
    assert set(committees) == {"VN", "38", demo.DISTRICT_CODE}
    assert committees["38"].name == "Ban Chỉ đạo 35 Tỉnh ủy Thanh Hóa"
    assert committees["38"].standing_agency.name.startswith("Ban Tuyên giáo và Dân vận Tỉnh ủy")
    assert committees[demo.DISTRICT_CODE].dissolved_on == date(2025, 6, 30)
    for committee in committees.values():
        assert committee.decisions.filter(kind="establish").count() == 1
        assert set(committee.memberships.values_list("role", flat=True)) == set(CommitteeRole.values)

    province = committees["38"]
    current = Membership.objects.filter(committee=province).current(TODAY_AFTER_REFORM)
    assert Counter(current.values_list("role", flat=True)) == {
        "head": 1,
        "standing_deputy": 1,
        "deputy": 1,
        "member": 6,
        "secretariat_lead": 1,
        "secretary": 1,
    }
    kien_toan = province.decisions.get(kind="reconstitute")
    assert kien_toan.date == date(2025, 8, 15)
    assert kien_toan.endings.count() == 2 and kien_toan.appointments.count() == 2
    # The role change keeps the person's history: member until the day before, deputy from the decision.
    hoa = Membership.objects.filter(committee=province, person_name="Lê Thị Hoa").order_by("start_date")
    assert [(m.role, m.end_date) for m in hoa] == [("member", date(2025, 8, 14)), ("deputy", None)]
    assert current.get(role="deputy").person_name == "Lê Thị Hoa"
    assert current.filter(person_name="Lò Văn Phong", role="member").exists()
    assert not current.filter(person_name__in=demo.PROVINCE_LEAVING).exists()
    assert not Membership.objects.filter(committee=committees[demo.DISTRICT_CODE]).current(TODAY_AFTER_REFORM)


def check_users() -> None:
    from giaoban.work import demo as work_demo  # its agency officers are demo users too

    assert get_user_model().objects.count() == len(demo.DEMO_USERS) + len(work_demo.DEMO_USERS)
    for spec in demo.DEMO_USERS:
        user = get_user_model().objects.get(username=spec["username"])
        assert user.first_name and user.last_name
        assert UserRole.objects.filter(user=user, role=spec["role"], org_unit__code=spec["unit"]).exists()
        client = Client()
        response = client.post("/accounts/login/", {"username": spec["username"], "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, spec["username"]
        assert client.get("/").status_code == 200
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


@pytest.mark.django_db
def test_it_loads_the_demo_once_and_then_leaves_the_database_alone():
    # One load for all the checks: load-vn alone writes 3,356 units.
    out = run()
    assert "demo loaded in" in out
    check_hierarchy()
    check_committees()
    check_users()

    units = OrgUnit.objects.count()
    assert "nothing loaded" in run("--if-empty")
    assert OrgUnit.objects.count() == units
    with pytest.raises(CommandError, match="refuses a database that already holds other data"):
        run()


@pytest.mark.django_db
def test_it_refuses_a_database_that_already_holds_a_user(make_user):
    make_user()
    with pytest.raises(CommandError, match="refuses"):
        run()
    assert not OrgUnit.objects.exists()


@pytest.mark.django_db
def test_it_does_nothing_with_if_empty_when_units_exist(tree):
    assert "nothing loaded" in run("--if-empty")
    assert not get_user_model().objects.exists()
    assert not Committee.objects.exists()


@pytest.mark.django_db
def test_it_prints_the_logins_without_touching_the_database():
    out = run("--logins")
    for spec in demo.DEMO_USERS:
        assert spec["username"] in out
    assert demo.DEMO_PASSWORD in out
    assert not get_user_model().objects.exists()


def test_it_skips_only_a_missing_optional_demo(monkeypatch):
    assert demo_command.optional_module("giaoban.orgs.no_such_demo") is None

    def broken(name):
        raise ModuleNotFoundError("No module named 'openpyxl_typo'", name="openpyxl_typo")

    monkeypatch.setattr(demo_command.importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError):
        demo_command.optional_module("giaoban.reporting.demo")
