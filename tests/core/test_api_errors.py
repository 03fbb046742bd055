"""Every API error is the documented JSON {message, code, extra}: bad ids, filters and bodies are 4xx,
unknown /api/ addresses and server errors too, and the message follows Accept-Language."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from giaoban.core.access import Role
from giaoban.core.errors import Conflict, ImportRejected, ServiceError, TooLarge
from giaoban.reporting import services
from giaoban.reporting.models import Submission

BODY_KEYS = {"message", "code", "extra"}


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == BODY_KEYS and body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"] and isinstance(body["extra"], dict)
    return body


@pytest.fixture
def world(tree, committees, make_user):
    from tests.reporting.conftest import Catalog

    catalog = Catalog()
    submission = services.submission_open(unit=tree.n1, form=catalog.weekly, period="2026W10")
    return {"tree": tree, "catalog": catalog, "submission": submission, "committee": committees["38"]}


@pytest.fixture
def client_for(make_user, tree):
    def make(role=Role.SYSTEM_ADMIN, unit=None, **headers):
        client = APIClient(**headers)
        client.force_authenticate(make_user(role, unit or tree.vn))
        return client

    return make


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/submissions/abc/"),
        ("post", "/api/v1/submissions/abc/submit/"),
        ("post", "/api/v1/submissions/null/approve/"),
        ("get", "/api/v1/submissions/1.5/"),
        ("get", "/api/v1/submissions/99999999999999999999999999/"),
        ("post", "/api/v1/submissions/99999999999999999999999999/submit/"),
        ("get", "/api/v1/committees/abc/"),
        ("get", "/api/v1/committees/-1/"),
        ("get", "/api/v1/committees/99999999999999999999999999/"),
        ("get", "/api/v1/memberships/abc/"),
    ],
)
def test_it_answers_a_non_numeric_or_huge_id_with_a_json_404(world, client_for, method, url):
    r = getattr(client_for(), method)(url, {}, format="json") if method == "post" else client_for().get(url)
    error(r, 404, "not_found")


def test_it_still_finds_an_object_by_its_numeric_id(world, client_for):
    submission = world["submission"]
    assert client_for().get(f"/api/v1/submissions/{submission.pk}/").json()["id"] == submission.pk
    assert client_for().get(f"/api/v1/committees/{world['committee'].pk}/").status_code == 200


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/memberships/?committee=1e30", "committee"),
        ("/api/v1/memberships/?committee=-1e30", "committee"),
        ("/api/v1/memberships/?committee=99999999999999999999999999", "committee"),
        ("/api/v1/memberships/?committee=abc", "committee"),
        ("/api/v1/memberships/?committee=NaN", "committee"),
        ("/api/v1/orgunits/?valid_on=2024-13-45", "valid_on"),
        ("/api/v1/orgunits/?valid_on=99999-01-01", "valid_on"),
        ("/api/v1/submissions/?status=lost", "status"),
    ],
)
def test_it_answers_an_out_of_range_or_malformed_filter_with_400_naming_it(world, client_for, url, field):
    body = error(client_for().get(url), 400, "invalid")
    assert field in body["extra"]["fields"], body


def test_it_filters_by_a_number_in_range(world, client_for):
    r = client_for().get(f"/api/v1/memberships/?committee={world['committee'].pk}")
    assert r.status_code == 200 and r.json()["count"] == 3


@pytest.mark.parametrize("depth", [100_000, 1_000, 65])
def test_it_answers_a_deeply_nested_json_body_with_400(world, client_for, depth):
    body = "[" * depth + "]" * depth
    r = client_for().post("/api/v1/submissions/", body, content_type="application/json")
    error(r, 400, "parse_error")
    r = client_for().post("/api/v1/datavalues/", body, content_type="application/json")
    error(r, 400, "parse_error")


def test_it_answers_malformed_json_with_400_parse_error(world, client_for):
    r = client_for().post("/api/v1/submissions/", '{"unit": ', content_type="application/json")
    error(r, 400, "parse_error")
    r = client_for().post("/api/v1/submissions/", b'{"unit": "\xff"}', content_type="application/json")
    error(r, 400, "parse_error")


def test_it_answers_a_body_over_the_limit_with_413_too_large(world, client_for, settings):
    settings.API_MAX_BODY_SIZE = 1000
    rows = [{"unit": "15061", "form": "W35", "period": "2026W10", "indicator": "POSTS", "value": "1"}] * 50
    r = client_for().post("/api/v1/datavalues/", json.dumps(rows), content_type="application/json")
    error(r, 413, "too_large")
    csv = "unit,form,period,indicator,value\n" + "15061,W35,2026W10,POSTS,1\n" * 100
    r = client_for().post("/api/v1/datavalues/", csv, content_type="text/csv")
    error(r, 413, "too_large")
    assert not Submission.objects.exclude(pk=world["submission"].pk).exists()


def test_it_answers_too_many_import_rows_with_413_too_large(world, client_for, settings):
    settings.GIAOBAN_IMPORT_MAX_ROWS = 3
    rows = [{"unit": "15061", "form": "W35", "period": "2026W10", "indicator": "POSTS", "value": "1"}] * 4
    error(client_for().post("/api/v1/datavalues/", rows, format="json"), 413, "too_large")


@pytest.mark.parametrize("url", ["/api/v1/nope/", "/api/nope", "/api/v1/submissions/1/nope/", "/api/"])
def test_it_answers_an_unknown_api_address_with_a_json_404(world, client_for, url):
    error(client_for().get(url), 404, "not_found")


def test_it_keeps_the_html_404_page_outside_the_api(db):
    r = Client().get("/no-such-page/")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("delete", "/api/v1/indicators/POSTS/"),
        ("put", "/api/v1/submissions/{pk}/submit/"),
        ("delete", "/api/v1/submissions/{pk}/"),
        ("post", "/api/v1/rollup/"),
        ("post", "/api/docs/"),  # an HTML page, but its errors are JSON
        ("post", "/api/schema/"),  # YAML, but its errors are JSON
    ],
)
def test_it_answers_a_method_not_allowed_with_a_json_405(world, client_for, method, url):
    r = getattr(client_for(), method)(url.format(pk=world["submission"].pk))
    body = error(r, 405, "method_not_allowed")
    assert method.upper() in body["message"]


def test_it_answers_an_unsupported_content_type_with_a_json_415(world, client_for):
    r = client_for().post("/api/v1/submissions/", "unit=15061", content_type="text/plain")
    body = error(r, 415, "unsupported_media_type")
    assert "text/plain" in body["message"]


def test_it_answers_a_server_error_under_the_api_with_json(world, client_for, monkeypatch):
    from giaoban.orgs import selectors

    def broken(user):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "committees_for", broken)
    client = client_for()
    client.raise_request_exception = False
    body = error(client.get("/api/v1/committees/"), 500, "server_error")
    assert "a bug" not in body["message"]


def test_it_answers_a_session_write_without_csrf_token_with_a_json_403(world, make_user, tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.SECRETARY, tree.n1))
    r = client.post("/api/v1/submissions/", {"unit": "15061"}, content_type="application/json")
    error(r, 403, "csrf_failed")


def test_it_answers_a_missing_token_with_401_not_authenticated_and_a_bad_one_with_authentication_failed(world):
    error(APIClient().get("/api/v1/submissions/"), 401, "not_authenticated")
    r = APIClient().get("/api/v1/submissions/", HTTP_AUTHORIZATION="Token nope")
    error(r, 401, "authentication_failed")


def test_it_answers_wrong_credentials_with_a_stable_code(db):
    r = APIClient().post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    error(r, 400, "invalid_credentials")


@pytest.mark.usefixtures("compiled_locale")
@pytest.mark.parametrize(
    ("method", "url", "status", "code", "vi", "en"),
    [
        ("get", "/api/v1/submissions/abc/", 404, "not_found", "Không tìm thấy (not found).", "Not found."),
        ("get", "/api/v1/nope/", 404, "not_found", "Không tìm thấy (not found).", "Not found."),
        (
            "get",
            "/api/v1/periods/2023X1/",
            400,
            "invalid",
            "Mã kỳ không hợp lệ: '2023X1' (invalid period id)",
            "Invalid period id: '2023X1'",
        ),
        (
            "delete",
            "/api/v1/indicators/POSTS/",
            405,
            "method_not_allowed",
            "Phương thức DELETE không dùng được ở địa chỉ này.",
            "Method DELETE is not allowed at this address.",
        ),
    ],
)
def test_it_answers_in_english_when_accept_language_asks_for_it(world, client_for, method, url, status, code, vi, en):
    for header, expected, language in [
        ({}, vi, "vi"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, en, "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9,vi;q=0.8"}, en, "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "vi-VN,vi;q=0.9,en;q=0.8"}, vi, "vi"),
        ({"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}, vi, "vi"),
    ]:
        r = getattr(client_for(**header), method)(url)
        assert error(r, status, code)["message"] == expected, header
        assert r["Content-Language"] == language and "Accept-Language" in r["Vary"]


@pytest.mark.usefixtures("compiled_locale")
def test_it_keeps_pages_in_vietnamese_whatever_the_browser_asks(db, make_user, tree):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user(Role.VIEWER, tree.p1))
    assert client.get("/")["Content-Language"] == "vi"


def test_it_gives_each_service_error_a_code_with_a_sensible_default():
    assert ServiceError("x").code == "invalid"
    assert ServiceError("x", code="stale").code == "stale"
    assert Conflict("x").code == "conflict" and Conflict("x").status == 409
    assert ImportRejected("x", []).code == "import_rejected"
    assert TooLarge("x").code == "too_large" and TooLarge("x").status == 413


@pytest.mark.parametrize(("status", "code"), [(400, "import_rejected"), (409, "conflict"), (413, "too_large")])
def test_it_names_an_upload_refusal_by_its_status(status, code):
    from giaoban.core.api.errors import service_error_code
    from giaoban.reporting.xlsx import XlsxRejected

    assert service_error_code(XlsxRejected.one("x", status)) == code


def test_it_answers_an_upload_that_is_not_xlsx_with_import_rejected(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("figures.zip", b"PK\x03\x04", content_type="application/zip")
    r = client_for().post("/api/v1/templates/upload/", {"file": upload}, format="multipart")
    assert error(r, 400, "import_rejected")["extra"]["errors"]


def test_it_answers_a_stale_version_with_409_conflict(world, client_for):
    s = world["submission"]
    client = client_for(Role.SECRETARY, world["tree"].n1)
    r = client.post(f"/api/v1/submissions/{s.pk}/submit/", {"version": s.version + 5}, format="json")
    error(r, 409, "conflict")


def test_it_answers_a_rejected_import_with_import_rejected_and_every_row(world, client_for):
    rows = [{"unit": "15061", "form": "W35", "period": "2026W10", "indicator": "NOPE", "value": "x"}]
    body = error(client_for().post("/api/v1/datavalues/", rows, format="json"), 400, "import_rejected")
    assert body["extra"]["errors"]


def test_it_documents_the_error_body_and_nullable_fields_in_the_schema(db, client_for):
    schema = client_for().get("/api/schema/?format=json").json()
    error_schema = schema["components"]["schemas"]["Error"]
    assert set(error_schema["required"]) == BODY_KEYS
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert {"400", "401", "404", "405", "500"} <= set(operation["responses"]), (path, method)
    props = schema["components"]["schemas"]
    assert props["Submission"]["properties"]["approved_by"]["nullable"] is True
    assert props["Submission"]["properties"]["submitted_by"]["nullable"] is True
    assert props["Event"]["properties"]["actor"]["nullable"] is True
    assert props["Membership"]["properties"]["ended_by"]["nullable"] is True
    assert props["OrgUnit"]["properties"]["parent"]["nullable"] is True
    assert '"code"' in schema["info"]["description"] or "`code`" in schema["info"]["description"]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/reports/consolidated/?committee=99999999999999999999999&period=2026N9", None),
        ("get", "/api/v1/reports/consolidated/?committee=1e30&period=2026N9", None),
        ("patch", "/api/v1/reports/consolidated/", {"committee": 10**30, "period": "2026N9", "version": 0}),
        ("patch", "/api/v1/reports/consolidated/", {"committee": 1, "period": "2026N9", "version": 10**30}),
        ("post", "/api/v1/submissions/{pk}/submit/", {"version": 10**30}),
        ("post", "/api/v1/submissions/{pk}/submit/", {"version": -(10**30)}),
        ("get", "/api/v1/submissions/?page=99999999999999999999999", None),
        ("get", "/api/v1/submissions/?page_size=99999999999999999999999", None),
        ("get", "/api/v1/periods/99999999999999999999N9/", None),
        ("get", "/api/v1/periods/2026W99999999999999999999/", None),
    ],
)
def test_it_answers_huge_numbers_in_query_and_body_with_a_4xx(world, client_for, method, url, body):
    client = client_for()
    url = url.format(pk=world["submission"].pk)
    r = client.get(url) if method == "get" else getattr(client, method)(url, body, format="json")
    assert 200 <= r.status_code < 500, (r.status_code, r.content[:300])
    if r.status_code >= 400:
        assert set(r.json()) == BODY_KEYS


@pytest.mark.parametrize(
    "body",
    ['{"unit": "15\\u0000061", "form": "W35", "period": "2026W10"}', '{"unit": "\\ud800", "form": "W35"}'],
    ids=["nul", "lone-surrogate"],
)
def test_it_answers_json_text_no_database_stores_with_400(world, client_for, body):
    r = client_for().post("/api/v1/submissions/", body, content_type="application/json")
    error(r, 400, "parse_error")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/rollup/?indicator=POSTS&unit=15%00061&period=2026W10",
        "/api/v1/templates/?unit=15%00061&form=W35&period=2026W10",
        "/api/v1/orgunits/15%00061/",
        "/api/v1/indicators/PO%00STS/",
        "/api/v1/submissions/?unit=15%00061",
    ],
)
def test_it_answers_a_nul_character_in_the_address_with_a_json_4xx(world, client_for, url):
    r = client_for().get(url)
    assert r.status_code in (400, 404), (r.status_code, r.content[:300])
    assert set(r.json()) == BODY_KEYS


def test_it_answers_django_level_errors_under_the_api_with_json_and_pages_with_html(rf):
    from django.core.exceptions import RequestDataTooBig, SuspiciousOperation

    from giaoban.core.api import views

    api, page = rf.post("/api/v1/submissions/"), rf.post("/accounts/login/")
    error(views.csrf_failure(api, "no token"), 403, "csrf_failed")
    error(views.bad_request(api, RequestDataTooBig()), 413, "too_large")
    error(views.bad_request(api, SuspiciousOperation()), 400, "invalid")
    error(views.permission_denied(api), 403, "permission_denied")
    error(views.server_error(api), 500, "server_error")
    for response in (views.csrf_failure(page, "no token"), views.server_error(page)):
        assert response["Content-Type"].startswith("text/html")


@pytest.mark.usefixtures("compiled_locale")
def test_it_words_drf_own_errors_in_the_requested_language(world):
    for language, expected in (("vi", "Token hoặc phiên đăng nhập không hợp lệ."), ("en", "Invalid token or login session.")):
        r = APIClient().get("/api/v1/submissions/", HTTP_AUTHORIZATION="Token nope", HTTP_ACCEPT_LANGUAGE=language)
        body = error(r, 401, "authentication_failed")
        assert body["message"] == expected and body["extra"] == {"detail": "Invalid token."}


NEW_RATIO = {"code": "R", "name": "Tỷ lệ", "unit": "%", "value_type": "percent", "aggregation": "ratio"}


@pytest.mark.parametrize(
    ("role", "status", "code", "vi", "en"),
    [
        # A validation error (a ratio without its parts), and a permission error (a viewer may not add one).
        (
            Role.SYSTEM_ADMIN,
            400,
            "invalid",
            "Chỉ tiêu tỷ số cần tử số và mẫu số",
            "A ratio needs a numerator and a denominator.",
        ),
        (
            Role.VIEWER,
            403,
            "permission_denied",
            "Bạn không có quyền thực hiện thao tác này.",
            "You are not allowed to do this.",
        ),
    ],
)
def test_it_words_validation_and_permission_errors_in_the_language_asked_with_a_stable_code(
    world, client_for, role, status, code, vi, en
):
    r = client_for(role).post("/api/v1/indicators/", NEW_RATIO, format="json")
    assert error(r, status, code)["message"].startswith(vi)
    r = client_for(role, HTTP_ACCEPT_LANGUAGE="en").post("/api/v1/indicators/", NEW_RATIO, format="json")
    assert error(r, status, code)["message"] == en
