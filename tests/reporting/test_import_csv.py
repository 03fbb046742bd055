"""CSV and JSON imports of figures: a file that is not UTF-8 or has rows of the wrong width is a clear error
listed beside every other one (API and command, never a traceback); control characters are dropped; the row
limit holds for JSON as for CSV and is answered as JSON."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from giaoban.reporting.models import DataValue, Submission

HEADER = "unit,form,period,indicator,value\n"


@pytest.fixture
def api(make_user, tree):
    client = APIClient()
    client.force_authenticate(make_user("secretary", tree.p1))
    return client


def csv_rows(n: int, unit="15061", indicator="POSTS") -> str:
    return "".join(f"{unit},W35,2025W{w:02d},{indicator},{w}\n" for w in range(30, 30 + n))


def post_csv(client, body: bytes | str, draft=False):
    body = body.encode() if isinstance(body, str) else body
    return client.post("/api/v1/datavalues/" + ("?draft=1" if draft else ""), body, content_type="text/csv")


# --- CSV files that are not what they should be ----------------------------------------------------------


def test_it_names_a_non_utf8_row_and_still_lists_every_other_error(api, tree, catalog):
    body = (HEADER + "15061,W35,2025W30,POSTS,5\n").encode() + "15061,W35,2025W31,Ghi chú,x\n".encode("cp1258")
    body += b"15061,W35,2025W32,POSTS,abc\n"
    r = post_csv(api, body)
    assert r.status_code == 400, r.content
    errors = r.json()["extra"]["errors"]
    assert {"row": 3, "column": "indicator", "message": errors[0]["message"]} in errors
    assert any(e["row"] == 3 and "UTF-8" in e["message"] for e in errors)
    assert any(e["row"] == 4 and e["column"] == "value" for e in errors), errors
    assert not Submission.objects.exists()


def test_it_refuses_rows_with_more_or_fewer_cells_than_the_header(api, tree, catalog):
    r = post_csv(api, HEADER + "15061,W35,2025W30,POSTS,5,extra\n15061,W35,2025W31,POSTS\n15061,W35,2025W32,POSTS,1\n")
    assert r.status_code == 400
    errors = r.json()["extra"]["errors"]
    assert [(e["row"], e["column"]) for e in errors if "cells" in e["message"]] == [(2, None), (3, None)]
    assert "6 ô, tiêu đề có 5 cột" in errors[0]["message"]
    assert not Submission.objects.exists()


def test_the_command_lists_file_errors_without_a_traceback(tree, catalog, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(HEADER.encode() + "15061,W35,2025W30,Chú,1\n".encode("cp1258") + b"15061,W35,2025W31,POSTS\n")
    with pytest.raises(CommandError) as exc:
        call_command("reporting", "import", str(path))
    text = str(exc.value)
    assert "dòng 2" in text and "UTF-8" in text and "dòng 3" in text
    assert not Submission.objects.exists()


def test_it_drops_control_characters_from_imported_text(api, tree, catalog):
    r = post_csv(api, HEADER + "15061\x00,W35,2025W30,NOTE,a\x00b\x0bc\n15061,W35,2025W30,POSTS,1\n")
    assert r.status_code == 201, r.content
    assert DataValue.objects.get(indicator__code="NOTE").text == "ab c"


# --- Row limits -----------------------------------------------------------------------------------------


def test_it_applies_the_row_limit_to_json_as_to_csv_and_answers_json(settings, api, tree, catalog):
    settings.GIAOBAN_IMPORT_MAX_ROWS = 3
    rows = [{"unit": "15061", "form": "W35", "period": f"2025W{w}", "indicator": "POSTS", "value": 1} for w in range(30, 34)]
    for r in (api.post("/api/v1/datavalues/", rows, format="json"), post_csv(api, HEADER + csv_rows(4))):
        assert r.status_code == 413 and r["Content-Type"] == "application/json"
        assert r.json()["message"].startswith("Quá 3 dòng (4 dòng)") and r.json()["extra"]["max_rows"] == 3
    assert not Submission.objects.exists()
