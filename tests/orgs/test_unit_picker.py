"""The one unit picker: search as you type without diacritics, closed units offered and marked with their
dates, scoped to the user, in a constant number of queries; and the user pages that use it."""

from datetime import date

import pytest

from giaoban.orgs import services
from giaoban.orgs.models import UserProfile

URL = "/units/picker/"


def _search(client, q, **params):
    query = {"name": "unit", "unit_q": q, **params}
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


def test_it_offers_the_closed_district_and_todays_commune_for_ngoc_lac(client, tree, make_user):
    client.force_login(make_user("viewer", tree.p1))
    html = _search(client, "ngoc lac")
    assert 'data-code="389"' in html and 'data-code="15061"' in html  # Huyện Ngọc Lặc (closed), Xã Ngọc Lặc
    assert "Huyện Ngọc Lặc" in html and "Xã Ngọc Lặc" in html
    district = html[html.index('data-code="389"') :]
    district = district[: district.index("</button>")]
    assert "đã giải thể" in district and "01/01/2000–30/06/2025" in district
    commune = html[html.index('data-code="15061"') :]
    assert "đã giải thể" not in commune[: commune.index("</button>")]


def test_it_finds_da_nang_typed_without_diacritics(client, tree, make_user):
    services.orgunit_create(
        code="48",
        name="Thành phố Đà Nẵng",
        kind="province",
        subtype="thanh_pho",
        parent=tree.vn,
        valid_from=date(1997, 1, 1),
    )
    client.force_login(make_user("system_admin", tree.vn))
    html = _search(client, "da nang")
    assert 'data-code="48"' in html and "Thành phố Đà Nẵng" in html


def test_it_never_offers_a_unit_outside_the_users_subtree(client, tree, make_user):
    client.force_login(make_user("viewer", tree.p2))  # Hà Nội
    assert 'data-code="' not in _search(client, "ngoc lac")
    assert 'data-code="00004"' in _search(client, "ba dinh")
    assert client.get(URL, {"name": "unit", "code": "389"}).status_code == 404  # picking it is a 404 too


def test_it_scopes_the_manage_picker_to_the_units_one_administers(client, tree, make_user):
    client.force_login(make_user("viewer", tree.p1))  # sees, but administers nothing
    assert 'data-code="' not in _search(client, "ngoc lac", scope="manage")
    assert client.get(URL, {"name": "unit", "scope": "nonsense", "unit_q": "x"}).status_code == 404
    assert client.get(URL, {"name": "bad name!", "unit_q": "x"}).status_code == 404


def test_it_picks_a_unit_into_the_hidden_code(client, tree, make_user):
    client.force_login(make_user("viewer", tree.p1))
    html = client.get(URL, {"name": "unit", "code": "389"}).content.decode()
    assert 'name="unit" value="389"' in html and "Huyện Ngọc Lặc (389)" in html and "unit-closed" in html


def test_it_answers_in_a_constant_number_of_queries_as_units_grow(
    client, tree, make_user, django_assert_max_num_queries
):
    client.force_login(make_user("viewer", tree.p1))
    for i in range(60):
        services.orgunit_create(
            code=f"7{i:04d}",
            name=f"Xã Ngọc Phụng {i}",
            kind="commune",
            subtype="xa",
            parent=tree.p1,
            valid_from=date(2025, 7, 1),
        )
    with django_assert_max_num_queries(6):
        html = _search(client, "ngoc")
    assert html.count('class="list-group-item list-group-item-action') == 12 and "gõ thêm" in html


# --- The user pages: a unit is chosen by name, never typed as a code -----------------------------------------


def test_it_creates_a_user_at_a_unit_typed_by_name(client, tree, make_user):
    client.force_login(make_user("unit_admin", tree.p1))
    page = client.get("/users/new/").content.decode()
    assert 'name="org_unit_q"' in page and "(mã)" not in page
    r = client.post(
        "/users/new/",
        {"name": "Lê Văn Tám", "email": "tam@example.vn", "org_unit": "", "org_unit_q": "thach lap", "role": ""},
    )
    assert r.status_code == 302, r.content.decode()
    assert UserProfile.objects.get(user__email="tam@example.vn").org_unit == tree.n2


def test_it_offers_a_choice_when_a_typed_name_matches_several_units(client, tree, make_user):
    client.force_login(make_user("unit_admin", tree.p1))
    data = {"name": "Lê Văn Tám", "email": "tam@example.vn", "org_unit": "", "org_unit_q": "ngoc lac", "role": ""}
    r = client.post("/users/new/", data)
    assert r.status_code in (200, 400)
    page = r.content.decode()
    assert "Có nhiều đơn vị khớp" in page
    assert '<select class="form-select form-select-sm mb-1 unit-candidates" name="org_unit"' in page  # no-JS choice
    assert '<option value="389">' in page and '<option value="15061">' in page
    r = client.post("/users/new/", {**data, "org_unit": "15061"})  # chosen from that list
    assert r.status_code == 302
    assert UserProfile.objects.get(user__email="tam@example.vn").org_unit == tree.n1


def test_it_still_takes_a_bare_code(client, tree, make_user):
    """What an old bookmark or script sends: the code alone."""
    client.force_login(make_user("unit_admin", tree.p1))
    r = client.post("/users/new/", {"name": "Lê Văn Tám", "email": "tam@example.vn", "org_unit": "15085", "role": ""})
    assert r.status_code == 302
    assert UserProfile.objects.get(user__email="tam@example.vn").org_unit.code == "15085"


@pytest.mark.parametrize("typed", ["ba dinh", "00004"])
def test_it_refuses_a_unit_outside_the_admins_scope(client, tree, make_user, typed):
    client.force_login(make_user("unit_admin", tree.p1))
    data = {"name": "Lê Văn Tám", "email": "tam@example.vn", "org_unit": "", "org_unit_q": typed, "role": ""}
    r = client.post("/users/new/", data)
    assert r.status_code != 302 and "Không tìm thấy đơn vị" in r.content.decode()
    assert not UserProfile.objects.filter(user__email="tam@example.vn").exists()
