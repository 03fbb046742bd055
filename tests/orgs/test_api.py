from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from giaoban.orgs import services


@pytest.fixture
def api(tree, make_user):
    client = APIClient()
    user = make_user("viewer", tree.vn, username="xem", password="mat-khau-dai-123")
    token = client.post("/api/v1/auth/token/", {"username": "xem", "password": "mat-khau-dai-123"}, format="json")
    assert token.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    client.user = user
    return client


def test_it_refuses_a_wrong_password_with_a_clear_message(tree, make_user):
    make_user("viewer", tree.vn, username="xem", password="dung-mat-khau-1")
    response = APIClient().post("/api/v1/auth/token/", {"username": "xem", "password": "sai"}, format="json")
    assert response.status_code == 400
    assert "wrong username or password" in response.json()["message"]
    missing = APIClient().post("/api/v1/auth/token/", {"username": "xem"}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()["message"]
    assert "password" in missing.json()["extra"]["fields"]


def test_it_locks_the_token_endpoint_after_repeated_failures(tree, make_user, settings):
    make_user("viewer", tree.vn, username="xem", password="dung-mat-khau-1")
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": "xem", "password": "sai"}, format="json")
    locked = client.post("/api/v1/auth/token/", {"username": "xem", "password": "dung-mat-khau-1"}, format="json")
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"


def test_it_filters_units_by_date_kind_parent_and_text(api):
    def codes(query):
        response = api.get(f"/api/v1/orgunits/?{query}")
        assert response.status_code == 200, response.content
        return {u["code"] for u in response.json()["results"]}

    assert codes("valid_on=2024-01-01&kind=commune") == {"90001", "90002", "90003"}
    assert codes("valid_on=2025-08-01&kind=commune") == {"15061", "15085", "00004"}
    assert codes("parent=389") == {"90001", "90002", "90003"}
    assert codes("q=ngoc lac") == {"389", "90001", "15061"}
    assert codes("q=ngoc lac&valid_on=2025-07-01") == {"15061"}
    page = api.get("/api/v1/orgunits/?page_size=2").json()
    assert page["count"] == 10 and len(page["results"]) == 2 and page["next"]


def test_it_answers_a_bad_filter_with_400_and_the_field(api):
    response = api.get("/api/v1/orgunits/?valid_on=30-02-2024&kind=village")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "code", "extra"} and body["code"] == "invalid" and {"valid_on", "kind"} <= set(body["extra"]["fields"])


def test_it_gives_a_unit_with_its_lineage(api):
    body = api.get("/api/v1/orgunits/15061/").json()
    assert body["parent"] == "38" and body["valid_from"] == "2025-07-01" and body["valid_to"] is None
    assert {(p["code"], p["kind"], p["share"]) for p in body["predecessors"]} == {
        ("90001", "merge", "1.000000"),
        ("90002", "merge", "1.000000"),
        ("90003", "split", "0.600000"),
    }
    old = api.get("/api/v1/orgunits/90003/").json()
    assert [(s["code"], s["date"]) for s in old["successors"]] == [("15061", "2025-07-01"), ("15085", "2025-07-01")]
    assert api.get("/api/v1/orgunits/XXXX/").status_code == 404


def test_it_gives_committees_with_current_members_by_role(api, committees):
    listing = api.get("/api/v1/committees/?unit=38").json()
    assert [c["name"] for c in listing["results"]] == ["Ban Chỉ đạo 35 Thanh Hóa"]
    detail = api.get(f"/api/v1/committees/{committees['38'].pk}/").json()
    assert [m["role"] for m in detail["members"]] == ["head", "standing_deputy", "member"]
    assert detail["members"][0]["decision"] == "01-QĐ/Thanh Hóa"
    members = api.get(f"/api/v1/memberships/?committee={committees['38'].pk}&current=true").json()
    assert members["count"] == 3


def test_it_serves_the_openapi_schema_and_docs(api, client, tree, make_user):
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/orgunits/", "/api/v1/orgunits/{code}/", "/api/v1/auth/token/"} <= set(paths)
    assert "404" in paths["/api/v1/orgunits/{code}/"]["get"]["responses"]
    client.force_login(api.user)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()


def _grow(tree, n, start):
    for i in range(start, start + n):
        services.orgunit_create(
            code=f"7{i:04d}",
            name=f"Xã Thử {i}",
            kind="commune",
            subtype="xa",
            parent=tree.p1,
            valid_from=date(2025, 7, 1),
        )


@pytest.mark.parametrize(
    "url", ["/api/v1/orgunits/?page_size=500", "/api/v1/orgunits/?q=xa thu&page_size=500", "/api/v1/committees/"]
)
def test_it_answers_a_list_in_the_same_number_of_queries_whatever_its_size(api, tree, committees, url):
    counts = []
    for n in (5, 60):
        _grow(tree, n, start=len(counts) * 100)
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
