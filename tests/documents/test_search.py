"""Search finds with and without diacritics (đ included) and ranks number matches first, on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from giaoban.documents import selectors
from giaoban.documents.models import Document
from giaoban.documents.services import register

from .conftest import shelf

pytestmark = pytest.mark.django_db


def _find(query: str) -> list[str]:
    return [d.number_symbol for d in selectors.documents_search(Document.objects.all(), query)]


@pytest.mark.parametrize(
    "query", ["nghi quyet 35", "35-nq/tw", "Nghị quyết 35", "NQ 35", "35-NQ/TW", "nghị quyết số 35", "  nq   35 "]
)
def test_it_finds_nghi_quyet_35_however_it_is_typed(docs, query):
    assert _find(query) == ["35-NQ/TW"]


@pytest.mark.parametrize("query", ["dang", "Đảng", "ĐẢNG", "đang", "tu tuong cua dang", "phản bác"])
def test_it_folds_diacritics_and_d_bar(docs, query):
    assert _find(query) == ["35-NQ/TW"]


def test_it_matches_numbers_as_whole_words_and_letters_as_word_starts(docs):
    shelf("135", "CV/BTG", "cong_van", date(2020, 1, 1), "Ban Tuyên giáo", "Về việc khác")
    assert _find("35") == ["35-NQ/TW"]
    assert _find("quy") == ["35-NQ/TW"]  # quyết
    assert _find("nghi quyet 36") == []
    assert _find("") and _find("   ") == _find("")  # an empty query filters nothing


def test_it_ranks_the_exact_number_first_then_the_number_then_newest(docs):
    # Newer documents that mention 35-NQ/TW in their subject, and one numbered 35 of another symbol.
    implementing = shelf(
        "12", "KH/TU", "ke_hoach", date(2019, 3, 1), "Tỉnh ủy Thanh Hóa", "Thực hiện Nghị quyết số 35-NQ/TW"
    )
    other_35 = shelf("35", "NQ/TU", "nghi_quyet", date(2021, 5, 5), "Tỉnh ủy Thanh Hóa", "Về công tác khác, NQ TW")
    newest = shelf("40", "HD/BTG", "huong_dan", date(2024, 1, 1), "Ban Tuyên giáo", "Hướng dẫn 35-NQ/TW")
    assert _find("35-NQ/TW")[:1] == ["35-NQ/TW"]
    assert _find("35-nq/tw") == ["35-NQ/TW", other_35.number_symbol, newest.number_symbol, implementing.number_symbol]
    assert _find("nq 35")[:2] == ["35-NQ/TU", "35-NQ/TW"]  # number matches first, newer first among them


def test_it_searches_a_document_after_an_update_and_forgets_a_deleted_one(docs):
    doc = shelf("7", "CV/BCĐ", "cong_van", date(2024, 2, 1), "Ban Chỉ đạo", "Về việc báo cáo tuần")
    register.document_update(document=doc, subject="Về việc đôn đốc báo cáo quý")
    assert _find("don doc") == ["7-CV/BCĐ"]
    assert _find("bao cao tuan") == []
    register.document_delete(document=doc)
    assert _find("don doc") == []


def test_it_searches_the_incoming_register_through_its_documents(docs):
    entry = register.incoming_entry_create(committee=docs.committee, document=docs.nq35, received_on=date(2019, 1, 2))
    qs = selectors.incoming_register(docs.approver, docs.committee)
    assert list(selectors.entries_search(qs, "nghi quyet 35")) == [entry]
    assert list(selectors.entries_search(qs, "chi thi")) == []


def test_the_search_query_count_is_constant(docs, django_assert_max_num_queries):
    for i in range(30):
        shelf(str(100 + i), "NQ/TW", "nghi_quyet", date(2020, 1, 1), "Bộ Chính trị", f"Nghị quyết thứ {i}")
    with django_assert_max_num_queries(1):
        assert len(list(selectors.documents_search(Document.objects.all(), "nghi quyet")[:50])) == 31
