"""Writes on cascades: a committee sends a directive down to the committees below (all, or chosen); each receiving
committee finds it in its own incoming register and records its implementation: received -> implementing document
registered -> reported done.

Sending is bulk: a province sends to its 166 communes, the centre to 3,321, in a number of queries that does not
grow with the receivers (one lock and one UPDATE on the receivers' incoming series, bulk inserts, bulk notices).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from giaoban.core.access import PATH_END, Action, Role, can
from giaoban.core.errors import Conflict, Forbidden, ServiceError, full_clean_or_raise
from giaoban.orgs.models import Committee, OrgUnit, UserRole

from ..models import Cascade, Document, DocumentType, IncomingEntry, NumberSeries, Relation
from .numbering import INCOMING_SERIES, document_register_outgoing

__all__ = [
    "CascadeSummary",
    "ImplementingInput",
    "cascade_implement",
    "cascade_report_done",
    "cascade_send",
    "committees_below",
    "incoming_serials_draw",
    "may_implement",
    "may_send",
    "sender_for",
]

Status = Cascade.Status
BATCH = 500


def may_send(user, committee: Committee) -> bool:
    """Sending down is the committee's own work: Action.MEET at its unit (secretary, approver, admin)."""
    return can(user, Action.MEET, committee.org_unit.path)


def may_implement(user, cascade: Cascade) -> bool:
    """The receiving committee records its implementation: Action.MEET at the receiver's unit."""
    return can(user, Action.MEET, cascade.unit_path)


def _acting_user(actor) -> bool:
    # None is the system (demo, command line): the checks are for people.
    return actor is not None and getattr(actor, "is_authenticated", False)


def _valid_committees(on: date) -> Q:
    """Committees standing on `on` at a unit valid on `on`."""
    return (
        (Q(established_on__isnull=True) | Q(established_on__lte=on))
        & (Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
        & Q(org_unit__in=OrgUnit.objects.valid_on(on).values("pk"))
    )


def committees_below(committee: Committee, on: date) -> QuerySet[Committee]:
    """The committees of every unit strictly below the committee's, through all levels (province -> its communes,
    and any intermediate level present), that stand on `on` at a unit valid on `on`."""
    path = committee.org_unit.path
    return Committee.objects.filter(
        _valid_committees(on), org_unit__path__gt=path, org_unit__path__lt=path + PATH_END
    ).select_related("org_unit")


def sender_for(user, document: Document) -> Committee | None:
    """The committee that would send `document` for `user`: the committee whose register holds it (its author, or a
    committee that received it and passes it on) and whose unit the user may act on (Action.MEET); the highest one
    when several. None when there is none."""
    candidates = []
    if document.committee_id:
        candidates.append(document.committee)
    received = Committee.objects.filter(incoming_entries__document=document).select_related("org_unit")
    candidates += list(received)
    allowed = [c for c in candidates if c is not None and may_send(user, c)]
    return min(allowed, key=lambda c: (c.org_unit.path, c.pk)) if allowed else None


def _require_in_register(document: Document, sender: Committee) -> None:
    if document.committee_id == sender.pk:
        return
    if IncomingEntry.objects.filter(committee=sender, document=document).exists():
        return
    raise ServiceError(
        _("Văn bản không có trong sổ văn bản của Ban Chỉ đạo gửi (the document is not in the sender's register)."),
        {"fields": {"document": [_("Không có trong sổ (not in the register)")]}},
        code="not_in_register",
    )


def incoming_serials_draw(committee_ids: Sequence[int], year: int) -> dict[int, int]:
    """The next incoming number ("in" series) of the year for each committee, drawn for all of them at once: the
    series rows are made if missing, locked in id order (so two senders never deadlock), moved on by one in one
    UPDATE, and read back. Same rule as `numbering.number_draw`, in three statements per batch instead of three
    per committee; inside the caller's transaction, so a rollback gives the numbers back."""
    ids = sorted(set(committee_ids))
    if not ids:
        return {}
    out: dict[int, int] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        NumberSeries.objects.bulk_create(
            [NumberSeries(committee_id=c, key=INCOMING_SERIES, year=year) for c in chunk], ignore_conflicts=True
        )
        rows = NumberSeries.objects.filter(committee_id__in=chunk, key=INCOMING_SERIES, year=year)
        list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
        rows.update(last=F("last") + 1)
        out.update(rows.values_list("committee_id", "last"))
    return out


@dataclass
class CascadeSummary:
    """What one send did: the cascades made, and the committees skipped because they already had the directive."""

    document: Document
    sender: Committee
    sent: list[Cascade] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # committee ids
    due_on: date | None = None
    sent_on: date | None = None


def _chosen(sender: Committee, ids: Iterable[int], on: date) -> list[Committee]:
    ids = list(dict.fromkeys(int(i) for i in ids))
    if not ids:
        raise ServiceError(
            _("Chọn ít nhất một Ban Chỉ đạo cấp dưới (choose at least one committee below)."),
            {"fields": {"committees": [_("Bắt buộc (required)")]}},
        )
    found = {c.pk: c for c in committees_below(sender, on).filter(pk__in=ids)}
    wrong = [i for i in ids if i not in found]
    if wrong:
        raise ServiceError(
            _("Ban Chỉ đạo không ở cấp dưới hoặc không còn hoạt động (not a standing committee below): %(ids)s")
            % {"ids": ", ".join(str(i) for i in wrong)},
            {"fields": {"committees": wrong}},
            code="not_below",
        )
    return [found[i] for i in ids]


def _notify_receivers(cascades: list[Cascade], document: Document) -> int:
    """Tell the secretaries and approvers of each receiving unit (the bell and e-mail of work.notifications), in a
    fixed number of queries; one notice per (user, cascade)."""
    try:
        from giaoban.work.models import Notification
        from giaoban.work.services.notifications import notification_email_queue
    except ImportError:  # the work app is optional for the register
        return 0
    units = {c.committee.org_unit_id: c for c in cascades}
    roles = UserRole.objects.filter(
        role__in=[Role.SECRETARY, Role.APPROVER], org_unit_id__in=list(units), user__is_active=True
    ).values_list("org_unit_id", "user_id")
    users: dict[int, set[int]] = {}
    for unit_id, user_id in roles:
        users.setdefault(unit_id, set()).add(user_id)
    if not users:
        return 0
    text = _("Văn bản cấp trên gửi để triển khai: %(d)s") % {"d": f"{document} — {document.subject}"}
    rows = []
    for c in cascades:
        try:
            url = reverse("documents:cascade_detail", args=[c.pk])
        except NoReverseMatch:
            url = ""
        for user_id in sorted(users.get(c.committee.org_unit_id, ())):
            rows.append(
                Notification(
                    user_id=user_id, kind=Notification.Kind.ASSIGNED, key=f"cascade:{c.pk}", text=text[:500], url=url
                )
            )
    made = Notification.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    if made and all(n.pk for n in made):
        notification_email_queue(made)
    return len(made)


@transaction.atomic
def cascade_send(
    *,
    document: Document,
    sender: Committee,
    committees: Iterable[int] | None = None,
    below: bool = False,
    due_on: date | None = None,
    sent_on: date | None = None,
    actor=None,
    notify: bool = True,
) -> CascadeSummary:
    """Send `document` from `sender` to the chosen committees below (ids) or to every committee below (`below`).
    Each receiver gets a Cascade (received, with the deadline) and a line in its own incoming register (its next
    incoming number of the year, received on the day sent); a committee that already has the directive is skipped.
    The document must be in the sender's register: its own, or one it received and passes on."""
    if _acting_user(actor) and not may_send(actor, sender):
        raise Forbidden(_("Chỉ Ban Chỉ đạo gửi mới làm được việc này (only the sending committee may do this)."))
    if (committees is None) == (not below):
        raise ServiceError(
            _("Chọn gửi tất cả cấp dưới hoặc chọn Ban Chỉ đạo (send to all below, or choose committees)."),
            {"fields": {"committees": [_("Chọn một trong hai (choose one)")], "below": [_("Chọn một trong hai")]}},
        )
    _require_in_register(document, sender)
    sent_on = sent_on or timezone.localdate()
    if due_on is not None and due_on < sent_on:
        raise ServiceError(
            _("Thời hạn trước ngày gửi (the deadline is before the day sent)."),
            {"fields": {"due_on": [_("Không hợp lệ (invalid)")]}},
        )
    if sent_on < document.date:
        raise ServiceError(
            _("Ngày gửi trước ngày ban hành văn bản (sent before the document's date)."),
            {"fields": {"sent_on": [_("Không hợp lệ (invalid)")]}},
        )
    receivers = list(committees_below(sender, sent_on)) if below else _chosen(sender, committees or (), sent_on)
    summary = CascadeSummary(document=document, sender=sender, due_on=due_on, sent_on=sent_on)
    already = set(Cascade.objects.filter(document=document).values_list("committee_id", flat=True))
    summary.skipped = [c.pk for c in receivers if c.pk in already]
    receivers = [c for c in receivers if c.pk not in already and c.pk != document.committee_id]
    if not receivers:
        return summary
    creator = actor if getattr(actor, "pk", None) else None
    # A receiver that has the document in its register already (typed in by its clerk) keeps that line.
    entries = dict(
        IncomingEntry.objects.filter(document=document, committee__in=receivers).values_list("committee_id", "pk")
    )
    new = [c for c in receivers if c.pk not in entries]
    serials = incoming_serials_draw([c.pk for c in new], sent_on.year)
    made = [
        IncomingEntry(
            committee=c,
            document=document,
            year=sent_on.year,
            serial=serials[c.pk],
            received_on=sent_on,
            deadline=due_on,
            notes=_("Cấp trên gửi để triển khai: %(s)s") % {"s": sender.name},
            created_by=creator,
        )
        for c in new
    ]
    if made:
        full_clean_or_raise(made[0], exclude=["year", "serial", "committee", "document"])
        made = bulk_create_with_history(made, IncomingEntry, batch_size=BATCH, default_user=creator)
        if not all(e.pk for e in made):  # a backend that does not return ids from a bulk insert
            made = list(IncomingEntry.objects.filter(document=document, committee__in=new))
        entries.update({e.committee_id: e.pk for e in made})
    cascades = [
        Cascade(
            document=document,
            sender=sender,
            committee=c,
            unit_path=c.org_unit.path,
            entry_id=entries[c.pk],
            status=Status.RECEIVED,
            due_on=due_on,
            sent_on=sent_on,
            sent_by=creator,
        )
        for c in receivers
    ]
    full_clean_or_raise(cascades[0], exclude=["document", "sender", "committee", "entry", "unit_path"])
    Cascade.objects.bulk_create(cascades, batch_size=BATCH)
    if not all(c.pk for c in cascades):
        by_committee = dict(Cascade.objects.filter(document=document).values_list("committee_id", "pk"))
        for c in cascades:
            c.pk = by_committee[c.committee_id]
    summary.sent = cascades
    if notify:
        _notify_receivers(cascades, document)
    return summary


def _lock(cascade: Cascade, expected_version: int | None) -> Cascade:
    locked = (
        Cascade.objects.select_for_update(of=("self",))
        .select_related("committee__org_unit", "document", "sender")
        .get(pk=cascade.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Bản ghi vừa được người khác cập nhật; hãy tải lại (changed by someone else meanwhile; reload)."),
            {"version": locked.version},
            code="stale_version",
        )
    return locked


def _require_implementer(actor, cascade: Cascade) -> None:
    if _acting_user(actor) and not may_implement(actor, cascade):
        raise Forbidden(
            _("Chỉ Ban Chỉ đạo nhận văn bản mới làm được việc này (only the receiving committee may do this).")
        )


@dataclass
class ImplementingInput:
    """The fields of an implementing document to register in the receiving committee's outgoing register.
    `number` empty: the next number of the committee's running series."""

    type: str = DocumentType.KE_HOACH
    date: date | None = None
    subject: str = ""
    number: int | None = None
    signer: str = ""


def _implementing_document(cascade: Cascade, document: Document | None, new: ImplementingInput | None, actor):
    if (document is None) == (new is None):
        raise ServiceError(
            _("Chọn văn bản triển khai đã có hoặc nhập văn bản mới (give a document or the fields of a new one)."),
            {"fields": {"document": [_("Bắt buộc (required)")]}},
        )
    if document is not None:
        if document.committee_id != cascade.committee_id or document.direction != Document.Direction.OUTGOING:
            raise ServiceError(
                _(
                    "Văn bản triển khai phải là văn bản đi của Ban Chỉ đạo nhận "
                    "(the implementing document must be an outgoing document of the receiving committee)."
                ),
                {"fields": {"document": [_("Không thuộc sổ văn bản đi của Ban (not in its outgoing register)")]}},
                code="not_in_register",
            )
        if document.pk == cascade.document_id:
            raise ServiceError(
                _("Văn bản triển khai không thể là chính văn bản được gửi (it cannot implement itself)."),
                {"fields": {"document": [_("Không hợp lệ (invalid)")]}},
            )
        return document
    errors = {}
    if not (new.subject or "").strip():
        errors["subject"] = [_("Bắt buộc (required)")]
    if new.date is None:
        errors["date"] = [_("Bắt buộc (required)")]
    if new.type not in DocumentType.values:
        errors["type"] = [_("Không hợp lệ (invalid)")]
    if errors:
        raise ServiceError(next(iter(errors.values()))[0], {"fields": errors})
    return document_register_outgoing(
        committee=cascade.committee,
        type=new.type,
        on=new.date,
        subject=new.subject.strip(),
        number=new.number,
        signer=(new.signer or "").strip(),
        actor=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def cascade_implement(
    *,
    cascade: Cascade,
    document: Document | None = None,
    new: ImplementingInput | None = None,
    actor=None,
    expected_version: int | None = None,
) -> Cascade:
    """The receiving committee registers the document by which it implements the directive: one of its outgoing
    register (`document`), or a new one numbered from its series (`new`). The cascade becomes "implementing" as of
    that document's date, and the document is related to the directive (implements). Registering another one
    replaces it until the cascade is reported done."""
    cascade = _lock(cascade, expected_version)
    _require_implementer(actor, cascade)
    if cascade.status == Status.DONE:
        raise Conflict(
            _("Đã báo cáo hoàn thành; không đổi văn bản triển khai (already reported done)."), code="already_done"
        )
    doc = _implementing_document(cascade, document, new, actor)
    if doc.date < cascade.sent_on:
        raise ServiceError(
            _("Văn bản triển khai ban hành trước ngày nhận (issued before the directive was received)."),
            {"fields": {"date": [_("Không hợp lệ (invalid)")]}},
        )
    if cascade.implementing_document_id and cascade.implementing_document_id != doc.pk:
        Relation.objects.filter(
            source_id=cascade.implementing_document_id, target=cascade.document, kind=Relation.Kind.IMPLEMENTS
        ).delete()
    Relation.objects.get_or_create(source=doc, target=cascade.document, kind=Relation.Kind.IMPLEMENTS)
    cascade.status = Status.IMPLEMENTING
    cascade.implementing_document = doc
    cascade.implemented_on = doc.date
    cascade.version += 1
    cascade.save(update_fields=["status", "implementing_document", "implemented_on", "version"])
    _entry_progress(
        cascade,
        _("Đã ban hành văn bản triển khai số %(n)s ngày %(d)s")
        % {"n": doc.number_symbol or doc.pk, "d": doc.date.strftime("%d/%m/%Y")},
    )
    return cascade


@transaction.atomic
def cascade_report_done(
    *, cascade: Cascade, actor=None, done_on: date | None = None, expected_version: int | None = None
) -> Cascade:
    """The receiving committee reports the directive done (after registering its implementing document)."""
    cascade = _lock(cascade, expected_version)
    _require_implementer(actor, cascade)
    if cascade.status == Status.DONE:
        raise Conflict(_("Đã báo cáo hoàn thành (already reported done)."), code="already_done")
    if cascade.implementing_document_id is None:
        raise ServiceError(
            _("Hãy đăng ký văn bản triển khai trước (register the implementing document first)."),
            {"fields": {"document": [_("Bắt buộc (required)")]}},
            code="not_implemented",
        )
    done_on = done_on or timezone.localdate()
    if cascade.implemented_on and done_on < cascade.implemented_on:
        raise ServiceError(
            _("Ngày hoàn thành trước ngày ban hành văn bản triển khai (done before the implementing document)."),
            {"fields": {"done_on": [_("Không hợp lệ (invalid)")]}},
        )
    cascade.status, cascade.done_on = Status.DONE, done_on
    cascade.version += 1
    cascade.save(update_fields=["status", "done_on", "version"])
    _entry_progress(cascade, _("Đã báo cáo hoàn thành ngày %(d)s") % {"d": done_on.strftime("%d/%m/%Y")})
    _notify_sender(cascade)
    return cascade


def _entry_progress(cascade: Cascade, line: str) -> None:
    """The incoming register's "tiến độ giải quyết" column follows the implementation record."""
    if cascade.entry_id is None:
        return
    entry = IncomingEntry.objects.select_for_update().get(pk=cascade.entry_id)
    entry.progress = (entry.progress + "\n" + line).strip() if entry.progress else line
    entry.save(update_fields=["progress"])


def _notify_sender(cascade: Cascade) -> None:
    """The sender's approvers (and whoever sent it) hear that a committee below reported done."""
    try:
        from giaoban.work.services.notifications import notify
    except ImportError:
        return
    roles = UserRole.objects.filter(role=Role.APPROVER, org_unit_id=cascade.sender.org_unit_id)
    ids = set(roles.values_list("user_id", flat=True))
    if cascade.sent_by_id:
        ids.add(cascade.sent_by_id)
    users = get_user_model().objects.filter(pk__in=ids, is_active=True)
    try:
        url = reverse("documents:coverage", args=[cascade.document_id])
    except NoReverseMatch:
        url = ""
    text = _("%(c)s báo cáo hoàn thành triển khai %(d)s") % {"c": cascade.committee.name, "d": cascade.document}
    notify(users, kind="reported_done", key=f"cascade-done:{cascade.pk}", text=text, url=url)
