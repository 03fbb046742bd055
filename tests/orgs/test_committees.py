from datetime import date

import pytest

from giaoban.core.errors import ImportRejected
from giaoban.orgs import selectors, services
from giaoban.orgs.models import Decision, Membership


def test_it_ends_and_starts_memberships_in_one_kien_toan_decision(committees):
    committee = committees["38"]
    deputy = Membership.objects.get(committee=committee, role="standing_deputy")
    member = Membership.objects.get(committee=committee, role="member")
    decision = services.committee_reconstitute(
        committee=committee,
        number="25-QĐ/TU",
        date=date(2025, 8, 15),
        subject="Kiện toàn Ban Chỉ đạo 35",
        end=[deputy, member],
        start=[
            {"person_name": member.person_name, "role": "standing_deputy"},
            {"person_name": "Phạm Thị Mới", "role": "member", "position": "Bí thư Tỉnh đoàn"},
        ],
    )
    deputy.refresh_from_db()
    assert (deputy.end_date, deputy.ended_by) == (date(2025, 8, 14), decision)
    before = [(m.role, m.person_name) for m in selectors.current_members(committee, date(2025, 8, 14))]
    after = [(m.role, m.person_name) for m in selectors.current_members(committee, date(2025, 8, 15))]
    assert before == [
        ("head", "Nguyễn Văn Trưởng Thanh Hóa"),
        ("standing_deputy", "Trần Thị Phó Thanh Hóa"),
        ("member", "Lê Văn Ủy Viên Thanh Hóa"),
    ]
    assert after == [
        ("head", "Nguyễn Văn Trưởng Thanh Hóa"),
        ("standing_deputy", "Lê Văn Ủy Viên Thanh Hóa"),
        ("member", "Phạm Thị Mới"),
    ]
    # History is kept: the ended memberships are still there, and each change has its history rows.
    assert Membership.objects.filter(committee=committee).count() == 5
    assert deputy.history.count() == 2
    assert [d.number for d in Decision.objects.filter(committee=committee)] == ["25-QĐ/TU", "01-QĐ/Thanh Hóa"]


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"number": ""}, "decision number is required"),
        ({"number": "01-QĐ/Thanh Hóa"}, "already recorded"),
        ({"start": [{"person_name": "", "role": "head"}]}, "person_name is required"),
        ({"start": [{"person_name": "A", "role": "chief"}]}, "role must be one of"),
        ({"start": []}, "changes no membership"),
    ],
)
def test_it_refuses_a_bad_decision_and_writes_nothing(committees, kwargs, says):
    committee = committees["38"]
    args = {
        "committee": committee,
        "number": "26-QĐ/TU",
        "date": date(2025, 9, 1),
        "start": [{"person_name": "B", "role": "member"}],
        **kwargs,
    }
    counts = (Decision.objects.count(), Membership.objects.count())
    with pytest.raises(ImportRejected) as exc:
        services.committee_reconstitute(**args)
    assert any(says in e["message"] for e in exc.value.errors), exc.value.errors
    assert (Decision.objects.count(), Membership.objects.count()) == counts


def test_it_refuses_to_end_a_member_of_another_committee(committees):
    other = Membership.objects.filter(committee=committees["01"]).first()
    with pytest.raises(ImportRejected, match="decision not recorded"):
        services.committee_reconstitute(committee=committees["38"], number="27-QĐ", date=date(2025, 9, 1), end=[other])
    other.refresh_from_db()
    assert other.end_date is None
