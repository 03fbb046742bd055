"""The committee's document register: documents by number and symbol, their files and relations, the incoming
register of Decree 30/2020 Phụ lục IV, the running number series of what giaoban issues, and the cascade of a
directive to the committees below with one implementation record per receiving committee.

A document belongs to one committee's register (`committee`), as incoming or outgoing; documents of no
committee are the reference shelf of higher-level texts (35-NQ/TW, …) that everyone signed in may read.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from giaoban.core.access import PATH_END, Action, scope_paths, subtree_q
from giaoban.core.text import fold
from giaoban.orgs.models import Committee, OrgUnit, PathField

__all__ = [
    "Cascade",
    "Document",
    "DocumentFile",
    "DocumentType",
    "IncomingEntry",
    "NumberSeries",
    "Relation",
    "number_symbol_of",
]


class DocumentType(models.TextChoices):
    """Types of Party and state documents (HD 36-HD/VPTW, Decree 30/2020 Phụ lục III), with their symbols."""

    NGHI_QUYET = "nghi_quyet", _("Nghị quyết")
    CHI_THI = "chi_thi", _("Chỉ thị")
    KET_LUAN = "ket_luan", _("Kết luận")
    QUY_DINH = "quy_dinh", _("Quy định")
    HUONG_DAN = "huong_dan", _("Hướng dẫn")
    KE_HOACH = "ke_hoach", _("Kế hoạch")
    THONG_BAO = "thong_bao", _("Thông báo")
    BAO_CAO = "bao_cao", _("Báo cáo")
    CONG_VAN = "cong_van", _("Công văn")
    QUYET_DINH = "quyet_dinh", _("Quyết định")
    GIAY_MOI = "giay_moi", _("Giấy mời")
    BIEN_BAN = "bien_ban", _("Biên bản")
    KHAC = "khac", _("Khác")


# The abbreviation of each type in a symbol ("NQ" in 35-NQ/TW). Công văn has none (HD 36, Decree 30).
TYPE_SYMBOLS: dict[str, str] = {
    DocumentType.NGHI_QUYET: "NQ",
    DocumentType.CHI_THI: "CT",
    DocumentType.KET_LUAN: "KL",
    DocumentType.QUY_DINH: "QĐi",
    DocumentType.HUONG_DAN: "HD",
    DocumentType.KE_HOACH: "KH",
    DocumentType.THONG_BAO: "TB",
    DocumentType.BAO_CAO: "BC",
    DocumentType.CONG_VAN: "CV",
    DocumentType.QUYET_DINH: "QĐ",
    DocumentType.GIAY_MOI: "GM",
    DocumentType.BIEN_BAN: "BB",
    DocumentType.KHAC: "",
}

_STATE_LAST_SEGMENT = re.compile(r"-")


def number_symbol_of(number: str, symbol: str) -> str:
    """ "35" + "NQ/TW" -> "35-NQ/TW" (Party: type/issuer, joined by a hyphen); "45" + "TB-BCĐ" -> "45/TB-BCĐ" and
    "05" + "2024/NĐ-CP" -> "05/2024/NĐ-CP" (state, Decree 30: type-issuer, joined by a slash). The last segment
    of a state symbol always holds a hyphen; a Party one never does."""
    number, symbol = (number or "").strip(), (symbol or "").strip()
    if not symbol:
        return number
    if not number:
        return symbol
    last = symbol.rsplit("/", 1)[-1]
    return f"{number}/{symbol}" if _STATE_LAST_SEGMENT.search(last) else f"{number}-{symbol}"


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = Action.VIEW):
        """A committee's register within the user's units; for reading, also the documents sent to a committee in
        them (its incoming register and cascades) and the reference shelf (no committee)."""
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, action)
        if paths is None:
            return self
        own = Q(pk__in=[])
        for p in paths:
            own |= subtree_q("committee__org_unit__path", p)
        if action != Action.VIEW:
            return self.filter(own)
        received = IncomingEntry.objects.filter(own).values("document_id")
        return self.filter(own | Q(committee__isnull=True) | Q(pk__in=received))


class Document(models.Model):
    class Direction(models.TextChoices):
        INCOMING = "incoming", _("Văn bản đến")
        OUTGOING = "outgoing", _("Văn bản đi")

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("Ban Chỉ đạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        help_text=_("Sổ văn bản của Ban Chỉ đạo nào; để trống: văn bản cấp trên dùng chung để tra cứu."),
    )
    direction = models.CharField(_("chiều"), max_length=10, choices=Direction.choices)
    number = models.CharField(_("số"), max_length=20, blank=True)
    symbol = models.CharField(_("ký hiệu"), max_length=60, blank=True, help_text=_("Ví dụ: NQ/TW, TB-BCĐ"))
    number_symbol = models.CharField(_("số, ký hiệu"), max_length=90, editable=False, db_index=True)
    type = models.CharField(_("loại văn bản"), max_length=12, choices=DocumentType.choices)
    date = models.DateField(_("ngày ban hành"))
    year = models.PositiveSmallIntegerField(editable=False)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=250)
    subject = models.TextField(_("trích yếu nội dung"))
    signer = models.CharField(_("người ký"), max_length=120, blank=True)
    # Outgoing documents giaoban numbers itself: the series and the number drawn from it (NumberSeries).
    series = models.CharField(max_length=20, blank=True, editable=False)
    serial = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # What in giaoban this document is (a conclusion notice, an invitation, a plan …), when it issued it.
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    # Folded (no diacritics, đ -> d, lower case) number, symbol, type, issuer and subject, for search.
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["committee", "direction", "year"]),
            models.Index(fields=["type", "date"]),
            models.Index(fields=["source_type", "source_id"]),
        ]
        constraints = [
            # Two documents never get one number from a series (the series is per committee and year).
            models.UniqueConstraint(
                fields=["committee", "series", "year", "serial"],
                condition=Q(serial__isnull=False),
                name="document_unique_serial",
            ),
        ]

    def __str__(self) -> str:
        return self.number_symbol or self.subject[:60]

    def refresh_derived(self) -> None:
        """Recompute what is derived from the typed fields: the number and symbol, the year, the search text."""
        self.number_symbol = number_symbol_of(self.number, self.symbol)
        self.year = self.date.year
        label = DocumentType(self.type).label if self.type in DocumentType.values else ""
        self.search_text = " ".join(
            fold(str(part)) for part in (self.number_symbol, label, self.issuer, self.subject, self.signer) if part
        )


class DocumentFile(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="documents/%Y/%m/")
    name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "id"]

    def __str__(self) -> str:
        return self.name


class Relation(models.Model):
    """`source` implements / replaces / amends / guides `target` (e.g. KH 12-KH/BCĐ implements 35-NQ/TW)."""

    class Kind(models.TextChoices):
        IMPLEMENTS = "implements", _("Triển khai thực hiện")
        REPLACES = "replaces", _("Thay thế")
        AMENDS = "amends", _("Sửa đổi, bổ sung")
        GUIDES = "guides", _("Hướng dẫn")

    source = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="relations")
    target = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="related_from")
    kind = models.CharField(_("quan hệ"), max_length=12, choices=Kind.choices)

    class Meta:
        ordering = ["source", "kind", "target"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="relation_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="relation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.target}"


class CommitteeRegisterQuerySet(models.QuerySet):
    """Rows of one committee's register: visible (and writable) within the committee's unit subtree."""

    def visible_to(self, user, action: str = Action.VIEW):
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, action)
        if paths is None:
            return self
        q = Q(pk__in=[])
        for p in paths:
            q |= subtree_q("committee__org_unit__path", p)
        return self.filter(q)


class IncomingEntry(models.Model):
    """A line of the incoming register (sổ đăng ký văn bản đến, Decree 30/2020 Phụ lục IV): the running number
    of the year, the day received, the document (its author, number and symbol, date, type and subject), who it
    was passed to and when, notes; and for a document that needs handling, the deadline and progress. A
    handling instruction (lead, supporting, deadline) makes a task (work.Task.incoming)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="incoming_entries")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="incoming_entries")
    year = models.PositiveSmallIntegerField(editable=False)
    serial = models.PositiveIntegerField(_("số đến"), editable=False)
    received_on = models.DateField(_("ngày đến"))
    recipient = models.CharField(_("đơn vị hoặc người nhận"), max_length=250, blank=True)
    passed_on = models.DateField(_("ngày chuyển"), null=True, blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    deadline = models.DateField(_("hạn giải quyết"), null=True, blank=True)
    progress = models.TextField(_("tiến độ giải quyết"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CommitteeRegisterQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản đến")
        verbose_name_plural = _("sổ văn bản đến")
        ordering = ["committee", "-year", "-serial"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "serial"], name="incoming_unique_serial"),
            models.UniqueConstraint(fields=["committee", "document"], name="incoming_once_per_committee"),
        ]

    def __str__(self) -> str:
        return f"{self.serial}/{self.year} {self.document}"


class NumberSeries(models.Model):
    """The last number drawn from a committee's running series for a year. `key` names the series: "" for a
    state body (Decree 30: one series a year for every type), the type for a Party committee (HD 36: each
    type of document has its own), "in" for the incoming register. Numbers are drawn under a row lock."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="number_series")
    key = models.CharField(max_length=20, blank=True)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["committee", "key", "year"], name="numberseries_unique")]

    def __str__(self) -> str:
        return f"{self.committee_id}/{self.key or '*'}/{self.year}: {self.last}"


class CascadeQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = Action.VIEW):
        """A cascade is the sender's and the receiver's: visible in the scope of either committee's unit; only the
        receiver implements it (action MEET in the receiving committee's units)."""
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, action)
        if paths is None:
            return self
        q = Q(pk__in=[])
        for p in paths:
            q |= subtree_q("committee__org_unit__path", p)
            if action == Action.VIEW:
                q |= subtree_q("sender__org_unit__path", p)
        return self.filter(q)

    def in_subtree(self, unit: OrgUnit):
        return self.filter(unit_path__gte=unit.path, unit_path__lt=unit.path + PATH_END)


class Cascade(models.Model):
    """A directive sent down by `sender` to one committee below (`committee`), and that committee's
    implementation record: received -> implementing document registered -> reported done."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã nhận")
        IMPLEMENTING = "implementing", _("Đã ban hành văn bản triển khai")
        DONE = "done", _("Đã báo cáo hoàn thành")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="cascades")
    sender = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="cascades_sent")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="cascades_received")
    # The receiving committee's unit path, for coverage "by level" as one range scan of a subtree.
    unit_path = PathField(max_length=255, editable=False)
    entry = models.OneToOneField(
        IncomingEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="cascade"
    )
    status = models.CharField(_("tình trạng"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    implementing_document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="implements_cascades"
    )
    due_on = models.DateField(_("thời hạn"), null=True, blank=True)
    sent_on = models.DateField(_("ngày gửi"))
    implemented_on = models.DateField(_("ngày ban hành văn bản triển khai"), null=True, blank=True)
    done_on = models.DateField(_("ngày báo cáo hoàn thành"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)

    objects = CascadeQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản gửi cấp dưới")
        verbose_name_plural = _("văn bản gửi cấp dưới")
        ordering = ["document", "unit_path"]
        indexes = [models.Index(fields=["document", "unit_path"]), models.Index(fields=["committee", "status"])]
        constraints = [models.UniqueConstraint(fields=["document", "committee"], name="cascade_once_per_committee")]

    def __str__(self) -> str:
        return f"{self.document} -> {self.committee}"
