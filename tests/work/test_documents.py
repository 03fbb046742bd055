"""The giao ban's documents (giấy mời, biên bản, thông báo kết luận): read back with python-docx in both layouts,
as .pdf, and through the page and API downloads."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from giaoban.core import officialdoc
from giaoban.core.docx import build_templates
from giaoban.work import documents, services
from giaoban.work.models import Meeting
from giaoban.work.services import PlannedTaskInput, PointInput
from tests.access import api_token_key

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DOCX = documents.FORMATS["docx"]


def at(y, m, d, h=8, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=VN)


def make_meeting(world, state: bool = False) -> Meeting:
    committee = world.committee
    if state:
        committee.is_state_body = True
        committee.save(update_fields=["is_state_body"])
    head, deputy, member = world.members
    meeting = services.meeting_create(
        committee=committee,
        kind=Meeting.Kind.SO_KET_9_THANG,
        title="Hội nghị sơ kết 9 tháng năm 2026",
        period="2026N9",
        starts_at=at(2026, 10, 13),
        ends_at=at(2026, 10, 13, 11, 30),
        place="Hội trường Tỉnh ủy",
        online_url="https://hop.example.invalid/bcd35",
        chair=head,
        secretary=deputy,
        invited_members=[head, deputy, member],
        invited_agencies=[world.police],
        agenda=[services.AgendaInput("Báo cáo sơ kết 9 tháng", "Trần Thị Phó Thanh Hóa", 30)],
        actor=world.approver,
    )
    services.meeting_invite(meeting=meeting, number="12", invited_on=date(2026, 10, 7))
    services.attendance_record(
        meeting=meeting,
        rows=[
            {"membership": head, "status": "present"},
            {"membership": deputy, "status": "delegated", "delegate": "Phạm Văn Dự"},
            {"membership": member, "status": "absent", "reason": "đi công tác"},
        ],
    )
    services.minutes_save(
        meeting=meeting,
        proceedings="Đồng chí Phó Trưởng Ban trình bày báo cáo sơ kết.\nCác đại biểu thảo luận.",
        closed_at=at(2026, 10, 13, 11, 15),
    )
    services.conclusion_save(
        meeting=meeting,
        points=[
            PointInput(
                "Duy trì nghiêm chế độ báo cáo tuần.",
                [PlannedTaskInput("Báo cáo tuần đúng hạn", below=True, due_on=date(2026, 12, 31))],
            ),
            PointInput(
                "Chuẩn bị Hội nghị tổng kết năm 2026.",
                [
                    PlannedTaskInput(
                        "Dự thảo báo cáo tổng kết",
                        agency=world.police,
                        supporting=[world.youth],
                        due_on=date(2026, 11, 30),
                    )
                ],
            ),
        ],
    )
    return meeting


def texts(data: bytes) -> list[str]:
    doc = Document(BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return [line for line in lines if line.strip()]


def cells(data: bytes, table: int) -> list[str]:
    doc = Document(BytesIO(data))
    return ["\n".join(p.text for p in c.paragraphs if p.text.strip()) for c in doc.tables[table].rows[0].cells]


def render(meeting, which):
    meeting = Meeting.objects.select_related("committee__org_unit", "chair", "secretary").get(pk=meeting.pk)
    return documents.render(meeting, which, "docx")


# --- The invitation (giấy mời, Mẫu 1.7) -----------------------------------------------------------------


def test_it_writes_the_party_invitation(world):
    meeting = make_meeting(world)
    data = render(meeting, "invitation")
    lines = texts(data)
    header = cells(data, 0)
    assert header[0].splitlines() == ["TỈNH ỦY THANH HÓA", "BAN CHỈ ĐẠO 35", "*", "Số 12-GM/BCĐ"]
    assert header[1].splitlines() == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Thanh Hóa, ngày 07 tháng 10 năm 2026"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in lines
    assert "GIẤY MỜI" in lines and "Hội nghị sơ kết 9 tháng năm 2026" in lines
    assert "Ban Chỉ đạo 35 Thanh Hóa trân trọng kính mời:" in lines
    assert "- Đồng chí Nguyễn Văn Trưởng Thanh Hóa, Phó Bí thư, Trưởng Ban Chỉ đạo;" in lines
    assert "- Đồng chí Lê Văn Ủy Viên Thanh Hóa, Ủy viên Ban Chỉ đạo;" in lines
    assert "- Đại diện lãnh đạo Công an tỉnh Thanh Hóa." in lines
    assert "Tới dự: Hội nghị sơ kết 9 tháng năm 2026" in lines
    assert "Chủ trì: Đồng chí Nguyễn Văn Trưởng Thanh Hóa, Phó Bí thư, Trưởng Ban Chỉ đạo." in lines
    assert "Thời gian: Từ 08 giờ 00 phút đến 11 giờ 30 phút, thứ Ba, ngày 13 tháng 10 năm 2026." in lines
    assert "Địa điểm: Hội trường Tỉnh ủy." in lines
    assert "Họp trực tuyến: https://hop.example.invalid/bcd35" in lines
    assert "1. Báo cáo sơ kết 9 tháng (trình bày: Trần Thị Phó Thanh Hóa; 30 phút)." in lines
    signature = cells(data, 1)
    assert signature[0].splitlines() == ["Nơi nhận:", "- Như thành phần mời;", "- Lưu VT."]
    assert signature[1].splitlines() == ["T/M BAN CHỈ ĐẠO", "TRƯỞNG BAN", "Nguyễn Văn Trưởng Thanh Hóa"]


def test_it_writes_the_state_invitation_after_decree_30(world):
    meeting = make_meeting(world, state=True)
    data = render(meeting, "invitation")
    header = cells(data, 0)
    assert header[0].splitlines() == ["UBND TỈNH THANH HÓA", "BAN CHỈ ĐẠO 35", "Số: 12/GM-BCĐ"]
    assert header[1].splitlines() == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Thanh Hóa, ngày 07 tháng 10 năm 2026",
    ]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in texts(data)
    assert cells(data, 1)[1].splitlines()[:2] == ["TM. BAN CHỈ ĐẠO", "TRƯỞNG BAN"]


def test_it_leaves_the_number_and_day_blank_on_an_invitation_not_sent(world):
    committee = world.committee
    meeting = services.meeting_create(
        committee=committee,
        kind=Meeting.Kind.GIAO_BAN_THANG,
        title="Giao ban tháng 11/2026",
        starts_at=at(2026, 11, 20, 14, 5),
    )
    data = render(meeting, "invitation")
    header = cells(data, 0)
    assert header[0].splitlines()[-1] == "Số       -GM/BCĐ"
    assert (
        header[1].splitlines()[-1]
        == "Thanh Hóa, ngày\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0tháng\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0năm 2026"
    )
    lines = texts(data)
    # No end time: the start alone; no place yet.
    assert "Thời gian: 14 giờ 05 phút, thứ Sáu, ngày 20 tháng 11 năm 2026." in lines
    assert "Địa điểm: (sẽ thông báo sau)." in lines


# --- The minutes (biên bản, Mẫu 1.9) --------------------------------------------------------------------


# Closed minutes take the next number of the series (the first: 01) when their closing time is recorded.
@pytest.mark.parametrize(("state", "number"), [(False, "Số 01-BB/BCĐ"), (True, "Số: 01/BB-BCĐ")])
def test_it_writes_the_minutes_with_attendance_and_both_signatures(world, state, number):
    meeting = make_meeting(world, state=state)
    data = render(meeting, "minutes")
    lines = texts(data)
    assert cells(data, 0)[0].splitlines()[-1] == number
    assert "BIÊN BẢN" in lines and "Hội nghị sơ kết 9 tháng năm 2026" in lines
    assert "Thời gian bắt đầu: 08 giờ 00 phút, thứ Ba, ngày 13 tháng 10 năm 2026." in lines
    assert "Địa điểm: Hội trường Tỉnh ủy." in lines
    assert "- Có mặt: 1/3 thành viên Ban Chỉ đạo:" in lines
    assert "+ Đồng chí Nguyễn Văn Trưởng Thanh Hóa, Phó Bí thư, Trưởng Ban Chỉ đạo;" in lines
    assert "+ Phạm Văn Dự dự thay đồng chí Trần Thị Phó Thanh Hóa, Phó Trưởng Ban Thường trực Ban Chỉ đạo;" in lines
    assert "+ Đồng chí Lê Văn Ủy Viên Thanh Hóa, Ủy viên Ban Chỉ đạo (lý do: đi công tác);" in lines
    assert "Chủ trì (chủ tọa): Đồng chí Nguyễn Văn Trưởng Thanh Hóa, Phó Bí thư, Trưởng Ban Chỉ đạo." in lines
    assert (
        "Thư ký (người ghi biên bản): Đồng chí Trần Thị Phó Thanh Hóa, Phó Trưởng Ban Thường trực Ban Chỉ đạo." in lines
    )
    # The proceedings, one paragraph a line, then the closing time.
    at_ = lines.index("Nội dung cuộc họp:")
    assert lines[at_ + 1 : at_ + 4] == [
        "Đồng chí Phó Trưởng Ban trình bày báo cáo sơ kết.",
        "Các đại biểu thảo luận.",
        "Cuộc họp kết thúc vào lúc 11 giờ 15 phút cùng ngày./.",
    ]
    # THƯ KÝ on the left, CHỦ TỌA on the right, with their names.
    left, right = cells(data, 1)
    assert left.splitlines() == ["THƯ KÝ", "Trần Thị Phó Thanh Hóa"]
    assert right.splitlines() == ["CHỦ TỌA", "Nguyễn Văn Trưởng Thanh Hóa"]
    assert "Nơi nhận:" in lines


def test_it_leaves_the_closing_time_blank_before_the_minutes_are_written(world):
    meeting = services.meeting_create(
        committee=world.committee, kind=Meeting.Kind.GIAO_BAN_TUAN, title="Giao ban tuần", starts_at=at(2026, 11, 2)
    )
    lines = texts(render(meeting, "minutes"))
    assert "Cuộc họp kết thúc vào lúc …… giờ …… phút cùng ngày./." in lines


# --- The conclusion notice (thông báo kết luận, Mẫu 1.4 / HD 36) ----------------------------------------


@pytest.mark.parametrize(
    ("state", "number", "capacity"),
    [(False, "Số 45-TB/BCĐ", "T/M BAN CHỈ ĐẠO"), (True, "Số: 45/TB-BCĐ", "TM. BAN CHỈ ĐẠO")],
)
def test_it_writes_the_issued_notice_with_its_points_and_tasks(world, state, number, capacity):
    meeting = make_meeting(world, state=state)
    services.conclusion_issue(meeting=meeting, number="45-TB/BCĐ", issued_on=date(2026, 10, 16))
    data = render(meeting, "conclusion")
    lines = texts(data)
    header = cells(data, 0)
    assert header[0].splitlines()[-1] == number
    assert header[1].splitlines()[-1] == "Thanh Hóa, ngày 16 tháng 10 năm 2026"
    assert "THÔNG BÁO KẾT LUẬN" in lines
    assert (
        "Kết luận của đồng chí Nguyễn Văn Trưởng Thanh Hóa, Phó Bí thư, Trưởng Ban Chỉ đạo "
        "tại Hội nghị sơ kết 9 tháng năm 2026" in lines
    )
    assert lines[lines.index("-----" if not state else "THÔNG BÁO KẾT LUẬN") + (1 if not state else 2)].startswith(
        "Ngày 13 tháng 10 năm 2026, Ban Chỉ đạo 35 Thanh Hóa tổ chức Hội nghị sơ kết 9 tháng năm 2026. "
        "Đồng chí Nguyễn Văn Trưởng Thanh Hóa, Phó Bí thư, Trưởng Ban Chỉ đạo chủ trì."
    )
    first = lines.index("1. Duy trì nghiêm chế độ báo cáo tuần.")
    assert lines[first + 1] == (
        "- Báo cáo tuần đúng hạn: Ban Chỉ đạo 35 các xã, phường chủ trì; thời hạn: trước ngày 31/12/2026."
    )
    assert lines[first + 2] == "2. Chuẩn bị Hội nghị tổng kết năm 2026."
    assert lines[first + 3] == (
        "- Dự thảo báo cáo tổng kết: Công an tỉnh Thanh Hóa chủ trì, phối hợp với Tỉnh đoàn Thanh Hóa; "
        "thời hạn: trước ngày 30/11/2026."
    )
    recipients, signer = cells(data, 1)
    assert "- Công an tỉnh Thanh Hóa;" in recipients.splitlines()
    assert "- Ban Chỉ đạo 35 các xã, phường;" in recipients.splitlines()
    assert signer.splitlines() == [capacity, "TRƯỞNG BAN", "Nguyễn Văn Trưởng Thanh Hóa"]


def test_it_leaves_a_drafts_number_and_day_blank(world):
    meeting = make_meeting(world)
    data = render(meeting, "conclusion")
    header = cells(data, 0)
    assert header[0].splitlines()[-1] == "Số       -TB/BCĐ"
    assert "ngày\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0tháng" in header[1]
    assert "1. Duy trì nghiêm chế độ báo cáo tuần." in texts(data)


def test_it_signs_the_notice_by_the_deputy_who_chaired(world):
    meeting = make_meeting(world)
    services.meeting_update(meeting=meeting, chair=world.members[1])
    signer = cells(render(meeting, "conclusion"), 1)[1]
    assert signer.splitlines() == ["T/M BAN CHỈ ĐẠO", "PHÓ TRƯỞNG BAN THƯỜNG TRỰC", "Trần Thị Phó Thanh Hóa"]


def test_it_writes_times_in_official_wording():
    assert documents.official_moment(at(2026, 10, 13)) == "08 giờ 00 phút, thứ Ba, ngày 13 tháng 10 năm 2026"
    assert documents.official_moment(at(2024, 1, 7, 14, 5)) == "14 giờ 05 phút, Chủ nhật, ngày 07 tháng 01 năm 2024"
    assert documents.time_range(at(2026, 10, 13), at(2026, 10, 14, 11)) == (
        "Từ 08 giờ 00 phút, thứ Ba, ngày 13 tháng 10 năm 2026 đến 11 giờ 00 phút, thứ Tư, ngày 14 tháng 10 năm 2026"
    )


# --- .pdf -----------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    not officialdoc.pdf_available() and os.environ.get("CI") != "true", reason="LibreOffice is not installed"
)
def test_it_renders_the_three_documents_as_pdf(world):
    meeting = make_meeting(world, state=True)
    services.conclusion_issue(meeting=meeting, number="45-TB/BCĐ", issued_on=date(2026, 10, 16))
    meeting = Meeting.objects.get(pk=meeting.pk)
    expected = {"invitation": "GIẤY MỜI", "minutes": "BIÊN BẢN", "conclusion": "THÔNG BÁO KẾT LUẬN"}
    for which, title in expected.items():
        pdf = documents.render(meeting, which, "pdf")
        assert pdf.startswith(b"%PDF"), which
        pdftotext = shutil.which("pdftotext")
        if pdftotext:
            text = subprocess.run(  # noqa: S603 - fixed argument list
                [pdftotext, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
            ).stdout.decode()
            assert title in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text, which
            if which == "minutes":
                assert "THƯ KÝ" in text and "CHỦ TỌA" in text


# --- Endpoints ------------------------------------------------------------------------------------------


def api_get(client, user, url):
    return client.get(url, HTTP_AUTHORIZATION=f"Token {api_token_key(user)}")


@pytest.mark.parametrize("which", ["invitation", "minutes", "conclusion"])
def test_it_serves_each_document_from_the_api_and_the_page(client, world, which):
    meeting = make_meeting(world)
    response = api_get(client, world.secretary, f"/api/v1/meetings/{meeting.pk}/{which}/?format=docx")
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    assert texts(response.content)
    client.force_login(world.secretary)
    page = client.get(f"/meetings/{meeting.pk}/documents/{which}.docx")
    assert page.status_code == 200 and page["Content-Type"] == DOCX
    # Out of scope looks like a missing meeting.
    assert api_get(client, world.outsider, f"/api/v1/meetings/{meeting.pk}/{which}/?format=docx").status_code == 404
    client.force_login(world.outsider)
    assert client.get(f"/meetings/{meeting.pk}/documents/{which}.docx").status_code == 404


def test_it_answers_an_unknown_format_with_a_400_json(client, world):
    meeting = make_meeting(world)
    response = api_get(client, world.secretary, f"/api/v1/meetings/{meeting.pk}/minutes/?format=odt")
    assert response.status_code == 400
    assert set(response.json()) == {"message", "code", "extra"} and response.json()["extra"]["format"] == "odt"
    client.force_login(world.secretary)
    assert client.get(f"/meetings/{meeting.pk}/documents/minutes.odt").status_code == 404
    assert client.get(f"/meetings/{meeting.pk}/documents/agenda.docx").status_code == 404


def test_it_has_no_notice_file_before_a_draft_exists(client, world):
    meeting = services.meeting_create(
        committee=world.committee, kind=Meeting.Kind.GIAO_BAN_TUAN, title="Giao ban tuần", starts_at=at(2026, 11, 2)
    )
    response = api_get(client, world.secretary, f"/api/v1/meetings/{meeting.pk}/conclusion/?format=docx")
    assert response.status_code == 404 and set(response.json()) == {"message", "code", "extra"}


def test_it_lets_an_agency_officer_download_the_notice_that_gave_their_agency_a_task(client, world):
    meeting = make_meeting(world)
    url = f"/api/v1/meetings/{meeting.pk}/conclusion/?format=docx"
    assert api_get(client, world.police_officer, url).status_code == 404  # no task yet
    services.conclusion_issue(meeting=meeting, number="45-TB/BCĐ", issued_on=date(2026, 10, 16))
    assert api_get(client, world.police_officer, url).status_code == 200


@pytest.mark.parametrize("kind", ["invitation", "minutes", "notice"])
@pytest.mark.parametrize("layout", ["party", "state"])
def test_it_ships_the_templates_that_the_build_script_makes(kind, layout, tmp_path):
    built = build_templates.build_kind(kind, layout, tmp_path)
    shipped = officialdoc.template_path(kind, layout)
    with zipfile.ZipFile(built) as fresh, zipfile.ZipFile(shipped) as kept:
        for part in ("word/document.xml", "word/styles.xml", "word/header1.xml"):
            assert fresh.read(part) == kept.read(part), f"{part}: run giaoban/core/docx/build_templates.py"


def test_it_documents_the_file_endpoints_in_the_openapi_schema(client, world):
    client.force_login(world.secretary)
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for which in ("invitation", "minutes", "conclusion"):
        get = paths[f"/api/v1/meetings/{{id}}/{which}/"]["get"]
        # The file types; the meeting's minutes and conclusion also answer JSON without `format`.
        assert set(documents.FORMATS.values()) <= set(get["responses"]["200"]["content"]), which
        assert {"400", "404"} <= set(get["responses"])
        assert [p["name"] for p in get["parameters"] if p["in"] == "query"] == ["format"]
