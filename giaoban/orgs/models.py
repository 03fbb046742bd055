"""Org units on a time-versioned tree, their successions, committees, members and user roles."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from giaoban.core.access import Role, ScopedQuerySet, subtree_q
from giaoban.core.text import clean_fields

__all__ = [
    "Agency",
    "Committee",
    "CommitteeRole",
    "Decision",
    "Membership",
    "OrgUnit",
    "Succession",
    "UserProfile",
    "UserRole",
]


class PathField(models.CharField):
    """Materialized path compared byte-wise: C collation on PostgreSQL (SQLite is binary already),
    so that subtree predicates are index range scans."""

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class OrgUnitQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    scope_path_field = "path"

    def valid_on(self, day: date) -> OrgUnitQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def subtree_of(self, unit: OrgUnit) -> OrgUnitQuerySet:
        return self.filter(subtree_q("path", unit.path))

    def vn_sorted(self) -> OrgUnitQuerySet:
        return self.order_by("sort_key", "code")


class OrgUnitManager(MP_NodeManager.from_queryset(OrgUnitQuerySet)):
    def get_queryset(self):
        # treebeard's manager builds its own queryset class; keep its path order with ours.
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")


class OrgUnit(MP_Node):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("Trung ương")
        PROVINCE = "province", _("Cấp tỉnh")
        DISTRICT = "district", _("Cấp huyện")
        COMMUNE = "commune", _("Cấp xã")

    class Subtype(models.TextChoices):
        QUOC_GIA = "quoc_gia", _("Quốc gia")
        TINH = "tinh", _("Tỉnh")
        THANH_PHO = "thanh_pho", _("Thành phố")
        HUYEN = "huyen", _("Huyện")
        QUAN = "quan", _("Quận")
        THI_XA = "thi_xa", _("Thị xã")
        XA = "xa", _("Xã")
        PHUONG = "phuong", _("Phường")
        DAC_KHU = "dac_khu", _("Đặc khu")
        THI_TRAN = "thi_tran", _("Thị trấn")

    KIND_DEPTH = {Kind.NATIONAL: 0, Kind.PROVINCE: 1, Kind.DISTRICT: 2, Kind.COMMUNE: 3}

    path = PathField(max_length=255, unique=True)
    code = models.CharField(_("mã"), max_length=12, unique=True, help_text=_("Mã đơn vị hành chính; không dùng lại."))
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("cấp"), max_length=10, choices=Kind.choices)
    subtype = models.CharField(_("loại"), max_length=10, choices=Subtype.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    sort_key = models.CharField(max_length=400, editable=False, db_index=True)

    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild", "name_folded", "sort_key"])
    objects = OrgUnitManager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    @property
    def is_closed(self) -> bool:
        return self.valid_to is not None

    def lineage_paths(self) -> list[str]:
        """The paths of the root, every ancestor and the unit itself, in that order (from its own path: no query)."""
        return [self.path[: self.steplen * d] for d in range(1, self.depth + 1)]


class Succession(models.Model):
    """A closed unit (predecessor) lives on in a successor from `date` on."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Hợp nhất / sáp nhập")
        SPLIT = "split", _("Chia tách")
        RENAME = "rename", _("Đổi tên")
        MOVE = "move", _("Điều chỉnh địa giới")

    predecessor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="successions_out")
    successor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="successions_in")
    date = models.DateField(_("ngày hiệu lực"))
    kind = models.CharField(_("hình thức"), max_length=10, choices=Kind.choices)
    # Part of the predecessor that went to this successor (splits); 1 for the others.
    share = models.DecimalField(_("tỷ lệ"), max_digits=5, decimal_places=4, default=1)
    note = models.CharField(_("căn cứ"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế thừa")
        verbose_name_plural = _("kế thừa")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="succession_not_self"),
            models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=1), name="succession_share_range"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.date})"


class Agency(models.Model):
    """A body that sits on committees (Ban Tuyên giáo, Công an, Đoàn Thanh niên, …) at some unit."""

    name = models.CharField(_("tên cơ quan"), max_length=200)
    short_name = models.CharField(_("tên viết tắt"), max_length=60, blank=True)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="agencies")
    is_state_body = models.BooleanField(
        _("cơ quan nhà nước"),
        default=False,
        help_text=_("Văn bản theo thể thức Nghị định 30/2020 thay vì thể thức của Đảng."),
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        clean_fields(self, "name", "short_name")


class Committee(models.Model):
    name = models.CharField(_("tên"), max_length=250)
    short_name = models.CharField(_("ký hiệu"), max_length=40, help_text=_("Ví dụ: BCĐ 35"))
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="committees")
    standing_agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan thường trực"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_state_body = models.BooleanField(_("thuộc cơ quan nhà nước"), default=False)
    established_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)
    due_soon_days = models.PositiveSmallIntegerField(
        _("báo sắp đến hạn trước (ngày làm việc)"),
        default=3,
        help_text=_("Nhiệm vụ được đánh dấu sắp đến hạn và được nhắc khi còn chừng này ngày làm việc."),
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("Ban Chỉ đạo")
        verbose_name_plural = _("Ban Chỉ đạo")
        ordering = ["org_unit__path", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        clean_fields(self, "name", "short_name")

    @property
    def layout(self) -> str:
        """The layout and numbering of the documents it issues: "state" (Decree 30/2020) for a state body or one
        whose standing agency is a state body, else "party" (HD 36-HD/VPTW)."""
        agency = self.standing_agency
        return "state" if self.is_state_body or (agency is not None and agency.is_state_body) else "party"


class CommitteeChildQuerySet(ScopedQuerySet):
    scope_path_field = "committee__org_unit__path"


class Decision(models.Model):
    """A decision on a committee's composition (thành lập, kiện toàn)."""

    class Kind(models.TextChoices):
        ESTABLISH = "establish", _("Thành lập")
        RECONSTITUTE = "reconstitute", _("Kiện toàn")

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("loại"), max_length=15, choices=Kind.choices, default=Kind.RECONSTITUTE)
    number = models.CharField(_("số, ký hiệu"), max_length=60)
    date = models.DateField(_("ngày ký"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    subject = models.CharField(_("trích yếu"), max_length=400, blank=True)

    history = HistoricalRecords()
    objects = CommitteeChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định")
        verbose_name_plural = _("quyết định")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["committee", "number"], name="decision_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%d/%m/%Y})"


class CommitteeRole(models.TextChoices):
    HEAD = "head", _("Trưởng ban")
    STANDING_DEPUTY = "standing_deputy", _("Phó Trưởng ban Thường trực")
    DEPUTY = "deputy", _("Phó Trưởng ban")
    MEMBER = "member", _("Ủy viên")
    SECRETARIAT_LEAD = "secretariat_lead", _("Tổ trưởng Tổ Thư ký")
    SECRETARY = "secretary", _("Thư ký")


ROLE_ORDER = {role: i for i, role in enumerate(CommitteeRole.values)}


class MembershipQuerySet(CommitteeChildQuerySet):
    def current(self, day: date | None = None):
        from django.utils import timezone

        day = day or timezone.localdate()
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day))


class Membership(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="memberships")
    person_name = models.CharField(_("họ và tên"), max_length=120)
    position = models.CharField(_("chức vụ"), max_length=250, blank=True)
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(_("vai trò trong Ban"), max_length=20, choices=CommitteeRole.choices)
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)
    appointed_by = models.ForeignKey(
        Decision, verbose_name=_("quyết định phân công"), on_delete=models.PROTECT, related_name="appointments"
    )
    ended_by = models.ForeignKey(
        Decision,
        verbose_name=_("quyết định thôi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="endings",
    )
    # The member's own login, when they have one: reminders and "my meetings" reach them through it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    email = models.EmailField(_("thư điện tử"), blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")
        ordering = ["committee", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_name} — {self.get_role_display()}"

    def clean(self) -> None:
        clean_fields(self, "person_name", "position")


class UserRole(models.Model):
    """A user holds a role at a unit; their scope is that unit and everything below it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="giaoban_roles")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="user_roles")
    # Only for the agency-officer role: the member agency whose tasks the user follows up.
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT, related_name="officers"
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vai trò người dùng")
        verbose_name_plural = _("vai trò người dùng")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit"], condition=Q(agency__isnull=True), name="userrole_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "agency"], condition=Q(agency__isnull=False), name="userrole_unique_officer"
            ),
            models.CheckConstraint(
                condition=Q(role=Role.AGENCY_OFFICER, agency__isnull=False) | (~Q(role=Role.AGENCY_OFFICER)),
                name="userrole_officer_has_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.org_unit}"


class UserProfile(models.Model):
    """What giaoban keeps about a login beyond Django's user: the unit it belongs to and a phone number.

    The unit places a user without any role (just created, or whose roles were all removed) in a unit
    admin's subtree; `name_folded` lets the user list find "Nguyễn Văn An" from "nguyen van an"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="giaoban_profile", verbose_name=_("tài khoản")
    )
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    name_folded = models.CharField(max_length=300, editable=False, db_index=True)
    sort_key = models.CharField(max_length=600, editable=False, db_index=True)

    history = HistoricalRecords(excluded_fields=["name_folded", "sort_key"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ người dùng")
        verbose_name_plural = _("hồ sơ người dùng")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        clean_fields(self, "phone")


def _register_user_history() -> None:
    """Who created, renamed, deactivated a login and when: the users' audit trail (kept in this app, so the
    migration is ours; password hashes and sign-in times are not history)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    if not hasattr(user_model, "history"):
        register_history(user_model, app="giaoban.orgs", excluded_fields=["password", "last_login"])


_register_user_history()
