"""A province committee (38) and another (01), the reference shelf with 35-NQ/TW, and users on each side."""

from __future__ import annotations

from datetime import date

import pytest

from giaoban.core.access import Role
from giaoban.documents.models import Document
from giaoban.documents.services import register
from giaoban.orgs.models import Agency


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


@pytest.fixture
def docs(tree, committees, make_user) -> DocsWorld:
    return DocsWorld(tree, committees, make_user)
