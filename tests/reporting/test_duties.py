"""Segregation of duties: who submitted a report cannot approve or return it, on the pages and the API, unless
settings.SELF_APPROVAL_UNITS allows it for the unit."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from giaoban.core.errors import Forbidden
from giaoban.orgs.models import UserRole
from giaoban.reporting import services
from giaoban.reporting.models import Submission

ENTRY = "/reports/90001/W35/2025W10/"


@pytest.fixture
def both_roles(tree, make_user):
    """A district officer who is secretary and approver of old district 389."""
    user = make_user("secretary", tree.d1)
    UserRole.objects.create(user=user, role="approver", org_unit=tree.d1)
    return user


@pytest.fixture
def own_report(tree, catalog, both_roles):
    s = services.submission_open(unit=tree.c1, form=catalog.weekly, period="2025W10")
    return services.submission_submit(submission=s, actor=both_roles, values={"POSTS": "12"})


def test_it_refuses_the_submitter_approving_or_returning_in_the_service(own_report, both_roles):
    with pytest.raises(Forbidden, match="another approver"):
        services.submission_approve(submission=own_report, actor=both_roles)
    with pytest.raises(Forbidden):
        services.submission_return(submission=own_report, actor=both_roles, reason="Sai")
    assert Submission.objects.get().status == "submitted"


def test_it_refuses_the_submitter_through_the_api_with_a_clear_message(own_report, both_roles):
    client = APIClient()
    client.force_authenticate(both_roles)
    for action, body in (("approve", {}), ("return", {"reason": "Sai"})):
        r = client.post(f"/api/v1/submissions/{own_report.pk}/{action}/", body, format="json")
        assert r.status_code == 403 and "another approver must approve or return it" in r.json()["message"]
    assert Submission.objects.get().status == "submitted"


def test_it_hides_the_buttons_and_refuses_the_submitter_on_the_pages(client, own_report, both_roles):
    client.force_login(both_roles)
    page = client.get(ENTRY).content.decode()
    assert f"/submissions/{own_report.pk}/approve/" not in page and 'id="own-report"' in page
    status_page = client.get("/reports/389/W35/2025W10/status/").content.decode()
    assert f"/submissions/{own_report.pk}/approve/" not in status_page
    r = client.post(f"/submissions/{own_report.pk}/approve/", {"next": ENTRY}, follow=True)
    assert "another approver must approve or return it" in r.content.decode() or "người duyệt khác" in r.content.decode()
    assert Submission.objects.get().status == "submitted"


def test_it_lets_another_approver_approve(client, tree, own_report, make_user):
    other = make_user("approver", tree.d1)
    client.force_login(other)
    assert f"/submissions/{own_report.pk}/approve/" in client.get(ENTRY).content.decode()
    services.submission_approve(submission=own_report, actor=other)
    assert Submission.objects.get().status == "approved"


def test_it_allows_the_submitter_where_the_setting_lists_the_unit_or_one_above(settings, client, own_report, both_roles):
    settings.SELF_APPROVAL_UNITS = ["389"]
    client.force_login(both_roles)
    assert f"/submissions/{own_report.pk}/approve/" in client.get(ENTRY).content.decode()
    services.submission_return(submission=own_report, actor=both_roles, reason="Bổ sung")
    assert Submission.objects.get().status == "returned"


def test_it_does_not_allow_it_for_a_unit_the_setting_does_not_cover(settings, own_report, both_roles):
    settings.SELF_APPROVAL_UNITS = ["01"]
    with pytest.raises(Forbidden):
        services.submission_approve(submission=own_report, actor=both_roles)
