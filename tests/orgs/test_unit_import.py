"""The system admin's page that imports units and successions from CSV, by the CLI's rules: check first,
then all or nothing, every error by row and column; nobody else has the page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from giaoban.orgs.models import OrgUnit, Succession
from tests.access import Endpoint, check, matrix

UNITS = "code,name,kind,subtype,parent_code,valid_from,valid_to\n"
SUCCESSIONS = "predecessor_code,successor_code,date,kind,share,note\n"


def _post(client, what: str, text: str, *, dry_run: bool = False, **headers):
    data = {"what": what, "file": SimpleUploadedFile(f"{what}.csv", text.encode("utf-8-sig"), "text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/units/import/", data, **headers)


@pytest.fixture
def admin(client, tree, make_user):
    client.force_login(make_user("system_admin", tree.vn))
    return client


def test_it_imports_units_and_then_their_succession(admin, tree):
    text = UNITS + "38100,Xã Mới Hợp Nhất,commune,xa,38,2026-01-01,\n38101,Phường Một,commune,phuong,38,01/01/2026,\n"
    response = _post(admin, "units", text)
    assert response.status_code == 302 and response.url == "/units/import/"
    assert OrgUnit.objects.get(code="38100").parent == tree.p1
    assert "Đã ghi 2 dòng." in admin.get(response.url).content.decode()

    response = _post(admin, "successions", SUCCESSIONS + "90002,15085,01/07/2025,merge,,NQ 1\n")
    assert response.status_code == 302
    assert Succession.objects.filter(predecessor=tree.c2, successor=tree.n2, note="NQ 1").exists()


def test_it_checks_a_file_without_writing_it(admin):
    response = _post(admin, "units", UNITS + "38100,Xã Thử,commune,xa,38,2026-01-01,\n", dry_run=True)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="preview"' in page and "Xã Thử" in page
    assert "1 dòng sẽ được ghi" in page
    assert not OrgUnit.objects.filter(code="38100").exists()


def test_it_lists_errors_by_row_and_column_and_writes_nothing(admin):
    before = OrgUnit.objects.count()
    text = UNITS + "38100,Xã Tốt,commune,xa,38,2026-01-01,\n38101,Xã Sai,commune,xa,99,2026-13-01,\n"
    page = _post(admin, "units", text).content.decode()
    assert 'id="errors"' in page and "Tệp có lỗi; chưa ghi dòng nào." in page
    assert "<td>3</td><td>parent_code</td>" in page and "<td>3</td><td>valid_from</td>" in page
    assert OrgUnit.objects.count() == before, "a rejected file wrote its good rows"


def test_it_names_the_errors_in_english_for_an_english_reader(admin):
    page = _post(admin, "units", "code,name\n", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Missing columns" in page or "missing columns" in page


def test_it_rejects_a_bad_succession_and_writes_nothing(admin, tree):
    text = SUCCESSIONS + "90002,15085,2025-07-01,merge,,\n90003,00000,2025-07-01,swap,,\n"
    before = Succession.objects.count()
    page = _post(admin, "successions", text).content.decode()
    assert "<td>3</td><td>successor_code</td>" in page and "<td>3</td><td>kind</td>" in page
    assert Succession.objects.count() == before


@pytest.mark.parametrize("what", ["units", "successions"])
def test_it_offers_a_template_with_the_header_row(admin, what):
    response = admin.get(f"/units/import/{what}.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header == (UNITS if what == "units" else SUCCESSIONS).strip()


def test_the_menu_offers_the_page_to_system_admins_only(client, tree, make_user):
    client.force_login(make_user("unit_admin", tree.p1))
    assert "/units/import/" not in client.get("/units/").content.decode()
    client.force_login(make_user("system_admin", tree.vn))
    assert "/units/import/" in client.get("/units/").content.decode()


ENDPOINTS = [
    Endpoint("unit-import", lambda w, s: "/units/import/", marker=lambda w, s: "units.csv", system_only=True),
    Endpoint(
        "unit-import-post",
        lambda w, s: "/units/import/",
        post=lambda w, s: {"what": "units"},
        system_only=True,
    ),
    Endpoint("unit-import-template", lambda w, s: "/units/import/units.csv", system_only=True),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_opens_the_import_page_to_system_admins_only(client, tree, make_user, endpoint, role, scope):
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, None, endpoint, role, scope, user)
