"""The register's API: documents CRUD with search and filters, files, relations, the incoming register and the
handling instruction; errors as {message, code, extra} in the language asked for."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from giaoban.documents.models import Document, IncomingEntry
from giaoban.documents.services import register
from giaoban.work.models import Task

from .conftest import shelf
from .test_services import PDF

pytestmark = pytest.mark.django_db

NEW = {
    "committee": None,
    "direction": "incoming",
    "number": "12",
    "symbol": "CV/BTG",
    "type": "cong_van",
    "date": "2027-03-01",
    "issuer": "Ban Tuyên giáo Trung ương",
    "subject": "Về việc tuyên truyền kỷ niệm",
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_creates_reads_updates_and_deletes_a_document(docs):
    client = api(docs.secretary)
    r = client.post("/api/v1/documents/", {**NEW, "committee": docs.committee.pk}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert set(body) == {
        "id",
        "committee",
        "direction",
        "number",
        "symbol",
        "number_symbol",
        "type",
        "date",
        "issuer",
        "subject",
        "signer",
        "files",
        "relations",
        "version",
    }
    assert (body["number_symbol"], body["committee"], body["files"], body["relations"]) == (
        "12-CV/BTG",
        docs.committee.pk,
        [],
        [],
    )
    pk = body["id"]
    r = client.patch(f"/api/v1/documents/{pk}/", {"subject": "Về việc khác", "version": 0}, format="json")
    assert r.status_code == 200 and r.json()["subject"] == "Về việc khác" and r.json()["version"] == 1
    r = client.patch(f"/api/v1/documents/{pk}/", {"subject": "Cũ", "version": 0}, format="json")
    assert r.status_code == 409 and r.json()["extra"] == {"version": 1}
    r = client.patch(f"/api/v1/documents/{pk}/", {"number_symbol": "1-X/Y"}, format="json")
    assert Document.objects.get(pk=pk).number_symbol == "12-CV/BTG"  # read only
    assert client.delete(f"/api/v1/documents/{pk}/").status_code == 204


def test_it_answers_errors_as_message_code_extra_in_the_language_asked(docs):
    client = api(docs.secretary)
    r = client.post("/api/v1/documents/", {**NEW, "type": "nghi_dinh"}, format="json")
    assert r.status_code == 400 and set(r.json()) == {"message", "code", "extra"} and r.json()["code"] == "invalid"
    r = client.post("/api/v1/documents/", NEW, format="json")  # the reference shelf: administrators only
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = client.post("/api/v1/documents/", {**NEW, "committee": docs.other_committee.pk}, format="json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    register.relation_add(
        source=shelf("1", "KH/BCĐ", "ke_hoach", date(2027, 1, 1), "BCĐ", "KH", committee=docs.committee),
        target=docs.nq35,
        kind="implements",
    )
    admin = api(docs.approver)
    admin.credentials(HTTP_ACCEPT_LANGUAGE="en")
    r = admin.delete(f"/api/v1/documents/{docs.nq35.pk}/")
    assert r.status_code == 403  # the shelf is not the approver's register
    r = api(docs.viewer).patch(f"/api/v1/documents/{docs.nq35.pk}/", {"subject": "x"}, format="json")
    assert r.status_code == 403


def test_it_searches_and_filters(docs):
    shelf("12", "KH/TU", "ke_hoach", date(2019, 3, 1), "Tỉnh ủy", "Thực hiện Nghị quyết số 35-NQ/TW")
    client = api(docs.viewer)
    r = client.get("/api/v1/documents/", {"q": "nghi quyet 35"})
    assert [d["number_symbol"] for d in r.json()["results"]] == ["35-NQ/TW", "12-KH/TU"]
    assert [d["number_symbol"] for d in client.get("/api/v1/documents/", {"type": "ke_hoach"}).json()["results"]] == [
        "12-KH/TU"
    ]
    assert client.get("/api/v1/documents/", {"year": 2018}).json()["count"] == 1
    assert client.get("/api/v1/documents/", {"issuer": "bộ chính"}).json()["count"] == 1
    assert client.get("/api/v1/documents/", {"direction": "outgoing"}).json()["count"] == 0
    assert client.get("/api/v1/documents/", {"committee": docs.committee.pk}).json()["count"] == 0
    assert client.get("/api/v1/documents/", {"year": "x"}).status_code == 400


def test_it_uploads_and_downloads_files_within_scope_only(docs, settings):
    doc = shelf("1", "CV/BCĐ", "cong_van", date(2027, 1, 1), "BCĐ", "CV", committee=docs.committee)
    client = api(docs.secretary)
    r = client.post(f"/api/v1/documents/{doc.pk}/files/", {"file": SimpleUploadedFile("cv.pdf", PDF)})
    assert r.status_code == 201, r.json()
    url = r.json()["url"]
    assert url == f"/api/v1/documents/{doc.pk}/files/{r.json()['id']}/"
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert api(docs.outsider).get(url).json()["code"] == "not_found"
    r = client.post(f"/api/v1/documents/{doc.pk}/files/", {"file": SimpleUploadedFile("x.pdf", b"<html>")})
    assert r.status_code == 400 and r.json()["code"] == "unsupported_file_type"
    settings.DOCUMENTS_MAX_FILE_SIZE = 10
    r = client.post(f"/api/v1/documents/{doc.pk}/files/", {"file": SimpleUploadedFile("cv.pdf", PDF)})
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert client.delete(url).status_code == 204


def test_it_adds_and_removes_relations_shown_both_ways(docs):
    doc = shelf("1", "KH/BCĐ", "ke_hoach", date(2027, 1, 1), "BCĐ", "KH", committee=docs.committee)
    client = api(docs.secretary)
    r = client.post(f"/api/v1/documents/{doc.pk}/relations/", {"target": docs.nq35.pk, "kind": "implements"})
    assert r.status_code == 201
    rel = r.json()
    assert (rel["way"], rel["number_symbol"]) == ("out", "35-NQ/TW")
    shown = client.get(f"/api/v1/documents/{docs.nq35.pk}/").json()["relations"]
    assert [(x["way"], x["kind"], x["number_symbol"]) for x in shown] == [("in", "implements", "1-KH/BCĐ")]
    # A document of another province is unknown, as if it did not exist.
    hidden = shelf("2", "KH/BCĐ", "ke_hoach", date(2027, 1, 1), "BCĐ", "KH", committee=docs.other_committee)
    r = client.post(f"/api/v1/documents/{doc.pk}/relations/", {"target": hidden.pk, "kind": "guides"})
    assert r.status_code == 400 and "target" in r.json()["extra"]["fields"]
    assert client.delete(f"/api/v1/documents/{doc.pk}/relations/{rel['id']}/").status_code == 204


def test_it_registers_incoming_documents_and_gives_a_handling_instruction(docs):
    client = api(docs.approver)
    new = {k: v for k, v in NEW.items() if k not in ("committee", "direction")}
    r = client.post(
        "/api/v1/incoming/",
        {"committee": docs.committee.pk, "received_on": "2027-03-03", "new_document": new, "recipient": "Văn phòng"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    entry = r.json()
    assert (entry["serial"], entry["year"], entry["document"]["number_symbol"]) == (1, 2027, "12-CV/BTG")
    r = client.post(
        "/api/v1/incoming/",
        {"committee": docs.committee.pk, "received_on": "2027-03-04", "document": docs.nq35.pk},
        format="json",
    )
    assert r.status_code == 201 and r.json()["serial"] == 2
    r = client.post(
        "/api/v1/incoming/",
        {"committee": docs.committee.pk, "received_on": "2027-03-04", "document": docs.nq35.pk},
        format="json",
    )
    assert r.status_code == 409 and r.json()["code"] == "already_registered"
    r = client.patch(f"/api/v1/incoming/{entry['id']}/", {"progress": "Đã chuyển"}, format="json")
    assert r.status_code == 200 and r.json()["progress"] == "Đã chuyển"
    r = client.post(
        f"/api/v1/incoming/{entry['id']}/handle/",
        {"title": "Tham mưu", "agency": docs.police.pk, "due_on": "2027-12-20"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    task = Task.objects.get(pk=r.json()["id"])
    assert (task.source, task.incoming_id) == ("incoming", entry["id"])
    assert client.get(f"/api/v1/incoming/{entry['id']}/").json()["tasks"] == [task.pk]
    assert api(docs.secretary).post(f"/api/v1/incoming/{entry['id']}/handle/", {"title": "x"}).status_code == 403
    assert client.get("/api/v1/incoming/", {"q": "nq 35"}).json()["count"] == 1
    assert client.get("/api/v1/incoming/", {"year": 2026}).json()["count"] == 0
    both = {"committee": docs.committee.pk, "received_on": "2027-03-04", "document": docs.nq35.pk, "new_document": new}
    assert client.post("/api/v1/incoming/", both, format="json").status_code == 400
    assert IncomingEntry.objects.count() == 2


def test_the_api_list_query_count_is_constant(docs, django_assert_max_num_queries):
    for i in range(20):
        doc = shelf(str(i + 1), "KH/BCĐ", "ke_hoach", date(2027, 1, 1), "BCĐ", f"KH {i}", committee=docs.committee)
        register.relation_add(source=doc, target=docs.nq35, kind="implements")
        register.document_file_add(document=doc, upload=SimpleUploadedFile("a.pdf", PDF))
        register.incoming_entry_create(committee=docs.committee, document=doc, received_on=date(2027, 1, 2))
    client = api(docs.secretary)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/documents/").json()["count"] == 21
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/incoming/").json()["count"] == 20
