"""Password change, and password reset by e-mail end to end through a real SMTP server (aiosmtpd): the page
queues the mail and answers at once, the task worker delivers it, its link (on SITE_URL) works once, the new
password signs in."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from giaoban.core.access import Role
from tests.access import api_token_key

from .helpers import PASSWORD, queued, run_queued_tasks, sign_in

NEW = "mat-khau-moi-rat-dai-456"


@pytest.fixture
def secretary(tree, make_user):
    return make_user(Role.SECRETARY, tree.c1, username="thuky", email="thuky@example.vn", first_name="Lan", last_name="Hà Thị")


@pytest.mark.django_db(transaction=True)
def test_it_resets_a_forgotten_password_by_email_end_to_end(client, smtp, secretary):
    page = client.get("/accounts/password_reset/").content.decode()
    assert "Quên mật khẩu" in page and 'name="email"' in page
    sent = client.post("/accounts/password_reset/", {"email": "thuky@example.vn"})
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password_reset/done/"
    assert "Hãy kiểm tra hộp thư" in client.get(sent["Location"]).content.decode()

    assert smtp.take() == []  # not sent by the request: queued for the worker, with the user's key only
    [args] = queued("send_password_reset_email")
    assert args == [secretary.pk, "giaoban.example.vn", True, "vi"]
    run_queued_tasks()
    [(to, msg)] = smtp.take()
    assert to == ["thuky@example.vn"] and msg["Subject"] == "Đặt lại mật khẩu giaoban"
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "Xin chào Hà Thị Lan" in body and '"thuky"' in body
    link = re.search(r"https://giaoban\.example\.vn(/accounts/reset/\S+/)", body)
    assert link, body  # on SITE_URL, never on the Host header the request carried
    confirm = client.get(link.group(1), follow=True)
    assert confirm.status_code == 200 and 'id="password-set-form"' in confirm.content.decode()
    set_url = urlsplit(confirm.redirect_chain[-1][0]).path
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert "Đã đặt mật khẩu mới" in client.get(done["Location"]).content.decode()

    assert sign_in(client, "thuky", NEW).status_code == 302 and client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert sign_in(client, "thuky", PASSWORD).status_code == 200  # the old one no longer works
    # The link worked once.
    again = client.get(link.group(1), follow=True).content.decode()
    assert 'id="reset-link-invalid"' in again


@pytest.mark.django_db(transaction=True)
def test_it_sends_nothing_for_an_unknown_address_and_says_the_same(client, smtp, secretary):
    sent = client.post("/accounts/password_reset/", {"email": "khong-co@example.vn"})
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password_reset/done/"
    assert queued("send_password_reset_email") == []
    run_queued_tasks()
    assert smtp.take() == []


def test_it_changes_the_password_and_revokes_the_api_tokens(client, secretary):
    key = api_token_key(secretary)
    client.force_login(secretary)
    page = client.get("/accounts/password_change/").content.decode()
    assert "Đổi mật khẩu" in page and "thu hồi mọi mã truy cập API" in page
    wrong = client.post("/accounts/password_change/", {"old_password": "sai", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200 and "is-invalid" in wrong.content.decode()
    done = client.post("/accounts/password_change/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/password_change/done/"
    assert "Đã đổi mật khẩu" in client.get(done["Location"]).content.decode()
    assert client.get("/").status_code == 200  # still signed in
    assert get_user_model().objects.get(pk=secretary.pk).check_password(NEW)
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/orgunits/38/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


@pytest.mark.usefixtures("compiled_locale")
@pytest.mark.parametrize(
    ("url", "vi", "en"),
    [
        ("/accounts/password_change/", "Đổi mật khẩu", "Change password"),
        ("/accounts/password_change/done/", "Đã đổi mật khẩu", "Password changed"),
        ("/accounts/password_reset/", "Quên mật khẩu", "Forgotten password"),
        ("/accounts/password_reset/done/", "Hãy kiểm tra hộp thư", "Check your inbox"),
        ("/accounts/reset/MQ/bad-token/", "Đường dẫn này không dùng được nữa", "This link no longer works"),
        ("/accounts/reset/done/", "Đã đặt mật khẩu mới", "New password set"),
    ],
)
def test_every_password_page_is_in_the_sites_layout_in_both_languages(client, secretary, url, vi, en):
    client.force_login(secretary)
    page = client.get(url).content.decode()
    assert vi in page and 'id="language-switch"' in page and "navbar" in page
    client.cookies["django_language"] = "en"
    page = client.get(url).content.decode()
    assert en in page and vi not in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("compiled_locale")
def test_the_queued_reset_mail_is_in_the_language_the_page_was_asked_in(client, smtp, secretary):
    client.cookies["django_language"] = "en"
    client.post("/accounts/password_reset/", {"email": "thuky@example.vn"})
    run_queued_tasks()
    [(_to, msg)] = smtp.take()
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "Xin chào" not in body and "/accounts/reset/" in body


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_nothing_to_an_account_deactivated_meanwhile(client, smtp, secretary):
    client.post("/accounts/password_reset/", {"email": "thuky@example.vn"})
    get_user_model().objects.filter(pk=secretary.pk).update(is_active=False)
    run_queued_tasks()
    assert smtp.take() == []


@pytest.mark.django_db(transaction=True)
def test_the_unit_admins_reset_link_is_queued_and_delivered_by_the_worker(client, smtp, tree, make_user, secretary):
    client.force_login(make_user(Role.UNIT_ADMIN, tree.p1))
    response = client.post(f"/users/{secretary.pk}/password-reset/")
    assert response.status_code == 302
    assert smtp.take() == [] and len(queued("send_password_reset_email")) == 1
    run_queued_tasks()
    [(to, msg)] = smtp.take()
    assert to == ["thuky@example.vn"] and "/accounts/reset/" in msg.get_body(preferencelist=("plain",)).get_content()
