"""Every work page, for every role (agency officer included), in and out of scope (see tests/access.py)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from giaoban.core.access import Role
from giaoban.work import services
from giaoban.work.models import MeetingFile, Task, TaskFile
from giaoban.work.services import PlannedTaskInput, PointInput
from tests.access import Endpoint, check, matrix

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into the repository or var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


class Pages:
    """One meeting with an issued notice, its task and files, in the user's province ("in") and in another
    ("out")."""

    def __init__(self, world):
        self.unit = {"in": world.tree.p1, "out": world.tree.p2}
        self.committee = {"in": world.committee, "out": world.other_committee}
        agency = {"in": world.police, "out": world.other_agency}
        self.meeting, self.task, self.meeting_file, self.task_file = {}, {}, {}, {}
        for scope, committee in self.committee.items():
            meeting = services.meeting_create(
                committee=committee,
                kind="giao_ban_thang",
                title=f"Giao ban tháng 10 ({scope})",
                period="2026-10",
                starts_at=datetime(2026, 10, 13, 8, tzinfo=VN),
                invited_agencies=[agency[scope]],
                agenda=[services.AgendaInput("Báo cáo", files=[SimpleUploadedFile("bao-cao.pdf", b"%PDF")])],
            )
            services.conclusion_save(
                meeting=meeting,
                points=[PointInput("Kết luận", [PlannedTaskInput(f"Nhiệm vụ {scope}", agency=agency[scope])])],
            )
            services.conclusion_issue(meeting=meeting, number=f"1-TB/{scope}", issued_on=date(2026, 10, 15))
            task = Task.objects.get(point__conclusion__meeting=meeting)
            services.task_progress(
                task=task, actor=None, note="Tiến độ", files=[SimpleUploadedFile("tien-do.pdf", b"%PDF")]
            )
            self.meeting[scope], self.task[scope] = meeting, task
            self.meeting_file[scope] = MeetingFile.objects.get(agenda_item__meeting=meeting)
            self.task_file[scope] = TaskFile.objects.get(event__task=task)


ENDPOINTS = [
    Endpoint(
        "meeting-list",
        lambda p, s: "/meetings/?month=2026-10",
        marker=lambda p, s: f'href="/meetings/{p.meeting[s].pk}/"',
    ),
    Endpoint("meeting-page", lambda p, s: f"/meetings/{p.meeting[s].pk}/"),
    Endpoint("meeting-file", lambda p, s: f"/meetings/{p.meeting[s].pk}/files/{p.meeting_file[s].pk}/"),
    Endpoint("meeting-new", lambda p, s: f"/meetings/new/?committee={p.committee[s].pk}", action="meet"),
    Endpoint("meeting-edit", lambda p, s: f"/meetings/{p.meeting[s].pk}/edit/", action="meet"),
    Endpoint("conclusion-page", lambda p, s: f"/meetings/{p.meeting[s].pk}/conclusion/"),
    Endpoint("task-list", lambda p, s: "/tasks/", marker=lambda p, s: f'href="/tasks/{p.task[s].pk}/"'),
    Endpoint("task-page", lambda p, s: f"/tasks/{p.task[s].pk}/"),
    Endpoint("task-file", lambda p, s: f"/tasks/{p.task[s].pk}/files/{p.task_file[s].pk}/"),
    Endpoint("scorecard", lambda p, s: f"/tasks/scorecard/?unit={p.unit[s].code}&as_of=2026-10-20"),
    Endpoint("scorecard-xlsx", lambda p, s: f"/tasks/scorecard.xlsx?unit={p.unit[s].code}&as_of=2026-10-20"),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_every_work_page(client, world, make_user, endpoint, role, scope):
    pages = Pages(world)
    user = make_user(role, world.tree.vn if role == Role.SYSTEM_ADMIN else world.tree.p1)
    check(client, pages, endpoint, role, scope, user)


@pytest.mark.parametrize("role", Role.values)
def test_viec_duoc_giao_never_shows_a_task_out_of_scope(client, world, make_user, role):
    pages = Pages(world)
    client.force_login(make_user(role, world.tree.vn if role == Role.SYSTEM_ADMIN else world.tree.p1))
    response = client.get("/tasks/mine/")
    assert response.status_code == 200
    assert f'href="/tasks/{pages.task["out"].pk}/"' not in response.content.decode()


def test_an_officer_of_the_lead_agency_reaches_its_task_and_notice_but_no_unit_page(client, world):
    pages = Pages(world)
    client.force_login(world.police_officer)
    task, meeting = pages.task["in"], pages.meeting["in"]
    assert client.get(f"/tasks/{task.pk}/").status_code == 200
    assert client.get(f"/tasks/{task.pk}/files/{pages.task_file['in'].pk}/").status_code == 200
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    assert client.get(f"/meetings/{meeting.pk}/conclusion/").status_code == 200
    assert f'href="/tasks/{task.pk}/"' in client.get("/tasks/mine/").content.decode()
    assert f'href="/meetings/{meeting.pk}/"' in client.get("/meetings/?month=2026-10").content.decode()
    for url in (
        f"/meetings/{meeting.pk}/edit/",
        f"/meetings/new/?committee={world.committee.pk}",
        f"/tasks/scorecard/?unit={world.tree.p1.code}",
        f"/tasks/{pages.task['out'].pk}/",
        f"/meetings/{pages.meeting['out'].pk}/",
    ):
        assert client.get(url).status_code == 404, url
    # Writes on the assigner's side are 404 for the officer; the assignee's side is theirs.
    assert client.post(f"/tasks/{task.pk}/urge/", {"kind": "nhac_nho"}).status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/minutes/", {"proceedings": "x"}).status_code == 404
    assert client.post(f"/tasks/{task.pk}/progress/", {"note": "Đang làm", "percent": "30"}).status_code == 302


@pytest.mark.parametrize("path", ["invite", "attendance", "minutes"])
def test_meeting_writes_are_404_out_of_scope_and_for_view_only_roles(client, world, make_user, path):
    pages = Pages(world)
    for user in (world.outsider, make_user(Role.VIEWER, world.tree.p1)):
        client.force_login(user)
        assert client.post(f"/meetings/{pages.meeting['in'].pk}/{path}/", {}).status_code == 404
