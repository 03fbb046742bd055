"""Unit and succession CSV imports: a name taken by a sibling valid at the same time is refused (in the file
and against the units recorded); a file that is not UTF-8 or has rows of the wrong width is listed row by
row beside every other error, from the service and the command alike, never a traceback."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from giaoban.core.errors import ImportRejected
from giaoban.orgs import services
from giaoban.orgs.models import OrgUnit

HEADER = "code,name,kind,subtype,parent_code,valid_from,valid_to\n"


def rejected(data: bytes | str):
    before = OrgUnit.objects.count()
    with pytest.raises(ImportRejected) as exc:
        services.orgunits_import_csv(data)
    assert OrgUnit.objects.count() == before
    return [(e["row"], e["column"], e["message"]) for e in exc.value.errors]


def test_it_refuses_a_unit_named_like_a_recorded_sibling_valid_at_the_same_time(tree):
    # 15061 "Xã Ngọc Lặc" lies under 38 from 01/07/2025, still valid.
    errors = rejected(HEADER + "38401,xã  ngọc lặc,commune,xa,38,2026-01-01,\n38402,Xã Khác,commune,xa,77,2026-01-01,\n")
    assert any(r == 2 and c == "name" and "15061" in m for r, c, m in errors), errors
    assert any(r == 3 and c == "parent_code" for r, c, _ in errors)  # and every other error too


def test_it_accepts_the_name_of_a_sibling_no_longer_valid(tree):
    # "Huyện Ngọc Lặc" (389) under 38 closed on 30/06/2025: the name may be used again after.
    services.orgunits_import_csv(HEADER + "38403,Huyện Ngọc Lặc,district,huyen,38,2025-07-01,\n")
    errors = rejected(HEADER + "38404,Huyện Ngọc Lặc,district,huyen,38,2025-06-01,2025-06-30\n")
    assert any(r == 2 and c == "name" and "389" in m for r, c, m in errors), errors


def test_orgunit_create_refuses_a_sibling_name_too(tree):
    with pytest.raises(ImportRejected) as exc:
        services.orgunit_create(
            code="38405", name="Xã Thạch Lập", kind="commune", subtype="xa", parent=tree.p1, valid_from=date(2026, 1, 1)
        )
    assert exc.value.errors[0]["column"] == "name" and "15085" in exc.value.errors[0]["message"]


def test_it_lists_not_utf8_rows_and_wrong_widths_with_every_other_error(tree):
    data = (HEADER + "38406,Xã A,commune,xa,38,2026-01-01,\n").encode()
    data += "38407,Xa Chú,commune,xa,38,2026-01-01,\n".encode("cp1258")
    data += b"38408,X\xc3\xa3 B,commune,xa,38,2026-01-01,,extra\n38409,Xa C,commune\n38410,,commune,xa,38,2026-01-01,\n"
    errors = rejected(data)
    assert any(r == 3 and c == "name" and "UTF-8" in m for r, c, m in errors), errors
    assert any(r == 4 and c is None and "8 ô" in m for r, c, m in errors), errors
    assert any(r == 5 and c is None and "3 ô" in m for r, c, m in errors), errors
    assert any(r == 6 and c == "name" for r, c, _ in errors), errors


def test_the_command_reports_a_bad_file_without_a_traceback(tree, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(HEADER.encode() + "38411,Xa Chú,commune,xa,38,2026-01-01,\n".encode("cp1258"))
    with pytest.raises(CommandError) as exc:
        call_command("orgunits", "import-units", str(path))
    assert "dòng 2" in str(exc.value) and "UTF-8" in str(exc.value)
    path.write_bytes(b"\xff\xfe" + "code,name\n".encode("utf-16-le"))
    with pytest.raises(CommandError) as exc:
        call_command("orgunits", "import-successions", str(path))
    assert "missing columns" in str(exc.value)
