"""The cascade demo: Thanh Hóa's plan sent to its 166 communes' committees, some implemented, Xã Ngọc Lặc not."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from giaoban.documents import coverage as cov
from giaoban.documents import demo_cascades
from giaoban.documents.models import Cascade, Relation
from giaoban.orgs import demo as orgs_demo
from giaoban.orgs.models import OrgUnit
from giaoban.work import demo as work_demo

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        orgs_demo.load()
        work_demo.load(today=TODAY)
        summary = demo_cascades.load(today=TODAY)
        yield summary
        transaction.set_rollback(True)


def test_the_province_sent_its_plan_to_every_commune_and_some_implemented_it(loaded, db, django_user_model):
    assert loaded.sent == 166 and 0 < loaded.done < loaded.implemented < loaded.sent
    plan = Cascade.objects.values_list("document", flat=True).distinct().get()
    admin = django_user_model.objects.get(username="admin")
    province = OrgUnit.objects.get(code="38")
    from giaoban.documents.models import Document

    c = cov.coverage(admin, Document.objects.get(pk=plan), province, as_of=TODAY)
    assert (c.expected, c.implemented) == (166, loaded.implemented)
    assert c.total.overdue == 166 - loaded.implemented  # the deadline has passed
    assert Relation.objects.filter(target_id=plan, kind="implements").count() == loaded.implemented
    ngoc_lac = Cascade.objects.get(committee__org_unit__code="15061")
    assert ngoc_lac.status == "received" and ngoc_lac.entry.serial == 1
    assert ngoc_lac.sent_on < ngoc_lac.due_on < TODAY
