"""The reporting API through HTTP: catalog, periods, submissions workflow, imports, roll-ups, errors."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from giaoban.reporting.models import DataValue, Submission


@pytest.fixture
def api(make_user, tree):
    def client_for(role="system_admin", unit=None):
        client = APIClient()
        client.force_authenticate(make_user(role, unit or tree.vn))
        return client

    return client_for


def test_it_lists_and_creates_indicators_and_forms_for_admins_only(tree, catalog, api):
    admin, viewer = api(), api("viewer", tree.c1)
    assert [i["code"] for i in viewer.get("/api/v1/indicators/").json()["results"]][:2] == ["FOLLOWERS", "NOTE"]
    posts = viewer.get("/api/v1/indicators/POSTS/").json()
    assert posts["name"] == "Số bài đăng" and posts["unit"] == "bài" and posts["aggregation"] == "sum"
    new = {"code": "MEET", "name": "Số cuộc họp", "unit": "cuộc", "value_type": "integer", "aggregation": "sum"}
    assert viewer.post("/api/v1/indicators/", new, format="json").status_code == 403
    r = admin.post("/api/v1/indicators/", new, format="json")
    assert r.status_code == 201 and r.json()["code"] == "MEET"
    form = {
        "code": "W2",
        "name": "Tuần 2",
        "period_type": "week",
        "scheme": "week_thu",
        "deadline_working_days": 1,
        "unit_kinds": ["commune"],
        "active_from": "2025-01-01",
        "indicators": ["MEET", "POSTS"],
    }
    r = admin.post("/api/v1/forms/", form, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["indicators"] == ["MEET", "POSTS"] and r.json()["version"] == 1
    r = admin.patch("/api/v1/forms/W2/", {"indicators": ["POSTS"]}, format="json")
    assert (r.json()["indicators"], r.json()["version"]) == (["POSTS"], 2)
    r = admin.post("/api/v1/forms/", {**form, "code": "W3", "indicators": ["NOPE"]}, format="json")
    assert r.status_code == 400 and "NOPE" in r.json()["message"]
    r = admin.post("/api/v1/indicators/", {**new, "code": "R", "aggregation": "ratio"}, format="json")
    assert r.status_code == 400 and r.json()["message"].endswith("(a ratio needs a numerator and a denominator).")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/api/v1/periods/2023N9/?scheme=decree09",
            {
                "id": "2023N9",
                "start": "2022-12-15",
                "end": "2023-09-14",
                "composed_of": [f"2023-{m:02d}" for m in range(1, 10)],
            },
        ),
        (
            "/api/v1/periods/2023q3/",
            {
                "id": "2023Q3",
                "start": "2023-07-01",
                "end": "2023-09-30",
                "composed_of": ["2023-07", "2023-08", "2023-09"],
            },
        ),
        (
            "/api/v1/periods/2023-10/?of=week",
            {
                "id": "2023-10",
                "start": "2023-10-01",
                "end": "2023-10-31",
                "composed_of": ["2023W39", "2023W40", "2023W41", "2023W42", "2023W43"],
            },
        ),
    ],
)
def test_it_describes_a_period_under_a_scheme(api, url, expected):
    data = api("viewer").get(url).json()
    assert {k: data[k] for k in expected} == expected


def test_it_answers_400_for_a_bad_period(api):
    r = api("viewer").get("/api/v1/periods/2023X1/")
    assert r.status_code == 400 and r.json()["message"] == "Mã kỳ không hợp lệ: '2023X1' (invalid period id)"


@pytest.mark.usefixtures("compiled_locale")
@pytest.mark.parametrize(
    ("method", "url", "body", "content_type", "vi", "en"),
    [
        (
            "post",
            "/api/v1/datavalues/",
            '{"unit": "90001"}',
            "application/json",
            "Cần một danh sách JSON hoặc tệp CSV (a JSON list or a CSV body is required).",
            "A JSON list or a CSV body is required.",
        ),
        (
            "post",
            "/api/v1/datavalues/",
            "unit,form\n90001,W35\n",
            "text/csv",
            "Thiếu cột (missing columns): period, indicator, value",
            "Missing columns: period, indicator, value",
        ),
        (
            "get",
            "/api/v1/rollup/?indicator=POSTS&unit=389&period=2025W1",
            None,
            None,
            "Mã kỳ không hợp lệ: '2025W1' (invalid period id)",
            "Invalid period id: '2025W1'",
        ),
    ],
    ids=["not-a-list", "csv-without-columns", "bad-period"],
)
def test_it_answers_errors_in_vietnamese_unless_the_client_chose_english(
    settings, tree, catalog, api, method, url, body, content_type, vi, en
):
    client = api("secretary", tree.d1)

    def message(language):
        client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        r = client.post(url, body, content_type=content_type) if method == "post" else client.get(url)
        assert r.status_code == 400 and r["Content-Language"] == (language or "vi"), r.json()
        return r.json()["message"]

    assert message(None) == vi
    assert message("en") == en
    assert message("vi") == vi
    assert DataValue.objects.count() == 0


def test_it_runs_the_workflow_through_actions(tree, catalog, api):
    secretary, approver = api("secretary", tree.c1), api("approver", tree.d1)
    r = secretary.post(
        "/api/v1/submissions/",
        {"unit": "90001", "form": "W35", "period": "2025W10", "values": {"POSTS": "56.000"}},
        format="json",
    )
    assert r.status_code == 201, r.json()
    sid, version = r.json()["id"], r.json()["version"]
    assert r.json()["values"] == {"POSTS": "56.000"}
    assert approver.post(f"/api/v1/submissions/{sid}/submit/", {}, format="json").status_code == 403
    r = secretary.post(f"/api/v1/submissions/{sid}/submit/", {"version": version - 1}, format="json")
    assert r.status_code == 409 and r.json()["extra"]["values"] == {"POSTS": "56.000"}
    r = secretary.post(f"/api/v1/submissions/{sid}/submit/", {"version": version}, format="json")
    # 56.000 posts in a week is unusual: the API asks for confirm=true and writes nothing until then.
    assert r.status_code == 400 and r.json()["code"] == "unusual_figures", r.json()
    assert list(r.json()["extra"]["fields"]) == ["POSTS"]
    r = secretary.post(f"/api/v1/submissions/{sid}/submit/", {"version": version, "confirm": True}, format="json")
    assert r.json()["status"] == "submitted"
    roll = approver.get("/api/v1/rollup/?indicator=POSTS&unit=389&period=2025W10").json()
    assert (roll["value"], roll["reported"], roll["expected"]) == (56000, 1, 3)
    r = approver.post(f"/api/v1/submissions/{sid}/return/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason is required" in r.json()["message"]
    r = approver.post(f"/api/v1/submissions/{sid}/return/", {"reason": "Kiểm tra lại"}, format="json")
    assert r.json()["status"] == "returned" and r.json()["events"][-1]["reason"] == "Kiểm tra lại"
    assert approver.get("/api/v1/rollup/?indicator=POSTS&unit=389&period=2025W10").json()["value"] is None
    r = secretary.post(f"/api/v1/submissions/{sid}/submit/", {"values": {"POSTS": "12"}}, format="json")
    assert r.status_code == 400 and "version is required" in r.json()["message"]  # could overwrite another save
    version = secretary.get(f"/api/v1/submissions/{sid}/").json()["version"]
    secretary.post(f"/api/v1/submissions/{sid}/submit/", {"values": {"POSTS": "12"}, "version": version}, format="json")
    assert approver.post(f"/api/v1/submissions/{sid}/approve/", {}, format="json").json()["status"] == "approved"
    r = approver.post(f"/api/v1/submissions/{sid}/reopen/", {"reason": "Sửa"}, format="json")
    assert r.json()["status"] == "returned"
    listed = approver.get("/api/v1/submissions/?unit=90001&period=2025w10").json()
    assert [s["id"] for s in listed["results"]] == [sid]


def test_it_imports_json_and_csv_all_or_nothing(tree, catalog, api):
    client = api("secretary", tree.d1)
    rows = [
        {"unit": "90001", "form": "W35", "period": "2025W10", "indicator": "POSTS", "value": "56.000"},
        {"unit": "90002", "form": "W35", "period": "2025W10", "indicator": "POSTS", "value": "4"},
    ]
    r = client.post("/api/v1/datavalues/", rows, format="json")
    assert r.status_code == 400 and r.json()["code"] == "unusual_figures"  # 56.000 posts a week: confirm first
    r = client.post("/api/v1/datavalues/?confirm=1", rows, format="json")
    assert r.status_code == 201 and r.json() == {"submissions": 2, "values": 2}
    assert client.get("/api/v1/rollup/?indicator=POSTS&unit=389&period=2025-03").json()["value"] == 56004
    csv_body = 'unit,form,period,indicator,value\n90003,W35,2025W10,POSTS,"1.000"\n90003,W35,2025W11,POSTS,x\n'
    r = client.post("/api/v1/datavalues/?draft=1", csv_body, content_type="text/csv")
    assert r.status_code == 400
    assert r.json()["extra"]["errors"] == [
        {"row": 3, "column": "value", "message": "Không phải là số: 'x' (not a number)"}
    ]
    assert Submission.objects.filter(unit=tree.c3).count() == 0
    r = client.post("/api/v1/datavalues/?draft=1", csv_body.replace(",x", ",2"), content_type="text/csv")
    assert r.status_code == 201 and Submission.objects.filter(unit=tree.c3, status="draft").count() == 2
    r = client.post("/api/v1/datavalues/", "unit,form\n1,2\n", content_type="text/csv")
    assert r.status_code == 400 and "(missing columns): period, indicator, value" in r.json()["message"]
    assert DataValue.objects.count() == 4


def test_it_rolls_up_by_child_restated_and_approved_only(tree, catalog, report, api):
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 10}, status="approved")
    report(tree.c3, catalog.weekly, "2025W10", {"POSTS": 50})
    client = api("viewer", tree.p1)
    r = client.get("/api/v1/rollup/?indicator=POSTS&unit=389&period=2025-03&by=child").json()
    assert sorted((c["unit"], c["value"], c["reported"]) for c in r) == [
        ("90001", 10, 1),
        ("90002", None, 0),
        ("90003", 50, 1),
    ]
    r = client.get("/api/v1/rollup/?indicator=POSTS&unit=389&period=2025-03&approved=1").json()
    assert (r["value"], r["reported"], r["approved_only"]) == (10, 1, True)
    r = client.get("/api/v1/rollup/?indicator=POSTS&unit=15085&period=2025&restated=1").json()
    assert (r["value"], r["restated"]) == (20, True)
    r = client.get("/api/v1/rollup/?indicator=POSTS&unit=389").json()
    assert r["message"].startswith("Thiếu tham số") and r["extra"]["fields"] == {"period": "required"}


def test_it_documents_the_reporting_endpoints_and_their_errors(api):
    schema = api("viewer").get("/api/schema/?format=json").json()
    for path in ("/api/v1/rollup/", "/api/v1/datavalues/", "/api/v1/submissions/{id}/return/", "/api/v1/forms/"):
        assert path in schema["paths"]
    assert {"400", "404", "409"} <= set(schema["paths"]["/api/v1/submissions/{id}/submit/"]["post"]["responses"])


@pytest.mark.parametrize("url", ["/api/v1/submissions/", "/api/v1/forms/", "/api/v1/indicators/"])
def test_it_keeps_list_query_counts_constant_as_data_grows(tree, catalog, report, api, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from giaoban.reporting import services

    client = api("approver", tree.p1)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 1}, status="approved")
    count()
    small = count()
    for week in ("2025W11", "2025W12", "2025W13"):
        for unit in (tree.c1, tree.c2, tree.c3):
            report(unit, catalog.weekly, week, {"POSTS": 2}, status="approved")
    services.reportform_update(form=catalog.weekly, indicators=[catalog.posts, catalog.followers])
    services.indicator_create(code="EXTRA", name_vi="Thêm")
    assert count() == small


@pytest.mark.parametrize(
    ("method", "url", "body", "says"),
    [
        ("post", "/api/v1/datavalues/", {"unit": "90001"}, "a JSON list or a CSV body is required"),
        ("post", "/api/v1/datavalues/", [], "no data rows"),
        (
            "post",
            "/api/v1/datavalues/",
            [{"unit": "90001", "form": "W35", "period": "2025W10", "indicator": "POSTS", "value": "5,5"}],
            "import rejected",
        ),
        (
            "post",
            "/api/v1/submissions/",
            {"unit": "90001", "form": "W35", "period": "2025W10", "values": {"POSTS": "-"}},
            "nothing was saved",
        ),
        ("post", "/api/v1/submissions/", {"unit": "90001", "form": "W35", "period": "2025-03"}, "not a week period"),
        ("get", "/api/v1/rollup/?indicator=NOTE&unit=389&period=2025", None, "text indicators are not rolled up"),
        ("get", "/api/v1/rollup/?indicator=POSTS&unit=389&period=2025W1", None, "invalid period id"),
    ],
)
def test_it_answers_400_with_a_clear_message_and_writes_nothing(tree, catalog, api, method, url, body, says):
    client = api("secretary", tree.d1)
    r = getattr(client, method)(url, body, format="json") if method == "post" else client.get(url)
    assert r.status_code == 400 and says in r.json()["message"], r.json()
    assert DataValue.objects.count() == 0 and not Submission.objects.exclude(status="draft").exists()
