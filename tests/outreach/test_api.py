"""/api/v1/channels/, their metrics, contests with entries and scores, trainings."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from giaoban.outreach import services
from giaoban.outreach.models import ChannelMetric, Entry


@pytest.fixture
def api():
    return APIClient()


def test_it_lists_channels_by_subtree_and_platform(api, world):
    services.channel_create(org_unit=world.tree.q1, name="Fanpage Ba Đình", platform="facebook")
    api.force_authenticate(world.secretary)
    names = [c["name"] for c in api.get("/api/v1/channels/?unit=38").json()["results"]]
    assert sorted(names) == ["Cờ đỏ sao vàng", "Fanpage Ngọc Lặc", "Tổ quốc tôi yêu"]  # not Ba Đình: out of scope
    names = [c["name"] for c in api.get("/api/v1/channels/?unit=389&platform=blog").json()["results"]]
    assert names == ["Cờ đỏ sao vàng"]


def test_it_records_and_lists_a_channels_metrics(api, world):
    api.force_authenticate(world.secretary)
    r = api.post(
        f"/api/v1/channels/{world.blog.pk}/metrics/", {"period": "2023-03", "posts": 32, "reach": 55000}, format="json"
    )
    assert r.status_code == 201, r.json()
    assert api.get(f"/api/v1/channels/{world.blog.pk}/metrics/?period=2023-03").json() == [
        {"period": "2023-03", "posts": 32, "reach": 55000, "followers": None, "interactions": None}
    ]
    r = api.post(f"/api/v1/channels/{world.blog.pk}/metrics/", {"period": "2023Q1", "posts": 1}, format="json")
    assert r.status_code == 400 and "period" in r.json()["extra"]["fields"]


def test_a_viewer_cannot_record_and_an_outsider_cannot_see(api, world):
    api.force_authenticate(world.viewer)
    assert (
        api.post(
            f"/api/v1/channels/{world.blog.pk}/metrics/", {"period": "2023-03", "posts": 1}, format="json"
        ).status_code
        == 404
    )
    api.force_authenticate(world.outsider)
    assert api.get(f"/api/v1/channels/{world.blog.pk}/metrics/").status_code == 404
    r = api.post("/api/v1/channels/", {"unit": "389", "name": "X", "platform": "blog"}, format="json")
    assert r.status_code == 404
    assert not ChannelMetric.objects.exists()


def test_the_metrics_csv_import_is_all_or_nothing(api, world):
    api.force_authenticate(world.secretary)
    csv = (
        "unit,channel,period,posts,reach,followers,interactions\n389,Cờ đỏ sao vàng,2023-01,28,,,\n389,X,2023-01,1,,,\n"
    )
    r = api.post("/api/v1/channels/import-metrics/", csv.encode(), content_type="text/csv")
    assert r.status_code == 400
    assert r.json()["extra"]["errors"] == [
        {"row": 3, "column": "channel", "message": "Đơn vị không có kênh X (no such channel)."}
    ]
    assert not ChannelMetric.objects.exists()
    r = api.post("/api/v1/channels/import-metrics/", csv.rsplit("389,X", 1)[0].encode(), content_type="text/csv")
    assert r.json() == {"imported": 1}


def test_contests_entries_scores_and_ranking(api, world):
    api.force_authenticate(world.secretary)
    r = api.post(
        "/api/v1/contests/",
        {"unit": "389", "name": "Cuộc thi viết", "starts_on": "2023-04-01", "ends_on": "2023-08-31",
         "prizes": [{"name": "Giải Nhất", "count": 1}]},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    cid = r.json()["id"]
    csv = "title,authors,unit,category,submitted_on\nBài A,Nguyễn A,389,,01/05/2023\nBài B,Trần B,389,,2023-05-02\n"
    assert api.post(f"/api/v1/contests/{cid}/entries/", csv.encode(), content_type="text/csv").json() == {"imported": 2}
    a, b = Entry.objects.order_by("title")
    api.post(f"/api/v1/contests/{cid}/scores/", {"entry": a.pk, "judge": "GK1", "score": "70"}, format="json")
    r = api.post(f"/api/v1/contests/{cid}/scores/", {"entry": b.pk, "judge": "GK1", "score": "88.5"}, format="json")
    assert r.status_code == 201 and r.json()["score"] == "88.50"
    ranked = api.post(f"/api/v1/contests/{cid}/rank/").json()
    assert [(e["title"], e["rank"], e["prize"]) for e in ranked] == [("Bài B", 1, "Giải Nhất"), ("Bài A", 2, "")]
    assert api.get(f"/api/v1/contests/{cid}/").json()["entries"] == 2


def test_trainings_with_groups(api, world):
    api.force_authenticate(world.secretary)
    r = api.post(
        "/api/v1/trainings/",
        {"unit": "389", "title": "Tập huấn", "starts_on": "2023-03-10", "ends_on": "2023-03-10",
         "groups": {"cán bộ": 40, "đoàn viên": 25}},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    assert r.json()["participants"] == 65
    assert api.get("/api/v1/trainings/?unit=38").json()["results"][0]["groups"] == {"cán bộ": 40, "đoàn viên": 25}
    r = api.post("/api/v1/trainings/", {"unit": "389", "title": "X", "starts_on": "2023-03-10", "ends_on": "2023-03-01"},
                 format="json")  # fmt: skip
    assert r.status_code == 400


def test_the_schema_lists_the_outreach_endpoints(api, world):
    api.force_authenticate(world.secretary)
    schema = api.get("/api/schema/?format=json").json()
    for p in (
        "/api/v1/channels/",
        "/api/v1/channels/{id}/metrics/",
        "/api/v1/contests/{id}/entries/",
        "/api/v1/trainings/",
    ):
        assert p in schema["paths"], p


def test_contest_dates_are_checked(api, world):
    api.force_authenticate(world.secretary)
    r = api.post(
        "/api/v1/contests/",
        {"unit": "389", "name": "X", "starts_on": "2023-04-01", "ends_on": "2023-03-01"},
        format="json",
    )
    assert r.status_code == 400
    assert services.contest_create  # the service is what the endpoint calls
    assert date(2023, 4, 1)
