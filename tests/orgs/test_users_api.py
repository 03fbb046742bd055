"""/api/v1/users/: the same user administration as the pages, scoped the same, errors {message, code, extra}."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from rest_framework.test import APIClient

from giaoban.orgs.models import Agency, Membership, UserRole
from tests.access import api_token_key
from tests.accounts.helpers import run_queued_tasks

User = get_user_model()
HEADER = "name,email,phone,unit,role,agency\n"


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(user)}")
    return client


@pytest.fixture
def admin(tree, make_user):
    return make_user("unit_admin", tree.p1)


@pytest.fixture
def api(admin):
    return _client(admin)


def test_it_creates_lists_and_edits_a_user(api, tree):
    created = api.post(
        "/api/v1/users/",
        {
            "name": "Nguyễn Thị Hoa",
            "email": "hoa@example.vn",
            "phone": "0912345678",
            "unit": "15061",
            "role": "secretary",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["name"], body["unit"], body["phone"], body["is_active"]) == (
        "Nguyễn Thị Hoa",
        "15061",
        "0912345678",
        True,
    )
    assert [(r["role"], r["unit"]) for r in body["roles"]] == [("secretary", "15061")]
    found = api.get("/api/v1/users/?q=nguyen+thi").json()
    assert [u["email"] for u in found["results"]] == ["hoa@example.vn"]
    patched = api.patch(f"/api/v1/users/{body['id']}/", {"phone": "0987654321", "unit": "15085"}, format="json")
    assert patched.status_code == 200 and (patched.json()["phone"], patched.json()["unit"]) == ("0987654321", "15085")


def test_it_answers_bad_input_with_the_field_and_a_stable_code(api, tree):
    outside = api.post("/api/v1/users/", {"name": "A", "email": "a@example.vn", "unit": "00004"}, format="json")
    assert outside.status_code == 400
    assert set(outside.json()) == {"message", "code", "extra"} and "unit" in outside.json()["extra"]["fields"]
    sysadmin = api.post(
        "/api/v1/users/", {"name": "A", "email": "a@example.vn", "unit": "38", "role": "system_admin"}, format="json"
    )
    assert sysadmin.status_code == 400 and "role" in sysadmin.json()["extra"]["fields"]
    english = api.post(
        "/api/v1/users/", {"name": "", "email": "a@example.vn", "unit": "38"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 400 and english.json()["code"] == "invalid"
    assert not User.objects.filter(email="a@example.vn").exists()


def test_it_imports_a_csv_all_or_nothing(api, tree, compiled_locale):
    bad = HEADER + "Hoa,hoa@example.vn,,15061,secretary,\nBình,binh@example.vn,,00004,viewer,\n"
    response = api.post("/api/v1/users/import/", bad.encode(), content_type="text/csv", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.json()["code"] == "import_rejected"
    assert response.json()["extra"]["errors"] == [
        {"row": 3, "column": "unit", "message": "No unit with code '00004' among the units you administer."}
    ]
    assert not User.objects.filter(email="hoa@example.vn").exists()
    good = ("\ufeff" + HEADER + "Hoa,hoa@example.vn,,15061,secretary,\nBình,binh@example.vn,,15085,viewer,\n").encode()
    response = api.post("/api/v1/users/import/", good, content_type="text/csv")
    assert response.status_code == 201 and response.json()["created"] == 2
    assert set(User.objects.filter(pk__in=response.json()["users"]).values_list("email", flat=True)) == {
        "hoa@example.vn",
        "binh@example.vn",
    }


def test_it_grants_and_removes_roles_and_refuses_outside_the_subtree(api, tree, make_user):
    user = make_user("viewer", tree.n1)
    granted = api.post(f"/api/v1/users/{user.pk}/roles/", {"role": "approver", "unit": "38"}, format="json")
    assert granted.status_code == 201 and {r["role"] for r in granted.json()["roles"]} == {"viewer", "approver"}
    outside = api.post(f"/api/v1/users/{user.pk}/roles/", {"role": "viewer", "unit": "00004"}, format="json")
    assert outside.status_code == 400 and "unit" in outside.json()["extra"]["fields"]
    agency = Agency.objects.create(name="Công an Hà Nội", org_unit=tree.p2)
    officer = api.post(
        f"/api/v1/users/{user.pk}/roles/", {"role": "agency_officer", "agency": agency.pk}, format="json"
    )
    assert officer.status_code == 400 and "agency" in officer.json()["extra"]["fields"]
    role = UserRole.objects.get(user=user, role="approver")
    removed = api.delete(f"/api/v1/users/{user.pk}/roles/{role.pk}/")
    assert removed.status_code == 200 and [r["role"] for r in removed.json()["roles"]] == ["viewer"]


def test_it_deactivates_reactivates_and_sends_a_reset_link(
    api, tree, make_user, settings, admin, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = make_user("viewer", tree.n1, email="xem@example.vn")
    assert api.post(f"/api/v1/users/{user.pk}/deactivate/").json()["is_active"] is False
    inactive = api.post(f"/api/v1/users/{user.pk}/password-reset/")
    assert inactive.status_code == 400 and inactive.json()["code"] == "inactive"
    assert api.post(f"/api/v1/users/{user.pk}/reactivate/").json()["is_active"] is True
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/users/{user.pk}/password-reset/").status_code == 202
    assert mail.outbox == []  # queued: the task worker sends it
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [["xem@example.vn"]]
    assert api.post(f"/api/v1/users/{admin.pk}/deactivate/").json()["code"] == "self_deactivate"


def test_it_links_a_user_to_a_committee_membership(api, tree, make_user, committees):
    user = make_user("viewer", tree.n1)
    member = Membership.objects.filter(committee=committees["38"]).first()
    assert (
        api.post(f"/api/v1/users/{user.pk}/memberships/", {"membership": member.pk}, format="json").status_code == 200
    )
    member.refresh_from_db()
    assert member.user == user
    other = Membership.objects.filter(committee=committees["01"]).first()
    response = api.post(f"/api/v1/users/{user.pk}/memberships/", {"membership": other.pk}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("role", ["viewer", "secretary", "approver", "member", "agency_officer"])
def test_writes_are_404_for_roles_that_do_not_administer(tree, make_user, role):
    client = _client(make_user(role, tree.p1))
    target = make_user("viewer", tree.n1)
    for method, url, body in [
        ("post", "/api/v1/users/", {"name": "A", "email": "a@example.vn", "unit": "38"}),
        ("post", f"/api/v1/users/{target.pk}/deactivate/", None),
        ("post", f"/api/v1/users/{target.pk}/roles/", {"role": "viewer", "unit": "38"}),
    ]:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found", (url, response.json())
    imported = client.post(
        "/api/v1/users/import/", (HEADER + "A,a@example.vn,,38,viewer,\n").encode(), content_type="text/csv"
    )
    assert imported.status_code == 404
    target.refresh_from_db()
    assert target.is_active and not User.objects.filter(email="a@example.vn").exists()
