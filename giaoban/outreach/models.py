"""A committee's own channels and the metrics it publishes, the contests and the trainings it runs.

Only the committee's own channels and its own published figures (DESIGN.md, "Out of scope, always"):
no accounts of other people, no posts or comments of anyone. Entrants and participants: name, unit and
what the contest or training needs, nothing more.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from giaoban.core.access import ScopedQuerySet
from giaoban.orgs.models import Agency, Committee, OrgUnit

__all__ = [
    "Channel",
    "ChannelMetric",
    "Contest",
    "Entry",
    "IndicatorSource",
    "Score",
    "Training",
    "TrainingGroup",
]


class Channel(models.Model):
    class Platform(models.TextChoices):
        WEBSITE = "website", _("Trang thông tin điện tử")
        BLOG = "blog", _("Blog")
        FACEBOOK = "facebook", _("Trang Facebook (fanpage)")
        ZALO = "zalo", _("Zalo Official Account")
        YOUTUBE = "youtube", _("Kênh YouTube")
        TIKTOK = "tiktok", _("Kênh TikTok")
        OTHER = "other", _("Khác")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang hoạt động")
        PAUSED = "paused", _("Tạm dừng")
        CLOSED = "closed", _("Đã đóng")

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị quản lý"), on_delete=models.PROTECT, related_name="channels"
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("Ban Chỉ đạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="channels",
    )
    name = models.CharField(_("tên kênh"), max_length=200)
    platform = models.CharField(_("nền tảng"), max_length=10, choices=Platform.choices)
    url = models.URLField(_("địa chỉ"), max_length=400, blank=True)
    since = models.DateField(_("hoạt động từ"), null=True, blank=True)
    status = models.CharField(_("tình trạng"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kênh thông tin")
        verbose_name_plural = _("kênh thông tin")
        ordering = ["org_unit__path", "name"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "name"], name="channel_unique_name")]

    def __str__(self) -> str:
        return self.name


class MetricQuerySet(ScopedQuerySet):
    scope_path_field = "channel__org_unit__path"


METRICS = ("posts", "reach", "followers", "interactions")


class ChannelMetric(models.Model):
    """What a channel published for one calendar month (2023-03) or ISO week (2023W10), as its own
    statistics show: posts, reach or visitors, followers at the end, interactions."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="metrics")
    period = models.CharField(_("kỳ"), max_length=8)
    posts = models.PositiveIntegerField(_("số bài đăng"), null=True, blank=True)
    reach = models.PositiveBigIntegerField(_("lượt tiếp cận / truy cập"), null=True, blank=True)
    followers = models.PositiveBigIntegerField(_("người theo dõi (cuối kỳ)"), null=True, blank=True)
    interactions = models.PositiveBigIntegerField(_("lượt tương tác"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    objects = MetricQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu kênh")
        verbose_name_plural = _("số liệu kênh")
        ordering = ["channel", "period"]
        constraints = [models.UniqueConstraint(fields=["channel", "period"], name="channelmetric_unique")]

    def __str__(self) -> str:
        return f"{self.channel} {self.period}"


class IndicatorSource(models.Model):
    """Where a report indicator takes its default from: the unit's channel metrics for the period, its
    contests' entries or winners, or its trainings and their participants."""

    class Kind(models.TextChoices):
        CHANNEL_METRIC = "channel_metric", _("Số liệu kênh thông tin")
        CONTEST_ENTRIES = "contest_entries", _("Số tác phẩm dự thi")
        CONTEST_WINNERS = "contest_winners", _("Số tác phẩm đoạt giải")
        TRAININGS = "trainings", _("Số lớp tập huấn")
        TRAINEES = "trainees", _("Số lượt người được tập huấn")

    indicator = models.OneToOneField("reporting.Indicator", on_delete=models.CASCADE, related_name="outreach_source")
    kind = models.CharField(_("nguồn"), max_length=20, choices=Kind.choices)
    metric = models.CharField(_("số liệu"), max_length=15, choices=[(m, m) for m in METRICS], blank=True)
    platform = models.CharField(_("nền tảng"), max_length=10, choices=Channel.Platform.choices, blank=True)
    # One channel by name (e.g. the second fanpage), at whichever unit reports; blank: every channel that
    # matches the platform.
    channel_name = models.CharField(_("tên kênh"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("nguồn số liệu của chỉ tiêu")
        verbose_name_plural = _("nguồn số liệu của chỉ tiêu")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="channel_metric") | ~Q(metric=""), name="indicatorsource_metric_for_channels"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} ← {self.get_kind_display()}"


class Contest(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="contests"
    )
    committee = models.ForeignKey(Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="contests")
    name = models.CharField(_("tên cuộc thi"), max_length=300)
    organiser = models.CharField(_("cơ quan tổ chức"), max_length=300, blank=True)
    rules = models.TextField(_("thể lệ"), blank=True)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    categories = models.JSONField(_("thể loại"), default=list, blank=True)
    rounds = models.JSONField(_("các vòng"), default=list, blank=True)
    # The prizes, best first: [{"name": "Giải Nhất", "count": 1}, …]; the ranking gives them out.
    prizes = models.JSONField(_("cơ cấu giải"), default=list, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cuộc thi")
        verbose_name_plural = _("cuộc thi")
        ordering = ["-starts_on", "name"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="contest_dates")]

    def __str__(self) -> str:
        return self.name


class EntryQuerySet(ScopedQuerySet):
    scope_path_field = "contest__org_unit__path"


class Entry(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    title = models.CharField(_("tên tác phẩm"), max_length=400)
    authors = models.CharField(_("tác giả"), max_length=400)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="contest_entries"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("thể loại"), max_length=100, blank=True)
    submitted_on = models.DateField(_("ngày nhận"))
    file = models.FileField(upload_to="contests/%Y/", blank=True)
    prize = models.CharField(_("giải"), max_length=100, blank=True)
    rank = models.PositiveIntegerField(_("xếp hạng"), null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("tác phẩm dự thi")
        verbose_name_plural = _("tác phẩm dự thi")
        ordering = ["contest", "rank", "id"]
        indexes = [models.Index(fields=["org_unit", "submitted_on"])]

    def __str__(self) -> str:
        return self.title


class Score(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    judge = models.CharField(_("giám khảo"), max_length=200)
    round = models.CharField(_("vòng"), max_length=100, blank=True)
    score = models.DecimalField(_("điểm"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["entry", "judge"]
        constraints = [models.UniqueConstraint(fields=["entry", "judge", "round"], name="score_unique_judge")]

    def __str__(self) -> str:
        return f"{self.entry} — {self.judge}: {self.score}"


class Training(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="trainings"
    )
    committee = models.ForeignKey(Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="trainings")
    title = models.CharField(_("tên lớp / hội nghị"), max_length=300)
    organiser = models.CharField(_("cơ quan tổ chức"), max_length=300, blank=True)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    place = models.CharField(_("địa điểm"), max_length=300, blank=True)
    online = models.BooleanField(_("trực tuyến"), default=False)
    sessions = models.PositiveSmallIntegerField(_("số buổi"), default=1)
    trainers = models.CharField(_("báo cáo viên"), max_length=400, blank=True)
    materials = models.TextField(_("tài liệu"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lớp tập huấn")
        verbose_name_plural = _("lớp tập huấn")
        ordering = ["-starts_on", "title"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="training_dates")]

    def __str__(self) -> str:
        return self.title


class TrainingGroup(models.Model):
    """Participants counted by group (cán bộ, đảng viên, đoàn viên, báo cáo viên, …)."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="groups")
    group = models.CharField(_("đối tượng"), max_length=100)
    count = models.PositiveIntegerField(_("số người"))

    class Meta:
        ordering = ["training", "id"]
        constraints = [models.UniqueConstraint(fields=["training", "group"], name="traininggroup_unique")]

    def __str__(self) -> str:
        return f"{self.group}: {self.count}"
