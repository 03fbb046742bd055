"""The register's services: documents, relations, files, the incoming register and the handling instruction."""

from __future__ import annotations

import io
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from giaoban.core.errors import Conflict, Forbidden, ServiceError, TooLarge
from giaoban.documents.models import Document, DocumentFile, IncomingEntry, NumberSeries
from giaoban.documents.services import register
from giaoban.work.models import Task

from .conftest import shelf

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def incoming(docs, **kw):
    data = {
        "committee": docs.committee,
        "number": "12",
        "symbol": "CV/BTG",
        "type": "cong_van",
        "date": date(2027, 3, 1),
        "issuer": "Ban Tuyên giáo Trung ương",
        "subject": "Về việc tuyên truyền",
        "received_on": date(2027, 3, 3),
    }
    return register.incoming_document_register(**{**data, **kw})


def test_it_derives_number_symbol_and_year_and_refuses_a_document_typed_twice(docs):
    doc = shelf("05", "2024/NĐ-CP", "khac", date(2024, 1, 5), "Chính phủ", "Quy định chi tiết")
    assert (doc.number_symbol, doc.year) == ("05/2024/NĐ-CP", 2024)
    with pytest.raises(Conflict) as caught:
        shelf("05", "2024/NĐ-CP", "khac", date(2024, 1, 5), "Chính phủ", "Lần nữa")
    assert caught.value.code == "duplicate_document"


def test_it_refuses_a_writer_who_does_not_keep_the_register(docs):
    with pytest.raises(Forbidden):
        register.document_create(
            committee=docs.committee,
            direction="incoming",
            type="khac",
            date=date(2027, 1, 1),
            issuer="X",
            subject="Y",
            actor=docs.viewer,
        )
    with pytest.raises(Forbidden):  # the reference shelf is the system administrators'
        register.document_create(
            committee=None,
            direction="incoming",
            type="khac",
            date=date(2027, 1, 1),
            issuer="X",
            subject="Y",
            actor=docs.secretary,
        )
    doc = register.document_create(
        committee=docs.committee,
        direction="outgoing",
        type="khac",
        date=date(2027, 1, 1),
        issuer="X",
        subject="Y",
        actor=docs.secretary,
    )
    assert doc.created_by == docs.secretary


def test_it_refuses_a_stale_update_and_keeps_the_series_number_of_what_giaoban_numbered(docs):
    from giaoban.documents.services.numbering import document_register_outgoing

    doc = shelf("1", "CV/BCĐ", "cong_van", date(2027, 1, 1), "BCĐ", "Cũ", committee=docs.committee)
    register.document_update(document=doc, subject="Mới", expected_version=0)
    with pytest.raises(Conflict):
        register.document_update(document=doc, subject="Cũ hơn", expected_version=0)
    numbered = document_register_outgoing(committee=docs.committee, type="thong_bao", on=date(2027, 2, 1), subject="TB")
    with pytest.raises(ServiceError):
        register.document_update(document=numbered, number="99")
    assert register.document_update(document=numbered, subject="Thông báo kết luận").subject == "Thông báo kết luận"


def test_it_deletes_only_a_document_nothing_refers_to(docs):
    doc = shelf("3", "KH/BCĐ", "ke_hoach", date(2027, 1, 1), "BCĐ", "KH", committee=docs.committee)
    register.relation_add(source=doc, target=docs.nq35, kind="implements")
    with pytest.raises(Conflict) as caught:
        register.document_delete(document=docs.nq35)  # 3-KH/BCĐ implements it
    assert caught.value.code == "in_use" and caught.value.extra["in_use"] == ["related_from"]
    register.document_delete(document=doc)  # its own relation goes with it
    register.document_delete(document=docs.nq35)
    assert not Document.objects.exists()


def test_it_refuses_a_relation_to_itself_or_twice(docs):
    doc = shelf("3", "KH/BCĐ", "ke_hoach", date(2027, 1, 1), "BCĐ", "KH", committee=docs.committee)
    with pytest.raises(ServiceError):
        register.relation_add(source=doc, target=doc, kind="implements")
    register.relation_add(source=doc, target=docs.nq35, kind="implements")
    with pytest.raises(Conflict):
        register.relation_add(source=doc, target=docs.nq35, kind="implements")
    assert list(docs.nq35.related_from.values_list("source__number_symbol", flat=True)) == ["3-KH/BCĐ"]


# --- Files ---------------------------------------------------------------------------------------------------


def test_it_stores_a_file_with_the_type_read_from_its_content(docs):
    f = register.document_file_add(document=docs.nq35, upload=SimpleUploadedFile("nq35.pdf", PDF, "text/html"))
    assert (f.name, f.size, f.content_type) == ("nq35.pdf", len(PDF), "application/pdf")
    assert f.file.read() == PDF
    w = register.document_file_add(document=docs.nq35, upload=SimpleUploadedFile("kh.docx", docx_bytes()))
    assert w.content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao.pdf", b"<html><script>alert(1)</script></html>"),  # HTML named .pdf
        ("bao-cao.docx", PDF),  # a PDF named .docx
        ("bao-cao.exe", b"MZ\x90\x00"),
        ("bao-cao.html", b"<html></html>"),
        ("bao-cao.xlsx", docx_bytes()),  # a Word file named .xlsx
        ("bao-cao.docx", b"PK\x03\x04 not a zip"),
    ],
)
def test_it_refuses_a_file_whose_content_is_not_what_the_register_keeps(docs, name, content):
    with pytest.raises(ServiceError) as caught:
        register.document_file_add(document=docs.nq35, upload=SimpleUploadedFile(name, content, "application/pdf"))
    assert caught.value.code == "unsupported_file_type"
    assert not DocumentFile.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(docs, settings):
    settings.DOCUMENTS_MAX_FILE_SIZE = 1000
    with pytest.raises(TooLarge):
        register.document_file_add(document=docs.nq35, upload=SimpleUploadedFile("a.pdf", PDF + b"0" * 1000))
    assert register.document_file_add(document=docs.nq35, upload=SimpleUploadedFile("a.pdf", PDF)).size == len(PDF)


# --- The incoming register -----------------------------------------------------------------------------------


def test_it_numbers_the_incoming_register_per_committee_and_year(docs):
    a = incoming(docs)
    b = incoming(docs, number="13")
    c = incoming(docs, number="14", received_on=date(2028, 1, 2))
    d = register.incoming_entry_create(committee=docs.other_committee, document=docs.nq35, received_on=date(2027, 5, 1))
    assert [(e.year, e.serial) for e in (a, b, c, d)] == [(2027, 1), (2027, 2), (2028, 1), (2027, 1)]
    assert a.document.direction == "incoming" and a.document.committee == docs.committee


def test_it_registers_document_and_line_together_or_neither(docs):
    with pytest.raises(ServiceError):
        incoming(docs, received_on=date(2027, 2, 1))  # received before the document's date
    assert not Document.objects.filter(committee=docs.committee).exists()
    assert not NumberSeries.objects.filter(key="in", last__gt=0).exists()
    incoming(docs)
    with pytest.raises(Conflict) as caught:
        register.incoming_entry_create(
            committee=docs.committee, document=Document.objects.get(number="12"), received_on=date(2027, 3, 4)
        )
    assert caught.value.code == "already_registered"


def test_it_updates_a_line_within_its_year(docs):
    entry = incoming(docs)
    entry = register.incoming_entry_update(
        entry=entry, recipient="Đồng chí Phó Trưởng ban", passed_on=date(2027, 3, 4), progress="Đang xử lý"
    )
    assert (entry.recipient, entry.progress, entry.serial) == ("Đồng chí Phó Trưởng ban", "Đang xử lý", 1)
    with pytest.raises(ServiceError):
        register.incoming_entry_update(entry=entry, received_on=date(2028, 1, 1))
    with pytest.raises(ServiceError):
        register.incoming_entry_update(entry=entry, passed_on=date(2027, 3, 1))


def test_a_handling_instruction_gives_a_task_followed_up_like_any_other(docs):
    from giaoban.work.services.tasks import task_report_done

    entry = incoming(docs)
    task = register.incoming_handle(
        entry=entry,
        title="Tham mưu triển khai",
        agency=docs.police,
        due_on=date(2027, 3, 20),
        assigned_on=date(2027, 3, 4),
        actor=docs.approver,
    )
    task.refresh_from_db()
    assert (task.source, task.incoming, task.committee, task.agency) == (
        Task.Source.INCOMING,
        entry,
        docs.committee,
        docs.police,
    )
    entry.refresh_from_db()
    assert entry.deadline == date(2027, 3, 20)
    assert task_report_done(task=task, actor=None, reported_on=date(2027, 3, 10)).state == "reported"
    with pytest.raises(Forbidden):  # giving a task is the assigner's (approver's), not the secretary's
        register.incoming_handle(entry=entry, title="x", agency=docs.police, actor=docs.secretary)


# --- Concurrency (PostgreSQL: two connections really interleave) ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_clerks_get_running_numbers_without_duplicates_or_gaps(tree, committees, make_user):
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite is one connection; its writers are serialised anyway")
    committee = committees["38"]
    n = 16

    def clerk(i):
        try:
            return incoming(
                type("W", (), {"committee": committee})(), number=str(100 + i), received_on=date(2027, 3, 3)
            ).serial
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        serials = list(pool.map(clerk, range(n)))
    assert sorted(serials) == list(range(1, n + 1))
    assert sorted(IncomingEntry.objects.values_list("serial", flat=True)) == list(range(1, n + 1))
