"""Figures far outside a unit's history ask for confirmation on every submitting path, by the entry page's rule
(services.is_unusual): the Excel upload (page: the figures named as the sheet shows them, then "confirm and
import" of the kept file; API: confirm=true) and POST /api/v1/datavalues/ (400 unusual_figures unless
confirm). Nothing is written until confirmed; drafts are not held to it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from giaoban.reporting import services, xlsx
from giaoban.reporting.models import DataValue, Submission

PERIOD = "2025W09"
API = "/api/v1/datavalues/"


@pytest.fixture
def history(tree, catalog, report):
    """Eight weeks of 10 posts a week at C1: a median of 10."""
    for w in range(1, 9):
        report(tree.c1, catalog.weekly, f"2025W{w:02d}", {"POSTS": "10", "FOLLOWERS": "5000"}, status="approved")


@pytest.fixture
def secretary(tree, make_user):
    return make_user("secretary", tree.c1)


@pytest.fixture
def api(secretary):
    client = APIClient()
    client.force_authenticate(secretary)
    return client


def rows(unit, posts, followers="5100"):
    return [
        {"unit": unit.code, "form": "W35", "period": PERIOD, "indicator": "POSTS", "value": posts},
        {"unit": unit.code, "form": "W35", "period": PERIOD, "indicator": "FOLLOWERS", "value": followers},
    ]


def nothing_written(unit) -> bool:
    return not Submission.objects.filter(unit=unit, period=PERIOD).exists()


# --- POST /api/v1/datavalues/ ----------------------------------------------------------------------------


def test_the_datavalues_api_asks_to_confirm_an_unusual_figure_and_writes_nothing(api, tree, history):
    r = api.post(API, rows(tree.c1, "500"), format="json")
    body = r.json()
    assert r.status_code == 400 and body["code"] == "unusual_figures" and set(body) == {"message", "code", "extra"}
    [figure] = body["extra"]["figures"]
    assert {k: figure[k] for k in ("row", "unit", "form", "period", "indicator", "value", "median")} == {
        "row": 1,
        "unit": tree.c1.code,
        "form": "W35",
        "period": PERIOD,
        "indicator": "POSTS",
        "value": "500",
        "median": "10",
    }
    assert "500" in figure["message"] and "trung vị 10" in figure["message"]
    assert "Xác nhận số liệu bất thường" in body["message"]
    assert nothing_written(tree.c1)


def test_the_datavalues_api_imports_it_once_confirmed(api, tree, history):
    r = api.post(API + "?confirm=true", rows(tree.c1, "500"), format="json")
    assert r.status_code == 201, r.json()
    s = Submission.objects.get(unit=tree.c1, period=PERIOD)
    assert s.status == "submitted" and services.current_values(s)["POSTS"] == "500"


def test_the_datavalues_api_takes_confirm_in_a_json_body_too(api, tree, history):
    assert api.post(API, {"rows": rows(tree.c1, "500")}, format="json").json()["code"] == "unusual_figures"
    assert api.post(API, {"rows": rows(tree.c1, "500"), "confirm": True}, format="json").status_code == 201


def test_ordinary_figures_and_drafts_need_no_confirmation(api, tree, history):
    assert api.post(API + "?draft=1", rows(tree.c1, "500"), format="json").status_code == 201  # a draft
    assert api.post(API, rows(tree.c1, "12"), format="json").status_code == 201  # ordinary: submitted


def test_a_weekly_count_in_the_tens_of_thousands_asks_even_without_history(api, tree, catalog):
    r = api.post(API, rows(tree.c1, "10000", "900000"), format="json")  # followers are a stock: not held to it
    [figure] = r.json()["extra"]["figures"]
    assert figure["indicator"] == "POSTS" and figure["median"] is None and figure["value"] == "10000"
    assert "trong một tuần là số rất lớn" in figure["message"] and nothing_written(tree.c1)


def test_the_datavalues_api_judges_the_figures_a_draft_will_hold_once_submitted(api, tree, catalog, history):
    # A draft holding 500 posts, submitted by an import that only sends followers: 500 is judged all the same.
    s = services.submission_open(unit=tree.c1, form=catalog.weekly, period=PERIOD)
    services.submission_save_draft(submission=s, values={"POSTS": "500"}, expected_version=s.version)
    r = api.post(API, rows(tree.c1, "500")[1:], format="json")
    assert r.status_code == 400 and [f["indicator"] for f in r.json()["extra"]["figures"]] == ["POSTS"]
    assert Submission.objects.get(pk=s.pk).status == "draft"


@pytest.mark.usefixtures("compiled_locale")
def test_the_datavalues_api_says_it_in_the_requests_language(api, tree, history):
    en = api.post(API, rows(tree.c1, "500"), format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["code"] == "unusual_figures" and en["message"].startswith("Confirm unusual figures: 1 figures")
    assert "confirm=true" in en["message"] and "Xác nhận" not in en["message"]
    assert "median 10" in en["extra"]["figures"][0]["message"]


def test_many_reports_are_judged_with_a_constant_number_of_queries(
    api, tree, catalog, report, django_assert_max_num_queries
):
    units = [tree.c1, tree.c2]
    for unit in units:
        for w in range(1, 9):
            report(unit, catalog.weekly, f"2025W{w:02d}", {"POSTS": "10"}, status="approved")
    reports = [(Submission(unit=u, form=catalog.weekly, period=PERIOD), {catalog.posts: Decimal(500)}) for u in units]
    with django_assert_max_num_queries(2):
        found = services.find_unusual_many(reports)
    assert [[f.median for f in figures] for figures in found] == [[Decimal(10)], [Decimal(10)]]


# --- The Excel upload ----------------------------------------------------------------------------------


def filled(user, unit, catalog, posts) -> bytes:
    data, _name, _units = xlsx.template_workbook(user, unit, catalog.weekly, PERIOD)
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 2).value == "POSTS":
            ws.cell(r, 5).value = posts
        if ws.cell(r, 2).value == "FOLLOWERS":
            ws.cell(r, 5).value = 5100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload_url(unit) -> str:
    return f"/reports/{unit.code}/W35/{PERIOD}/upload/"


def post_file(client, unit, data, submit=True):
    payload = {"file": SimpleUploadedFile("bao_cao.xlsx", data, content_type=xlsx.XLSX_CONTENT_TYPE)}
    if submit:
        payload["submit"] = "1"
    return client.post(upload_url(unit), payload)


def token_of(html: str) -> str:
    start = html.index('name="token" value="') + len('name="token" value="')
    return html[start : html.index('"', start)]


def test_the_upload_page_shows_the_unusual_figures_then_imports_the_same_file_once_confirmed(
    client, tree, catalog, history, secretary
):
    client.force_login(secretary)
    r = post_file(client, tree.c1, filled(secretary, tree.c1, catalog, 500))
    html = r.content.decode()
    assert r.status_code == 400 and 'id="upload-unusual"' in html and 'id="confirm-upload"' in html
    table = html[html.index('id="unusual-figures"') : html.index("</table>", html.index('id="unusual-figures"'))]
    assert "Số bài đăng" in table and "POSTS" not in table  # named as the sheet shows it
    assert "trung vị 10" in table and "Xác nhận và nhập" in html
    assert nothing_written(tree.c1)

    done = client.post(upload_url(tree.c1), {"token": token_of(html), "submit": "1"})
    assert done.status_code == 302, done.content.decode()[:2000]
    s = Submission.objects.get(unit=tree.c1, period=PERIOD)
    assert s.status == "submitted" and services.current_values(s)["POSTS"] == "500"
    # The confirmation is used once.
    again = client.post(upload_url(tree.c1), {"token": token_of(html), "submit": "1"})
    assert again.status_code == 400 and "Tệp chờ xác nhận không còn" in again.content.decode()


def test_nobody_else_can_confirm_the_kept_file(client, tree, catalog, history, secretary, make_user):
    client.force_login(secretary)
    token = token_of(post_file(client, tree.c1, filled(secretary, tree.c1, catalog, 500)).content.decode())
    client.force_login(make_user("secretary", tree.c1))
    r = client.post(upload_url(tree.c1), {"token": token, "submit": "1"})
    assert r.status_code == 400 and nothing_written(tree.c1)
    assert client.post(upload_url(tree.c1), {"token": token + "x", "submit": "1"}).status_code == 400


def test_the_upload_page_saves_a_draft_or_an_ordinary_figure_without_asking(client, tree, catalog, history, secretary):
    client.force_login(secretary)
    assert post_file(client, tree.c1, filled(secretary, tree.c1, catalog, 500), submit=False).status_code == 302
    assert Submission.objects.get(unit=tree.c1, period=PERIOD).status == "draft"
    data = filled(secretary, tree.c1, catalog, 12)
    assert post_file(client, tree.c1, data).status_code == 302
    assert (
        DataValue.objects.get(submission__unit=tree.c1, submission__period=PERIOD, indicator__code="POSTS").value == 12
    )


@pytest.mark.usefixtures("compiled_locale")
def test_the_upload_page_asks_in_english_too(client, tree, catalog, history, secretary):
    client.force_login(secretary)
    client.cookies["django_language"] = "en"
    html = post_file(client, tree.c1, filled(secretary, tree.c1, catalog, 500)).content.decode()
    assert "Confirm unusual figures: 1 figures" in html and "Confirm and import" in html
    assert "median 10" in html and "Xác nhận và nhập" not in html


def test_the_upload_api_asks_and_takes_confirm(api, tree, catalog, history, secretary):
    data = filled(secretary, tree.c1, catalog, 500)

    def post(**extra):
        payload = {"file": SimpleUploadedFile("b.xlsx", data, content_type=xlsx.XLSX_CONTENT_TYPE), "submit": "true"}
        return api.post("/api/v1/templates/upload/", payload | extra, format="multipart")

    r = post()
    body = r.json()
    assert r.status_code == 400 and body["code"] == "unusual_figures" and nothing_written(tree.c1)
    [e] = body["extra"]["errors"]
    assert e["indicator"] == "Số bài đăng" and e["value"] == "500" and e["median"] == "10" and e["cell"]
    assert e["message"].startswith("Số bài đăng: ")
    assert post(confirm="true").status_code == 200
    assert Submission.objects.get(unit=tree.c1, period=PERIOD).status == "submitted"
