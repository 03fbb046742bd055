"""The invitation, the minutes and the conclusion notice take their numbers from the committee's running series
and stand in its outgoing register, linked to the meeting or notice they are."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from giaoban.core.errors import Conflict, ServiceError
from giaoban.documents.models import Document
from giaoban.work import documents, services
from giaoban.work.models import Conclusion, Meeting
from giaoban.work.services import PlannedTaskInput, PointInput

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def held(world, day: int, committee=None) -> Meeting:
    committee = committee or world.committee
    meeting = services.meeting_create(
        committee=committee,
        kind="giao_ban_thang",
        title=f"Giao ban ngày {day}",
        starts_at=datetime(2026, 10, day, 8, tzinfo=VN),
        chair=world.members[0] if committee == world.committee else None,
        invited_members=world.members if committee == world.committee else (),
    )
    services.conclusion_save(
        meeting=meeting, points=[PointInput("Kết luận", [PlannedTaskInput("Việc", agency=world.police)])]
    )
    return meeting


def test_two_notices_never_get_one_number(world):
    first = services.conclusion_issue(meeting=held(world, 13), number="45-TB/BCĐ", issued_on=date(2026, 10, 14))
    second = held(world, 14)
    with pytest.raises(Conflict) as exc:
        services.conclusion_issue(meeting=second, number="45", issued_on=date(2026, 10, 15))
    assert exc.value.code == "number_taken" and exc.value.status == 409
    assert Conclusion.objects.get(meeting=second).status == "draft"  # nothing written, no task given
    assert not Document.objects.filter(source_id=Conclusion.objects.get(meeting=second).pk, type="thong_bao").exists()
    issued = services.conclusion_issue(meeting=second, number="", issued_on=date(2026, 10, 15))
    assert (first.number, issued.number) == ("45-TB/BCĐ", "01-TB/BCĐ")
    numbers = list(
        Document.objects.filter(committee=world.committee, type="thong_bao").values_list("serial", flat=True)
    )
    assert sorted(numbers) == [1, 45]


def test_drawn_numbers_run_01_02_and_print_with_the_symbol(world):
    numbers = [
        services.conclusion_issue(meeting=held(world, day), number="", issued_on=date(2026, 10, day + 1)).number
        for day in (13, 14, 15)
    ]
    assert numbers == ["01-TB/BCĐ", "02-TB/BCĐ", "03-TB/BCĐ"]
    meeting = Meeting.objects.get(title="Giao ban ngày 14")
    doc = documents.conclusion_document(meeting)
    assert (doc.number, doc.symbol, doc.date) == ("02", "TB/BCĐ", date(2026, 10, 15))
    # Invitations have a series of their own in a Party committee: the first one drawn is 01 too.
    services.meeting_invite(meeting=held(world, 20), invited_on=date(2026, 10, 14))
    assert Meeting.objects.get(title="Giao ban ngày 20").invitation_number == "01-GM/BCĐ"


def test_a_state_body_numbers_every_type_in_one_series(world):
    world.committee.is_state_body = True
    world.committee.save(update_fields=["is_state_body"])
    meeting = held(world, 13)
    services.meeting_invite(meeting=meeting, invited_on=date(2026, 10, 7))
    services.minutes_save(meeting=meeting, proceedings="Diễn biến.", closed_at=datetime(2026, 10, 13, 11, tzinfo=VN))
    notice = services.conclusion_issue(meeting=meeting, number="", issued_on=date(2026, 10, 14))
    meeting.refresh_from_db()
    assert (meeting.invitation_number, notice.number) == ("01/GM-BCĐ", "03/TB-BCĐ")
    assert documents.minutes_document(meeting).number == "02"


def test_the_register_has_the_outgoing_rows_with_their_sources(world):
    meeting = held(world, 13)
    services.meeting_invite(meeting=meeting, number="12", invited_on=date(2026, 10, 7), actor=world.secretary)
    services.meeting_invite(meeting=meeting, invited_on=date(2026, 10, 8))  # sent again: one registration
    with pytest.raises(Conflict):  # a re-sent invitation keeps its number: another typed one is refused
        services.meeting_invite(meeting=meeting, number="13", invited_on=date(2026, 10, 8))
    services.minutes_save(meeting=meeting, proceedings="Diễn biến.")  # no closing time yet: not registered
    assert not Document.objects.filter(type="bien_ban").exists()
    services.minutes_save(meeting=meeting, proceedings="Diễn biến.", closed_at=datetime(2026, 10, 13, 11, tzinfo=VN))
    services.minutes_save(meeting=meeting, proceedings="Sửa.", closed_at=datetime(2026, 10, 13, 11, 30, tzinfo=VN))
    notice = services.conclusion_issue(meeting=meeting, number="", issued_on=date(2026, 10, 14), actor=world.approver)
    rows = {
        d.type: d
        for d in Document.objects.filter(committee=world.committee, direction="outgoing").select_related("source_type")
    }
    assert sorted(rows) == ["bien_ban", "giay_moi", "thong_bao"]
    assert Document.objects.filter(committee=world.committee).count() == 3
    meeting_type = ContentType.objects.get_for_model(Meeting)
    assert (rows["giay_moi"].source, rows["bien_ban"].source, rows["thong_bao"].source) == (meeting, meeting, notice)
    assert rows["giay_moi"].source_type == rows["bien_ban"].source_type == meeting_type
    assert [(d.number_symbol, d.date) for d in (rows["giay_moi"], rows["bien_ban"], rows["thong_bao"])] == [
        ("12-GM/BCĐ", date(2026, 10, 7)),
        ("01-BB/BCĐ", date(2026, 10, 13)),
        ("01-TB/BCĐ", date(2026, 10, 14)),
    ]
    assert rows["giay_moi"].created_by == world.secretary and rows["thong_bao"].created_by == world.approver
    assert rows["thong_bao"].subject.startswith("Kết luận của đồng chí") and rows["thong_bao"].signer
    assert rows["giay_moi"].subject == "Mời dự Hội nghị Giao ban ngày 13"
    assert "12-gm/bcd" in rows["giay_moi"].search_text


def test_a_typed_number_must_start_with_a_number(world):
    meeting = held(world, 13)
    with pytest.raises(ServiceError) as exc:
        services.conclusion_issue(meeting=meeting, number="TB/BCĐ", issued_on=date(2026, 10, 14))
    assert "number" in exc.value.extra["fields"]


def test_a_taken_number_is_409_in_the_api_and_on_the_page_in_the_users_language(client, world, compiled_locale):
    services.conclusion_issue(meeting=held(world, 13), number="45", issued_on=date(2026, 10, 14))
    meeting = held(world, 14)
    client.force_login(world.approver)
    page = client.post(
        f"/meetings/{meeting.pk}/conclusion/", {"action": "issue", "number": "45", "issued_on": "2026-10-15"}
    )
    assert page.status_code == 409 and "Số 45 đã được dùng trong năm 2026." in page.content.decode()
    from tests.access import api_token_key

    key = api_token_key(world.approver)
    r = client.post(
        f"/api/v1/meetings/{meeting.pk}/conclusion/issue/",
        {"number": "45", "issued_on": "2026-10-15"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 409
    assert r.json() == {
        "message": "Number 45 is already used in 2026.",
        "code": "number_taken",
        "extra": {"number": 45, "next": 1},
    }
    # The invitation's page too.
    other = held(world, 20)
    services.meeting_invite(meeting=held(world, 21), number="7", invited_on=date(2026, 10, 14))
    page = client.post(f"/meetings/{other.pk}/invite/", {"number": "7-GM/BCĐ", "invited_on": "2026-10-14"})
    assert page.status_code == 409 and "Số 7 đã được dùng trong năm 2026." in page.content.decode()
