"""Coverage of a directive: the counts equal a brute-force count over the cascades for any tree, receivers and
implementations; the roll-up by child unit; the scope of what one sees; a fixed number of queries; the .xlsx."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from giaoban.core.access import Role
from giaoban.documents import coverage as cov
from giaoban.documents.models import Cascade
from giaoban.documents.services.cascades import ImplementingInput, cascade_implement, cascade_report_done, cascade_send
from giaoban.documents.services.numbering import document_register_outgoing
from giaoban.orgs import services as org_services
from giaoban.orgs.models import Committee, OrgUnit

from .conftest import DUE, SENT

AS_OF = date(2026, 4, 1)


class BigTree:
    """The shared tree plus an intermediate level that is still valid (district D2 of P1 with communes E1–E3) and a
    second commune of P2, every unit with a committee; the national committee sends."""

    def __init__(self, world, tree):
        mk = org_services.orgunit_create
        self.d2 = mk(code="380", name="Huyện Thử", kind="district", subtype="huyen", parent=tree.p1,
                     valid_from=date(2020, 1, 1))  # fmt: skip
        self.e = [
            mk(
                code=f"9100{i}",
                name=f"Xã Ê {i}",
                kind="commune",
                subtype="xa",
                parent=self.d2,
                valid_from=date(2020, 1, 1),
            )
            for i in range(1, 4)
        ]
        self.q2 = mk(code="00007", name="Phường Kim Mã", kind="commune", subtype="phuong", parent=tree.p2,
                     valid_from=date(2025, 7, 1))  # fmt: skip
        for u in (tree.vn, tree.p1, tree.p2, self.d2):
            u.refresh_from_db()
        self.national = Committee.objects.create(name="BCĐ 35 Trung ương", short_name="BCĐ 35", org_unit=tree.vn)
        for u in (self.d2, *self.e, self.q2):
            Committee.objects.create(name=f"BCĐ 35 {u.name}", short_name="BCĐ 35", org_unit=u)
        self.receivers = list(
            Committee.objects.exclude(pk__in=[self.national.pk, world.old_district.pk]).order_by("org_unit__path")
        )
        self.directive = document_register_outgoing(
            committee=self.national, type="chi_thi", on=date(2026, 2, 1), subject="Chỉ thị"
        )
        self.units = [tree.vn, tree.p1, tree.p2, self.d2, tree.n1, self.e[0]]


@pytest.fixture
def big(world, tree):
    return BigTree(world, tree)


def brute(cascades: list[Cascade], unit: OrgUnit, as_of: date) -> tuple[dict, dict]:
    """Totals and {child path (or the unit's own): counts}, by a plain loop."""
    width = len(unit.path) + OrgUnit.steplen
    total = {"expected": 0, "implemented": 0, "done": 0, "overdue": 0}
    groups: dict[str, dict] = {}
    for c in cascades:
        if not c.unit_path.startswith(unit.path):
            continue
        g = groups.setdefault(c.unit_path[:width], dict.fromkeys(total, 0))
        for d in (total, g):
            d["expected"] += 1
            d["implemented"] += c.implementing_document_id is not None
            d["done"] += c.status == "done"
            d["overdue"] += c.implementing_document_id is None and c.due_on is not None and c.due_on < as_of
    return total, groups


receiver_states = st.lists(
    st.tuples(st.integers(0, 20), st.sampled_from(["received", "implementing", "done"]), st.integers(-20, 20)),
    max_size=12,
)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(states=receiver_states)
def test_coverage_equals_a_brute_force_count_over_the_cascades(big, make_user, states):
    admin = make_user(Role.SYSTEM_ADMIN, big.national.org_unit) if not hasattr(big, "admin") else big.admin
    big.admin = admin
    with transaction.atomic():
        chosen = {}
        for index, state, due in states:
            chosen.setdefault(big.receivers[index % len(big.receivers)].pk, (state, due))
        for pk, (_state, due) in chosen.items():
            cascade_send(
                document=big.directive, sender=big.national, committees=[pk], sent_on=SENT,
                due_on=SENT + timedelta(days=30 + due), notify=False,
            )  # fmt: skip
        for c in Cascade.objects.filter(document=big.directive).select_related("committee"):
            state = chosen[c.committee_id][0]
            if state != "received":
                c = cascade_implement(cascade=c, new=ImplementingInput(date=date(2026, 3, 10), subject="KH"))
            if state == "done":
                cascade_report_done(cascade=c, done_on=date(2026, 3, 20))
        cascades = list(Cascade.objects.filter(document=big.directive))
        for unit in big.units:
            got = cov.coverage(admin, big.directive, unit, as_of=AS_OF)
            total, groups = brute(cascades, unit, AS_OF)
            assert {k: getattr(got.total, k) for k in total} == total, unit.code
            assert got.pending == total["expected"] - total["implemented"]
            assert len(got.rows) == total["expected"]
            assert sum(r.overdue for r in got.rows) == total["overdue"]
            by = {("own" if g.own else g.unit.path): {k: getattr(g, k) for k in total} for g in got.by_unit}
            want = {("own" if p == unit.path else p): v for p, v in groups.items()}
            assert by == want, unit.code
        transaction.set_rollback(True)


def test_it_rolls_up_by_child_unit_through_every_level(big, world, tree):
    cascade_send(document=big.directive, sender=big.national, below=True, sent_on=SENT, due_on=DUE)
    for committee in (world.n1, big.receivers[[r.org_unit_id for r in big.receivers].index(big.e[0].pk)]):
        c = Cascade.objects.get(document=big.directive, committee=committee)
        cascade_implement(cascade=c, new=ImplementingInput(date=date(2026, 3, 10), subject="KH"))
    admin = get_user_model().objects.create_superuser("root", password="x-123456789")
    national = cov.coverage(admin, big.directive, tree.vn, as_of=AS_OF)
    assert [(g.unit.code, g.expected, g.implemented, g.overdue) for g in national.by_unit] == [
        ("01", 3, 0, 3),  # Hà Nội: its committee and two communes'
        ("38", 7, 2, 5),  # Thanh Hóa: its committee, the district's, three communes below it, N1, N2
    ]
    province = cov.coverage(admin, big.directive, tree.p1, as_of=AS_OF)
    assert [(g.key, g.expected, g.implemented) for g in province.by_unit] == [
        ("", 1, 0),  # the province's own committee
        ("15061", 1, 1),  # in Vietnamese order of the names without "Xã", "Huyện": Ngọc Lặc, Thạch Lập, Thử
        ("15085", 1, 0),
        ("380", 4, 1),  # the district and its three communes
    ]
    assert [g.drill for g in province.by_unit] == [False, False, False, True]
    assert (province.expected, province.implemented, province.pending) == (7, 2, 5)
    assert cov.coverage(admin, big.directive, tree.p1, as_of=SENT).total.overdue == 0


def test_one_sees_the_cascades_of_ones_own_units_only(world):
    cascade_send(document=world.directive, sender=world.province, below=True, sent_on=SENT, due_on=DUE)
    province = cov.coverage(world.viewer, world.directive, world.tree.p1)
    assert province.expected == 2
    commune = cov.coverage(world.n1_secretary, world.directive, world.tree.n1)
    assert commune.expected == 1 and [r.committee for r in commune.rows] == [world.n1]
    assert cov.coverage_default_unit(world.n1_secretary, world.directive) == world.tree.n1
    assert cov.coverage_default_unit(world.viewer, world.directive) == world.tree.p1
    # Seen from the other province, nothing (the pages and API answer 404 before this).
    assert cov.coverage(world.outsider, world.directive, world.tree.p1).expected == 0


def test_coverage_reads_in_the_same_number_of_queries_however_many_receivers(world, tree):
    def queries() -> int:
        world.viewer.__dict__.pop("_giaoban_roles", None)  # as in a new request: the roles are read again
        with CaptureQueriesContext(connection) as q:
            c = cov.coverage(world.viewer, world.directive, tree.p1, rows="all")
            _ = [(r.committee.org_unit.name, r.implementing_document) for r in c.rows]
        return len(q)

    cascade_send(document=world.directive, sender=world.province, below=True, sent_on=SENT)
    few = queries()
    for i in range(30):
        unit = org_services.orgunit_create(code=f"{16000 + i}", name=f"Xã Thử {i}", kind="commune", subtype="xa",
                                           parent=tree.p1, valid_from=date(2025, 7, 1))  # fmt: skip
        Committee.objects.create(name=f"BCĐ 35 Xã Thử {i}", short_name="BCĐ 35", org_unit=unit)
    tree.p1.refresh_from_db()
    cascade_send(document=world.directive, sender=world.province, below=True, sent_on=SENT)
    for c in Cascade.objects.filter(document=world.directive)[:10]:
        cascade_implement(cascade=c, new=ImplementingInput(date=date(2026, 3, 10), subject="KH"))
    assert queries() == few <= 4


def test_the_xlsx_has_the_counts_by_unit_and_the_receivers(world, tree):
    cascade_send(document=world.directive, sender=world.province, below=True, sent_on=SENT, due_on=DUE)
    c = Cascade.objects.get(document=world.directive, committee=world.n1)
    cascade_implement(cascade=c, new=ImplementingInput(date=date(2026, 3, 10), subject="KH"))
    data = cov.coverage_xlsx(cov.coverage(world.viewer, world.directive, tree.p1, as_of=AS_OF))
    wb = load_workbook(io.BytesIO(data))
    by_unit, rows = wb.worksheets
    values = [[cell.value for cell in row] for row in by_unit.iter_rows(min_row=4)]
    assert values == [
        ["Xã Ngọc Lặc", 1, 1, 0, 0, 0, 100],
        ["Xã Thạch Lập", 1, 0, 0, 1, 1, 0],
        ["Tổng cộng", 2, 1, 0, 1, 1, 50],
    ]
    listed = [[cell.value for cell in row][:3] for row in rows.iter_rows(min_row=4)]
    assert listed == [
        ["Xã Ngọc Lặc", world.n1.name, "Đã ban hành văn bản triển khai"],
        ["Xã Thạch Lập", world.n2.name, "Đã nhận"],
    ]
