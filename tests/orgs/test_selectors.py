from datetime import date
from decimal import Decimal

from giaoban.orgs import selectors, services
from giaoban.orgs.models import OrgUnit


def codes(qs):
    return {u.code for u in qs}


def test_it_gives_the_tree_as_it_stood_on_a_date(tree):
    before = codes(selectors.tree_as_of(date(2024, 1, 1)))
    after = codes(selectors.tree_as_of(date(2025, 8, 1)))
    assert {"389", "90001", "90002", "90003"} <= before
    assert not {"15061", "15085"} & before
    assert {"15061", "15085", "38"} <= after
    assert not {"389", "90001"} & after
    # The last day of the old units and the first of the new ones do not overlap.
    assert "389" in codes(selectors.tree_as_of(date(2025, 6, 30)))
    assert "389" not in codes(selectors.tree_as_of(date(2025, 7, 1)))


def test_it_limits_the_tree_to_a_subtree(tree):
    assert codes(selectors.tree_as_of(date(2024, 1, 1), root=tree.d1)) == {"389", "90001", "90002", "90003"}
    assert codes(OrgUnit.objects.subtree_of(tree.p2)) == {"01", "00004"}


def test_it_lists_ancestors_from_the_root(tree):
    assert [u.code for u in selectors.unit_ancestors(tree.c1)] == ["VN", "38", "389"]
    assert selectors.unit_ancestors(tree.vn) == []


def test_it_follows_a_merge_and_a_split_back_to_predecessors(tree):
    preds = {s.unit.code: s.weight for s in selectors.unit_predecessors(tree.n1)}
    assert preds == {"90001": Decimal(1), "90002": Decimal(1), "90003": Decimal("0.6")}
    assert {s.unit.code: s.weight for s in selectors.unit_predecessors(tree.n2)} == {"90003": Decimal("0.4")}


def test_it_follows_a_split_forward_to_successors(tree):
    succs = {s.unit.code: (s.weight, s.succession.kind) for s in selectors.unit_successors(tree.c3)}
    assert succs == {"15061": (Decimal("0.6"), "split"), "15085": (Decimal("0.4"), "split")}


def test_it_follows_lineage_through_several_reorganisations(tree):
    later = date(2027, 1, 1)
    services.orgunit_close(unit=tree.n1, valid_to=date(2026, 12, 31))
    services.orgunit_close(unit=tree.n2, valid_to=date(2026, 12, 31))
    m1 = services.orgunit_create(
        code="15999", name="Xã Ngọc Lặc Mới", kind="commune", subtype="xa", parent=tree.p1, valid_from=later
    )
    services.succession_create(predecessor=tree.n1, successor=m1, date=later, kind="merge")
    services.succession_create(predecessor=tree.n2, successor=m1, date=later, kind="merge")
    steps = {s.unit.code: s for s in selectors.unit_predecessors(m1)}
    assert steps["15061"].generation == 1
    assert steps["90001"].generation == 2
    # 90003 reached m1 through both halves of its split: 0.6 + 0.4.
    assert steps["90003"].weight == Decimal(1)
    forward = {s.unit.code: s.weight for s in selectors.unit_successors(tree.c1)}
    assert forward == {"15061": Decimal(1), "15999": Decimal(1)}


def test_it_finds_units_without_diacritics(tree, make_user):
    admin = make_user("system_admin", tree.vn)
    found = codes(selectors.unit_search(admin, q="ngoc lac"))
    assert found == {"389", "90001", "15061"}
    assert codes(selectors.unit_search(admin, q="NGỌC LẶC", on=date(2025, 8, 1))) == {"15061"}
    assert codes(selectors.unit_search(admin, q="ha noi")) == {"01"}
    assert codes(selectors.unit_search(admin, q="15085")) == {"15085"}


def test_it_sorts_in_vietnamese_order(db):
    vn = services.orgunit_create(
        code="VN", name="Việt Nam", kind="national", subtype="quoc_gia", parent=None, valid_from=date(2000, 1, 1)
    )
    names = [
        "Tỉnh Đồng Nai",
        "Tỉnh Điện Biên",
        "Tỉnh Cao Bằng",
        "Tỉnh Cà Mau",
        "Thành phố Đà Nẵng",
        "Tỉnh An Giang",
        "Tỉnh Ăn Thử",
        "Tỉnh Dak Test",
    ]
    for i, name in enumerate(names):
        services.orgunit_create(
            code=f"{i + 10}",
            name=name,
            kind="province",
            subtype="tinh" if name.startswith("Tỉnh") else "thanh_pho",
            parent=vn,
            valid_from=date(2000, 1, 1),
        )
    ordered = [u.name for u in OrgUnit.objects.filter(kind="province").vn_sorted()]
    assert ordered == [
        "Tỉnh An Giang",
        "Tỉnh Ăn Thử",
        "Tỉnh Cà Mau",
        "Tỉnh Cao Bằng",
        "Tỉnh Dak Test",
        "Thành phố Đà Nẵng",
        "Tỉnh Điện Biên",
        "Tỉnh Đồng Nai",
    ]


def test_it_loads_todays_units_from_the_package_idempotently(db):
    first = services.orgunits_load_vn()
    assert (first.created, first.total) == (3356, 3356)
    assert OrgUnit.objects.filter(kind="province").count() == 34
    assert OrgUnit.objects.filter(kind="commune", valid_from=date(2025, 7, 1), valid_to=None).count() == 3321
    second = services.orgunits_load_vn()
    assert (second.created, second.updated) == (0, 0)
    assert OrgUnit.objects.count() == 3356
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
    ngoc_lac = OrgUnit.objects.get(code="15061")
    assert (ngoc_lac.name, ngoc_lac.parent.code, ngoc_lac.subtype) == ("Xã Ngọc Lặc", "38", "xa")
    assert OrgUnit.objects.get(code="48").name == "Thành phố Đà Nẵng"
