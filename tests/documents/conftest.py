"""A province committee (38) and another (01), the reference shelf with 35-NQ/TW, and users on each side (`docs`);
a directive of Thanh Hóa's committee and committees below it, for the cascade tests (`world`)."""

from __future__ import annotations

from datetime import date

import pytest

from giaoban.core.access import Role
from giaoban.documents.models import Document
from giaoban.documents.services import register
from giaoban.documents.services.numbering import document_register_outgoing
from giaoban.orgs.models import Agency, Committee


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into the repository or var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def shelf(number: str, symbol: str, type: str, on: date, issuer: str, subject: str, committee=None, **kw) -> Document:
    return register.document_create(
        committee=committee,
        direction=kw.pop("direction", Document.Direction.INCOMING),
        number=number,
        symbol=symbol,
        type=type,
        date=on,
        issuer=issuer,
        subject=subject,
        **kw,
    )


class DocsWorld:
    def __init__(self, tree, committees, make_user):
        self.tree = tree
        self.committee = committees["38"]
        self.other_committee = committees["01"]
        self.police = Agency.objects.create(name="Công an tỉnh Thanh Hóa", org_unit=tree.p1)
        self.nq35 = shelf(
            "35",
            "NQ/TW",
            "nghi_quyet",
            date(2018, 10, 22),
            "Bộ Chính trị",
            "Về tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch "
            "trong tình hình mới",
        )
        self.secretary = make_user(Role.SECRETARY, tree.p1)
        self.approver = make_user(Role.APPROVER, tree.p1)
        self.viewer = make_user(Role.VIEWER, tree.p1)
        self.outsider = make_user(Role.SECRETARY, tree.p2)


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
def docs(tree, committees, make_user) -> DocsWorld:
    return DocsWorld(tree, committees, make_user)


@pytest.fixture
def world(tree, committees, make_user) -> CascadeWorld:
    return CascadeWorld(tree, committees, make_user)
