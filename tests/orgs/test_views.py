import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giaoban.orgs import services


@pytest.fixture
def viewer(client, tree, make_user):
    client.force_login(make_user("viewer", tree.vn))
    return client


def test_it_greets_in_vietnamese_and_switches_to_english(client, tree, make_user):
    make_user("viewer", tree.p1, username="xem", password="mat-khau-dai-123")
    page = client.get("/accounts/login/").content.decode()
    assert "Đăng nhập" in page and "Tên đăng nhập" in page
    response = client.post("/accounts/login/", {"username": "xem", "password": "mat-khau-dai-123"})
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert "Đơn vị của tôi" in home and "Tỉnh Thanh Hóa" in home
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "My units" in client.get("/").content.decode()


def test_it_says_so_when_the_password_is_wrong_and_locks_out_after_five_failures(client, tree, make_user):
    make_user("viewer", tree.p1, username="xem", password="mat-khau-dai-123")
    wrong = client.post("/accounts/login/", {"username": "xem", "password": "sai"})
    assert "không đúng" in wrong.content.decode()
    for _ in range(4):
        client.post("/accounts/login/", {"username": "xem", "password": "sai"})
    locked = client.post("/accounts/login/", {"username": "xem", "password": "mat-khau-dai-123"})
    assert locked.status_code == 429 and "Tạm khóa" in locked.content.decode()


def test_the_unit_browser_finds_ngoc_lac_without_diacritics(viewer):
    page = viewer.get("/units/?q=ngoc+lac&valid_on=2024-01-01").content.decode()
    assert "Huyện Ngọc Lặc" in page and "Thị trấn Ngọc Lặc" in page and "Xã Ngọc Lặc" not in page
    htmx = viewer.get("/units/?q=ngoc+lac", headers={"HX-Request": "true"}).content.decode()
    assert "Xã Ngọc Lặc" in htmx and "<html" not in htmx


def test_the_unit_browser_walks_down_the_tree_as_of_a_date(viewer):
    top = viewer.get("/units/").content.decode()
    assert "Tỉnh Thanh Hóa" in top and "Thành phố Hà Nội" in top
    old = viewer.get("/units/?parent=38&valid_on=2024-01-01").content.decode()
    assert "Huyện Ngọc Lặc" in old and "Xã Thạch Lập" not in old
    new = viewer.get("/units/?parent=38&valid_on=2025-08-01").content.decode()
    assert "Xã Thạch Lập" in new and "Huyện Ngọc Lặc" not in new


def test_the_unit_browser_says_what_is_wrong_with_a_bad_date(viewer):
    page = viewer.get("/units/?valid_on=31/02/2024").content.decode()
    assert "alert-danger" in page


def test_the_unit_page_shows_predecessors_and_successors(viewer):
    old = viewer.get("/units/90003/").content.decode()
    assert 'id="successors"' in old and "/units/15061/" in old and "/units/15085/" in old
    assert re.search(r"tỷ lệ 0,6\b", old) and re.search(r"tỷ lệ 0,4\b", old)  # shares in Vietnamese format
    new = viewer.get("/units/15061/").content.decode()
    assert 'id="predecessors"' in new and "Thị trấn Ngọc Lặc" in new and "Xã Ngọc Khê" in new and "Xã Thúy Sơn" in new


def test_the_committee_page_lists_members_by_role_and_the_history(viewer, committees):
    committee = committees["38"]
    from giaoban.orgs.models import Membership

    member = Membership.objects.get(committee=committee, role="member")
    services.committee_reconstitute(
        committee=committee,
        number="25-QĐ/TU",
        date=date(2025, 8, 15),
        end=[member],
        start=[{"person_name": "Phạm Thị Mới", "role": "secretary"}],
    )
    page = viewer.get(f"/committees/{committee.pk}/").content.decode()
    members = page[page.index('id="members"') : page.index('id="history"')]
    assert members.index("Trưởng ban") < members.index("Phó Trưởng ban Thường trực") < members.index("Thư ký")
    assert "Phạm Thị Mới" in members and "Lê Văn Ủy Viên" not in members
    history = page[page.index('id="history"') :]
    assert "25-QĐ/TU" in history and "Lê Văn Ủy Viên" in history and "01-QĐ/Thanh Hóa" in history


def test_pages_send_a_csp_header_without_unsafe_inline(viewer):
    response = viewer.get("/units/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp


@pytest.mark.parametrize("url", ["/units/?parent=38", "/units/?q=xa thu", "/units/38/", "/"])
def test_pages_run_the_same_number_of_queries_whatever_the_number_of_units(viewer, tree, committees, url):
    counts = []
    for n in (5, 60):
        for i in range(n):
            services.orgunit_create(
                code=f"7{len(counts)}{i:03d}",
                name=f"Xã Thử {len(counts)}-{i}",
                kind="commune",
                subtype="xa",
                parent=tree.p1,
                valid_from=date(2025, 7, 1),
            )
        with CaptureQueriesContext(connection) as ctx:
            assert viewer.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


@pytest.fixture
def unit_admin(client, tree, make_user):
    client.force_login(make_user("unit_admin", tree.p1))
    return client


def test_a_unit_admin_records_a_kien_toan_decision_from_the_committee_page(unit_admin, committees):
    from giaoban.orgs.models import Membership

    committee = committees["38"]
    assert "reconstitute" in unit_admin.get(f"/committees/{committee.pk}/").content.decode()
    member = Membership.objects.get(committee=committee, role="member")
    form = {
        "number": "30-QĐ/TU",
        "date": "2025-09-01",
        "issuer": "Tỉnh ủy Thanh Hóa",
        "subject": "Kiện toàn",
        "end": [str(member.pk)],
        "new-TOTAL_FORMS": "3",
        "new-INITIAL_FORMS": "0",
        "new-MIN_NUM_FORMS": "0",
        "new-MAX_NUM_FORMS": "1000",
        "new-0-person_name": "Đỗ Văn Mới",
        "new-0-role": "member",
        "new-0-position": "Giám đốc Sở",
    }
    response = unit_admin.post(f"/committees/{committee.pk}/reconstitute/", form)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.end_date == date(2025, 8, 31) and member.ended_by.number == "30-QĐ/TU"
    assert Membership.objects.filter(
        committee=committee, person_name="Đỗ Văn Mới", start_date=date(2025, 9, 1)
    ).exists()


def test_a_refused_decision_keeps_what_was_typed_and_says_why(unit_admin, committees):
    from giaoban.orgs.models import Decision

    committee = committees["38"]
    form = {
        "number": "01-QĐ/Thanh Hóa",
        "date": "2025-09-01",
        "new-TOTAL_FORMS": "3",
        "new-INITIAL_FORMS": "0",
        "new-MIN_NUM_FORMS": "0",
        "new-MAX_NUM_FORMS": "1000",
        "new-0-person_name": "Đỗ Văn Mới",
        "new-0-role": "member",
    }
    page = unit_admin.post(f"/committees/{committee.pk}/reconstitute/", form).content.decode()
    assert "alert-danger" in page and "đã được ghi" in page
    assert "Đỗ Văn Mới" in page, "the names typed in must not be lost"
    assert Decision.objects.filter(committee=committee).count() == 1
    no_date = unit_admin.post(
        f"/committees/{committee.pk}/reconstitute/", {**form, "number": "31-QĐ", "date": "31/02/2025"}
    )
    assert "alert-danger" in no_date.content.decode() and Decision.objects.filter(committee=committee).count() == 1


def test_a_search_below_a_unit_looks_through_its_whole_subtree(client, tree, make_user):
    client.force_login(make_user("viewer", tree.p1))
    page = client.get("/units/?parent=38&q=ngoc+lac&valid_on=2024-01-01").content.decode()
    assert "Thị trấn Ngọc Lặc" in page and "Huyện Ngọc Lặc" in page


def test_pages_stay_vietnamese_whatever_the_browser_language(client, tree, make_user):
    client.force_login(make_user("viewer", tree.p1, first_name="Toàn", last_name="Nguyễn Quốc"))
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "Đơn vị của tôi" in page and "Xin chào, Nguyễn Quốc Toàn" in page


def test_static_files_are_served_from_the_site(client):
    for path in (
        "/static/vendor/bootstrap/bootstrap.min.css",
        "/static/giaoban/site.css",
        "/static/django_htmx/htmx-2.min.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path


def test_the_committee_page_opens_the_consolidated_report_of_a_period(viewer, committees):
    committee = committees["38"]
    page = viewer.get(f"/committees/{committee.pk}/").content.decode()
    assert f'action="/reports/consolidated/{committee.pk}/"' in page
    response = viewer.get(f"/reports/consolidated/{committee.pk}/?period=2023n9")
    assert response.status_code == 302 and response["Location"] == f"/reports/consolidated/{committee.pk}/2023N9/"
    bad = viewer.get(f"/reports/consolidated/{committee.pk}/?period=2023X9", follow=True).content.decode()
    assert "invalid period id" in bad
    assert viewer.get(f"/reports/consolidated/{committees['01'].pk + 999}/?period=2023N9").status_code == 404
