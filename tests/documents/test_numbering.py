"""The committee's running series: drawn numbers, typed numbers, and the outgoing register entry."""

from datetime import date

import pytest

from giaoban.core.errors import Conflict
from giaoban.documents.models import Document, number_symbol_of
from giaoban.documents.services.numbering import document_register_outgoing, number_draw, number_take
from giaoban.orgs.models import Committee

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(tree):
    return Committee.objects.create(name="Ban Chỉ đạo 35 Tỉnh ủy Thanh Hóa", short_name="BCĐ 35", org_unit=tree.p1)


@pytest.mark.parametrize(
    ("number", "symbol", "expected"),
    [("35", "NQ/TW", "35-NQ/TW"), ("45", "TB-BCĐ", "45/TB-BCĐ"), ("05", "2024/NĐ-CP", "05/2024/NĐ-CP"), ("7", "", "7")],
)
def test_it_joins_number_and_symbol_by_the_layout_of_the_symbol(number, symbol, expected):
    assert number_symbol_of(number, symbol) == expected


def test_it_draws_numbers_in_order_per_series_and_year(committee):
    assert [number_draw(committee=committee, key="thong_bao", year=2027) for _ in range(3)] == [1, 2, 3]
    assert number_draw(committee=committee, key="ke_hoach", year=2027) == 1
    assert number_draw(committee=committee, key="thong_bao", year=2028) == 1


def test_it_refuses_a_typed_number_already_used_and_moves_on_after_the_next_one(committee):
    doc = document_register_outgoing(committee=committee, type="thong_bao", on=date(2027, 1, 5), subject="Kết luận")
    assert (doc.number_symbol, doc.serial) == ("01-TB/BCĐ", 1)
    with pytest.raises(Conflict) as caught:
        number_take(committee=committee, key="thong_bao", year=2027, number=1)
    assert caught.value.code == "number_taken"
    assert number_take(committee=committee, key="thong_bao", year=2027, number=2) == 2
    assert number_draw(committee=committee, key="thong_bao", year=2027) == 3


def test_it_registers_a_source_once(committee, tree):
    first = document_register_outgoing(
        committee=committee, type="ke_hoach", on=date(2027, 1, 5), subject="KH", source=tree.p1
    )
    again = document_register_outgoing(
        committee=committee, type="ke_hoach", on=date(2027, 1, 6), subject="KH", source=tree.p1
    )
    assert first.pk == again.pk
    assert Document.objects.filter(direction="outgoing").count() == 1


def test_a_state_body_numbers_every_type_in_one_series(committee):
    committee.is_state_body = True
    committee.save()
    a = document_register_outgoing(committee=committee, type="thong_bao", on=date(2027, 3, 1), subject="a")
    b = document_register_outgoing(committee=committee, type="giay_moi", on=date(2027, 3, 2), subject="b")
    assert (a.number_symbol, b.number_symbol) == ("01/TB-BCĐ", "02/GM-BCĐ")


def test_a_committee_whose_standing_agency_is_a_state_body_numbers_as_its_documents_print(committee, tree):
    """One rule for the printed layout and the register: Committee.layout."""
    from giaoban.orgs.models import Agency

    committee.standing_agency = Agency.objects.create(name="Sở Văn hóa", org_unit=tree.p1, is_state_body=True)
    committee.save()
    doc = document_register_outgoing(committee=committee, type="thong_bao", on=date(2027, 3, 1), subject="a")
    assert doc.number_symbol == "01/TB-BCĐ"
