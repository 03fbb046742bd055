"""Writes on meetings: scheduling and inviting, attendance and minutes, the conclusion notice and its issue.

Rules from QĐ 45/2018/QĐ-TTg: the invitation goes out at least 3 working days before the meeting (sending
it later is allowed but flagged); the conclusion notice is due within 5 working days of the meeting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.errors import Conflict, RowErrors, ServiceError, full_clean_or_raise
from giaoban.core.workdays import add_working_days, working_days_between
from giaoban.documents.models import DocumentType
from giaoban.documents.services.numbering import document_issued
from giaoban.orgs.models import Agency, Committee, Membership, OrgUnit
from giaoban.orgs.selectors import unit_children

from ..models import (
    AgendaItem,
    Attendance,
    Conclusion,
    ConclusionPoint,
    Meeting,
    MeetingFile,
    MeetingInvitee,
    PointTask,
)
from .tasks import is_member_agency, task_create, tasks_create_below

__all__ = [
    "INVITATION_WORKING_DAYS",
    "NOTICE_WORKING_DAYS",
    "AgendaInput",
    "PlannedTaskInput",
    "PointInput",
    "attendance_record",
    "conclusion_due_on",
    "conclusion_issue",
    "conclusion_save",
    "invitation_is_late",
    "meeting_cancel",
    "meeting_create",
    "meeting_invite",
    "meeting_update",
    "minutes_save",
]

INVITATION_WORKING_DAYS = 3
NOTICE_WORKING_DAYS = 5
Status = Meeting.Status


@dataclass
class AgendaInput:
    title: str
    presenter: str = ""
    minutes: int | None = None
    files: Sequence = ()


@dataclass
class PlannedTaskInput:
    title: str
    agency: Agency | None = None
    below: bool = False
    supporting: Sequence[Agency] = ()
    due_on: date | None = None


@dataclass
class PointInput:
    text: str
    tasks: list[PlannedTaskInput] = field(default_factory=list)


def invitation_is_late(meeting: Meeting) -> bool:
    """Sent (or, unsent, still unsent today) fewer than 3 working days before the meeting day."""
    sent = meeting.invited_on or timezone.localdate()
    day = timezone.localtime(meeting.starts_at).date()
    return working_days_between(sent, day) < INVITATION_WORKING_DAYS


def conclusion_due_on(meeting: Meeting) -> date:
    """The last day for the conclusion notice: 5 working days after the meeting day."""
    return add_working_days(timezone.localtime(meeting.starts_at).date(), NOTICE_WORKING_DAYS)


def _lock(meeting: Meeting, expected_version: int | None) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("committee__org_unit").get(pk=meeting.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Cuộc họp vừa được người khác cập nhật; hãy tải lại (the meeting was changed by someone else; reload)."),
            {"version": locked.version},
        )
    return locked


def _check_members(committee: Committee, errors: RowErrors, **members: Membership | None) -> None:
    for name, m in members.items():
        if m is not None and m.committee_id != committee.pk:
            errors.add(None, name, _("Không phải thành viên của Ban (not a member of this committee)."))


def _set_invitees(
    meeting: Meeting, members: Sequence[Membership], agencies: Sequence[Agency], errors: RowErrors
) -> None:
    for m in members:
        if m.committee_id != meeting.committee_id:
            errors.add(
                None, "invitees", _("%(p)s không phải thành viên của Ban (not a member).") % {"p": m.person_name}
            )
    for a in agencies:
        if not is_member_agency(meeting.committee, a):
            errors.add(None, "invitees", _("%(a)s không phải cơ quan thành viên (not a member agency).") % {"a": a})
    errors.raise_if_any(_("Không lưu được cuộc họp (meeting not saved)."))
    meeting.invitees.all().delete()
    MeetingInvitee.objects.bulk_create(
        [MeetingInvitee(meeting=meeting, membership=m) for m in dict.fromkeys(members)]
        + [MeetingInvitee(meeting=meeting, agency=a) for a in dict.fromkeys(agencies)]
    )


def _set_agenda(meeting: Meeting, agenda: Sequence[AgendaInput], actor) -> None:
    for i, item in enumerate(agenda, start=1):
        if not (item.title or "").strip():
            raise ServiceError(
                _("Mục %(n)s của chương trình chưa có nội dung (agenda item %(n)s has no title).") % {"n": i},
                {"fields": {"agenda": [str(i)]}},
            )
    kept_files = {item.order: list(item.files.all()) for item in meeting.agenda.prefetch_related("files")}
    meeting.agenda.all().delete()
    for i, item in enumerate(agenda, start=1):
        row = AgendaItem(
            meeting=meeting, order=i, title=item.title.strip(), presenter=item.presenter or "", minutes=item.minutes
        )
        full_clean_or_raise(row)
        row.save()
        for f in item.files:
            MeetingFile.objects.create(agenda_item=row, file=f, name=getattr(f, "name", "")[:255], uploaded_by=actor)
        for old in kept_files.get(i, []):
            MeetingFile.objects.create(agenda_item=row, file=old.file, name=old.name, uploaded_by=old.uploaded_by)


@transaction.atomic
def meeting_create(
    *,
    committee: Committee,
    kind: str,
    title: str,
    starts_at: datetime,
    actor=None,
    ends_at: datetime | None = None,
    period: str = "",
    place: str = "",
    online_url: str = "",
    chair: Membership | None = None,
    secretary: Membership | None = None,
    invited_members: Sequence[Membership] = (),
    invited_agencies: Sequence[Agency] = (),
    agenda: Sequence[AgendaInput] = (),
    plan=None,
) -> Meeting:
    """Schedule a meeting of the committee (a draft until the invitation is sent); `plan`: the plan whose
    calendar generated it."""
    errors = RowErrors()
    _check_members(committee, errors, chair=chair, secretary=secretary)
    if ends_at is not None and ends_at <= starts_at:
        errors.add(None, "ends_at", _("Giờ kết thúc phải sau giờ bắt đầu (ends_at must be after starts_at)."))
    if period:
        from giaoban.reporting import periods

        try:
            periods.parse_period(period)
        except ValueError:
            errors.add(None, "period", _("Kỳ không hợp lệ (invalid period): %(p)s") % {"p": period})
    errors.raise_if_any(_("Không lưu được cuộc họp (meeting not saved)."))
    meeting = Meeting(
        committee=committee,
        kind=kind,
        title=(title or "").strip(),
        period=period or "",
        starts_at=starts_at,
        ends_at=ends_at,
        place=place or "",
        online_url=online_url or "",
        chair=chair,
        secretary=secretary,
        plan=plan,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    full_clean_or_raise(meeting)
    meeting.save()
    _set_invitees(meeting, invited_members, invited_agencies, RowErrors())
    _set_agenda(meeting, agenda, actor)
    return meeting


_UPDATABLE = ("kind", "title", "period", "starts_at", "ends_at", "place", "online_url", "chair", "secretary")


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    actor=None,
    expected_version: int | None = None,
    invited_members: Sequence[Membership] | None = None,
    invited_agencies: Sequence[Agency] | None = None,
    agenda: Sequence[AgendaInput] | None = None,
    **changes: Any,
) -> Meeting:
    meeting = _lock(meeting, expected_version)
    if meeting.status in (Status.CONCLUDED, Status.CANCELLED):
        raise ServiceError(
            _("Cuộc họp đã kết thúc hoặc đã hủy, không sửa được (the meeting is concluded or cancelled)."),
            {"status": meeting.status},
        )
    unknown = set(changes) - set(_UPDATABLE)
    if unknown:
        raise ServiceError(_("Trường không sửa được (field cannot be changed): %s") % ", ".join(sorted(unknown)))
    errors = RowErrors()
    _check_members(meeting.committee, errors, chair=changes.get("chair"), secretary=changes.get("secretary"))
    if changes.get("period"):
        from giaoban.reporting import periods

        try:
            periods.parse_period(changes["period"])
        except ValueError:
            errors.add(None, "period", _("Kỳ không hợp lệ (invalid period): %(p)s") % {"p": changes["period"]})
    errors.raise_if_any(_("Không lưu được cuộc họp (meeting not saved)."))
    for name, value in changes.items():
        setattr(meeting, name, value if value is not None or name in ("ends_at", "chair", "secretary") else "")
    if meeting.ends_at is not None and meeting.ends_at <= meeting.starts_at:
        raise ServiceError(
            _("Giờ kết thúc phải sau giờ bắt đầu (ends_at must be after starts_at)."),
            {"fields": {"ends_at": [_("Không hợp lệ (invalid)")]}},
        )
    full_clean_or_raise(meeting)
    meeting.version += 1
    meeting.save()
    if invited_members is not None or invited_agencies is not None:
        current = list(meeting.invitees.all())
        members = invited_members if invited_members is not None else [i.membership for i in current if i.membership]
        agencies = invited_agencies if invited_agencies is not None else [i.agency for i in current if i.agency]
        _set_invitees(meeting, members, agencies, RowErrors())
    if agenda is not None:
        _set_agenda(meeting, agenda, actor)
    return meeting


@transaction.atomic
def meeting_invite(
    *,
    meeting: Meeting,
    actor=None,
    number: str = "",
    invited_on: date | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Send the invitation: numbered from the committee's series (or with the typed `number`, 409 `number_taken`
    if another document holds it), registered as outgoing, and its day recorded; `invitation_is_late()` tells
    if it is too late."""
    meeting = _lock(meeting, expected_version)
    if meeting.status not in (Status.DRAFT, Status.INVITED):
        raise ServiceError(
            _("Chỉ gửi giấy mời cho cuộc họp chưa diễn ra (only a meeting not yet held can be invited to)."),
            {"status": meeting.status},
        )
    if not meeting.invitees.exists():
        raise ServiceError(
            _("Chưa có ai được mời (no invitees yet)."), {"fields": {"invitees": [_("Bắt buộc (required)")]}}
        )
    from ..documents import register_fields

    typed = (number or "").strip()
    meeting.invited_on = invited_on or timezone.localdate()
    subject, signer = register_fields(meeting, "invitation")
    registered = document_issued(
        committee=meeting.committee,
        type=DocumentType.GIAY_MOI,
        on=meeting.invited_on,
        subject=subject,
        source=meeting,
        number=typed,
        signer=signer,
        actor=actor,
    )
    meeting.invitation_number = typed or meeting.invitation_number or registered.number_symbol
    meeting.status = Status.INVITED
    meeting.version += 1
    meeting.save(update_fields=["invitation_number", "invited_on", "status", "version"])
    from .notifications import notify

    users = [
        i.membership.user
        for i in meeting.invitees.select_related("membership__user")
        if i.membership and i.membership.user
    ]
    notify(
        users,
        kind="invited",
        key=f"invited:meeting:{meeting.pk}",
        text=_("Giấy mời: %(t)s") % {"t": meeting.title},
        meeting=meeting,
    )
    return meeting


@transaction.atomic
def attendance_record(
    *, meeting: Meeting, rows: Sequence[dict[str, Any]], actor=None, expected_version: int | None = None
) -> list[Attendance]:
    """Record attendance per member: present; absent with a reason; or represented by a named delegate.
    Rows replace what was recorded for those members; every bad row is reported and nothing is written."""
    meeting = _lock(meeting, expected_version)
    if meeting.status == Status.CANCELLED:
        raise ServiceError(_("Cuộc họp đã hủy (the meeting was cancelled)."))
    errors = RowErrors()
    seen: set[int] = set()
    cleaned = []
    for i, row in enumerate(rows, start=1):
        m: Membership | None = row.get("membership")
        status = row.get("status")
        reason = (row.get("reason") or "").strip()
        delegate = (row.get("delegate") or "").strip()
        if m is None or m.committee_id != meeting.committee_id:
            errors.add(i, "membership", _("Không phải thành viên của Ban (not a member of this committee)."))
            continue
        if m.pk in seen:
            errors.add(i, "membership", _("Thành viên bị lặp (member listed twice)."))
        seen.add(m.pk)
        if status not in Attendance.Status.values:
            errors.add(i, "status", _("Tình trạng phải là present, absent hoặc delegated (invalid status)."))
        elif status == Attendance.Status.ABSENT and not reason:
            errors.add(i, "reason", _("Vắng mặt phải có lý do (an absence needs a reason)."))
        elif status == Attendance.Status.DELEGATED and not delegate:
            errors.add(i, "delegate", _("Ghi tên người dự thay (name the delegate)."))
        cleaned.append(
            Attendance(
                meeting=meeting,
                membership=m,
                status=status,
                reason=reason if status == Attendance.Status.ABSENT else "",
                delegate=delegate if status == Attendance.Status.DELEGATED else "",
            )
        )
    errors.raise_if_any(_("Không ghi được điểm danh (attendance not recorded)."))
    meeting.attendance.filter(membership__in=seen).delete()
    made = Attendance.objects.bulk_create(cleaned)
    meeting.version += 1
    meeting.save(update_fields=["version"])
    return made


@transaction.atomic
def minutes_save(
    *, meeting: Meeting, proceedings: str, closed_at: datetime | None = None, actor=None, expected_version=None
) -> Meeting:
    """Write the minutes (biên bản): the meeting is held from now on. Once they have a closing time the minutes
    are closed: numbered from the committee's series and registered as outgoing (once; saving again keeps
    the number)."""
    meeting = _lock(meeting, expected_version)
    if meeting.status == Status.CANCELLED:
        raise ServiceError(_("Cuộc họp đã hủy (the meeting was cancelled)."))
    if closed_at is not None and closed_at < meeting.starts_at:
        raise ServiceError(
            _("Giờ kết thúc trước giờ bắt đầu (closing time before the start)."),
            {"fields": {"closed_at": [_("Không hợp lệ (invalid)")]}},
        )
    meeting.proceedings = proceedings or ""
    meeting.closed_at = closed_at
    if meeting.status in (Status.DRAFT, Status.INVITED):
        meeting.status = Status.HELD
    meeting.version += 1
    meeting.save(update_fields=["proceedings", "closed_at", "status", "version"])
    if closed_at is not None:
        from ..documents import register_fields

        subject, signer = register_fields(meeting, "minutes")
        document_issued(
            committee=meeting.committee,
            type=DocumentType.BIEN_BAN,
            on=timezone.localtime(closed_at).date(),
            subject=subject,
            source=meeting,
            signer=signer,
            actor=actor,
        )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, actor=None) -> Meeting:
    meeting = _lock(meeting, None)
    if meeting.status in (Status.HELD, Status.CONCLUDED):
        raise ServiceError(_("Cuộc họp đã diễn ra, không hủy được (the meeting was held)."))
    meeting.status, meeting.cancel_reason = Status.CANCELLED, (reason or "").strip()
    meeting.version += 1
    meeting.save(update_fields=["status", "cancel_reason", "version"])
    return meeting


def _conclusion_for_update(meeting: Meeting) -> Conclusion:
    conclusion, _created = Conclusion.objects.get_or_create(meeting=meeting)
    return Conclusion.objects.select_for_update().get(pk=conclusion.pk)


def _draft_for_update(meeting: Meeting, expected_version: int | None) -> tuple[Meeting, Conclusion]:
    """The meeting and its conclusion, both locked; 409 when the draft changed since `expected_version`."""
    meeting = _lock(meeting, None)
    conclusion = _conclusion_for_update(meeting)
    if expected_version is not None and conclusion.version != expected_version:
        raise Conflict(
            _("Dự thảo kết luận vừa được người khác sửa; hãy tải lại (the draft was changed by someone else; reload)."),
            {"version": conclusion.version},
        )
    return meeting, conclusion


@transaction.atomic
def conclusion_save(
    *, meeting: Meeting, points: Sequence[PointInput], actor=None, expected_version: int | None = None
) -> Conclusion:
    """Save the draft notice: its numbered points and the tasks each will give. Replaces the draft."""
    meeting, conclusion = _draft_for_update(meeting, expected_version)
    if conclusion.status == Conclusion.Status.ISSUED:
        raise ServiceError(_("Thông báo đã ban hành, không sửa được (the notice is issued and locked)."))
    errors = RowErrors()
    for i, point in enumerate(points, start=1):
        if not (point.text or "").strip():
            errors.add(i, "text", _("Điểm %(n)s chưa có nội dung (point %(n)s is empty).") % {"n": i})
        for t in point.tasks:
            if not (t.title or "").strip():
                errors.add(i, "tasks", _("Nhiệm vụ chưa có tên (a task has no title)."))
            if (t.agency is None) == (not t.below):
                errors.add(i, "tasks", _("Chọn cơ quan chủ trì hoặc giao cấp dưới (give an agency or below)."))
            elif t.agency is not None and not is_member_agency(meeting.committee, t.agency):
                errors.add(
                    i, "tasks", _("%(a)s không phải cơ quan thành viên (not a member agency).") % {"a": t.agency}
                )
            for a in t.supporting:
                if not is_member_agency(meeting.committee, a):
                    errors.add(i, "tasks", _("%(a)s không phải cơ quan thành viên (not a member agency).") % {"a": a})
    errors.raise_if_any(_("Không lưu được dự thảo kết luận (draft not saved)."))
    conclusion.points.all().delete()
    for i, point in enumerate(points, start=1):
        row = ConclusionPoint.objects.create(conclusion=conclusion, number=i, text=point.text.strip())
        for t in point.tasks:
            planned = PointTask.objects.create(
                point=row, title=t.title.strip(), agency=t.agency, below=bool(t.below), due_on=t.due_on
            )
            if t.supporting:
                planned.supporting.set(t.supporting)
    conclusion.version += 1
    conclusion.save(update_fields=["version", "updated_at"])
    return conclusion


def units_below(committee: Committee, on: date) -> list[OrgUnit]:
    """The units directly below the committee's that have a committee of their own on that day."""
    children = unit_children(committee.org_unit, on)
    with_committee = set(
        Committee.objects.filter(org_unit__in=children, dissolved_on__isnull=True).values_list("org_unit_id", flat=True)
    )
    return [u for u in children if u.pk in with_committee]


@transaction.atomic
def conclusion_issue(
    *,
    meeting: Meeting,
    number: str,
    issued_on: date | None = None,
    actor=None,
    expected_version: int | None = None,
) -> Conclusion:
    """Issue the notice: numbered from the committee's series (or with the typed `number`, 409 `number_taken` if
    another document holds it), registered as outgoing, locked, and its tasks given (one per unit below for a
    task "below"). `expected_version` is the draft's version the issuer read (409 if it changed since)."""
    meeting, conclusion = _draft_for_update(meeting, expected_version)
    if conclusion.status == Conclusion.Status.ISSUED:
        raise Conflict(_("Thông báo đã được ban hành (the notice is already issued)."))
    number = (number or "").strip()
    points = list(conclusion.points.prefetch_related("planned_tasks__supporting", "planned_tasks__agency"))
    if not points:
        raise ServiceError(_("Thông báo chưa có điểm kết luận nào (the notice has no points)."))
    issued_on = issued_on or timezone.localdate()
    meeting_day = timezone.localtime(meeting.starts_at).date()
    if issued_on < meeting_day:
        raise ServiceError(
            _("Ngày ban hành trước ngày họp (issued before the meeting)."),
            {"fields": {"issued_on": [_("Không hợp lệ (invalid)")]}},
        )
    from ..documents import register_fields

    subject, signer = register_fields(meeting, "conclusion")
    registered = document_issued(
        committee=meeting.committee,
        type=DocumentType.THONG_BAO,
        on=issued_on,
        subject=subject,
        source=conclusion,
        number=number,
        signer=signer,
        actor=actor,
    )
    number = number or registered.number_symbol
    below: list[OrgUnit] | None = None
    for point in points:
        for planned in point.planned_tasks.all():
            if planned.below:
                if below is None:
                    below = units_below(meeting.committee, issued_on)
                # One task per unit below, made in bulk: a province has some hundred communes.
                tasks_create_below(
                    committee=meeting.committee,
                    title=planned.title,
                    units=below,
                    supporting=list(planned.supporting.all()),
                    assigned_on=issued_on,
                    due_on=planned.due_on,
                    point=point,
                    actor=actor,
                )
                continue
            task_create(
                committee=meeting.committee,
                title=planned.title,
                agency=planned.agency,
                supporting=list(planned.supporting.all()),
                assigned_on=issued_on,
                due_on=planned.due_on,
                point=point,
                actor=actor,
            )
    conclusion.status, conclusion.number, conclusion.issued_on = Conclusion.Status.ISSUED, number, issued_on
    conclusion.issued_by = actor if getattr(actor, "pk", None) else None
    conclusion.version += 1
    conclusion.save(update_fields=["status", "number", "issued_on", "issued_by", "version", "updated_at"])
    meeting.status = Status.CONCLUDED
    meeting.version += 1
    meeting.save(update_fields=["status", "version"])
    return conclusion
