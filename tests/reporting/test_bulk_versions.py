"""Approving several reports at once approves what the approver saw: the versions they loaded travel with the
ids (API items [{id, version}], the queue page's hidden fields), and a report changed since stops the whole
batch with 409 stale_version naming it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from giaoban.reporting import services
from giaoban.reporting.models import Submission

from .helpers import at

QUEUE = "/reports/queue/"
API = "/api/v1/submissions/approve/"


@pytest.fixture
def three(tree, catalog, report):
    return [
        report(u, catalog.weekly, "2025W10", {"POSTS": str(n)}, when=at(2025, 3, 10))
        for n, u in enumerate((tree.c1, tree.c2, tree.c3), 1)
    ]


def _return_and_resubmit(s: Submission, posts: str) -> Submission:
    """What a secretary does between the approver's loading the queue and approving: the report is returned,
    its figures changed and submitted again, so it is 'submitted' again but not what the approver saw."""
    s = services.submission_return(submission=s, reason="Sai số")
    return services.submission_submit(submission=s, values={"POSTS": posts}, expected_version=s.version)


def _statuses(subs) -> set[str]:
    return set(Submission.objects.filter(pk__in=[s.pk for s in subs]).values_list("status", flat=True))


@pytest.fixture
def api(tree, make_user):
    client = APIClient()
    client.force_authenticate(make_user("approver", tree.p1))
    return client


def test_it_approves_the_versions_the_approver_saw_through_the_api(api, three):
    items = [{"id": s.pk, "version": s.version} for s in three]
    r = api.post(API, {"items": items}, format="json")
    assert r.status_code == 200 and r.json() == {"approved": sorted(s.pk for s in three), "count": 3}
    assert _statuses(three) == {"approved"}


def test_it_refuses_the_whole_batch_when_one_report_changed_since_it_was_loaded(api, three):
    seen = [{"id": s.pk, "version": s.version} for s in three]
    changed = _return_and_resubmit(three[1], "900")
    r = api.post(API, {"items": seen}, format="json")
    body = r.json()
    assert r.status_code == 409 and body["code"] == "stale_version" and set(body) == {"message", "code", "extra"}
    assert body["extra"]["stale"] == [changed.pk]
    [row] = body["extra"]["errors"]
    assert row["id"] == changed.pk and row["code"] == "stale_version" and row["unit"] == changed.unit.name
    assert row["expected"] == seen[1]["version"] and row["version"] == changed.version
    assert _statuses(three) == {"submitted"}  # nothing approved, the unchanged two neither
    # With the version it has now (the approver looked again), the batch goes through.
    seen[1]["version"] = changed.version
    assert api.post(API, {"items": seen}, format="json").status_code == 200
    assert _statuses(three) == {"approved"}


@pytest.mark.usefixtures("compiled_locale")
def test_it_says_which_reports_changed_in_the_requests_language(api, three):
    seen = [{"id": s.pk, "version": s.version} for s in three]
    _return_and_resubmit(three[0], "900")
    vi = api.post(API, {"items": seen}, format="json").json()
    assert "đã thay đổi sau khi bạn mở danh sách" in vi["message"]
    en = api.post(API, {"items": seen}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["code"] == "stale_version" and "changed since you loaded the list" in en["message"]
    assert "đã" not in en["message"] and en["extra"]["errors"][0]["message"].startswith("Changed since you loaded")


def test_it_still_takes_plain_ids_and_checks_the_items_shape(api, three):
    # The single approval's version is optional, so plain ids (no check) keep working for old clients.
    assert api.post(API, {"ids": [three[0].pk]}, format="json").status_code == 200
    assert api.post(API, {"items": [{"id": three[1].pk}]}, format="json").status_code == 200
    both = api.post(API, {"ids": [three[2].pk], "items": [{"id": three[2].pk, "version": 1}]}, format="json")
    assert both.status_code == 400 and set(both.json()) == {"message", "code", "extra"}
    assert api.post(API, {}, format="json").status_code == 400
    assert api.post(API, {"items": [{"version": 3}]}, format="json").status_code == 400


def test_a_stale_version_outweighs_other_refusals_and_lists_them_all(api, tree, catalog, report, three):
    seen = [{"id": s.pk, "version": s.version} for s in three]
    approved = report(tree.c1, catalog.weekly, "2025W11", {"POSTS": "2"}, status="approved")
    _return_and_resubmit(three[2], "901")
    r = api.post(API, {"items": [*seen, {"id": approved.pk, "version": approved.version}]}, format="json")
    body = r.json()
    assert r.status_code == 409 and body["extra"]["stale"] == [three[2].pk]
    assert {e["id"]: e["code"] for e in body["extra"]["errors"]} == {
        three[2].pk: "stale_version",
        approved.pk: "invalid",
    }


def test_the_queue_page_sends_the_versions_it_rendered(client, tree, three, make_user):
    client.force_login(make_user("approver", tree.p1))
    html = client.get(QUEUE).content.decode()
    for s in three:
        assert f'name="version-{s.pk}" value="{s.version}"' in html
    form = {"ids": [s.pk for s in three], **{f"version-{s.pk}": s.version for s in three}}
    assert client.post(QUEUE, form).status_code == 302
    assert _statuses(three) == {"approved"}


def test_the_queue_page_names_the_reports_that_changed_and_approves_nothing(client, tree, three, make_user):
    client.force_login(make_user("approver", tree.p1))
    form = {"ids": [s.pk for s in three], **{f"version-{s.pk}": s.version for s in three}}
    changed = _return_and_resubmit(three[0], "950")
    response = client.post(QUEUE, form)
    html = response.content.decode()
    assert response.status_code == 409 and 'id="queue-error"' in html
    error = html[html.index('id="queue-error"') : html.index("</div>", html.index('id="queue-error"'))]
    assert "đã thay đổi sau khi bạn mở danh sách" in error and changed.unit.name in error
    row = html[html.index(f'data-id="{changed.pk}"') :]
    row = row[: row.index("</tr>")]
    assert (
        "table-danger" in html[html.index(f'data-id="{changed.pk}"') - 60 : html.index(f'data-id="{changed.pk}"') + 80]
    )
    assert "row-error" in row and " checked" not in row  # unticked: looked at again before approving
    assert f'name="version-{changed.pk}" value="{changed.version}"' in row  # the new version, for the next try
    other = html[html.index(f'data-id="{three[1].pk}"') :]
    assert " checked" in other[: other.index("</tr>")]  # the others stay ticked
    assert _statuses(three) == {"submitted"}
    # Approved once re-ticked with what the page now shows.
    again = {
        "ids": [s.pk for s in three],
        **{f"version-{s.pk}": Submission.objects.get(pk=s.pk).version for s in three},
    }
    assert client.post(QUEUE, again).status_code == 302
    assert _statuses(three) == {"approved"}
