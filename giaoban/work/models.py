"""Meetings (giao ban), their conclusion notices, the tasks those give, and the follow-up of each task.

A task's status is never stored: it is computed from its dates by `work.status`, the one rule every page,
count, export and the API use. `TaskCount` holds that rule's day-by-day changes, summed per unit and
ancestor, so a scorecard "as of" any date is a sum over a few thousand rows, whatever the number of tasks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from giaoban.core.access import PATH_END, Action, officer_agency_ids, scope_paths, subtree_q
from giaoban.orgs.models import Agency, Committee, Membership, OrgUnit, PathField

__all__ = [
    "AgendaItem",
    "Attendance",
    "CalendarFeed",
    "Conclusion",
    "ConclusionPoint",
    "ExtensionRequest",
    "Meeting",
    "MeetingFile",
    "MeetingInvitee",
    "Notification",
    "Plan",
    "PlanItem",
    "PointTask",
    "Target",
    "Task",
    "TaskCount",
    "TaskEvent",
    "TaskFile",
]


class CommitteeScopedQuerySet(models.QuerySet):
    """Things that belong to a committee: visible within the committee's unit subtree."""

    committee_path = "committee__org_unit__path"

    def visible_to(self, user, action: str = Action.VIEW):
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, action)
        if paths is None:
            return self
        q = Q(pk__in=[])
        for p in paths:
            q |= subtree_q(self.committee_path, p)
        if action == Action.VIEW:
            q |= self.officer_q(officer_agency_ids(user))
        return self.filter(q)

    # The path from a task to this model's rows, for what an agency officer may read beyond their units:
    # the rows whose conclusions gave their agency a task (lead or supporting). None: nothing more.
    officer_link: str | None = None

    def officer_q(self, agency_ids: list[int]) -> Q:
        if not agency_ids or self.officer_link is None:
            return Q(pk__in=[])
        return Q(pk__in=Task.objects.of_agencies(agency_ids).values(self.officer_link))


class MeetingQuerySet(CommitteeScopedQuerySet):
    officer_link = "point__conclusion__meeting_id"


class Meeting(models.Model):
    class Kind(models.TextChoices):
        GIAO_BAN_TUAN = "giao_ban_tuan", _("Giao ban tuần")
        GIAO_BAN_THANG = "giao_ban_thang", _("Giao ban tháng")
        GIAO_BAN_QUY = "giao_ban_quy", _("Giao ban quý")
        SO_KET_6_THANG = "so_ket_6_thang", _("Sơ kết 6 tháng")
        SO_KET_9_THANG = "so_ket_9_thang", _("Sơ kết 9 tháng")
        TONG_KET_NAM = "tong_ket_nam", _("Tổng kết năm")
        CHUYEN_DE = "chuyen_de", _("Chuyên đề")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        INVITED = "invited", _("Đã gửi giấy mời")
        HELD = "held", _("Đã họp")
        CONCLUDED = "concluded", _("Đã ban hành kết luận")
        CANCELLED = "cancelled", _("Đã hủy")

    committee = models.ForeignKey(
        Committee, verbose_name=_("Ban Chỉ đạo"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("loại cuộc họp"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("tên cuộc họp"), max_length=300)
    period = models.CharField(_("kỳ báo cáo"), max_length=10, blank=True, help_text=_("Ví dụ: 2026N9, 2026-10"))
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=300, blank=True)
    online_url = models.URLField(_("đường dẫn họp trực tuyến"), blank=True)
    chair = models.ForeignKey(
        Membership, verbose_name=_("chủ trì"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    secretary = models.ForeignKey(
        Membership, verbose_name=_("thư ký"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The invitation (giấy mời): its number once sent, the day it was sent (QĐ 45/2018: 3 working days ahead).
    invitation_number = models.CharField(_("số giấy mời"), max_length=30, blank=True)
    invited_on = models.DateField(_("ngày gửi giấy mời"), null=True, blank=True)
    # The minutes (biên bản).
    proceedings = models.TextField(_("diễn biến cuộc họp"), blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=300, blank=True)
    # The plan whose calendar generated this meeting (as a draft), if any.
    plan = models.ForeignKey("Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("cuộc họp")
        verbose_name_plural = _("cuộc họp")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["committee", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class MeetingInvitee(models.Model):
    """Invited to a meeting: a committee member, or a member agency (which sends whom it chooses)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    membership = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(membership__isnull=False, agency__isnull=True)
                | Q(membership__isnull=True, agency__isnull=False),
                name="invitee_member_or_agency",
            ),
            models.UniqueConstraint(fields=["meeting", "membership"], name="invitee_unique_member"),
            models.UniqueConstraint(fields=["meeting", "agency"], name="invitee_unique_agency"),
        ]

    def __str__(self) -> str:
        return str(self.membership or self.agency)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("nội dung"), max_length=400)
    presenter = models.CharField(_("người trình bày"), max_length=200, blank=True)
    minutes = models.PositiveSmallIntegerField(_("thời lượng (phút)"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "order"]
        constraints = [models.UniqueConstraint(fields=["meeting", "order"], name="agenda_unique_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class MeetingFile(models.Model):
    """A document attached to an agenda item (the draft report, a presentation)."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="meetings/%Y/%m/")
    name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Có mặt")
        ABSENT = "absent", _("Vắng mặt")
        DELEGATED = "delegated", _("Cử người dự thay")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("tình trạng"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("lý do vắng"), max_length=300, blank=True)
    delegate = models.CharField(_("người dự thay"), max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.membership} — {self.get_status_display()}"


class ConclusionQuerySet(CommitteeScopedQuerySet):
    committee_path = "meeting__committee__org_unit__path"
    officer_link = "point__conclusion_id"


class Conclusion(models.Model):
    """The conclusion notice (thông báo kết luận) of a meeting: numbered points; locked once issued."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ban hành")

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="conclusion")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(_("số"), max_length=30, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ConclusionQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông báo kết luận")
        verbose_name_plural = _("thông báo kết luận")

    def __str__(self) -> str:
        return self.number or str(self.meeting)


class ConclusionPoint(models.Model):
    conclusion = models.ForeignKey(Conclusion, on_delete=models.CASCADE, related_name="points")
    number = models.PositiveSmallIntegerField(_("điểm"))
    text = models.TextField(_("nội dung"))

    class Meta:
        ordering = ["conclusion", "number"]
        constraints = [models.UniqueConstraint(fields=["conclusion", "number"], name="point_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class PointTask(models.Model):
    """A task a draft point will give when the notice is issued: to a member agency, or to the committee of
    every unit below (`below`), which becomes one Task per unit."""

    point = models.ForeignKey(ConclusionPoint, on_delete=models.CASCADE, related_name="planned_tasks")
    title = models.CharField(_("nhiệm vụ"), max_length=500)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    below = models.BooleanField(_("giao Ban Chỉ đạo cấp dưới"), default=False)
    supporting = models.ManyToManyField(Agency, blank=True, related_name="+")
    due_on = models.DateField(_("thời hạn"), null=True, blank=True)

    class Meta:
        ordering = ["point", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False, below=False) | Q(agency__isnull=True, below=True),
                name="pointtask_agency_or_below",
            )
        ]

    def __str__(self) -> str:
        return self.title


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = Action.VIEW):
        """Tasks of the committees in the user's units, tasks given to a unit in them, and for an agency
        officer the tasks their agency leads or supports."""
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, action)
        if paths is None:
            return self
        q = Q(pk__in=[])
        for p in paths:
            q |= subtree_q("committee__org_unit__path", p) | subtree_q("unit_path", p)
        agencies = officer_agency_ids(user)
        if agencies and action == Action.VIEW:
            q |= self.agencies_q(agencies)
        return self.filter(q)

    @staticmethod
    def agencies_q(agency_ids: list[int]) -> Q:
        """Tasks these agencies lead or support."""
        return Q(agency_id__in=agency_ids) | Q(
            pk__in=Task.supporting.through.objects.filter(agency_id__in=agency_ids).values("task_id")
        )

    def of_agencies(self, agency_ids: list[int]):
        return self.filter(self.agencies_q(agency_ids))

    def in_subtree(self, unit: OrgUnit):
        return self.filter(unit_path__gte=unit.path, unit_path__lt=unit.path + PATH_END)


class Task(models.Model):
    """A task given by a committee: led by one of its member agencies (`agency`), or by the committee of a
    unit below (`unit`). `unit_path` is where it counts: the lead agency's unit, or that unit."""

    class Source(models.TextChoices):
        CONCLUSION_POINT = "conclusion_point", _("Điểm của thông báo kết luận")
        PLAN_ITEM = "plan_item", _("Nội dung của kế hoạch")
        INCOMING = "incoming", _("Văn bản đến cần giải quyết")
        REFERENCE = "reference", _("Văn bản")
        NONE = "none", _("Không")

    class State(models.TextChoices):
        OPEN = "open", _("Đang thực hiện")
        REPORTED = "reported", _("Báo cáo hoàn thành, chờ xác nhận")
        DONE = "done", _("Đã hoàn thành")

    committee = models.ForeignKey(
        Committee, verbose_name=_("Ban Chỉ đạo giao"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("nhiệm vụ"), max_length=500)
    description = models.TextField(_("nội dung"), blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan chủ trì"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("Ban Chỉ đạo cấp dưới"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    supporting = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan phối hợp"), blank=True, related_name="supported_tasks"
    )
    unit_path = PathField(max_length=255, editable=False)
    assigned_on = models.DateField(_("ngày giao"))
    due_on = models.DateField(_("thời hạn"), null=True, blank=True)
    # The day the assignee reported it done; `done_on` is set to it once the assigner confirms.
    reported_on = models.DateField(_("ngày báo cáo hoàn thành"), null=True, blank=True)
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    state = models.CharField(_("tình trạng xử lý"), max_length=10, choices=State.choices, default=State.OPEN)
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    result_document = models.CharField(_("văn bản kết quả"), max_length=120, blank=True)
    source = models.CharField(_("nguồn giao"), max_length=20, choices=Source.choices, default=Source.NONE)
    point = models.ForeignKey(ConclusionPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    plan_item = models.ForeignKey("PlanItem", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    # The incoming document whose handling instruction (lead, supporting, deadline) gave this task.
    incoming = models.ForeignKey(
        "documents.IncomingEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    reference = models.CharField(_("căn cứ"), max_length=200, blank=True, help_text=_("Ví dụ: số văn bản giao việc"))
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["unit_path"]),
            models.Index(fields=["agency", "due_on"]),
            models.Index(fields=["committee", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False, unit__isnull=True) | Q(agency__isnull=True, unit__isnull=False),
                name="task_agency_or_unit",
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="task_percent_range"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def assignee(self):
        return self.agency or self.unit


class ExtensionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ quyết định")
        APPROVED = "approved", _("Đã đồng ý")
        REFUSED = "refused", _("Không đồng ý")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    old_due_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(_("thời hạn đề nghị"))
    reason = models.TextField(_("lý do"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["task", "-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(status="pending"), name="extension_one_pending_per_task"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.due_on:%d/%m/%Y}"


class TaskEvent(models.Model):
    """One line of a task's history: everything that happened to it, in order."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Giao nhiệm vụ")
        PROGRESS = "progress", _("Cập nhật tiến độ")
        REPORTED_DONE = "reported_done", _("Báo cáo hoàn thành")
        CONFIRMED = "confirmed", _("Xác nhận hoàn thành")
        RETURNED = "returned", _("Trả lại")
        EXTENSION_REQUESTED = "extension_requested", _("Đề nghị gia hạn")
        EXTENSION_APPROVED = "extension_approved", _("Đồng ý gia hạn")
        EXTENSION_REFUSED = "extension_refused", _("Không đồng ý gia hạn")
        URGED = "urged", _("Đôn đốc")
        REMINDED = "reminded", _("Nhắc hạn tự động")

    class UrgeKind(models.TextChoices):
        NHAC_NHO = "nhac_nho", _("Nhắc nhở")
        PHE_BINH = "phe_binh", _("Phê bình")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)  # the deadline after an approved extension
    urge_kind = models.CharField(max_length=10, choices=UrgeKind.choices, blank=True)
    result_document = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["task", "at", "id"]
        indexes = [models.Index(fields=["kind", "urge_kind"])]

    def __str__(self) -> str:
        return f"{self.task} — {self.get_kind_display()}"


class TaskFile(models.Model):
    event = models.ForeignKey(TaskEvent, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="tasks/%Y/%m/")
    name = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.name


class TaskCount(models.Model):
    """Day-by-day changes of the task counts, for a unit and each of its ancestors (agency 0) and for the
    lead agency at its own unit. The counts as of D are the sums of the rows dated on or before D.

    A derived table like reporting's aggregates: no database foreign keys, rebuilt by
    `giaoban work rebuild-counts`, maintained by every task write in the same transaction.
    """

    path = PathField(max_length=255)
    agency_id = models.BigIntegerField(default=0)
    day = models.DateField()
    assigned = models.IntegerField(default=0)
    done_on_time = models.IntegerField(default=0)
    done_late = models.IntegerField(default=0)
    in_time = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    no_deadline = models.IntegerField(default=0)
    fallen_due = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["path", "agency_id", "day"], name="taskcount_key")]
        # Covering: a scorecard sums the counts of a few paths up to a day from the index alone (half the
        # time of reading the rows on both databases, bench case g). Plain key columns, not INCLUDE, which
        # SQLite lacks.
        indexes = [
            models.Index(
                fields=[
                    *("path", "agency_id", "day", "assigned", "done_on_time", "done_late", "in_time"),
                    *("overdue", "no_deadline", "fallen_due"),
                ],
                name="taskcount_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.agency_id} {self.day}"


class Notification(models.Model):
    """An in-app notice to a user (shown in the header), e-mailed too when they have an address.
    `key` makes automatic reminders idempotent: one per (user, key)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Sắp đến hạn")
        OVERDUE = "overdue", _("Quá hạn")
        URGED = "urged", _("Đôn đốc")
        ASSIGNED = "assigned", _("Được giao nhiệm vụ")
        REPORTED_DONE = "reported_done", _("Báo cáo hoàn thành")
        CONFIRMED = "confirmed", _("Xác nhận hoàn thành")
        RETURNED = "returned", _("Trả lại")
        EXTENSION = "extension", _("Gia hạn")
        INVITED = "invited", _("Giấy mời họp")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=120)
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text


class PlanQuerySet(CommitteeScopedQuerySet):
    officer_link = "plan_item__plan_id"


class Plan(models.Model):
    """A committee's plan (kế hoạch), e.g. "Kế hoạch hoạt động năm 2027 của Ban Chỉ đạo 35 tỉnh": items, each
    with a lead agency and maybe a target; issuing it numbers it, registers it as outgoing and turns every item
    into a task."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ban hành")

    committee = models.ForeignKey(
        Committee, verbose_name=_("Ban Chỉ đạo"), on_delete=models.PROTECT, related_name="plans"
    )
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    year = models.PositiveSmallIntegerField(_("năm"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(_("số"), max_length=30, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    document = models.OneToOneField(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="plan"
    )
    # The documents this plan implements (e.g. a directive from above), by relation in the register.
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-year", "committee", "id"]
        indexes = [models.Index(fields=["committee", "year"])]

    def __str__(self) -> str:
        return self.title


class PlanItem(models.Model):
    """A line of the plan: content, lead member agency, supporting agencies, timeframe, expected output."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    content = models.TextField(_("nội dung"))
    lead_agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan chủ trì"), on_delete=models.PROTECT, related_name="plan_items"
    )
    supporting = models.ManyToManyField(Agency, verbose_name=_("cơ quan phối hợp"), blank=True, related_name="+")
    starts_on = models.DateField(_("từ ngày"), null=True, blank=True)
    due_on = models.DateField(_("thời hạn"), null=True, blank=True)
    output = models.CharField(_("sản phẩm"), max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "position"], name="planitem_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.content[:60]}"


class Target(models.Model):
    """A target that measures itself: indicator I over unit U's subtree and the window `period` (a period id,
    e.g. "2027"), at least (`min`) or at most (`max`) `value`. Progress is read from the live roll-up."""

    class Kind(models.TextChoices):
        MIN = "min", _("Tối thiểu")
        MAX = "max", _("Tối đa")

    item = models.OneToOneField(PlanItem, on_delete=models.CASCADE, related_name="target")
    indicator = models.ForeignKey(
        "reporting.Indicator", verbose_name=_("chỉ tiêu"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("kỳ"), max_length=10, help_text=_("Ví dụ: 2027, 2027S1"))
    kind = models.CharField(_("loại"), max_length=3, choices=Kind.choices, default=Kind.MIN)
    value = models.DecimalField(_("mục tiêu"), max_digits=18, decimal_places=4)
    # The day the daily check found the target reached and proposed the item's task as done: once only, even if
    # the assigner returns the task later (work.services.plans.targets_check).
    reached_on = models.DateField(_("ngày đạt mục tiêu"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.kind} {self.value}"


class CalendarFeed(models.Model):
    """A user's private calendar feed (/api/v1/calendar.ics?token=…): the secret in its link. Making a new
    link replaces the token, so the old link stops working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lịch riêng (.ics)")
        verbose_name_plural = _("lịch riêng (.ics)")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
