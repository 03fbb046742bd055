"""A committee at province 38 with member agencies, commune committees below, and users for each side."""

from __future__ import annotations

from datetime import date

import pytest

from giaoban.core.access import Role
from giaoban.orgs.models import Agency, Committee


class WorkWorld:
    def __init__(self, tree, committees, make_user):
        self.tree = tree
        self.committee = committees["38"]
        self.other_committee = committees["01"]
        unit = self.committee.org_unit
        self.police = Agency.objects.create(name="Công an tỉnh Thanh Hóa", short_name="CA", org_unit=unit)
        self.youth = Agency.objects.create(name="Tỉnh đoàn Thanh Hóa", short_name="TĐ", org_unit=unit)
        self.other_agency = Agency.objects.create(
            name="Công an thành phố Hà Nội", org_unit=self.other_committee.org_unit
        )
        # Today's communes of P1 have committees of their own.
        self.commune_committees = {
            u.code: Committee.objects.create(name=f"Ban Chỉ đạo 35 {u.name}", short_name="BCĐ 35", org_unit=u)
            for u in (tree.n1, tree.n2)
        }
        self.approver = make_user(Role.APPROVER, unit)
        self.secretary = make_user(Role.SECRETARY, unit)
        self.police_officer = make_user(Role.AGENCY_OFFICER, agency=self.police)
        self.youth_officer = make_user(Role.AGENCY_OFFICER, agency=self.youth)
        self.commune_secretary = make_user(Role.SECRETARY, tree.n1)
        self.outsider = make_user(Role.APPROVER, tree.p2)
        self.members = list(self.committee.memberships.all())


@pytest.fixture
def world(tree, committees, make_user) -> WorkWorld:
    return WorkWorld(tree, committees, make_user)


D = date
