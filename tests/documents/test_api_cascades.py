"""The cascade API: send, coverage (JSON and .xlsx), the receivers' list, implement and done, with its errors."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from giaoban.documents.models import Cascade, Document
from giaoban.documents.services.cascades import cascade_send
from giaoban.documents.services.numbering import document_register_outgoing

from .conftest import DUE, SENT


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def sent(world):
    cascade_send(document=world.directive, sender=world.province, below=True, sent_on=SENT, due_on=DUE)
    return {c.committee_id: c for c in Cascade.objects.filter(document=world.directive)}


def test_it_sends_to_chosen_committees_then_skips_them(world):
    client = api(world.approver)
    url = f"/api/v1/documents/{world.directive.pk}/cascade/"
    r = client.post(url, {"committees": [world.n1.pk], "due_on": "2027-03-31"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["sent"], body["skipped"], body["committees"]) == (1, 0, [world.n1.pk])
    assert body["sender"] == {"id": world.province.pk, "name": world.province.name}
    r = client.post(url, {"below": True, "due_on": "2027-03-31"}, format="json")
    assert r.status_code == 201 and (r.json()["sent"], r.json()["skipped_committees"]) == (1, [world.n1.pk])
    r = client.post(url, {"below": True}, format="json")
    assert r.status_code == 200 and r.json()["sent"] == 0


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"below": True, "committees": [1]}, "invalid", "committees"),
        ({}, "invalid", "committees"),
        ({"committees": ["x"]}, "invalid", "committees"),
        ({"below": True, "due_on": "31/02/2027"}, "invalid", "due_on"),
    ],
)
def test_it_answers_bad_send_input_with_the_field_named(world, body, code, field):
    r = api(world.approver).post(f"/api/v1/documents/{world.directive.pk}/cascade/", body, format="json")
    assert r.status_code == 400
    assert r.json()["code"] == code and field in r.json()["extra"]["fields"]


def test_it_refuses_a_committee_not_below_and_a_document_out_of_scope(world):
    client = api(world.approver)
    r = client.post(f"/api/v1/documents/{world.directive.pk}/cascade/", {"committees": [world.q1.pk]}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "not_below"
    r = client.post(f"/api/v1/documents/{world.other_directive.pk}/cascade/", {"below": True}, format="json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client.post("/api/v1/documents/999999/cascade/", {"below": True}, format="json")
    assert r.status_code == 404


def test_coverage_counts_rows_and_the_roll_up(world):
    by = sent(world)
    client = api(world.n1_secretary)
    cascade = by[world.n1.pk]
    r = client.post(
        f"/api/v1/cascades/{cascade.pk}/implement/",
        {"type": "ke_hoach", "date": "2026-03-10", "subject": "Kế hoạch triển khai của xã", "version": 0},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "implementing"
    assert r.json()["implementing_document"]["number_symbol"] == "01-KH/BCĐ"
    assert r.json()["entry"] == {"serial": 1, "year": 2026, "received_on": "2026-03-02"}
    body = api(world.viewer).get(f"/api/v1/documents/{world.directive.pk}/coverage/?unit=38&as_of=2026-04-01").json()
    assert (body["expected"], body["implemented"], body["pending"], body["overdue"]) == (2, 1, 1, 1)
    assert [(g["unit"]["code"], g["implemented"], g["percent"]) for g in body["by_unit"]] == [
        ("15061", 1, 100.0),
        ("15085", 0, 0.0),
    ]
    rows = {row["unit"]["code"]: row for row in body["rows"]}
    assert rows["15061"]["document"]["number_symbol"] == "01-KH/BCĐ" and not rows["15061"]["overdue"]
    assert rows["15085"]["document"] is None and rows["15085"]["overdue"]
    assert rows["15085"]["due_on"] == "2026-03-31" and rows["15085"]["committee"]["id"] == world.n2.pk
    pending = api(world.viewer).get(f"/api/v1/documents/{world.directive.pk}/coverage/?unit=38&rows=pending").json()
    assert [row["unit"]["code"] for row in pending["rows"]] == ["15085"] and pending["expected"] == 2
    # The default unit is the sender's; a commune's own coverage is its own row.
    assert api(world.viewer).get(f"/api/v1/documents/{world.directive.pk}/coverage/").json()["unit"]["code"] == "38"
    mine = client.get(f"/api/v1/documents/{world.directive.pk}/coverage/").json()
    assert (mine["unit"]["code"], mine["expected"]) == ("15061", 1)
    xlsx = api(world.viewer).get(f"/api/v1/documents/{world.directive.pk}/coverage.xlsx?unit=38")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize(
    ("query", "code"), [("unit=01", "not_found"), ("unit=38&rows=x", "invalid"), ("unit=38&as_of=x", "invalid")]
)
def test_coverage_errors(world, query, code):
    sent(world)
    r = api(world.viewer).get(f"/api/v1/documents/{world.directive.pk}/coverage/?{query}")
    assert r.status_code == (404 if code == "not_found" else 400) and r.json()["code"] == code


def test_implement_with_an_existing_document_then_done_and_the_errors(world):
    by = sent(world)
    client = api(world.n1_secretary)
    url = f"/api/v1/cascades/{by[world.n1.pk].pk}/"
    r = client.post(url + "done/", {}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "not_implemented"
    theirs = document_register_outgoing(committee=world.n2, type="cong_van", on=date(2026, 3, 5), subject="CV")
    r = client.post(url + "implement/", {"document": theirs.pk}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "not_in_register"
    mine = document_register_outgoing(committee=world.n1, type="cong_van", on=date(2026, 3, 5), subject="CV")
    r = client.post(url + "implement/", {"document": mine.pk}, format="json")
    assert r.status_code == 200 and r.json()["implementing_document"]["id"] == mine.pk
    r = client.post(url + "done/", {"version": 0}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "stale_version" and r.json()["extra"] == {"version": 1}
    r = client.post(url + "done/", {"version": 1, "done_on": "2026-03-20"}, format="json")
    assert r.status_code == 200 and (r.json()["status"], r.json()["done_on"]) == ("done", "2026-03-20")
    r = client.post(url + "done/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "already_done"
    # Another commune's directive: visible to it only, so 404 here.
    assert client.post(f"/api/v1/cascades/{by[world.n2.pk].pk}/done/", {}, format="json").status_code == 404
    r = client.post(url + "implement/", {"type": "ke_hoach", "subject": ""}, format="json")
    assert r.status_code == 409  # done: no more changes


def test_the_list_filters_by_status_and_committee(world):
    by = sent(world)
    client = api(world.n1_secretary)
    client.post(
        f"/api/v1/cascades/{by[world.n1.pk].pk}/implement/",
        {"date": "2026-03-10", "subject": "KH"},
        format="json",
    )
    province = api(world.approver)
    assert province.get("/api/v1/cascades/").json()["count"] == 2
    got = province.get("/api/v1/cascades/?status=implementing").json()["results"]
    assert [c["committee"]["id"] for c in got] == [world.n1.pk]
    got = province.get(f"/api/v1/cascades/?committee={world.n2.pk}").json()["results"]
    assert [c["unit"]["code"] for c in got] == ["15085"]
    assert province.get("/api/v1/cascades/?overdue=true").json()["count"] >= 0
    assert client.get("/api/v1/cascades/").json()["count"] == 1
    assert province.get("/api/v1/cascades/?status=nope").status_code == 400


def test_coverage_and_the_list_read_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    sent(world)
    client = api(world.viewer)
    with django_assert_max_num_queries(8):
        assert client.get(f"/api/v1/documents/{world.directive.pk}/coverage/?unit=38").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/cascades/").status_code == 200


def test_the_schema_documents_the_cascade_endpoints(client, db):
    schema = client.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/documents/{id}/cascade/",
        "/api/v1/documents/{id}/coverage/",
        "/api/v1/documents/{id}/coverage.xlsx",
        "/api/v1/cascades/",
        "/api/v1/cascades/{id}/implement/",
        "/api/v1/cascades/{id}/done/",
    ):
        assert path in schema["paths"], path
    assert Document.objects.count() == 0
