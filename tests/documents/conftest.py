"""A directive of Thanh Hóa's committee (province 38) and committees below it, for the cascade tests."""

from __future__ import annotations

from datetime import date

import pytest

from giaoban.core.access import Role
from giaoban.documents.services.numbering import document_register_outgoing
from giaoban.orgs.models import Committee

SENT = date(2026, 3, 2)
DUE = date(2026, 3, 31)


class CascadeWorld:
    """P1 (38) sends; its communes N1, N2 have committees (the closed old district's D1 has one too, dissolved by
    the reorganisation); P2 (01) is another province with a commune Q1."""

    def __init__(self, tree, committees, make_user):
        self.tree = tree
        self.province = committees["38"]
        self.other = committees["01"]
        self.commune = {
            u.code: Committee.objects.create(name=f"Ban Chỉ đạo 35 {u.name}", short_name="BCĐ 35", org_unit=u)
            for u in (tree.n1, tree.n2, tree.q1)
        }
        self.old_district = Committee.objects.create(
            name="Ban Chỉ đạo 35 Huyện ủy Ngọc Lặc",
            short_name="BCĐ 35",
            org_unit=tree.d1,
            dissolved_on=date(2025, 7, 1),
        )
        self.n1, self.n2, self.q1 = (self.commune[c] for c in ("15061", "15085", "00004"))
        self.directive = document_register_outgoing(
            committee=self.province,
            type="ke_hoach",
            on=date(2026, 2, 27),
            subject="Kế hoạch triển khai Nghị quyết 35-NQ/TW năm 2026",
        )
        self.other_directive = document_register_outgoing(
            committee=self.other, type="cong_van", on=date(2026, 2, 27), subject="Công văn về công tác năm 2026"
        )
        self.approver = make_user(Role.APPROVER, tree.p1)
        self.secretary = make_user(Role.SECRETARY, tree.p1)
        self.viewer = make_user(Role.VIEWER, tree.p1)
        self.n1_secretary = make_user(Role.SECRETARY, tree.n1)
        self.n2_secretary = make_user(Role.SECRETARY, tree.n2)
        self.outsider = make_user(Role.SECRETARY, tree.p2)


@pytest.fixture
def world(tree, committees, make_user) -> CascadeWorld:
    return CascadeWorld(tree, committees, make_user)
