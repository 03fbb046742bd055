"""No lost update: stale and concurrent saves of a report and of a consolidated draft, on the page and the API.

The threaded tests run on PostgreSQL, where two connections really interleave (the in-memory SQLite of the
tests cannot hold two connections); on SQLite, whose IMMEDIATE transactions serialise writers, the races
run in a subprocess on a SQLite file (sqlite_race.py), and the sequential interleavings on both databases."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient

from giaoban.core.errors import Conflict
from giaoban.reporting import consolidated, services
from giaoban.reporting.models import ConsolidatedReport, DataValue, Submission

API = "/api/v1/submissions/"
NEW = {"unit": "90001", "form": "W35", "period": "2025W10"}
PAGE = "/reports/90001/W35/2025W10/"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _posts() -> list[str]:
    return [format(v.normalize(), "f") for v in DataValue.objects.values_list("value", flat=True)]


# --- The API's draft save ---------------------------------------------------------------------------------


def test_it_refuses_a_stale_api_draft_save_with_409(tree, catalog, make_user):
    client = _api(make_user("secretary", tree.c1))
    first = client.post(API, {**NEW, "values": {"POSTS": "555"}}, format="json")
    assert first.status_code == 201
    version = first.json()["version"]
    assert client.post(API, {**NEW, "values": {"POSTS": "556"}, "version": version}, format="json").status_code == 201
    # A client still holding the first version (or none: a new report's 0) cannot overwrite 556.
    for stale in ({"version": version}, {"version": 0}, {}):
        r = client.post(API, {**NEW, "values": {"POSTS": "1"}, **stale}, format="json")
        assert r.status_code == 409, r.json()
        assert set(r.json()) == {"message", "code", "extra"} and r.json()["extra"]["values"] == {"POSTS": "556"}
        assert r.json()["extra"]["version"] == version + 1
    assert _posts() == ["556"]


def test_it_lets_the_first_save_into_a_report_opened_empty_use_version_0_or_its_version(tree, catalog, make_user):
    client = _api(make_user("secretary", tree.c1))
    opened = client.post(API, NEW, format="json").json()
    assert opened["version"] == 1 and opened["values"] == {}
    r = client.post(API, {**NEW, "values": {"POSTS": "7"}, "version": 0}, format="json")
    assert r.status_code == 201 and r.json()["values"] == {"POSTS": "7"}


def test_it_refuses_the_second_of_two_first_saves_on_the_entry_page(client, tree, catalog, make_user):
    user = make_user("secretary", tree.c1)
    client.force_login(user)
    assert client.post(PAGE, {"version": "0", "v_POSTS": "555", "action": "save"}).status_code == 302
    # A second page opened before the report existed (version 0) does not overwrite it.
    r = client.post(PAGE, {"version": "0", "v_POSTS": "1", "action": "save"})
    assert r.status_code == 409
    page = r.content.decode()
    assert "someone else saved this report meanwhile" in page or "vừa được người khác lưu" in page
    assert 'value="1"' in page  # what was typed is kept on the page
    assert Submission.objects.count() == 1 and _posts() == ["555"]


def test_it_refuses_a_second_first_save_through_the_api_after_the_page(client, tree, catalog, make_user):
    user = make_user("secretary", tree.c1)
    client.force_login(user)
    assert client.post(PAGE, {"version": "0", "v_POSTS": "555", "action": "save"}).status_code == 302
    r = _api(user).post(API, {**NEW, "values": {"POSTS": "1"}, "version": 0}, format="json")
    assert r.status_code == 409 and _posts() == ["555"]


# --- Two first saves at once (PostgreSQL: two connections) ---------------------------------------------------


def _race(monkeypatch, target, name, calls):
    """Run `calls` in parallel threads, all released together just before `target.name` runs."""
    barrier = threading.Barrier(len(calls), timeout=20)
    original = getattr(target, name)

    def gated(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, gated)

    def run(call):
        try:
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _needs_two_connections():
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite is one connection; the sequential tests cover its serialised writers")


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_concurrent_first_api_saves_win(monkeypatch, tree, catalog, make_user):
    _needs_two_connections()
    users = [make_user("secretary", tree.c1) for _ in range(2)]

    def save(user, value):
        return lambda: _api(user).post(API, {**NEW, "values": {"POSTS": value}, "version": 0}, format="json")

    answers = _race(monkeypatch, services, "submission_open", [save(users[0], "555"), save(users[1], "1")])
    codes = sorted(r.status_code for r in answers)
    assert codes == [201, 409], [r.content[:200] for r in answers]
    winner = next(r for r in answers if r.status_code == 201).json()["values"]["POSTS"]
    assert Submission.objects.count() == 1 and _posts() == [winner.replace(".", "")]


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_concurrent_first_page_saves_win(monkeypatch, tree, catalog, make_user):
    _needs_two_connections()
    users = [make_user("secretary", tree.c1) for _ in range(2)]

    def save(user, value):
        def call():
            client = Client()
            client.force_login(user)
            return client.post(PAGE, {"version": "0", "v_POSTS": value, "action": "save"})

        return call

    answers = _race(monkeypatch, services, "submission_open", [save(users[0], "555"), save(users[1], "1")])
    assert sorted(r.status_code for r in answers) == [302, 409]
    assert Submission.objects.count() == 1 and len(_posts()) == 1


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_concurrent_stale_api_saves_win(monkeypatch, tree, catalog, make_user):
    _needs_two_connections()
    user = make_user("secretary", tree.c1)
    version = _api(user).post(API, {**NEW, "values": {"POSTS": "5"}}, format="json").json()["version"]

    def save(value):
        return lambda: _api(user).post(API, {**NEW, "values": {"POSTS": value}, "version": version}, format="json")

    answers = _race(monkeypatch, services, "submission_save_draft", [save("555"), save("1")])
    assert sorted(r.status_code for r in answers) == [201, 409]
    assert _posts() in (["555"], ["1"])


# --- The consolidated draft -----------------------------------------------------------------------------------


def _consolidated(committees, catalog):
    committee = committees["38"]
    return committee, {"committee": committee.pk, "period": "2025-07", "form": catalog.weekly.code}


def test_it_gives_the_version_get_shows_to_put(tree, catalog, committees, make_user):
    committee, key = _consolidated(committees, catalog)
    client = _api(make_user("approver", tree.p1))
    url = f"/api/v1/reports/consolidated/?committee={committee.pk}&period=2025-07&form=W35"
    shown = client.get(url).json()["draft"]["version"]
    assert shown == 0
    r = client.put("/api/v1/reports/consolidated/", {**key, "version": shown, "subject": "A"}, format="json")
    assert r.status_code == 200, r.json()
    shown = client.get(url).json()["draft"]["version"]
    assert shown == r.json()["version"] == 1
    r = client.patch("/api/v1/reports/consolidated/", {**key, "version": shown, "subject": "B"}, format="json")
    assert r.status_code == 200 and r.json()["version"] == 2
    r = client.put("/api/v1/reports/consolidated/", {**key, "version": shown, "subject": "C"}, format="json")
    assert r.status_code == 409 and r.json()["extra"]["subject"] == "B"


def test_it_answers_the_second_first_consolidated_save_with_a_conflict(tree, catalog, committees):
    committee, _key = _consolidated(committees, catalog)
    a = consolidated.report_find_or_build(committee=committee, form=catalog.weekly, period="2025-07")
    b = consolidated.report_find_or_build(committee=committee, form=catalog.weekly, period="2025-07")
    consolidated.report_save(report=a, expected_version=a.version, subject="A")
    with pytest.raises(Conflict):
        consolidated.report_save(report=b, expected_version=b.version, subject="B")
    assert list(ConsolidatedReport.objects.values_list("subject", flat=True)) == ["A"]


@pytest.mark.django_db(transaction=True)
def test_it_never_answers_500_on_two_concurrent_first_consolidated_saves(
    monkeypatch, tree, catalog, committees, make_user
):
    _needs_two_connections()
    _committee, key = _consolidated(committees, catalog)
    users = [make_user("approver", tree.p1) for _ in range(2)]

    def save(user, subject):
        def call():
            client = _api(user)
            return client.put("/api/v1/reports/consolidated/", {**key, "version": 0, "subject": subject}, format="json")

        return call

    # Released together after each has found no saved report: both go on to the first insert.
    answers = _race(monkeypatch, ConsolidatedReport, "full_clean", [save(users[0], "A"), save(users[1], "B")])
    assert sorted(r.status_code for r in answers) == [200, 409], [r.content[:300] for r in answers]
    assert ConsolidatedReport.objects.count() == 1


def test_it_lets_one_of_two_concurrent_first_saves_win_on_a_sqlite_file(tmp_path):
    """The same races on a SQLite file (WAL, IMMEDIATE transactions), as `make run` uses it: in a subprocess,
    since the tests' in-memory SQLite cannot hold two connections. Run in the SQLite half of the suite."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    if connection.vendor != "sqlite":
        pytest.skip("a SQLite-file test: the PostgreSQL half runs the threaded tests above")
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'giaoban.sqlite3'}",
        "GIAOBAN_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": str(root),
    }
    done = subprocess.run(  # noqa: S603 (our own script, with the interpreter running the tests)
        [sys.executable, str(root / "tests" / "reporting" / "sqlite_race.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome == {"report": [201, 409], "reports": 1, "values": 1, "draft": [200, 409], "drafts": 1}
