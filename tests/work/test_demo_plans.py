"""The plans demo: Thanh Hóa's plan for the year, issued with its tasks, targets on the demo indicators partly met."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from giaoban.orgs import demo as orgs_demo
from giaoban.reporting import demo as reporting_demo
from giaoban.work import demo, demo_plans
from giaoban.work.models import Plan, Task
from giaoban.work.plans import plan_progress

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        orgs_demo.load()
        reporting_demo.load(today=TODAY)
        demo.load(today=TODAY)
        summary = demo_plans.load(today=TODAY)
        yield summary
        transaction.set_rollback(True)


def test_it_issues_thanh_hoas_plan_with_targets_partly_met(loaded, db):
    plan = Plan.objects.get(committee__org_unit__code="38", year=2026)
    assert plan.status == "issued" and plan.number.endswith("-KH/BCĐ") and plan.document_id
    assert Task.objects.filter(plan_item__plan=plan).count() == plan.items.count() == 5
    progress = {p.target.indicator.code: p for p in plan_progress(plan, TODAY)}
    assert set(progress) == {"COMMUNE_POSTS", "ZALO_MEMBERS", "ORIGINAL_SHARE", "TRAININGS"}
    reached = {code for code, p in progress.items() if p.reached}
    assert reached == {"ZALO_MEMBERS", "ORIGINAL_SHARE"}
    assert all(p.value for p in progress.values())
    proposed = Task.objects.filter(plan_item__plan=plan, state="reported")
    assert {t.plan_item.target.indicator.code for t in proposed} == reached
    assert loaded.proposed == 2 and loaded.meetings >= 1
    assert Plan.objects.filter(committee__org_unit__code="38", year=2027, status="draft").exists()
