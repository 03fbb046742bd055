"""Sending a directive down (chosen committees, or every committee below), the receivers' incoming register lines,
and the implementation record: implementing document registered, reported done."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giaoban.core.errors import Conflict, Forbidden, ServiceError
from giaoban.documents.models import Cascade, Document, IncomingEntry, Relation
from giaoban.documents.services.cascades import (
    ImplementingInput,
    cascade_implement,
    cascade_report_done,
    cascade_send,
    committees_below,
    incoming_serials_draw,
)
from giaoban.documents.services.numbering import document_register_outgoing, number_draw
from giaoban.orgs import services as org_services
from giaoban.orgs.models import Committee
from giaoban.work.models import Notification

from .conftest import DUE, SENT


def send_below(world, **kw):
    return cascade_send(document=world.directive, sender=world.province, below=True, due_on=DUE, sent_on=SENT, **kw)


def test_it_sends_to_every_standing_committee_below_with_a_line_in_each_incoming_register(world):
    summary = send_below(world, actor=world.approver)
    assert sorted(c.committee_id for c in summary.sent) == sorted([world.n1.pk, world.n2.pk])
    assert summary.skipped == []
    for c in Cascade.objects.filter(document=world.directive).select_related("entry", "committee__org_unit"):
        assert (c.status, c.due_on, c.sent_on, c.sender_id) == ("received", DUE, SENT, world.province.pk)
        assert c.unit_path == c.committee.org_unit.path
        assert (c.entry.committee_id, c.entry.serial, c.entry.year) == (c.committee_id, 1, 2026)
        assert (c.entry.received_on, c.entry.deadline) == (SENT, DUE)
        assert c.sent_by == world.approver
    # The closed district's dissolved committee and the other province's commune get nothing.
    assert not Cascade.objects.filter(committee__in=[world.old_district, world.q1]).exists()
    assert IncomingEntry.history.filter(document=world.directive).count() == 2


def test_the_receivers_serial_continues_its_own_incoming_series(world):
    for _ in range(4):
        number_draw(committee=world.n1, key="in", year=2026)
    send_below(world)
    serials = dict(IncomingEntry.objects.filter(document=world.directive).values_list("committee_id", "serial"))
    assert serials == {world.n1.pk: 5, world.n2.pk: 1}
    assert number_draw(committee=world.n1, key="in", year=2026) == 6


def test_it_sends_to_chosen_committees_and_skips_those_that_have_it(world):
    first = cascade_send(document=world.directive, sender=world.province, committees=[world.n1.pk], sent_on=SENT)
    assert [c.committee_id for c in first.sent] == [world.n1.pk]
    again = send_below(world)
    assert [c.committee_id for c in again.sent] == [world.n2.pk]
    assert again.skipped == [world.n1.pk]
    assert Cascade.objects.filter(document=world.directive).count() == 2
    third = send_below(world)
    assert third.sent == [] and sorted(third.skipped) == sorted([world.n1.pk, world.n2.pk])


@pytest.mark.parametrize("who", ["other_province_commune", "province_itself", "dissolved"])
def test_it_refuses_a_committee_that_is_not_a_standing_one_below(world, who):
    target = {"other_province_commune": world.q1, "province_itself": world.province, "dissolved": world.old_district}
    with pytest.raises(ServiceError) as caught:
        cascade_send(document=world.directive, sender=world.province, committees=[target[who].pk], sent_on=SENT)
    assert caught.value.code == "not_below"
    assert not Cascade.objects.exists()


def test_it_refuses_a_document_outside_the_senders_register_and_bad_input(world):
    with pytest.raises(ServiceError) as caught:
        cascade_send(document=world.other_directive, sender=world.province, below=True, sent_on=SENT)
    assert caught.value.code == "not_in_register"
    with pytest.raises(ServiceError):
        cascade_send(document=world.directive, sender=world.province, sent_on=SENT)  # neither
    with pytest.raises(ServiceError):
        cascade_send(document=world.directive, sender=world.province, committees=[], sent_on=SENT)
    with pytest.raises(ServiceError) as caught:
        cascade_send(document=world.directive, sender=world.province, below=True, sent_on=SENT, due_on=date(2026, 3, 1))
    assert "due_on" in caught.value.extra["fields"]


def test_only_someone_who_acts_for_the_sender_may_send(world):
    for user in (world.viewer, world.n1_secretary, world.outsider):
        with pytest.raises(Forbidden):
            send_below(world, actor=user)
    assert len(send_below(world, actor=world.secretary).sent) == 2


def test_a_committee_passes_on_a_directive_it_received(world, tree):
    national = Committee.objects.create(name="Ban Chỉ đạo 35 Trung ương", short_name="BCĐ 35", org_unit=tree.vn)
    central = document_register_outgoing(
        committee=national, type="huong_dan", on=date(2026, 2, 1), subject="Hướng dẫn triển khai"
    )
    down = cascade_send(document=central, sender=national, committees=[world.province.pk], sent_on=date(2026, 2, 2))
    assert [c.committee_id for c in down.sent] == [world.province.pk]
    on = cascade_send(document=central, sender=world.province, below=True, sent_on=SENT)
    assert sorted(c.committee_id for c in on.sent) == sorted([world.n1.pk, world.n2.pk])
    # The centre sending "below" later reaches the other province and its commune, not those that have it.
    later = cascade_send(document=central, sender=national, below=True, sent_on=SENT)
    assert sorted(c.committee_id for c in later.sent) == sorted([world.other.pk, world.q1.pk])
    assert sorted(later.skipped) == sorted([world.province.pk, world.n1.pk, world.n2.pk])


def test_it_tells_the_receiving_units_secretaries(world):
    send_below(world)
    notes = Notification.objects.filter(user=world.n1_secretary)
    assert notes.count() == 1 and world.directive.number_symbol in notes.get().text
    c = Cascade.objects.get(document=world.directive, committee=world.n1)
    assert notes.get().url == f"/documents/cascades/{c.pk}/"
    send_below(world)  # nothing new: no second notice
    assert notes.count() == 1


def test_it_sends_to_more_committees_in_the_same_number_of_queries(world, tree):
    def run(doc):
        with CaptureQueriesContext(connection) as q:
            cascade_send(document=doc, sender=world.province, below=True, sent_on=SENT)
        return len(q)

    few = run(world.directive)
    for i in range(40):
        unit = org_services.orgunit_create(
            code=f"{16000 + i}", name=f"Xã Thử {i}", kind="commune", subtype="xa", parent=tree.p1,
            valid_from=date(2025, 7, 1),
        )  # fmt: skip
        Committee.objects.create(name=f"Ban Chỉ đạo 35 Xã Thử {i}", short_name="BCĐ 35", org_unit=unit)
    second = document_register_outgoing(committee=world.province, type="cong_van", on=SENT, subject="Công văn")
    assert run(second) == few
    assert Cascade.objects.filter(document=second).count() == 42
    assert committees_below(world.province, SENT).count() == 42


def test_incoming_serials_are_drawn_for_many_committees_at_once(world):
    number_draw(committee=world.n2, key="in", year=2027)
    assert incoming_serials_draw([world.n1.pk, world.n2.pk], 2027) == {world.n1.pk: 1, world.n2.pk: 2}
    assert incoming_serials_draw([world.n2.pk], 2027) == {world.n2.pk: 3}


# --- implementation ---------------------------------------------------------------------------------------


def received(world, committee):
    send_below(world)
    return Cascade.objects.get(document=world.directive, committee=committee)


def test_the_receiver_registers_a_new_implementing_document_numbered_from_its_series(world):
    c = received(world, world.n1)
    new = ImplementingInput(type="ke_hoach", date=date(2026, 3, 10), subject="Kế hoạch thực hiện của xã")
    c = cascade_implement(cascade=c, new=new, actor=world.n1_secretary, expected_version=0)
    doc = c.implementing_document
    assert (c.status, c.implemented_on, c.version) == ("implementing", date(2026, 3, 10), 1)
    assert (doc.committee_id, doc.direction, doc.number_symbol) == (world.n1.pk, "outgoing", "01-KH/BCĐ")
    assert Relation.objects.filter(source=doc, target=world.directive, kind="implements").exists()
    assert "01-KH/BCĐ" in IncomingEntry.objects.get(pk=c.entry_id).progress


def test_the_receiver_may_give_one_of_its_outgoing_documents_and_change_it_until_done(world):
    c = received(world, world.n1)
    mine = document_register_outgoing(committee=world.n1, type="cong_van", on=date(2026, 3, 5), subject="CV")
    c = cascade_implement(cascade=c, document=mine, actor=world.n1_secretary)
    other = document_register_outgoing(committee=world.n1, type="ke_hoach", on=date(2026, 3, 6), subject="KH")
    c = cascade_implement(cascade=c, document=other)
    assert c.implementing_document == other and c.implemented_on == date(2026, 3, 6)
    assert list(Relation.objects.filter(target=world.directive).values_list("source_id", flat=True)) == [other.pk]
    c = cascade_report_done(cascade=c, actor=world.n1_secretary, done_on=date(2026, 3, 20))
    assert (c.status, c.done_on) == ("done", date(2026, 3, 20))
    with pytest.raises(Conflict):
        cascade_implement(cascade=c, document=mine)
    with pytest.raises(Conflict):
        cascade_report_done(cascade=c)


def test_it_refuses_an_implementing_document_of_another_register(world):
    c = received(world, world.n1)
    theirs = document_register_outgoing(committee=world.n2, type="cong_van", on=date(2026, 3, 5), subject="CV")
    for doc in (theirs, world.directive):
        with pytest.raises(ServiceError):
            cascade_implement(cascade=c, document=doc)
    with pytest.raises(ServiceError) as caught:
        cascade_implement(cascade=c, new=ImplementingInput(subject="", date=None))
    assert set(caught.value.extra["fields"]) >= {"subject", "date"}
    assert Cascade.objects.get(pk=c.pk).status == "received"


def test_done_needs_an_implementing_document_and_the_receivers_right(world):
    c = received(world, world.n1)
    with pytest.raises(ServiceError) as caught:
        cascade_report_done(cascade=c)
    assert caught.value.code == "not_implemented"
    new = ImplementingInput(date=date(2026, 3, 10), subject="KH")
    for user in (world.n2_secretary, world.viewer, world.outsider):
        with pytest.raises(Forbidden):
            cascade_implement(cascade=c, new=new, actor=user)
    # The province's secretary acts for a committee in its units.
    assert cascade_implement(cascade=c, new=new, actor=world.secretary).status == "implementing"


def test_it_refuses_a_stale_version(world):
    c = received(world, world.n1)
    cascade_implement(cascade=c, new=ImplementingInput(date=date(2026, 3, 10), subject="KH"))
    with pytest.raises(Conflict) as caught:
        cascade_report_done(cascade=c, expected_version=0)
    assert caught.value.extra == {"version": 1}
    assert Document.objects.filter(committee=world.n1).count() == 1
