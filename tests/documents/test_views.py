"""The register's pages: registering an incoming document in one step, editing, relations, files, the handling
instruction, the registers as cards and tables with .xlsx, and their query budgets."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from giaoban.documents.models import Document, IncomingEntry
from giaoban.documents.services import register
from giaoban.work.models import Task

from .conftest import shelf
from .test_services import PDF

pytestmark = pytest.mark.django_db

FORM = {
    "number": "12",
    "symbol": "CV/BTG",
    "type": "cong_van",
    "date": "2027-03-01",
    "issuer": "Ban Tuyên giáo Trung ương",
    "subject": "Về việc tuyên truyền",
    "received_on": "2027-03-03",
    "recipient": "Văn phòng",
}


def test_a_clerk_registers_an_incoming_document_in_one_step(client, docs):
    client.force_login(docs.secretary)
    url = f"/documents/incoming/new/?committee={docs.committee.pk}"
    r = client.post(url, {**FORM, "committee": docs.committee.pk})
    entry = IncomingEntry.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/documents/{entry.document_id}/"
    assert (entry.serial, entry.document.number_symbol, entry.recipient) == (1, "12-CV/BTG", "Văn phòng")
    # Received before it was issued: nothing written, the field named.
    r = client.post(url, {**FORM, "number": "13", "received_on": "2027-02-01", "committee": docs.committee.pk})
    assert r.status_code == 200 and "Trước ngày ban hành" in r.content.decode()
    assert Document.objects.filter(number="13").count() == 0
    # A document already here (the reference shelf) goes in with its line only.
    r = client.post(
        f"/documents/incoming/new/?committee={docs.committee.pk}&document={docs.nq35.pk}",
        {"received_on": "2027-03-05", "committee": docs.committee.pk, "document": docs.nq35.pk},
    )
    assert r.status_code == 302
    assert IncomingEntry.objects.get(document=docs.nq35).serial == 2


def test_the_document_page_shows_relations_both_ways_files_and_entries(client, docs):
    plan = shelf("3", "KH/BCĐ", "ke_hoach", date(2027, 1, 5), "BCĐ 35 tỉnh", "Kế hoạch", committee=docs.committee)
    register.relation_add(source=plan, target=docs.nq35, kind="implements")
    register.document_file_add(document=docs.nq35, upload=SimpleUploadedFile("nq35.pdf", PDF))
    register.incoming_entry_create(committee=docs.committee, document=docs.nq35, received_on=date(2019, 1, 2))
    client.force_login(docs.approver)
    page = client.get(f"/documents/{docs.nq35.pk}/").content.decode()
    assert f'href="/documents/{plan.pk}/"' in page and "nq35.pdf" in page and "22 tháng 10 năm 2018" in page
    assert "Giao xử lý" in page
    page = client.get(f"/documents/{plan.pk}/").content.decode()
    assert f'href="/documents/{docs.nq35.pk}/"' in page and "Triển khai thực hiện" in page


def test_a_clerk_edits_adds_a_relation_and_a_file(client, docs):
    doc = shelf("3", "KH/BCĐ", "ke_hoach", date(2027, 1, 5), "BCĐ", "Kế hoạch", committee=docs.committee)
    client.force_login(docs.secretary)
    data = {**{k: FORM[k] for k in ("number", "symbol", "type", "date", "issuer")}, "subject": "Mới", "version": 0}
    assert client.post(f"/documents/{doc.pk}/edit/", data).status_code == 302
    assert client.post(f"/documents/{doc.pk}/edit/", data).status_code == 200  # stale version: shown, not saved
    client.post(f"/documents/{doc.pk}/relations/", {"kind": "implements", "target": "35-nq/tw"})
    assert doc.relations.get().target == docs.nq35
    client.post(f"/documents/{doc.pk}/files/", {"file": SimpleUploadedFile("kh.pdf", PDF)})
    f = doc.files.get()
    download = client.get(f"/documents/{doc.pk}/files/{f.pk}/")
    assert download["Content-Type"] == "application/pdf" and b"".join(download.streaming_content) == PDF
    client.post(f"/documents/{doc.pk}/files/", {"file": SimpleUploadedFile("kh.pdf", b"<script>")})
    assert doc.files.count() == 1


def test_an_approver_gives_a_handling_instruction_that_becomes_a_task(client, docs):
    entry = register.incoming_entry_create(committee=docs.committee, document=docs.nq35, received_on=date(2027, 1, 2))
    client.force_login(docs.approver)
    r = client.post(
        f"/documents/incoming/{entry.pk}/handle/",
        {"title": "Quán triệt", "agency": docs.police.pk, "due_on": "2027-12-31"},
    )
    task = Task.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/tasks/{task.pk}/"
    assert (task.incoming, task.agency, task.source) == (entry, docs.police, "incoming")
    page = client.get(f"/documents/committees/{docs.committee.pk}/incoming/").content.decode()
    assert f'href="/tasks/{task.pk}/"' in page


def test_the_registers_and_their_xlsx_follow_phu_luc_iv(client, docs):
    register.incoming_entry_create(
        committee=docs.committee, document=docs.nq35, received_on=date(2019, 1, 2), recipient="Văn phòng"
    )
    client.force_login(docs.viewer)
    page = client.get(f"/documents/committees/{docs.committee.pk}/incoming/?year=2019").content.decode()
    assert "incoming-cards" in page and "Tên loại và trích yếu nội dung" in page and "35-NQ/TW" in page
    r = client.get(f"/documents/committees/{docs.committee.pk}/incoming.xlsx?year=2019")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][:4] == ("Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu")
    assert rows[3][:4] == ("02/01/2019", 1, "Bộ Chính trị", "35-NQ/TW")
    other_year = client.get(f"/documents/committees/{docs.committee.pk}/incoming/?year=2020").content.decode()
    assert f'href="/documents/{docs.nq35.pk}/"' not in other_year


@pytest.mark.parametrize("n", [3, 30])
def test_the_register_pages_query_count_does_not_grow_with_rows(client, docs, n, django_assert_max_num_queries):
    for i in range(n):
        doc = shelf(str(i + 1), "CV/X", "cong_van", date(2027, 1, 1), "X", f"Văn bản {i}", committee=docs.committee)
        register.incoming_entry_create(committee=docs.committee, document=doc, received_on=date(2027, 1, 2))
        register.document_file_add(document=doc, upload=SimpleUploadedFile("a.pdf", PDF))
    Document.objects.filter(committee=docs.committee).update(direction="outgoing")
    client.force_login(docs.secretary)
    for url in (
        f"/documents/committees/{docs.committee.pk}/incoming/",
        f"/documents/committees/{docs.committee.pk}/outgoing/",
        "/documents/?q=van+ban",
        "/documents/",
    ):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
