"""The meeting documents' pages and API endpoints, for every role, in and out of scope (see tests/access.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from giaoban.work import services
from giaoban.work.models import Meeting
from giaoban.work.services import PointInput
from tests.access import Endpoint, check, matrix

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class World:
    """A meeting with a draft conclusion in the committee of province 38 ("in") and of province 01 ("out")."""

    def __init__(self, committees):
        self.meeting = {}
        for scope, code in (("in", "38"), ("out", "01")):
            meeting = services.meeting_create(
                committee=committees[code],
                kind=Meeting.Kind.GIAO_BAN_THANG,
                title=f"Giao ban tháng 11/2026 ({code})",
                starts_at=datetime(2026, 11, 20, 8, tzinfo=VN),
            )
            services.conclusion_save(meeting=meeting, points=[PointInput("Duy trì chế độ báo cáo tuần.")])
            self.meeting[scope] = meeting


WHICH = ("invitation", "minutes", "conclusion")
ENDPOINTS = [
    *(
        Endpoint(f"page-{w}", lambda world, s, w=w: f"/meetings/{world.meeting[s].pk}/documents/{w}.docx")
        for w in WHICH
    ),
    *(
        Endpoint(f"api-{w}", lambda world, s, w=w: f"/api/v1/meetings/{world.meeting[s].pk}/{w}/?format=docx", api=True)
        for w in WHICH
    ),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_every_document_page_and_endpoint(client, tree, committees, make_user, endpoint, role, scope):
    world = World(committees)
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, world, endpoint, role, scope, user)


def test_it_sends_anonymous_visitors_to_login_and_refuses_anonymous_api_calls(client, tree, committees):
    meeting = World(committees).meeting["in"]
    response = client.get(f"/meetings/{meeting.pk}/documents/invitation.docx")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(f"/api/v1/meetings/{meeting.pk}/minutes/?format=docx").status_code == 401
