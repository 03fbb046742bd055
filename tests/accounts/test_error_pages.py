"""404, 403 and 500 pages in the site's layout, in the user's language, with a way back home; JSON under /api/.
The header's language switch names each language in itself."""

from __future__ import annotations

import pytest

from giaoban.core.access import Role

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.error_urls"), pytest.mark.usefixtures("compiled_locale")]

PAGES = {
    404: ("/khong-co-trang-nay/", "Không tìm thấy trang", "Page not found"),
    403: ("/boom/403/", "Không có quyền", "Not allowed"),
    500: ("/boom/500/", "Lỗi máy chủ", "Server error"),
}


@pytest.mark.parametrize("status", [404, 403, 500])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_error_pages_are_in_the_sites_layout_and_language_with_a_way_home(client, tree, make_user, status, language):
    client.raise_request_exception = False
    client.force_login(make_user(Role.SECRETARY, tree.c1))
    if language == "en":
        client.cookies["django_language"] = "en"
    url, vi, en = PAGES[status]
    response = client.get(url)
    assert response.status_code == status
    page = response.content.decode()
    assert f'data-status="{status}"' in page and 'id="home-link"' in page and 'href="/"' in page
    assert f'<html lang="{language}">' in page
    assert (vi if language == "vi" else en) in page
    assert (en if language == "vi" else vi) not in page
    assert "navbar" in page and "bootstrap.min.css" in page


def test_the_404_page_offers_sign_in_to_a_visitor(client):
    page = client.get("/khong-co-trang-nay/").content.decode()
    assert 'href="/accounts/login/"' in page


@pytest.mark.parametrize(("url", "status", "code"), [("/api/v1/khong-co/", 404, "not_found"), ("/api/v1/boom/500/", 500, "server_error")])
def test_the_api_keeps_answering_json_errors(client, url, status, code):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == status and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == code


def test_the_language_switch_says_english_on_vietnamese_pages_and_tieng_viet_on_english_ones(client):
    page = client.get("/accounts/login/").content.decode()
    switch = page.split('id="language-switch"')[1].split("</form>")[0]
    assert '>English</button>' in switch and "Tiếng Anh" not in switch and "Tiếng Việt" not in switch
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/login/").content.decode()
    switch = page.split('id="language-switch"')[1].split("</form>")[0]
    assert '>Tiếng Việt</button>' in switch and "Vietnamese" not in switch
