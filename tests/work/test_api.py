"""The work API through HTTP: agencies, the meeting cycle, the conclusion notice, tasks and their follow-up,
the scorecard; bad input is a 400 naming the field, out of scope a 404, a stale version a 409."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from giaoban.work import services
from giaoban.work.models import Attendance, Conclusion, Meeting, Task, TaskEvent, TaskFile

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, h=8):
    return datetime(y, m, d, h, tzinfo=VN).isoformat()


@pytest.fixture
def as_user():
    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def approver(world, as_user):
    return as_user(world.approver)


@pytest.fixture
def secretary(world, as_user):
    return as_user(world.secretary)


@pytest.fixture
def police(world, as_user):
    return as_user(world.police_officer)


def meeting_body(world, **kw):
    body = {
        "committee": world.committee.pk,
        "kind": "so_ket_9_thang",
        "title": "Hội nghị sơ kết 9 tháng năm 2026",
        "period": "2026N9",
        "starts_at": at(2026, 10, 13),
        "ends_at": at(2026, 10, 13, 11),
        "place": "Hội trường Tỉnh ủy",
        "chair": world.members[0].pk,
        "secretary": world.members[1].pk,
        "invitees": {"members": [m.pk for m in world.members], "agencies": [world.police.pk]},
        "agenda": [{"title": "Báo cáo sơ kết", "presenter": "Phó Trưởng ban", "minutes": 30}],
    }
    body.update(kw)
    return body


def make_task(world, **kw):
    kw.setdefault("agency", world.police)
    kw.setdefault("due_on", date(2026, 10, 20))
    kw.setdefault("assigned_on", date(2026, 10, 1))
    return services.task_create(committee=world.committee, title="Xây dựng kế hoạch", actor=world.approver, **kw)


# --- Agencies ---------------------------------------------------------------------------------------------


def test_it_lists_the_agencies_of_a_unit_and_the_member_agencies_of_a_committee(world, tree, as_user):
    from giaoban.orgs.models import Agency, Membership

    # An agency of another unit whose officer sits on the committee is one of its member agencies.
    far = Agency.objects.create(name="Bộ đội Biên phòng tỉnh", org_unit=tree.n1)
    member = Membership.objects.filter(committee=world.committee).first()
    member.agency = far
    member.save()
    Agency.objects.create(name="Công an xã Ngọc Lặc", org_unit=tree.n1)
    client = as_user(world.approver)
    names = [a["name"] for a in client.get(f"/api/v1/agencies/?committee={world.committee.pk}").json()["results"]]
    assert "Bộ đội Biên phòng tỉnh" in names and "Công an tỉnh Thanh Hóa" in names
    assert "Công an xã Ngọc Lặc" not in names and "Công an thành phố Hà Nội" not in names
    r = client.get("/api/v1/agencies/?unit=15061").json()["results"]
    assert sorted(a["name"] for a in r) == ["Bộ đội Biên phòng tỉnh", "Công an xã Ngọc Lặc"]
    police = client.get(f"/api/v1/agencies/{world.police.pk}/").json()
    assert police == {"id": world.police.pk, "name": "Công an tỉnh Thanh Hóa", "short_name": "CA", "unit": "38"}
    assert client.get(f"/api/v1/agencies/{world.other_agency.pk}/").status_code == 404
    r = client.get("/api/v1/agencies/?committee=x")
    assert r.status_code == 400 and "committee" in r.json()["extra"]["fields"]


# --- Meetings ---------------------------------------------------------------------------------------------


def test_it_schedules_and_edits_a_meeting_with_a_version(world, secretary):
    r = secretary.post("/api/v1/meetings/", meeting_body(world), format="json")
    assert r.status_code == 201, r.json()
    m = r.json()
    assert (m["status"], m["version"], m["committee"], m["chair"]) == (
        "draft",
        0,
        world.committee.pk,
        world.members[0].pk,
    )
    assert m["invitees"] == {"members": [x.pk for x in world.members], "agencies": [world.police.pk]}
    assert m["agenda"] == [{"title": "Báo cáo sơ kết", "presenter": "Phó Trưởng ban", "minutes": 30, "files": []}]
    assert m["conclusion_due_on"] == "2026-10-20"  # 5 working days after Tuesday 13/10
    url = f"/api/v1/meetings/{m['id']}/"
    r = secretary.patch(url, {"place": "Phòng họp số 1", "version": 0, "invitees": {"agencies": []}}, format="json")
    assert r.status_code == 200 and r.json()["place"] == "Phòng họp số 1" and r.json()["version"] == 1
    assert r.json()["invitees"]["agencies"] == [] and len(r.json()["invitees"]["members"]) == 3
    r = secretary.patch(url, {"place": "Cũ", "version": 0}, format="json")
    assert r.status_code == 409 and r.json()["extra"]["version"] == 1
    # An edit checks the period like scheduling does.
    r = secretary.patch(url, {"period": "2026X9"}, format="json")
    assert r.status_code == 400 and r.json()["extra"]["errors"][0]["column"] == "period"
    assert Meeting.objects.get().place == "Phòng họp số 1"
    r = secretary.put(url, meeting_body(world, title="Hội nghị (sửa)", agenda=[], version=1), format="json")
    assert r.status_code == 200 and (r.json()["title"], r.json()["agenda"]) == ("Hội nghị (sửa)", [])


def test_it_filters_meetings_by_committee_kind_and_days(world, secretary):
    for day, kind in ((5, "giao_ban_thang"), (13, "so_ket_9_thang"), (20, "giao_ban_thang")):
        body = meeting_body(world, kind=kind, starts_at=at(2026, 10, day), ends_at=None, title=f"Họp {day}")
        assert secretary.post("/api/v1/meetings/", body, format="json").status_code == 201

    def titles(query):
        r = secretary.get(f"/api/v1/meetings/?{query}")
        assert r.status_code == 200, r.json()
        return [m["title"] for m in r.json()["results"]]

    assert titles("") == ["Họp 20", "Họp 13", "Họp 5"]
    assert titles("kind=giao_ban_thang") == ["Họp 20", "Họp 5"]
    assert titles("from=2026-10-13&to=2026-10-13") == ["Họp 13"]
    assert titles(f"committee={world.other_committee.pk}") == []
    r = secretary.get("/api/v1/meetings/?from=13/10/2026")
    assert r.status_code == 400 and "from" in r.json()["extra"]["fields"]
    r = secretary.get("/api/v1/meetings/?kind=hop_chi_bo")
    assert r.status_code == 400 and "kind" in r.json()["extra"]["fields"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"committee": None}, "committee"),
        ({"kind": "hop_mat"}, "kind"),
        ({"title": ""}, "title"),
        ({"starts_at": "13/10/2026"}, "starts_at"),
        ({"online_url": "khong-phai-url"}, "online_url"),
        ({"chair": 999999}, "chair"),
        ({"agenda": [{"presenter": "Ai đó"}]}, "agenda"),
    ],
)
def test_it_answers_400_naming_the_bad_meeting_field_and_saves_nothing(world, secretary, change, field):
    body = {k: v for k, v in meeting_body(world, **change).items() if v is not None}
    r = secretary.post("/api/v1/meetings/", body, format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["extra"]["fields"], r.json()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"ends_at": at(2026, 10, 13, 7)}, "ends_at"),
        ({"period": "2026X9"}, "period"),
    ],
)
def test_it_answers_400_with_the_services_row_errors(world, secretary, change, column):
    r = secretary.post("/api/v1/meetings/", meeting_body(world, **change), format="json")
    assert r.status_code == 400 and [e["column"] for e in r.json()["extra"]["errors"]] == [column]
    assert not Meeting.objects.exists()


def test_it_refuses_a_chair_from_another_committee(world, secretary):
    other = world.other_committee.memberships.first()
    r = secretary.post("/api/v1/meetings/", meeting_body(world, chair=other.pk), format="json")
    assert r.status_code == 400 and r.json()["extra"]["errors"][0]["column"] == "chair"


def test_writes_need_the_right_to_meet_at_the_committees_unit(world, tree, as_user, make_user, secretary):
    viewer = as_user(make_user("viewer", tree.p1))
    assert viewer.post("/api/v1/meetings/", meeting_body(world), format="json").status_code == 403
    outsider = as_user(world.outsider)
    r = outsider.post("/api/v1/meetings/", meeting_body(world), format="json")
    assert r.status_code == 404 and set(r.json()) == {"message", "code", "extra"}
    mid = secretary.post("/api/v1/meetings/", meeting_body(world), format="json").json()["id"]
    assert viewer.get(f"/api/v1/meetings/{mid}/").status_code == 200
    assert viewer.patch(f"/api/v1/meetings/{mid}/", {"place": "x"}, format="json").status_code == 403
    assert outsider.get(f"/api/v1/meetings/{mid}/").status_code == 404
    assert outsider.patch(f"/api/v1/meetings/{mid}/", {"place": "x"}, format="json").status_code == 404
    assert outsider.post(f"/api/v1/meetings/{mid}/invite/", {}, format="json").status_code == 404


def test_delete_cancels_the_meeting_and_keeps_it(world, secretary):
    mid = secretary.post("/api/v1/meetings/", meeting_body(world), format="json").json()["id"]
    r = secretary.delete(f"/api/v1/meetings/{mid}/", {"reason": "Lùi lịch"}, format="json")
    assert r.status_code == 204
    m = secretary.get(f"/api/v1/meetings/{mid}/").json()
    assert (m["status"], m["cancel_reason"]) == ("cancelled", "Lùi lịch")
    r = secretary.patch(f"/api/v1/meetings/{mid}/", {"place": "x"}, format="json")
    assert r.status_code == 400 and r.json()["extra"]["status"] == "cancelled"


def test_a_held_meeting_cannot_be_cancelled(world, secretary):
    mid = secretary.post("/api/v1/meetings/", meeting_body(world), format="json").json()["id"]
    secretary.post(f"/api/v1/meetings/{mid}/minutes/", {"proceedings": "Đã họp."}, format="json")
    r = secretary.delete(f"/api/v1/meetings/{mid}/")
    assert r.status_code == 400 and "was held" in r.json()["message"]
    assert Meeting.objects.get().status == "held"


def test_the_invitation_is_flagged_late_under_3_working_days(world, secretary):
    mid = secretary.post("/api/v1/meetings/", meeting_body(world), format="json").json()["id"]
    url = f"/api/v1/meetings/{mid}/invite/"
    r = secretary.post(url, {"number": "12/GM-BCĐ", "invited_on": "2026-10-08", "version": 0}, format="json")
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["invitation_late"], r.json()["invited_on"]) == ("invited", False, "2026-10-08")
    r = secretary.post(url, {"number": "12/GM-BCĐ", "invited_on": "2026-10-09", "version": 0}, format="json")
    assert r.status_code == 409
    r = secretary.post(url, {"number": "12/GM-BCĐ", "invited_on": "2026-10-09"}, format="json")
    assert r.json()["invitation_late"] is True and r.json()["invitation_number"] == "12/GM-BCĐ"
    r = secretary.post(url, {"invited_on": "hôm qua"}, format="json")
    assert r.status_code == 400 and "invited_on" in r.json()["extra"]["fields"]


def test_it_records_attendance_all_or_nothing(world, secretary, as_user, make_user):
    mid = secretary.post("/api/v1/meetings/", meeting_body(world), format="json").json()["id"]
    url = f"/api/v1/meetings/{mid}/attendance/"
    a, b, c = (m.pk for m in world.members)
    rows = [
        {"membership": a, "status": "present"},
        {"membership": b, "status": "absent"},
        {"membership": c, "status": "delegated"},
    ]
    r = secretary.post(url, rows, format="json")
    assert r.status_code == 400 and [(e["row"], e["column"]) for e in r.json()["extra"]["errors"]] == [
        (2, "reason"),
        (3, "delegate"),
    ]
    assert not Attendance.objects.exists()
    r = secretary.post(url, [{"membership": a, "status": "late"}], format="json")
    assert r.status_code == 400 and "status" in r.json()["message"]
    r = secretary.post(url, {"membership": a, "status": "present"}, format="json")
    assert r.status_code == 400 and "list" in r.json()["message"]
    rows[1]["reason"], rows[2]["delegate"] = "Đi công tác", "Nguyễn Văn Thay"
    r = secretary.post(url, rows, format="json")
    assert r.status_code == 200, r.json()
    assert [(x["membership"], x["status"], x["reason"], x["delegate"]) for x in r.json()] == [
        (a, "present", "", ""),
        (b, "absent", "Đi công tác", ""),
        (c, "delegated", "", "Nguyễn Văn Thay"),
    ]
    viewer = as_user(make_user("viewer", world.tree.p1))
    assert len(viewer.get(url).json()) == 3
    assert viewer.post(url, rows, format="json").status_code == 403


def test_it_writes_the_minutes_and_the_meeting_is_held(world, secretary):
    mid = secretary.post("/api/v1/meetings/", meeting_body(world), format="json").json()["id"]
    url = f"/api/v1/meetings/{mid}/minutes/"
    r = secretary.post(
        url, {"proceedings": "Hội nghị đã nghe báo cáo.", "closed_at": at(2026, 10, 13, 7)}, format="json"
    )
    assert r.status_code == 400 and "closed_at" in r.json()["extra"]["fields"]
    r = secretary.post(url, {"proceedings": "Đã nghe.", "closed_at": at(2026, 10, 13, 11), "version": 0}, format="json")
    assert r.status_code == 200 and (r.json()["status"], r.json()["version"]) == ("held", 1)
    assert secretary.post(url, {"proceedings": "Khác", "version": 0}, format="json").status_code == 409
    assert secretary.get(url).json()["proceedings"] == "Đã nghe."
    assert secretary.post(url, {}, format="json").status_code == 400


def conclusion_body(world, version=0):
    return {
        "version": version,
        "points": [
            {
                "text": "Duy trì chế độ báo cáo tuần.",
                "tasks": [{"title": "Báo cáo tuần", "below": True, "due_on": "2026-12-31"}],
            },
            {
                "text": "Chuẩn bị tổng kết năm.",
                "tasks": [
                    {
                        "title": "Dự thảo báo cáo tổng kết",
                        "agency": world.police.pk,
                        "supporting": [world.youth.pk],
                        "due_on": "2026-11-30",
                    }
                ],
            },
        ],
    }


def test_it_drafts_and_issues_the_conclusion_notice_which_gives_the_tasks(world, secretary, approver, police):
    mid = secretary.post("/api/v1/meetings/", meeting_body(world), format="json").json()["id"]
    url = f"/api/v1/meetings/{mid}/conclusion/"
    empty = secretary.get(url).json()
    assert (empty["points"], empty["version"], empty["status"], empty["due_on"]) == ([], 0, "draft", "2026-10-20")
    r = secretary.put(url, conclusion_body(world), format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["version"] == 1 and r.json()["points"][1]["tasks"][0] == {
        "title": "Dự thảo báo cáo tổng kết",
        "agency": world.police.pk,
        "below": False,
        "supporting": [world.youth.pk],
        "due_on": "2026-11-30",
    }
    r = secretary.put(url, conclusion_body(world, version=0), format="json")
    assert r.status_code == 409 and r.json()["extra"]["version"] == 1
    bad = conclusion_body(world, version=1)
    bad["points"][0]["text"] = ""
    bad["points"][1]["tasks"][0]["agency"] = world.other_agency.pk
    r = secretary.put(url, bad, format="json")
    assert r.status_code == 400 and [(e["row"], e["column"]) for e in r.json()["extra"]["errors"]] == [
        (1, "text"),
        (2, "tasks"),
    ]
    assert secretary.get(url).json()["points"][0]["text"] == "Duy trì chế độ báo cáo tuần."
    # Issuing gives tasks: the assigner's right, which the secretary does not have.
    issue = f"/api/v1/meetings/{mid}/conclusion/issue/"
    assert secretary.post(issue, {"number": "45-TB/BCĐ"}, format="json").status_code == 403
    # A typed number must start with one (an empty one is drawn from the series: tests/work/test_register.py).
    r = approver.post(issue, {"number": "TB/BCĐ", "issued_on": "2026-10-16"}, format="json")
    assert r.status_code == 400 and "number" in r.json()["extra"]["fields"]
    assert approver.post(issue, {"number": "45-TB/BCĐ", "version": 0}, format="json").status_code == 409
    r = approver.post(issue, {"number": "45-TB/BCĐ", "issued_on": "2026-10-16", "version": 1}, format="json")
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["number"], r.json()["issued_on"], r.json()["late"]) == (
        "issued",
        "45-TB/BCĐ",
        "2026-10-16",
        False,
    )
    assert approver.get(f"/api/v1/meetings/{mid}/").json()["status"] == "concluded"
    assert approver.post(issue, {"number": "46-TB/BCĐ"}, format="json").status_code == 409
    tasks = approver.get(f"/api/v1/tasks/?committee={world.committee.pk}&as_of=2026-10-20").json()["results"]
    assert sorted((t["unit"] or t["agency"], t["source"]["point"]) for t in tasks if t["unit"]) == [
        ("15061", 1),
        ("15085", 1),
    ]
    (lead,) = (t for t in tasks if t["agency"])
    assert lead["source"] == {"kind": "conclusion_point", "document": "45-TB/BCĐ", "point": 2}
    assert (lead["supporting"], lead["status"], lead["assigned_on"]) == ([world.youth.pk], "in_time", "2026-10-16")
    # The police officer now reads the notice its task came from.
    assert police.get(url).json()["number"] == "45-TB/BCĐ"


def test_a_notice_not_issued_within_5_working_days_is_late(world, secretary, approver):
    mid = secretary.post("/api/v1/meetings/", meeting_body(world), format="json").json()["id"]
    secretary.put(f"/api/v1/meetings/{mid}/conclusion/", conclusion_body(world), format="json")
    r = approver.post(
        f"/api/v1/meetings/{mid}/conclusion/issue/", {"number": "45-TB/BCĐ", "issued_on": "2026-10-21"}, format="json"
    )
    assert r.json()["late"] is True and r.json()["due_on"] == "2026-10-20"


def test_the_minutes_and_the_notice_come_as_files_from_the_same_endpoints(world, secretary):
    mid = secretary.post("/api/v1/meetings/", meeting_body(world), format="json").json()["id"]
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    r = secretary.put(f"/api/v1/meetings/{mid}/conclusion/", {"points": [{"text": "Duy trì báo cáo tuần."}]}, format="json")
    assert r.status_code == 200, r.json()
    r = secretary.get(f"/api/v1/meetings/{mid}/conclusion/?format=docx")
    assert r.status_code == 200 and r["Content-Type"] == docx and r.content[:2] == b"PK"
    r = secretary.get(f"/api/v1/meetings/{mid}/minutes/?format=docx")
    assert r.status_code == 200 and r["Content-Type"] == docx
    assert secretary.get(f"/api/v1/meetings/{mid}/conclusion/?format=json").json()["meeting"] == mid
    r = secretary.get(f"/api/v1/meetings/{mid}/minutes/?format=odt")
    assert r.status_code == 400 and r.json()["extra"]["format"] == "odt"


# --- Tasks ------------------------------------------------------------------------------------------------


def test_it_gives_an_ad_hoc_task_to_an_agency_or_a_unit_below(world, approver, secretary, police):
    body = {
        "committee": world.committee.pk,
        "title": "Rà soát trang thông tin điện tử",
        "agency": world.police.pk,
        "supporting": [world.youth.pk],
        "due_on": "2026-12-15",
        "reference": "Công văn 125-CV/BCĐ",
    }
    assert secretary.post("/api/v1/tasks/", body, format="json").status_code == 403
    r = approver.post("/api/v1/tasks/", body, format="json")
    assert r.status_code == 201, r.json()
    t = r.json()
    assert t["source"] == {"kind": "reference", "document": "Công văn 125-CV/BCĐ"}
    assert (t["agency"], t["unit"], t["state"], t["version"], t["urge_count"]) == (world.police.pk, None, "open", 0, 0)
    assert [e["kind"] for e in t["events"]] == ["created"]
    r = approver.post("/api/v1/tasks/", {**body, "agency": None, "unit": "15061", "reference": ""}, format="json")
    assert r.status_code == 201 and r.json()["unit"] == "15061" and r.json()["source"] == {"kind": "none"}
    assert police.get("/api/v1/tasks/").json()["count"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"agency": None}, "agency"),
        ({"agency": 999999}, "agency"),
        ({"agency": "other"}, "agency"),
        ({"agency": None, "unit": "99999"}, "unit"),
        ({"agency": None, "unit": "00004"}, "unit"),
        ({"due_on": "2020-01-01"}, "due_on"),
        ({"due_on": "31/12/2026"}, "due_on"),
        ({"supporting": ["x"]}, "supporting"),
    ],
)
def test_it_answers_400_naming_the_bad_task_field(world, approver, change, field):
    body = {"committee": world.committee.pk, "title": "Việc", "agency": world.police.pk, **change}
    if body["agency"] == "other":
        body["agency"] = world.other_agency.pk
    r = approver.post("/api/v1/tasks/", body, format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["extra"]["fields"], r.json()
    assert not Task.objects.exists()


def test_it_answers_404_for_a_committee_out_of_scope(world, as_user):
    r = as_user(world.outsider).post(
        "/api/v1/tasks/", {"committee": world.committee.pk, "title": "x", "agency": world.police.pk}, format="json"
    )
    assert r.status_code == 404 and not Task.objects.exists()


def test_the_follow_up_runs_through_actions_with_versions(world, approver, police, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    task = make_task(world, due_on=date(2099, 10, 20))
    url = f"/api/v1/tasks/{task.pk}/"
    youth = as_user(world.youth_officer)
    assert youth.get(url).status_code == 404
    assert youth.post(url + "progress/", {"note": "x"}, format="json").status_code == 404
    # The assigner cannot report progress; the assignee cannot confirm.
    assert approver.post(url + "progress/", {"note": "x"}, format="json").status_code == 403
    upload = io.BytesIO(b"%PDF-1.4 du thao")
    upload.name = "du-thao.pdf"
    r = police.post(url + "progress/", {"note": "Đã có dự thảo", "percent": 50, "files": [upload]}, format="multipart")
    assert r.status_code == 200, r.json()
    assert (r.json()["percent"], r.json()["version"]) == (50, 1)
    assert r.json()["events"][-1]["files"] == ["du-thao.pdf"] and TaskFile.objects.count() == 1
    r = police.post(url + "progress/", {"percent": 150}, format="json")
    assert r.status_code == 400 and "percent" in r.json()["extra"]["fields"]
    r = police.post(url + "progress/", {"note": "Cũ", "version": 0}, format="json")
    assert r.status_code == 409 and r.json()["extra"]["version"] == 1
    assert police.post(url + "confirm/", {}, format="json").status_code == 403
    r = police.post(url + "done/", {"note": "Xong", "result_document": "125/KH-CAT", "version": 1}, format="json")
    assert r.status_code == 200 and (r.json()["state"], r.json()["result_document"]) == ("reported", "125/KH-CAT")
    assert approver.post(url + "confirm/", {"version": 1}, format="json").status_code == 409
    r = approver.post(url + "confirm/", {"version": 2}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "done" and r.json()["status"] == "done_on_time"
    r = approver.post(url + "return/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["extra"]["fields"]
    r = approver.post(url + "return/", {"reason": "Chưa đủ nội dung"}, format="json")
    assert r.status_code == 200 and (r.json()["state"], r.json()["done_on"]) == ("open", None)
    assert [e["kind"] for e in r.json()["events"]] == [
        "created",
        "progress",
        "reported_done",
        "confirmed",
        "returned",
    ]
    assert r.json()["events"][-1]["note"] == "Chưa đủ nội dung" and r.json()["events"][-1]["actor"]


def test_an_extension_is_asked_then_approved_or_refused(world, approver, police):
    task = make_task(world)
    url = f"/api/v1/tasks/{task.pk}/"
    r = police.post(url + "extend/", {"due_on": "2026-10-19", "reason": "Chờ số liệu"}, format="json")
    assert r.status_code == 400 and "due_on" in r.json()["extra"]["fields"]
    r = police.post(url + "extend/", {"due_on": "2026-11-05", "reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["extra"]["fields"]
    assert (
        police.post(url + "extend/", {"due_on": "2026-11-05", "reason": "x", "version": 5}, format="json").status_code
        == 409
    )
    r = police.post(url + "extend/", {"due_on": "2026-11-05", "reason": "Chờ số liệu"}, format="json")
    assert r.status_code == 200 and r.json()["pending_extension"]["due_on"] == "2026-11-05"
    assert police.post(url + "extend/", {"due_on": "2026-11-06", "reason": "x"}, format="json").status_code == 409
    assert police.post(url + "extension/approve/", {}, format="json").status_code == 403
    r = approver.post(url + "extension/approve/", {}, format="json")
    assert r.status_code == 200 and (r.json()["due_on"], r.json()["pending_extension"]) == ("2026-11-05", None)
    assert approver.post(url + "extension/approve/", {}, format="json").status_code == 400
    police.post(url + "extend/", {"due_on": "2026-11-30", "reason": "Lần 2"}, format="json")
    r = approver.post(url + "extension/refuse/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["extra"]["fields"]
    r = approver.post(url + "extension/refuse/", {"reason": "Không có căn cứ"}, format="json")
    assert r.status_code == 200 and r.json()["due_on"] == "2026-11-05"
    assert [e["kind"] for e in r.json()["events"]][-2:] == ["extension_requested", "extension_refused"]


def test_urgings_are_counted_by_kind(world, approver, police):
    task = make_task(world)
    url = f"/api/v1/tasks/{task.pk}/urge/"
    assert police.post(url, {"kind": "nhac_nho"}, format="json").status_code == 403
    r = approver.post(url, {"kind": "khen"}, format="json")
    assert r.status_code == 400 and "kind" in r.json()["extra"]["fields"]
    approver.post(url, {"kind": "nhac_nho", "note": "Đề nghị khẩn trương"}, format="json")
    r = approver.post(url, {"kind": "phe_binh", "version": 0}, format="json")
    assert r.status_code == 200 and r.json()["urge_count"] == 2
    assert police.get("/api/v1/tasks/").json()["results"][0]["urge_count"] == 2
    assert TaskEvent.objects.filter(kind="urged").count() == 2


def test_the_task_list_filters_by_status_as_of_a_day_with_the_one_rule(world, tree, approver):
    late = make_task(world, due_on=date(2026, 10, 10))
    soon = make_task(world, agency=world.youth, due_on=date(2026, 10, 22))
    none = make_task(world, due_on=None)
    below = make_task(world, agency=None, unit=tree.n1, due_on=date(2026, 10, 30))
    done = make_task(world, due_on=date(2026, 10, 15))
    services.task_report_done(task=done, actor=world.police_officer, reported_on=date(2026, 10, 12))
    services.task_confirm(task=done, actor=world.approver)
    make_task(world, assigned_on=date(2026, 10, 21), due_on=date(2026, 12, 1))  # given after the day

    def ids(query):
        r = approver.get(f"/api/v1/tasks/?as_of=2026-10-20&{query}")
        assert r.status_code == 200, r.json()
        return [t["id"] for t in r.json()["results"]]

    assert ids("status=overdue") == [late.pk]
    assert ids("status=in_time") == [soon.pk, below.pk]
    assert ids("status=no_deadline") == [none.pk]
    assert ids("status=done_on_time") == [done.pk]
    assert ids("status=done_late") == []
    assert ids("") == [late.pk, done.pk, soon.pk, below.pk, none.pk]  # soonest deadline first, none last
    assert ids(f"agency={world.youth.pk}") == [soon.pk]
    assert ids("unit=15061") == [below.pk]
    assert ids("unit=38") == [late.pk, done.pk, soon.pk, below.pk, none.pk]
    assert ids("due_before=2026-10-22") == [late.pk, done.pk]
    assert ids(f"committee={world.other_committee.pk}") == []
    listed = {t["id"]: t for t in approver.get("/api/v1/tasks/?as_of=2026-10-20").json()["results"]}
    assert (listed[soon.pk]["status"], listed[soon.pk]["due_soon"]) == ("in_time", True)
    assert (listed[below.pk]["status"], listed[below.pk]["due_soon"]) == ("in_time", False)
    for query, field in (("status=late", "status"), ("as_of=20/10/2026", "as_of"), ("unit=99999", "unit")):
        r = approver.get(f"/api/v1/tasks/?{query}")
        assert r.status_code == 400 and field in r.json()["extra"]["fields"], r.json()


def test_a_task_out_of_scope_is_404_and_an_officer_sees_only_their_agencys(world, tree, as_user, police):
    mine, theirs = make_task(world), make_task(world, agency=world.youth)
    assert [t["id"] for t in police.get("/api/v1/tasks/").json()["results"]] == [mine.pk]
    assert police.get(f"/api/v1/tasks/{theirs.pk}/").status_code == 404
    outsider = as_user(world.outsider)
    assert outsider.get(f"/api/v1/tasks/{mine.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/tasks/{mine.pk}/urge/", {"kind": "nhac_nho"}, format="json").status_code == 404
    # A commune secretary follows up the task given to their commune's committee.
    commune = as_user(world.commune_secretary)
    below = make_task(world, agency=None, unit=tree.n1)
    r = commune.post(f"/api/v1/tasks/{below.pk}/progress/", {"note": "Đang làm", "percent": 10}, format="json")
    assert r.status_code == 200 and r.json()["percent"] == 10


# --- Scorecard --------------------------------------------------------------------------------------------


@pytest.fixture
def scored(world, tree):
    make_task(world, due_on=date(2026, 10, 10))  # overdue on 20/10
    make_task(world, agency=world.youth, due_on=date(2026, 10, 25))  # in time
    make_task(world, agency=None, unit=tree.n1, due_on=None)  # no deadline
    done = make_task(world, due_on=date(2026, 10, 15))
    services.task_report_done(task=done, actor=world.police_officer, reported_on=date(2026, 10, 16))
    services.task_confirm(task=done, actor=world.approver)  # done late
    return world


def test_the_scorecard_counts_by_agency_and_by_child(scored, approver):
    r = approver.get("/api/v1/tasks/scorecard/?unit=38&as_of=2026-10-20")
    assert r.status_code == 200, r.json()
    card = r.json()
    assert {k: card[k] for k in ("assigned", "done_on_time", "done_late", "in_time", "overdue", "no_deadline")} == {
        "assigned": 4,
        "done_on_time": 0,
        "done_late": 1,
        "in_time": 1,
        "overdue": 1,
        "no_deadline": 1,
    }
    assert (card["fallen_due"], card["completion_rate"], card["rows"]) == (2, 0.5, [])
    rows = approver.get("/api/v1/tasks/scorecard/?unit=38&as_of=2026-10-20&by=agency").json()["rows"]
    assert [(r["label"], r["agency"], r["assigned"], r["overdue"]) for r in rows] == [
        ("Công an tỉnh Thanh Hóa", scored.police.pk, 2, 1),
        ("Tỉnh đoàn Thanh Hóa", scored.youth.pk, 1, 0),
    ]
    rows = approver.get("/api/v1/tasks/scorecard/?unit=38&as_of=2026-10-20&by=child").json()["rows"]
    by_unit = {r["unit"]: (r["assigned"], r["no_deadline"]) for r in rows}
    assert by_unit["15061"] == (1, 1) and by_unit["38"] == (3, 0) and by_unit["15085"] == (0, 0)
    # The same day's list agrees with the card.
    listed = approver.get("/api/v1/tasks/?as_of=2026-10-20&status=overdue").json()["count"]
    assert listed == card["overdue"]
    early = approver.get("/api/v1/tasks/scorecard/?unit=38&as_of=2026-09-30").json()
    assert (early["assigned"], early["completion_rate"]) == (0, None)


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("", 400, "unit"),
        ("unit=38&by=province", 400, "by"),
        ("unit=38&as_of=20-10-2026", 400, "as_of"),
        ("unit=01", 404, None),
        ("unit=99999", 404, None),
    ],
)
def test_the_scorecard_answers_bad_input_and_out_of_scope(scored, approver, query, status, field):
    for path in ("/api/v1/tasks/scorecard/", "/api/v1/tasks/scorecard.xlsx"):
        r = approver.get(f"{path}?{query}")
        assert r.status_code == status, (path, r.content)
        if field:
            assert field in r.json()["extra"]["fields"]


def test_the_scorecard_downloads_as_xlsx(scored, approver):
    from openpyxl import load_workbook

    r = approver.get("/api/v1/tasks/scorecard.xlsx?unit=38&as_of=2026-10-20&by=agency")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert r["Content-Disposition"] == 'attachment; filename="ket-qua-nhiem-vu-38-2026-10-20.xlsx"'
    rows = [[c for c in row] for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)]
    assert ["Công an tỉnh Thanh Hóa", 2, 0, 1, 0, 1, 0, 2, 50] in [row[:9] for row in rows]
    assert ["Tổng cộng", 4, 0, 1, 1, 1, 1, 2, 50] in [row[:9] for row in rows]


# --- Budgets and schema ------------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
        assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tasks/?as_of=2026-10-20",
        "/api/v1/tasks/?status=overdue&unit=38",
        "/api/v1/tasks/scorecard/?unit=38&as_of=2026-10-20&by=agency",
        "/api/v1/tasks/scorecard/?unit=38&as_of=2026-10-20&by=child",
        "/api/v1/meetings/",
    ],
)
def test_list_and_scorecard_query_counts_stay_constant_as_data_grows(world, tree, secretary, approver, url):
    from giaoban.orgs.models import Agency

    def grow(n):
        for i in range(n):
            agency = Agency.objects.create(name=f"Sở {i} {n}", org_unit=tree.p1)
            task = make_task(
                world, agency=agency, due_on=date(2026, 10, 1) + timedelta(days=i), assigned_on=date(2026, 9, 1)
            )
            task.supporting.add(world.youth)
            services.task_urge(task=task, actor=world.approver, kind="nhac_nho")
            make_task(world, agency=None, unit=tree.n2 if i % 2 else tree.n1, due_on=None)
            secretary.post("/api/v1/meetings/", meeting_body(world, title=f"Họp {i} {n}"), format="json")

    grow(1)
    _count(approver, url)
    small = _count(approver, url)
    grow(6)
    assert _count(approver, url) == small


def test_it_documents_the_work_endpoints_and_their_errors(approver):
    schema = approver.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/agencies/",
        "/api/v1/meetings/",
        "/api/v1/meetings/{id}/",
        "/api/v1/meetings/{id}/invite/",
        "/api/v1/meetings/{id}/attendance/",
        "/api/v1/meetings/{id}/minutes/",
        "/api/v1/meetings/{id}/conclusion/",
        "/api/v1/meetings/{id}/conclusion/issue/",
        "/api/v1/tasks/",
        "/api/v1/tasks/{id}/",
        "/api/v1/tasks/{id}/progress/",
        "/api/v1/tasks/{id}/done/",
        "/api/v1/tasks/{id}/confirm/",
        "/api/v1/tasks/{id}/return/",
        "/api/v1/tasks/{id}/extend/",
        "/api/v1/tasks/{id}/extension/approve/",
        "/api/v1/tasks/{id}/extension/refuse/",
        "/api/v1/tasks/{id}/urge/",
        "/api/v1/tasks/scorecard/",
        "/api/v1/tasks/scorecard.xlsx",
    ):
        assert path in paths, path
    assert {"400", "403", "404", "409"} <= set(paths["/api/v1/tasks/{id}/confirm/"]["post"]["responses"])
    assert {"400", "403", "404", "409"} <= set(paths["/api/v1/meetings/{id}/conclusion/"]["put"]["responses"])
    assert {"400", "404"} <= set(paths["/api/v1/tasks/scorecard/"]["get"]["responses"])
    params = {p["name"] for p in paths["/api/v1/tasks/"]["get"]["parameters"]}
    assert {"committee", "agency", "unit", "status", "due_before", "as_of"} <= params
    params = {p["name"] for p in paths["/api/v1/meetings/"]["get"]["parameters"]}
    assert {"committee", "kind", "from", "to"} <= params
    assert Conclusion.objects.count() == 0
