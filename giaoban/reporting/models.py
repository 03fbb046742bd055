"""Indicators, report forms with versions, submissions, their values and logs, and maintained aggregates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from giaoban.core.access import Action, ScopedQuerySet
from giaoban.core.text import fold
from giaoban.orgs.models import OrgUnit

from . import periods

__all__ = [
    "DEFAULT_NARRATIVE_SECTIONS",
    "Aggregate",
    "CatalogQuerySet",
    "ConsolidatedReport",
    "DataValue",
    "FormIndicator",
    "ImportJob",
    "Indicator",
    "ReportCount",
    "ReportForm",
    "ReportFormVersion",
    "Submission",
    "SubmissionEvent",
    "ValueChange",
]

DEFAULT_NARRATIVE_SECTIONS = [
    {"key": "results", "title": "Kết quả đạt được"},
    {"key": "limitations", "title": "Hạn chế, nguyên nhân"},
    {"key": "next_tasks", "title": "Phương hướng, nhiệm vụ kỳ tới"},
    {"key": "proposals", "title": "Đề xuất, kiến nghị"},
]

VALUE_DIGITS = 20
VALUE_PLACES = 4


class CatalogQuerySet(ScopedQuerySet):
    """Indicators and forms are shared by every unit: anyone signed in reads them all. Changing one (MANAGE) is
    for the administrators of its owner unit or above, the rule of services.may_change_catalog; what the
    national root owns (or nobody) is then in a system administrator's scope only."""

    scope_path_field = "owner__path"

    def visible_to(self, user, action: str = Action.VIEW):
        if action == Action.MANAGE:
            return super().visible_to(user, action)
        return self if user.is_authenticated else self.none()

    def active(self):
        return self.filter(retired_at__isnull=True)


def _folded_save(obj, text: str, args, kwargs) -> tuple:
    """Keep the search column (diacritics folded) in step with the names on every save."""
    obj.name_folded = fold(text)[:600]
    if kwargs.get("update_fields") is not None:
        kwargs["update_fields"] = {*kwargs["update_fields"], "name_folded"}
    return args, kwargs


class Indicator(models.Model):
    class ValueType(models.TextChoices):
        INTEGER = "integer", _("Số nguyên")
        DECIMAL = "decimal", _("Số thập phân")
        PERCENT = "percent", _("Tỷ lệ phần trăm")
        TEXT = "text", _("Văn bản")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Cộng")
        LAST = "last", _("Giá trị kỳ cuối")
        MAX = "max", _("Lớn nhất")
        MIN = "min", _("Nhỏ nhất")
        MEAN = "mean", _("Trung bình")
        RATIO = "ratio", _("Tỷ số (tử số / mẫu số)")

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name_vi = models.CharField(_("tên"), max_length=250)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=250, blank=True)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    value_type = models.CharField(_("kiểu giá trị"), max_length=10, choices=ValueType.choices, default="integer")
    # Across units (sum | max | min | mean | ratio) and across the reporting periods of a window
    # (sum | last | max | min | mean); a ratio is computed from its numerator's and denominator's roll-ups.
    aggregation = models.CharField(_("tổng hợp theo đơn vị"), max_length=10, choices=Aggregation.choices, default="sum")
    time_aggregation = models.CharField(
        _("tổng hợp theo thời gian"), max_length=10, choices=Aggregation.choices, default="sum"
    )
    numerator = models.ForeignKey(
        "self", verbose_name=_("tử số"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", verbose_name=_("mẫu số"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    min_value = models.DecimalField(_("giá trị nhỏ nhất"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("giá trị lớn nhất"), max_digits=20, decimal_places=4, null=True, blank=True)
    required = models.BooleanField(_("bắt buộc"), default=False)
    # The unit whose admins may change it: the national root for the shared catalogue, a province for its own
    # indicators. None only before any unit exists (then system admins alone).
    owner = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị sở hữu"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Retired: no longer offered for new forms; its figures and history stay readable.
    retired_at = models.DateTimeField(_("ngừng sử dụng từ"), null=True, blank=True)
    name_folded = models.CharField(max_length=600, editable=False, blank=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["name_folded"])
    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name_vi}"

    def save(self, *args, **kwargs):
        args, kwargs = _folded_save(self, f"{self.code} {self.name_vi} {self.name_en}", args, kwargs)
        super().save(*args, **kwargs)

    @property
    def is_ratio(self) -> bool:
        return self.aggregation == self.Aggregation.RATIO

    @property
    def is_numeric(self) -> bool:
        return self.value_type != self.ValueType.TEXT

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        if self.is_ratio:
            if not (self.numerator_id and self.denominator_id):
                errors["numerator"] = _(
                    "Chỉ tiêu tỷ số cần tử số và mẫu số (a ratio needs a numerator and a denominator)."
                )
            elif self.numerator_id == self.pk or self.denominator_id == self.pk:
                errors["numerator"] = _("Tỷ số không thể tự tham chiếu (a ratio cannot refer to itself).")
            elif (
                self.numerator.is_ratio
                or self.denominator.is_ratio
                or not (self.numerator.is_numeric and self.denominator.is_numeric)
            ):
                errors["numerator"] = _(
                    "Tử số và mẫu số phải là chỉ tiêu số, không phải tỷ số (numerator and denominator must be plain numeric indicators)."
                )
        else:
            if self.numerator_id or self.denominator_id:
                errors["numerator"] = _(
                    "Chỉ chỉ tiêu tỷ số mới có tử số, mẫu số (only a ratio has a numerator and a denominator)."
                )
            if self.time_aggregation == self.Aggregation.RATIO:
                errors["time_aggregation"] = _(
                    "Tỷ số chỉ dùng cho tổng hợp theo đơn vị (ratio is an across-units aggregation)."
                )
            if self.aggregation == self.Aggregation.LAST:
                errors["aggregation"] = _(
                    "'Giá trị kỳ cuối' chỉ dùng cho tổng hợp theo thời gian (last is an across-time aggregation)."
                )
        if self.value_type == self.ValueType.TEXT and self.is_ratio:
            errors["value_type"] = _("Tỷ số không thể là văn bản (a ratio cannot be text).")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["max_value"] = _("Giá trị lớn nhất nhỏ hơn giá trị nhỏ nhất (max_value is below min_value).")
        if errors:
            raise ValidationError(errors)


class ReportForm(models.Model):
    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên biểu mẫu"), max_length=250)
    period_type = models.CharField(
        _("loại kỳ"), max_length=12, choices=[(t, t) for t in periods.PERIOD_TYPES], default=periods.MONTH
    )
    scheme = models.CharField(
        _("chế độ kỳ"), max_length=10, choices=[(s, s) for s in periods.SCHEMES], default="calendar"
    )
    deadline_working_days = models.PositiveSmallIntegerField(_("hạn nộp (ngày làm việc sau kỳ)"), default=3)
    unit_kinds = models.JSONField(_("cấp báo cáo"), default=list)
    active_from = models.DateField(_("áp dụng từ"))
    # As Indicator.owner: a national form is changed only at national level.
    owner = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị sở hữu"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Retired: no new report is opened on it; the reports already made stay readable.
    retired_at = models.DateTimeField(_("ngừng sử dụng từ"), null=True, blank=True)
    name_folded = models.CharField(max_length=600, editable=False, blank=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["name_folded"])
    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("biểu mẫu báo cáo")
        verbose_name_plural = _("biểu mẫu báo cáo")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        args, kwargs = _folded_save(self, f"{self.code} {self.name}", args, kwargs)
        super().save(*args, **kwargs)

    @property
    def current(self) -> ReportFormVersion:
        """The latest version (from prefetched versions when there are some)."""
        return max(self.versions.all(), key=lambda v: v.number)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        kinds = set(OrgUnit.Kind.values)
        if not isinstance(self.unit_kinds, list) or not self.unit_kinds or not set(self.unit_kinds) <= kinds:
            raise ValidationError(
                {
                    "unit_kinds": _("Cấp báo cáo phải là danh sách trong %(k)s (unit_kinds must be a list of %(k)s).")
                    % {"k": ", ".join(sorted(kinds))}
                }
            )
        if (self.period_type == periods.WEEK) != (self.scheme in periods.WEEK_SCHEMES):
            raise ValidationError(
                {
                    "scheme": _(
                        "Biểu tuần dùng chế độ week_mon hoặc week_thu, biểu khác dùng calendar hoặc decree09 "
                        "(weekly forms use week_mon or week_thu, others calendar or decree09)."
                    )
                }
            )


class ReportFormVersion(models.Model):
    """Indicators and narrative sections of a form from one change to the next; submissions keep theirs."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    narrative_sections = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    indicators = models.ManyToManyField(Indicator, through="FormIndicator", related_name="form_versions")

    class Meta:
        ordering = ["form", "number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="formversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.form.code} v{self.number}"


class FormIndicator(models.Model):
    version = models.ForeignKey(ReportFormVersion, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "indicator"], name="formindicator_unique")]

    def __str__(self) -> str:
        return f"{self.version_id}#{self.position}: {self.indicator_id}"


class SubmissionQuerySet(ScopedQuerySet):
    scope_path_field = "unit__path"


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Nháp")
        SUBMITTED = "submitted", _("Đã nộp")
        APPROVED = "approved", _("Đã duyệt")
        RETURNED = "returned", _("Trả lại")

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    COUNTED = (Status.SUBMITTED, Status.APPROVED)

    # No single-column indexes where a composite one starts with the column: submission_unique
    # (unit, form, period) and (form, period, status) serve those lookups, and every index is paid on write.
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="submissions", db_index=False
    )
    form = models.ForeignKey(
        ReportForm, verbose_name=_("biểu mẫu"), on_delete=models.PROTECT, related_name="submissions", db_index=False
    )
    form_version = models.ForeignKey(ReportFormVersion, on_delete=models.PROTECT, related_name="submissions")
    period = models.CharField(_("kỳ"), max_length=10)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every write.")
    deadline = models.DateField(_("hạn nộp"))
    narrative = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        ordering = ["form", "period", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "form", "period"], name="submission_unique")]
        indexes = [models.Index(fields=["form", "period", "status"])]

    def __str__(self) -> str:
        return f"{self.form.code} {self.period} — {self.unit}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def on_time(self) -> bool | None:
        if self.submitted_at is None:
            return None
        from django.utils import timezone

        return timezone.localdate(self.submitted_at) <= self.deadline


class DataValue(models.Model):
    """The fact table: one figure of a submission. No simple-history here; ValueChange logs edits."""

    # datavalue_unique (submission, indicator) serves lookups by submission.
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values", db_index=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "indicator"], name="datavalue_unique")]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value if self.value is not None else self.text}"


class ValueChangeQuerySet(ScopedQuerySet):
    scope_path_field = "submission__unit__path"


class ValueChange(models.Model):
    """The change log of the figures: one row per figure changed, with its old and new value (canonical text,
    "" for none), who and when. Read by auditors (Action.AUDIT) on /audit/ and the API."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="value_changes")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    objects = ValueChangeQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.old} -> {self.new}"


class SubmissionEvent(models.Model):
    class Transition(models.TextChoices):
        SAVED = "saved", _("Lưu nháp")
        SUBMITTED = "submitted", _("Nộp")
        APPROVED = "approved", _("Duyệt")
        RETURNED = "returned", _("Trả lại")
        REOPENED = "reopened", _("Mở lại")
        IMPORTED = "imported", _("Nhập dữ liệu")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(max_length=10, choices=Transition.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.transition} {self.at:%Y-%m-%d %H:%M}"


class Aggregate(models.Model):
    """Figures of (indicator, unit and its whole subtree, form, reporting period), maintained in the same
    transaction as every status change. `approved` rows count approved submissions only; the others count
    submitted and approved ones. Drafts and returned reports are never here."""

    # Written on every submit at every level above the unit, so it has one index only, the key: every
    # read names the indicators, units, form and periods it wants. Deleting a unit or form with aggregates
    # (a repair, never a daily act: both are protected by their submissions) scans the table.
    # No foreign-key constraints in the database (Django still cascades): the rows are derived (rebuilt
    # by `giaoban reporting rebuild-aggregates`) and written only from joins with existing rows, and the
    # constraints' checks, 60 per submit at commit, were a fifth of a submit's time on PostgreSQL.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    form = models.ForeignKey(
        ReportForm, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    period = models.CharField(max_length=10)
    approved = models.BooleanField(default=False)
    value_sum = models.DecimalField(max_digits=VALUE_DIGITS + 4, decimal_places=VALUE_PLACES, default=0)
    value_count = models.IntegerField(default=0)
    value_min = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True)
    value_max = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True)

    class Meta:
        constraints = [
            # Key order = read order: a read wants some units' rows of one form for a run of periods, and
            # the rows of one (unit, period) were written together, so they sit side by side in the index
            # and in the table.
            models.UniqueConstraint(fields=["unit", "form", "approved", "period", "indicator"], name="aggregate_key")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.unit_id} {self.period}"


class ReportCount(models.Model):
    """How many reports of (form, reporting period) the unit's whole subtree has in the totals, and how
    many of them came by the deadline; maintained beside Aggregate, so completeness is a few row reads,
    not a count over the submissions. `approved` rows count approved reports only."""

    # The key's prefix serves lookups by unit; no constraints in the database, as for Aggregate.
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    form = models.ForeignKey(
        ReportForm, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    period = models.CharField(max_length=10)
    approved = models.BooleanField(default=False)
    reported = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "form", "approved", "period"], name="reportcount_key")]

    def __str__(self) -> str:
        return f"{self.form_id}@{self.unit_id} {self.period}: {self.reported}"


class ConsolidatedReportQuerySet(ScopedQuerySet):
    scope_path_field = "committee__org_unit__path"


class ConsolidatedReport(models.Model):
    """A committee's consolidated report on one form's figures for a window (e.g. 2023N9): the editable
    draft of its narrative and header fields, kept with its history, locked once issued.

    One form per report: a form fixes the indicators, the reporting units and the narrative sections, so
    the table and the gathered texts have one shape; a committee consolidating two forms keeps two reports."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ban hành")

    committee = models.ForeignKey(
        "orgs.Committee", verbose_name=_("Ban Chỉ đạo"), on_delete=models.PROTECT, related_name="consolidated_reports"
    )
    form = models.ForeignKey(ReportForm, verbose_name=_("biểu mẫu"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("kỳ"), max_length=10)
    number = models.CharField(_("số"), max_length=20, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=100, blank=True)
    subject = models.CharField(_("trích yếu"), max_length=400, blank=True)
    narrative = models.JSONField(_("nội dung"), default=dict, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=120, blank=True)
    signer_title = models.CharField(_("chức danh người ký"), max_length=120, blank=True)
    signer_capacity = models.CharField(_("thẩm quyền ký"), max_length=120, blank=True)
    recipients = models.JSONField(_("nơi nhận"), default=list, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every write.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = ConsolidatedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo tổng hợp")
        verbose_name_plural = _("báo cáo tổng hợp")
        ordering = ["committee", "-period", "form"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "form", "period"], name="consolidatedreport_unique")
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.form.code} {self.period}"

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED


class ImportJobQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "enter"):
        """Jobs under the user's scope for entering figures, and always the user's own."""
        if not user.is_authenticated:
            return self.none()
        return super().visible_to(user, action) | self.filter(created_by=user)


class ImportJob(models.Model):
    """A large import of figures run in the background (giaoban.reporting.tasks): the uploaded file kept
    through Django's storage until the task has run it all or nothing, and its progress for the page and
    GET /api/v1/imports/{id}/. Scoped by `org_unit`, the root of the uploader's scope for entering figures."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Đã nhập xong")
        REJECTED = "rejected", _("Bị từ chối")
        FAILED = "failed", _("Lỗi hệ thống")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"
        XLSX = "xlsx", "XLSX"

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=8, choices=Format.choices)
    draft = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    submissions = models.PositiveIntegerField(default=0)
    values = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    errors_total = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name or self.file_format} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.REJECTED, self.State.FAILED)
