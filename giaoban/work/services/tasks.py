"""Writes on tasks: giving one, and its follow-up (progress, done, confirm or return, extensions, urging).

Every write that can change a task's dates moves its scorecard counts in the same transaction
(`counts.apply` with the task's key before and after), takes a row lock on the task, and checks `version`
when the caller passes the one it read, so two people acting on the same task never lose an update.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.access import Action, can, is_system_admin, officer_agency_ids
from giaoban.core.errors import Conflict, Forbidden, ServiceError, full_clean_or_raise
from giaoban.orgs.models import Agency, Committee, Membership, OrgUnit

from .. import counts
from ..models import ConclusionPoint, ExtensionRequest, Task, TaskEvent, TaskFile

__all__ = [
    "is_member_agency",
    "may_assign",
    "may_follow_up",
    "require_assignee",
    "require_assigner",
    "task_confirm",
    "task_create",
    "task_extension_approve",
    "task_extension_refuse",
    "task_extension_request",
    "task_progress",
    "task_report_done",
    "task_return",
    "task_urge",
    "tasks_create_below",
]

State = Task.State


def may_assign(user, committee: Committee) -> bool:
    """The assigner's side of a task (give, confirm, return, decide extensions, urge): an approver of the
    committee's unit, or a system admin."""
    return can(user, Action.APPROVE, committee.org_unit.path)


def may_follow_up(user, task: Task) -> bool:
    """The assignee's side (progress, done, ask for more time): an officer of the lead agency; for a task
    given to a lower committee, a secretary or approver of that unit."""
    if is_system_admin(user):
        return True
    if task.agency_id:
        return task.agency_id in officer_agency_ids(user)
    return can(user, Action.ENTER, task.unit_path) or can(user, Action.APPROVE, task.unit_path)


def _acting_user(actor) -> bool:
    # None is the system (demo, command line, background jobs): the checks are for people.
    return actor is not None and getattr(actor, "is_authenticated", False)


def require_assigner(actor, committee: Committee) -> None:
    """Refuse a person who may not act for the committee that gives the task (pages and the API check
    first and answer 404 or 403; this keeps any other caller honest)."""
    if _acting_user(actor) and not may_assign(actor, committee):
        raise Forbidden(
            _("Chỉ Ban Chỉ đạo giao nhiệm vụ mới làm được việc này (only the assigning committee may do this).")
        )


def require_assignee(actor, task: Task) -> None:
    """Refuse a person who does not act for the task's assignee."""
    if _acting_user(actor) and not may_follow_up(actor, task):
        raise Forbidden(_("Chỉ đơn vị được giao nhiệm vụ mới làm được việc này (only the assignee may do this)."))


def is_member_agency(committee: Committee, agency: Agency, day: date | None = None) -> bool:
    """An agency of the committee's own unit, or one a current member comes from."""
    if agency.org_unit_id == committee.org_unit_id:
        return True
    return Membership.objects.filter(committee=committee, agency=agency).current(day).exists()


def _lock(task: Task, expected_version: int | None) -> Task:
    locked = Task.objects.select_for_update().select_related("committee__org_unit").get(pk=task.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Nhiệm vụ vừa được người khác cập nhật; hãy tải lại (the task was changed by someone else; reload)."),
            {"version": locked.version},
        )
    return locked


def _save(task: Task, before: tuple | None, *fields: str) -> None:
    task.version += 1
    task.save(update_fields=[*fields, "version"])
    if before is not None:
        after = counts.task_key(task)
        if after != before:
            counts.apply(removed=[before], added=[after])


def _event(task: Task, kind: str, actor, files: Sequence = (), **data) -> TaskEvent:
    event = TaskEvent.objects.create(task=task, kind=kind, actor=actor if getattr(actor, "pk", None) else None, **data)
    for f in files:
        TaskFile.objects.create(event=event, file=f, name=getattr(f, "name", "")[:255])
    return event


def _notify(task: Task, kind: str, text: str, *, to_assignee: bool, occurrence: str = "") -> None:
    from .notifications import notify_task

    notify_task(task, kind, text, to_assignee=to_assignee, occurrence=occurrence)


def _check_assignee(committee: Committee, agency: Agency | None, unit: OrgUnit | None, on: date) -> None:
    if (agency is None) == (unit is None):
        raise ServiceError(
            _("Chọn một cơ quan chủ trì hoặc một Ban Chỉ đạo cấp dưới (give either a lead agency or a unit below)."),
            {"fields": {"agency": [_("Bắt buộc (required)")]}},
        )
    if agency is not None and not is_member_agency(committee, agency, on):
        raise ServiceError(
            _("%(a)s không phải cơ quan thành viên của Ban (not a member agency of the committee).") % {"a": agency},
            {"fields": {"agency": [_("Không phải cơ quan thành viên (not a member agency)")]}},
        )
    if unit is not None and (unit.path == committee.org_unit.path or not unit.path.startswith(committee.org_unit.path)):
        raise ServiceError(
            _("%(u)s không thuộc cấp dưới của Ban (not a unit below the committee's).") % {"u": unit},
            {"fields": {"unit": [_("Không thuộc cấp dưới (not below)")]}},
        )


def _task_source(point: ConclusionPoint | None, reference: str, plan_item=None) -> str:
    """Where a task comes from: a point of a conclusion notice, an item of a plan, a document cited, or nothing."""
    if point:
        return Task.Source.CONCLUSION_POINT
    if plan_item is not None:
        return Task.Source.PLAN_ITEM
    return Task.Source.REFERENCE if reference else Task.Source.NONE


def _check_terms(committee: Committee, assigned_on: date, due_on: date | None, supporting: Sequence[Agency]) -> None:
    """The deadline is not before the day the task is given; supporting agencies are member agencies."""
    if due_on is not None and due_on < assigned_on:
        raise ServiceError(
            _("Thời hạn trước ngày giao (the deadline is before the day the task is given)."),
            {"fields": {"due_on": [_("Trước ngày giao (before assigned_on)")]}},
        )
    for a in supporting:
        if not is_member_agency(committee, a, assigned_on):
            raise ServiceError(
                _("%(a)s không phải cơ quan thành viên của Ban (not a member agency of the committee).") % {"a": a},
                {"fields": {"supporting": [str(a)]}},
            )


@transaction.atomic
def task_create(
    *,
    committee: Committee,
    title: str,
    actor=None,
    agency: Agency | None = None,
    unit: OrgUnit | None = None,
    supporting: Iterable[Agency] = (),
    description: str = "",
    assigned_on: date | None = None,
    due_on: date | None = None,
    point: ConclusionPoint | None = None,
    reference: str = "",
    notify: bool = True,
    plan_item=None,
) -> Task:
    """Give a task to a member agency (with supporting agencies) or to the committee of a unit below."""
    require_assigner(actor, committee)
    assigned_on = assigned_on or timezone.localdate()
    _check_assignee(committee, agency, unit, assigned_on)
    supporting = [a for a in supporting if a != agency]
    _check_terms(committee, assigned_on, due_on, supporting)
    task = Task(
        committee=committee,
        title=(title or "").strip(),
        description=description or "",
        agency=agency,
        unit=unit,
        unit_path=(agency.org_unit.path if agency else unit.path),
        assigned_on=assigned_on,
        due_on=due_on,
        point=point,
        plan_item=plan_item,
        reference=reference or "",
        source=_task_source(point, reference, plan_item),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    full_clean_or_raise(task)
    task.save()
    if supporting:
        task.supporting.set(supporting)
    counts.apply(added=[counts.task_key(task)])
    _event(task, TaskEvent.Kind.CREATED, actor, due_on=due_on)
    if notify:
        _notify(task, "assigned", _("Được giao nhiệm vụ: %(t)s") % {"t": task.title}, to_assignee=True)
    return task


@transaction.atomic
def tasks_create_below(
    *,
    committee: Committee,
    title: str,
    units: Sequence[OrgUnit],
    actor=None,
    supporting: Iterable[Agency] = (),
    description: str = "",
    assigned_on: date | None = None,
    due_on: date | None = None,
    point: ConclusionPoint | None = None,
    reference: str = "",
) -> list[Task]:
    """The same task for the committee of each unit below (one Task per unit), as `task_create` would give
    them one by one, in a number of queries that does not grow with the units: a province gives a task to
    its 166 communes in one step."""
    units = list(units)
    if not units:
        return []
    require_assigner(actor, committee)
    assigned_on = assigned_on or timezone.localdate()
    for unit in units:
        _check_assignee(committee, None, unit, assigned_on)  # paths only: no query
    supporting = list(supporting)
    _check_terms(committee, assigned_on, due_on, supporting)
    source = _task_source(point, reference)
    creator = actor if getattr(actor, "pk", None) else None
    tasks = [
        Task(
            committee=committee,
            title=(title or "").strip(),
            description=description or "",
            unit=unit,
            unit_path=unit.path,
            assigned_on=assigned_on,
            due_on=due_on,
            point=point,
            reference=reference or "",
            source=source,
            created_by=creator,
        )
        for unit in units
    ]
    full_clean_or_raise(tasks[0])  # the rows differ only in their unit, each checked above
    tasks = Task.objects.bulk_create(tasks)
    if supporting:
        through = Task.supporting.through
        through.objects.bulk_create([through(task_id=t.pk, agency_id=a.pk) for t in tasks for a in supporting])
    counts.apply(added=[counts.task_key(t) for t in tasks])
    TaskEvent.objects.bulk_create(
        [TaskEvent(task=t, kind=TaskEvent.Kind.CREATED, actor=creator, due_on=due_on) for t in tasks]
    )
    from .notifications import notify_below

    notify_below(tasks, "assigned", _("Được giao nhiệm vụ: %(t)s") % {"t": tasks[0].title})
    return tasks


def _require_open(task: Task) -> None:
    if task.state == State.DONE:
        raise ServiceError(_("Nhiệm vụ đã hoàn thành (the task is already done)."), {"state": task.state})


@transaction.atomic
def task_progress(
    *, task: Task, actor, note: str = "", percent: int | None = None, files: Sequence = (), expected_version=None
) -> Task:
    """The assignee reports progress: a note, a percent, files."""
    task = _lock(task, expected_version)
    require_assignee(actor, task)
    _require_open(task)
    if percent is not None:
        if not 0 <= int(percent) <= 100:
            raise ServiceError(
                _("Tiến độ phải từ 0 đến 100 (percent must be between 0 and 100)."),
                {"fields": {"percent": [_("Từ 0 đến 100 (0 to 100)")]}},
            )
        task.percent = int(percent)
    if not (note or "").strip() and percent is None and not files:
        raise ServiceError(
            _("Nhập nội dung tiến độ (write what was done)."), {"fields": {"note": [_("Bắt buộc (required)")]}}
        )
    _save(task, None, "percent")
    _event(task, TaskEvent.Kind.PROGRESS, actor, note=note or "", percent=percent, files=files)
    return task


@transaction.atomic
def task_report_done(
    *,
    task: Task,
    actor,
    note: str = "",
    result_document: str = "",
    reported_on: date | None = None,
    files: Sequence = (),
    expected_version=None,
) -> Task:
    """The assignee reports the task done; it counts as done from this day once the assigner confirms."""
    task = _lock(task, expected_version)
    require_assignee(actor, task)
    if task.state != State.OPEN:
        raise ServiceError(_("Nhiệm vụ đã được báo cáo hoàn thành (already reported done)."), {"state": task.state})
    reported_on = reported_on or timezone.localdate()
    task.state, task.reported_on, task.percent = State.REPORTED, max(reported_on, task.assigned_on), 100
    task.result_document = (result_document or "").strip()
    _save(task, None, "state", "reported_on", "percent", "result_document")
    _event(
        task, TaskEvent.Kind.REPORTED_DONE, actor, note=note or "", result_document=task.result_document, files=files
    )
    _notify(task, "reported_done", _("Báo cáo hoàn thành: %(t)s") % {"t": task.title}, to_assignee=False)
    return task


@transaction.atomic
def task_confirm(*, task: Task, actor, expected_version=None) -> Task:
    """The assigner confirms a reported task: done as of the day it was reported."""
    task = _lock(task, expected_version)
    require_assigner(actor, task.committee)
    if task.state != State.REPORTED:
        raise ServiceError(
            _("Chỉ xác nhận được nhiệm vụ đã báo cáo hoàn thành (only a task reported done can be confirmed)."),
            {"state": task.state},
        )
    before = counts.task_key(task)
    task.state, task.done_on = State.DONE, task.reported_on
    _save(task, before, "state", "done_on")
    _event(task, TaskEvent.Kind.CONFIRMED, actor)
    _notify(task, "confirmed", _("Đã xác nhận hoàn thành: %(t)s") % {"t": task.title}, to_assignee=True)
    return task


@transaction.atomic
def task_return(*, task: Task, actor, reason: str, expected_version=None) -> Task:
    """The assigner returns a task reported (or confirmed) done: open again, no done date."""
    task = _lock(task, expected_version)
    require_assigner(actor, task.committee)
    if task.state == State.OPEN:
        raise ServiceError(
            _("Nhiệm vụ chưa được báo cáo hoàn thành (the task has not been reported done)."), {"state": task.state}
        )
    if not (reason or "").strip():
        raise ServiceError(
            _("Nhập lý do trả lại (a reason is required)."), {"fields": {"reason": [_("Bắt buộc (required)")]}}
        )
    before = counts.task_key(task)
    task.state, task.done_on, task.reported_on = State.OPEN, None, None
    _save(task, before, "state", "done_on", "reported_on")
    _event(task, TaskEvent.Kind.RETURNED, actor, note=reason.strip())
    _notify(task, "returned", _("Bị trả lại: %(t)s — %(r)s") % {"t": task.title, "r": reason.strip()}, to_assignee=True)
    return task


@transaction.atomic
def task_extension_request(
    *, task: Task, actor, due_on: date, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    task = _lock(task, expected_version)
    require_assignee(actor, task)
    _require_open(task)
    if not (reason or "").strip():
        raise ServiceError(
            _("Nhập lý do đề nghị gia hạn (a reason is required)."), {"fields": {"reason": [_("Bắt buộc (required)")]}}
        )
    if due_on is None or (task.due_on is not None and due_on <= task.due_on) or due_on < task.assigned_on:
        raise ServiceError(
            _("Thời hạn mới phải sau thời hạn hiện tại (the new deadline must be later than the current one)."),
            {"fields": {"due_on": [_("Không hợp lệ (invalid)")]}},
        )
    if task.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise Conflict(_("Đã có một đề nghị gia hạn đang chờ (an extension request is already pending)."))
    ext = ExtensionRequest.objects.create(
        task=task, old_due_on=task.due_on, due_on=due_on, reason=reason.strip(), requested_by=actor
    )
    _event(task, TaskEvent.Kind.EXTENSION_REQUESTED, actor, note=reason.strip(), due_on=due_on)
    _notify(task, "extension", _("Đề nghị gia hạn: %(t)s") % {"t": task.title}, to_assignee=False)
    return ext


def _pending(task: Task) -> ExtensionRequest:
    ext = task.extensions.select_for_update().filter(status=ExtensionRequest.Status.PENDING).first()
    if ext is None:
        raise ServiceError(_("Không có đề nghị gia hạn nào đang chờ (no pending extension request)."))
    return ext


@transaction.atomic
def task_extension_approve(*, task: Task, actor, expected_version: int | None = None) -> Task:
    """Approve the pending extension: the deadline moves, and with it the task's status."""
    task = _lock(task, expected_version)
    require_assigner(actor, task.committee)
    ext = _pending(task)
    before = counts.task_key(task)
    task.due_on = ext.due_on
    _save(task, before, "due_on")
    ext.status, ext.decided_by, ext.decided_at = ExtensionRequest.Status.APPROVED, actor, timezone.now()
    ext.save(update_fields=["status", "decided_by", "decided_at"])
    _event(task, TaskEvent.Kind.EXTENSION_APPROVED, actor, due_on=ext.due_on)
    _notify(task, "extension", _("Đồng ý gia hạn: %(t)s") % {"t": task.title}, to_assignee=True)
    return task


@transaction.atomic
def task_extension_refuse(*, task: Task, actor, reason: str, expected_version: int | None = None) -> Task:
    task = _lock(task, expected_version)
    require_assigner(actor, task.committee)
    if not (reason or "").strip():
        raise ServiceError(
            _("Nhập lý do không đồng ý (a reason is required)."), {"fields": {"reason": [_("Bắt buộc (required)")]}}
        )
    ext = _pending(task)
    ext.status, ext.decided_by, ext.decided_at = ExtensionRequest.Status.REFUSED, actor, timezone.now()
    ext.refusal_reason = reason.strip()
    ext.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    _event(task, TaskEvent.Kind.EXTENSION_REFUSED, actor, note=reason.strip())
    _notify(task, "extension", _("Không đồng ý gia hạn: %(t)s") % {"t": task.title}, to_assignee=True)
    return task


@transaction.atomic
def task_urge(*, task: Task, actor, kind: str, note: str = "", expected_version: int | None = None) -> TaskEvent:
    """A manual urging (đôn đốc): nhắc nhở or phê bình, counted per task."""
    task = _lock(task, expected_version)
    require_assigner(actor, task.committee)
    _require_open(task)
    if kind not in TaskEvent.UrgeKind.values:
        raise ServiceError(
            _("Hình thức đôn đốc không hợp lệ (kind must be one of %(k)s).")
            % {"k": ", ".join(TaskEvent.UrgeKind.values)},
            {"fields": {"kind": [_("Không hợp lệ (invalid)")]}},
        )
    event = _event(task, TaskEvent.Kind.URGED, actor, urge_kind=kind, note=note or "")
    label = TaskEvent.UrgeKind(kind).label
    _notify(
        task, "urged", _("%(k)s: %(t)s") % {"k": label, "t": task.title}, to_assignee=True, occurrence=f"e{event.pk}"
    )
    return event
