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


# --- kiện toàn from the page: 0, 1 or N people, relieving, all or nothing, errors at the row ------------


def _decision_form(number: str, rows: list[dict], end: list[int] = (), total: int | None = None) -> dict:
    form = {
        "number": number,
        "date": "2025-09-01",
        "issuer": "Tỉnh ủy Thanh Hóa",
        "end": [str(pk) for pk in end],
        "new-TOTAL_FORMS": str(total if total is not None else max(len(rows), 1)),
        "new-INITIAL_FORMS": "0",
        "new-MIN_NUM_FORMS": "0",
        "new-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        form.update({f"new-{i}-{k}": v for k, v in row.items()})
    return form


@pytest.fixture
def admin_client(client, tree, make_user):
    client.force_login(make_user("unit_admin", tree.p1))
    return client


def _people(n: int) -> list[dict]:
    return [{"person_name": f"Người Mới {i}", "role": "member", "position": "Ủy viên"} for i in range(n)]


@pytest.mark.parametrize("n", [0, 1, 5])
def test_it_adds_any_number_of_people_and_ignores_blank_rows(admin_client, committees, n):
    committee = committees["38"]
    member = Membership.objects.get(committee=committee, role="member")
    # n people typed in, plus two rows left blank (the role select untouched).
    form = _decision_form("40-QĐ/TU", [*_people(n), {}, {}], end=[member.pk] if n == 0 else [])
    response = admin_client.post(f"/committees/{committee.pk}/reconstitute/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    decision = Decision.objects.get(committee=committee, number="40-QĐ/TU")
    assert decision.appointments.count() == n
    assert sorted(m.person_name for m in decision.appointments.all()) == [f"Người Mới {i}" for i in range(n)]
    # The audit trail names who recorded the decision.
    assert decision.history.first().history_user.username.startswith("user")


def test_it_relieves_several_members_in_one_decision(admin_client, committees):
    committee = committees["38"]
    relieved = list(Membership.objects.filter(committee=committee, role__in=["member", "standing_deputy"]))
    form = _decision_form("41-QĐ/TU", [{}], end=[m.pk for m in relieved])
    assert admin_client.post(f"/committees/{committee.pk}/reconstitute/", form).status_code == 302
    for m in relieved:
        m.refresh_from_db()
        assert (m.end_date, m.ended_by.number) == (date(2025, 8, 31), "41-QĐ/TU")
    assert [m.role for m in selectors.current_members(committee, date(2025, 9, 1))] == ["head"]


def test_a_bad_row_writes_nothing_and_is_shown_at_its_row(admin_client, committees):
    committee = committees["38"]
    member = Membership.objects.get(committee=committee, role="member")
    rows = [*_people(2), {"person_name": "", "role": "deputy", "position": "Thiếu tên"}]
    counts = (Decision.objects.count(), Membership.objects.count())
    response = admin_client.post(
        f"/committees/{committee.pk}/reconstitute/", _decision_form("42-QĐ", rows, [member.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200 and "alert-danger" in page
    assert (Decision.objects.count(), Membership.objects.count()) == counts
    member.refresh_from_db()
    assert member.end_date is None
    # The error sits in the third person's box, and the two good rows are kept as typed.
    boxes = page[page.index('data-row="1"') : page.index('name="add_row"')]
    first, third = boxes[: boxes.index('data-row="2"')], boxes[boxes.index('data-row="3"') :]
    assert "text-danger" in third and "Họ và tên" in third and "text-danger" not in first
    assert "Người Mới 0" in page and "Người Mới 1" in page


def test_a_service_error_is_shown_at_the_row_it_names(admin_client, committees):
    committee = committees["38"]
    # A role the select does not offer reaches the form, not the service; an unknown decision number clash does.
    form = _decision_form("01-QĐ/Thanh Hóa", _people(1))
    page = admin_client.post(f"/committees/{committee.pk}/reconstitute/", form).content.decode()
    assert "đã được ghi" in page and 'class="invalid-feedback"' in page


def test_it_adds_a_row_without_saving_when_asked(admin_client, committees):
    committee = committees["38"]
    form = _decision_form("43-QĐ", _people(1), total=1)
    page = admin_client.post(
        f"/committees/{committee.pk}/reconstitute/?add_row=1", form, headers={"HX-Request": "true"}
    )
    html = page.content.decode()
    assert "<html" not in html and 'id="new-members"' in html
    assert 'name="new-TOTAL_FORMS" value="2"' in html and 'data-row="2"' in html and "Người Mới 0" in html
    assert "alert-danger" not in html and not Decision.objects.filter(number="43-QĐ").exists()
    full = admin_client.post(f"/committees/{committee.pk}/reconstitute/", {**form, "add_row": "1"}).content.decode()
    assert "<html" in full and 'data-row="2"' in full


def test_a_dissolved_committee_says_so_with_its_last_members(client, committees, make_user, tree):
    committee = committees["38"]
    member = Membership.objects.get(committee=committee, role="member")
    services.committee_reconstitute(committee=committee, number="50-QĐ", date=date(2025, 3, 1), end=[member])
    committee.dissolved_on = date(2025, 6, 30)
    committee.save(update_fields=["dissolved_on"])
    client.force_login(make_user("unit_admin", tree.p1))
    page = client.get(f"/committees/{committee.pk}/").content.decode()
    assert 'id="dissolved"' in page and "30/06/2025" in page
    members = page[page.index('id="members"') : page.index('id="history"')]
    assert "Thành viên khi giải thể (30/06/2025)" in members
    assert "Nguyễn Văn Trưởng Thanh Hóa" in members and "Lê Văn Ủy Viên" not in members
    assert f"/committees/{committee.pk}/reconstitute/" not in page
    with pytest.raises(ImportRejected, match="decision not recorded"):
        services.committee_reconstitute(
            committee=committee, number="51-QĐ", date=date(2025, 8, 1), start=[{"person_name": "X", "role": "member"}]
        )
