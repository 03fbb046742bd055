"""Two-factor sign-in with an authenticator app: required for system admins, unit admins and approvers (a setting
changes which roles), optional for others; recovery codes; the login lockout still works; the API with a token is
not held up."""

from __future__ import annotations

import time

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from giaoban.core.access import Role
from tests.access import api_token_key

from .helpers import LOGIN, PASSWORD, STEP, code_for, set_up_totp, sign_in

SETUP = "/accounts/two-factor/setup/"

pytestmark = pytest.mark.usefixtures("two_factor_as_in_production")


@pytest.fixture
def approver(tree, make_user):
    return make_user(Role.APPROVER, tree.p1, username="duyet")


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.UNIT_ADMIN, Role.APPROVER])
def test_it_sends_a_required_role_to_set_up_an_app_after_the_password(client, tree, make_user, role):
    make_user(role, tree.p1, username="can-2fa")
    response = sign_in(client, "can-2fa")
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == f"{SETUP}?next=%2F"
    # No other page either, not even by its address.
    for url in ("/units/", "/committees/", "/reports/", "/accounts/tokens/", "/accounts/password_change/"):
        assert client.get(url).status_code == 302, url
    page = client.get(home["Location"])
    assert page.status_code == 200 and "Vai trò của bạn cần xác thực hai bước" in page.content.decode()


def test_it_lets_an_unverified_user_reach_logout_language_setup_static_and_healthz(client, approver):
    sign_in(client, "duyet")
    assert client.get(SETUP).status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": SETUP}).status_code == 302
    assert client.get("/static/giaoban/site.css").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302  # signed out: the login page now
    assert client.get("/")["Location"].startswith(LOGIN)


def test_it_leaves_two_factor_optional_for_other_roles(client, tree, make_user):
    make_user(Role.SECRETARY, tree.c1, username="thuky")
    assert sign_in(client, "thuky").status_code == 302
    assert client.get("/").status_code == 200
    account = client.get("/accounts/").content.decode()
    assert "Chưa bật" in account and 'id="two-factor-setup-link"' in account


def test_the_setting_changes_which_roles_need_it(client, settings, tree, make_user, approver):
    settings.TWO_FACTOR_REQUIRED_ROLES = [Role.SECRETARY]
    make_user(Role.SECRETARY, tree.c1, username="thuky")
    sign_in(client, "duyet")
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    sign_in(client, "thuky")
    assert client.get("/").status_code == 302


def test_a_superuser_counts_as_a_system_admin(client, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.vn", PASSWORD)
    sign_in(client, "root")
    assert client.get("/")["Location"].startswith(SETUP)


def test_it_sets_up_the_app_then_asks_for_its_code_at_every_sign_in(client, approver):
    sign_in(client, "duyet")
    key = set_up_totp(client)
    device = TOTPDevice.objects.get(user=approver)
    assert device.confirmed and device.key == key
    # Setting up verified this session: the site is open.
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")

    step = client.post(LOGIN, {STEP: "auth", "username": "duyet", "password": PASSWORD})
    assert step.status_code == 200 and 'name="token-otp_token"' in step.content.decode()
    assert client.get("/").status_code == 302  # the password alone signs nobody in
    wrong = client.post(LOGIN, {STEP: "token", "token-otp_token": "000000" if code_for(key) != "000000" else "111111"})
    assert wrong.status_code == 200 and "Mã xác thực không đúng" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    # The next 30-second step (the app's clock may run ahead): the setup's own code cannot be replayed.
    done = client.post(LOGIN, {STEP: "token", "token-otp_token": code_for(key, time.time() + 30)})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_recovery_code_signs_in_once_only(client, approver):
    sign_in(client, "duyet")
    set_up_totp(client)
    client.post("/accounts/two-factor/recovery-codes/")
    codes = list(StaticDevice.objects.get(user=approver).token_set.values_list("token", flat=True))
    assert len(codes) == 10
    page = client.get("/accounts/two-factor/recovery-codes/").content.decode()
    assert all(c in page for c in codes)
    client.post("/accounts/logout/")

    def with_recovery_code(code):
        client.post(LOGIN, {STEP: "auth", "username": "duyet", "password": PASSWORD})
        client.post(LOGIN, {STEP: "token", "wizard_goto_step": "backup"})
        return client.post(LOGIN, {STEP: "backup", "backup-otp_token": code})

    first = with_recovery_code(codes[0])
    assert first.status_code == 302 and client.get("/").status_code == 200
    client.post("/accounts/logout/")
    again = with_recovery_code(codes[0])
    assert again.status_code == 200 and "Mã xác thực không đúng hoặc đã dùng" in again.content.decode()
    assert client.get("/").status_code == 302
    assert StaticDevice.objects.get(user=approver).token_set.count() == 9


def test_it_still_locks_out_after_five_wrong_passwords(client, settings, approver):
    wrong = client.post(LOGIN, {STEP: "auth", "username": "duyet", "password": "sai"})
    assert wrong.status_code == 200 and "không đúng" in wrong.content.decode()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {STEP: "auth", "username": "duyet", "password": "sai"})
    locked = client.post(LOGIN, {STEP: "auth", "username": "duyet", "password": PASSWORD})
    assert locked.status_code == 429 and "Tạm khóa" in locked.content.decode()


def test_a_session_with_an_app_but_no_code_must_sign_in_again(client, approver):
    # E.g. a session opened by the admin's login before the app was set up elsewhere.
    TOTPDevice.objects.create(user=approver, name="default", confirmed=True)
    client.force_login(approver)
    response = client.get("/units/")
    assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN}?next=/units/")
    assert "_auth_user_id" not in client.session


def test_the_api_with_a_token_is_not_held_up_but_the_unverified_session_is(client, approver):
    key = api_token_key(approver)
    assert APIClient().get("/api/v1/orgunits/38/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    sign_in(client, "duyet")
    r = client.get("/api/v1/orgunits/38/")
    assert r.status_code == 403 and r.json()["code"] == "two_factor_required"
    assert set(r.json()) == {"message", "code", "extra"}
    # Another scheme does not slip the session through; a bad token is refused, not read as the session.
    assert client.get("/api/v1/orgunits/38/", HTTP_AUTHORIZATION="Basic eDp5").status_code == 403
    assert client.get("/api/v1/orgunits/38/", HTTP_AUTHORIZATION="Token nope").status_code == 401


def test_a_required_user_cannot_turn_it_off_an_optional_one_can(client, tree, make_user, approver):
    sign_in(client, "duyet")
    set_up_totp(client)
    page = client.get("/accounts/two-factor/disable/").content.decode()
    assert 'id="two-factor-required"' in page
    client.post("/accounts/two-factor/disable/", {"understand": "on"})
    assert TOTPDevice.objects.filter(user=approver).exists()
    client.post("/accounts/logout/")

    secretary = make_user(Role.SECRETARY, tree.c1, username="thuky")
    sign_in(client, "thuky")
    set_up_totp(client)
    assert client.post("/accounts/two-factor/disable/", {"understand": "on"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=secretary).exists()


# --- Getting an API token with a password --------------------------------------------------------------------------


def test_the_token_endpoint_asks_for_the_code_of_a_user_with_an_app(client, approver):
    sign_in(client, "duyet")
    key = set_up_totp(client)
    api = APIClient()
    r = api.post("/api/v1/auth/token/", {"username": "duyet", "password": PASSWORD}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "otp_required"
    r = api.post("/api/v1/auth/token/", {"username": "duyet", "password": PASSWORD, "otp_token": "12345x"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_otp"
    code = code_for(key, time.time() + 30)
    r = api.post("/api/v1/auth/token/", {"username": "duyet", "password": PASSWORD, "otp_token": code, "name": "cron"}, format="json")
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    listed = api.get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Token {token}").json()["results"]
    assert [t["name"] for t in listed] == ["cron"]


def test_the_token_endpoint_refuses_a_required_role_without_an_app(approver):
    r = APIClient().post("/api/v1/auth/token/", {"username": "duyet", "password": PASSWORD}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "two_factor_setup_required"


# --- Pages in both languages, on the site's layout ------------------------------------------------------------------


@pytest.mark.usefixtures("compiled_locale")
def test_the_sign_in_pages_speak_vietnamese_and_english(client, approver):
    page = client.get(LOGIN).content.decode()
    assert "Đăng nhập" in page and "Quên mật khẩu?" in page and 'id="language-switch"' in page
    client.cookies["django_language"] = "en"
    page = client.get(LOGIN).content.decode()
    assert "Sign in" in page or "Log in" in page
    assert "Forgot your password?" in page
    sign_in(client, "duyet")
    setup = client.get(SETUP).content.decode()
    assert "Your role requires two-factor sign-in" in setup and "Vai trò" not in setup


def test_a_misspelt_role_in_the_setting_fails_the_checks(settings):
    from django.core.checks import run_checks

    settings.TWO_FACTOR_REQUIRED_ROLES = ["approver", "aprover"]
    assert [e.id for e in run_checks() if e.id.startswith("giaoban.accounts")] == ["giaoban.accounts.E001"]


def test_the_admins_own_login_sends_to_the_sites_so_nobody_skips_the_code(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/admin/")
