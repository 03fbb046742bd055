"""Imports of figures: CSV files that are not UTF-8 or have a wrong number of cells are clear errors beside
every other one; the row limit holds for JSON as for CSV; large imports run as background jobs through the
real task worker, with a scoped status endpoint and a page whose progress bar polls it."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from giaoban.reporting import imports
from giaoban.reporting.models import DataValue, ImportJob, Submission
from tests.access import Endpoint, check, matrix

PERIOD = "2025W30"
HEADER = "unit,form,period,indicator,value\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def secretary(make_user, tree):
    return make_user("secretary", tree.p1)


@pytest.fixture
def api(secretary):
    client = APIClient()
    client.force_authenticate(secretary)
    return client


def csv_rows(n: int, unit="15061", indicator="POSTS") -> str:
    """n good rows: POSTS for consecutive weeks of 2025 (one report each)."""
    return "".join(f"{unit},W35,2025W{w:02d},{indicator},{w}\n" for w in range(30, 30 + n))


def post_csv(client, body: bytes | str, draft=False):
    body = body.encode() if isinstance(body, str) else body
    return client.post("/api/v1/datavalues/" + ("?draft=1" if draft else ""), body, content_type="text/csv")


def test_it_imports_below_the_threshold_in_the_request(settings, api, tree, catalog, media):
    settings.GIAOBAN_IMPORT_ASYNC_ROWS = 5
    r = post_csv(api, HEADER + csv_rows(4))
    assert r.status_code == 201 and r.json() == {"submissions": 4, "values": 4}
    assert not ImportJob.objects.exists()


# --- Background jobs through the real worker ------------------------------------------------------------


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_it_runs_a_large_import_as_a_job_through_the_worker(settings, tree, catalog, media, make_user):
    settings.GIAOBAN_IMPORT_ASYNC_ROWS = 5
    user = make_user("secretary", tree.p1)
    client = APIClient()
    client.force_authenticate(user)
    r = post_csv(client, HEADER + csv_rows(8))
    assert r.status_code == 202, r.content
    job = r.json()
    assert job["state"] == "queued" and job["status_url"] == f"/api/v1/imports/{job['id']}/"
    assert not Submission.objects.exists()
    stored = ImportJob.objects.get(pk=job["id"])
    assert stored.file.name.startswith("imports/") and (media / stored.file.name).exists()
    assert client.get(job["status_url"]).json()["state"] == "queued"

    run_worker()

    status = client.get(job["status_url"]).json()
    assert status["state"] == "done", status
    assert (status["rows_done"], status["rows_total"], status["percent"]) == (8, 8, 100)
    assert (status["submissions"], status["values"]) == (8, 8)
    assert Submission.objects.filter(status="submitted").count() == 8
    assert not (media / stored.file.name).exists()  # the kept file is gone once imported
    run_worker()  # safe to run twice: nothing is imported again
    assert DataValue.objects.count() == 8


@pytest.mark.django_db(transaction=True)
def test_a_rejected_job_lists_its_errors_and_writes_nothing(settings, tree, catalog, media, make_user):
    settings.GIAOBAN_IMPORT_ASYNC_ROWS = 5
    client = APIClient()
    client.force_authenticate(make_user("secretary", tree.p1))
    r = post_csv(client, HEADER + csv_rows(6) + "00004,W35,2025W30,POSTS,1\n15061,W35,2025W40,POSTS,abc\n")
    assert r.status_code == 202
    run_worker()
    status = client.get(r.json()["status_url"]).json()
    assert status["state"] == "rejected" and status["errors_total"] == 2
    assert [(e["row"], e["column"]) for e in status["errors"]] == [(8, "unit"), (9, "value")]
    assert not DataValue.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_json_body_becomes_a_job_too(settings, tree, catalog, media, make_user):
    settings.GIAOBAN_IMPORT_ASYNC_ROWS = 3
    client = APIClient()
    client.force_authenticate(make_user("secretary", tree.p1))
    rows = [{"unit": "15061", "form": "W35", "period": f"2025W{w}", "indicator": "POSTS", "value": w} for w in range(30, 34)]
    r = client.post("/api/v1/datavalues/?draft=1", rows, format="json")
    assert r.status_code == 202 and r.json()["draft"] is True
    run_worker()
    assert client.get(r.json()["status_url"]).json()["state"] == "done"
    assert Submission.objects.filter(status="draft").count() == 4


def test_it_shows_progress_while_a_job_runs(tree, catalog, media, secretary, client):
    job = ImportJob.objects.create(org_unit=tree.p1, created_by=secretary, file_format="csv", rows_total=200_000)
    ImportJob.objects.filter(pk=job.pk).update(state="running")
    imports.note_progress(job.pk, "writing", 100_000, 200_000)
    api = APIClient()
    api.force_authenticate(secretary)
    status = api.get(f"/api/v1/imports/{job.pk}/").json()
    assert (status["state"], status["phase"], status["rows_done"], status["percent"]) == ("running", "writing", 100_000, 75)
    client.force_login(secretary)
    page = client.get(f"/reports/imports/{job.pk}/").content.decode()
    assert f'hx-get="/reports/imports/{job.pk}/"' in page and 'hx-trigger="every 2s"' in page
    assert '<progress class="w-100" max="100" value="75"' in page and "100000 / 200000" in page
    fragment = client.get(f"/reports/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="import-progress"') and "<html" not in fragment
    ImportJob.objects.filter(pk=job.pk).update(state="done", rows_done=200_000, message="xong")
    fragment = client.get(f"/reports/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in fragment and 'value="100"' in fragment  # polling stops when the job has ended


@pytest.mark.django_db(transaction=True)
def test_the_page_queues_a_large_file_and_redirects_to_its_progress(settings, tree, catalog, media, make_user, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.GIAOBAN_IMPORT_ASYNC_ROWS = 5
    client.force_login(make_user("secretary", tree.p1))
    assert client.get("/reports/import/").status_code == 200
    upload = SimpleUploadedFile("so_lieu.csv", (HEADER + csv_rows(6)).encode(), content_type="text/csv")
    r = client.post("/reports/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/reports/imports/{job.pk}/"
    assert job.file_name == "so_lieu.csv"
    run_worker()
    page = client.get(r["Location"]).content.decode()
    assert 'data-state="done"' in page and "hx-get" not in page
    small = SimpleUploadedFile("nho.csv", (HEADER + csv_rows(2, unit="15085")).encode(), content_type="text/csv")
    r = client.post("/reports/import/", {"file": small}, follow=True)
    assert "Đã nhập 2 số liệu trong 2 báo cáo" in r.content.decode()
    bad = SimpleUploadedFile("sai.csv", (HEADER + "15085,W35,2025W50,POSTS,x\n").encode(), content_type="text/csv")
    r = client.post("/reports/import/", {"file": bad})
    assert r.status_code == 400 and 'id="import-errors"' in r.content.decode()


def test_the_import_page_is_for_roles_that_enter_figures(tree, make_user, client):
    for role, code in (("viewer", 404), ("approver", 404), ("secretary", 200), ("system_admin", 200)):
        client.force_login(make_user(role, tree.p1))
        assert client.get("/reports/import/").status_code == code, role


class World:
    def __init__(self, tree, make_user):
        uploader = make_user("secretary", tree.p1, username="uploader-in")
        other = make_user("secretary", tree.p2, username="uploader-out")
        self.job = {
            "in": ImportJob.objects.create(org_unit=tree.p1, created_by=uploader, file_format="csv"),
            "out": ImportJob.objects.create(org_unit=tree.p2, created_by=other, file_format="csv"),
        }


ENDPOINTS = [
    Endpoint("import-job-page", lambda w, s: f"/reports/imports/{w.job[s].pk}/", action="enter"),
    Endpoint("api-import-job", lambda w, s: f"/api/v1/imports/{w.job[s].pk}/", api=True, action="enter"),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_import_jobs(client, tree, make_user, endpoint, role, scope):
    world = World(tree, make_user)
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, world, endpoint, role, scope, user)


def test_an_uploader_always_sees_their_own_job(tree, make_user):
    user = make_user("secretary", tree.n1)
    job = ImportJob.objects.create(org_unit=tree.p1, created_by=user, file_format="csv")
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(f"/api/v1/imports/{job.pk}/").status_code == 200
    assert json.loads(client.get("/api/v1/imports/999999/").content)["message"]


@pytest.mark.django_db(transaction=True)
def test_a_large_flat_xlsx_table_is_queued_and_run_by_the_worker(settings, tree, catalog, media, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from giaoban.core.xlsx import table_to_xlsx

    settings.GIAOBAN_IMPORT_ASYNC_ROWS = 5
    client = APIClient()
    client.force_authenticate(make_user("secretary", tree.p1))
    rows = [["15061", "W35", f"2025W{w}", "POSTS", w] for w in range(30, 36)]
    data = table_to_xlsx([("data", ["unit", "form", "period", "indicator", "value"], rows)])
    upload = SimpleUploadedFile("bang.xlsx", data, content_type="application/vnd.ms-excel")
    r = client.post("/api/v1/templates/upload/", {"file": upload, "submit": "true"}, format="multipart")
    assert r.status_code == 202, r.content
    assert r.json()["draft"] is False and r.json()["file_name"] == "bang.xlsx"
    run_worker()
    status = client.get(r.json()["status_url"]).json()
    assert status["state"] == "done" and status["values"] == 6, status
    assert Submission.objects.filter(status="submitted").count() == 6
