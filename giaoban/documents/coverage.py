"""Reads on cascades: a directive's coverage below a unit (how many of the receiving committees have issued their
implementing document, which have not, rolled up by child unit for the drill-down province -> communes), the
receiving committees' list of directives, and the coverage as .xlsx.

Counts come from one GROUP BY over the receivers' unit-path prefix, so a national directive to 3,321 communes
reads in a fixed number of queries; always through `Cascade.objects.visible_to(user)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.access import PATH_END, Action, is_system_admin, scope_paths
from giaoban.core.formats import short_date
from giaoban.core.xlsx import ratio, table_to_xlsx
from giaoban.orgs.models import OrgUnit

from .models import Cascade, Document

__all__ = [
    "ROW_FILTERS",
    "Coverage",
    "CoverageGroup",
    "cascades_for",
    "cascades_received",
    "coverage",
    "coverage_default_unit",
    "coverage_xlsx",
    "is_overdue",
    "receiver_scope_q",
]

Status = Cascade.Status
# Which rows a coverage lists: all, those without an implementing document yet, those with one, those overdue.
ROW_FILTERS = ("all", "pending", "implemented", "overdue")


def cascades_for(user, action: str = Action.VIEW) -> QuerySet[Cascade]:
    """Every cascade in the user's reach (sender's or receiver's side), with what a row shows."""
    return Cascade.objects.visible_to(user, action).select_related(
        "document", "sender__org_unit", "committee__org_unit", "implementing_document", "entry"
    )


def receiver_scope_q(user) -> Q | None:
    """Cascades received by a committee in the user's units (None: all, for a system admin)."""
    if is_system_admin(user):
        return None
    q = Q(pk__in=[])
    for p in scope_paths(user, Action.VIEW) or []:
        q |= Q(unit_path__gte=p, unit_path__lt=p + PATH_END)
    return q


def cascades_received(user) -> QuerySet[Cascade]:
    """ "Văn bản cấp trên gửi": directives received by the committees in the user's units, deadline first."""
    qs = cascades_for(user)
    q = receiver_scope_q(user)
    if q is not None:
        qs = qs.filter(q)
    return qs.order_by("status", "due_on", "-sent_on", "id")


def is_overdue(cascade: Cascade, as_of: date) -> bool:
    """Past the deadline without an implementing document."""
    return cascade.implementing_document_id is None and cascade.due_on is not None and cascade.due_on < as_of


@dataclass
class CoverageGroup:
    """The receivers in one child unit's subtree (or, `own`, at the unit itself)."""

    unit: OrgUnit
    expected: int = 0
    implemented: int = 0
    done: int = 0
    overdue: int = 0
    own: bool = False

    @property
    def key(self) -> str:
        return "" if self.own else self.unit.code

    @property
    def pending(self) -> int:
        return self.expected - self.implemented

    @property
    def percent(self) -> float | None:
        return round(self.implemented * 100 / self.expected, 1) if self.expected else None

    @property
    def drill(self) -> bool:
        return not self.own and self.unit.numchild > 0


@dataclass
class Coverage:
    document: Document
    unit: OrgUnit
    as_of: date
    total: CoverageGroup
    by_unit: list[CoverageGroup] = field(default_factory=list)
    rows: list[Cascade] = field(default_factory=list)
    row_filter: str = "all"

    @property
    def expected(self) -> int:
        return self.total.expected

    @property
    def implemented(self) -> int:
        return self.total.implemented

    @property
    def pending(self) -> int:
        return self.total.pending


def coverage_default_unit(user, document: Document) -> OrgUnit | None:
    """The unit a coverage starts from: the highest sender's unit the user can see, else the user's own highest
    unit that received it, else the register's committee's unit."""
    visible = OrgUnit.objects.visible_to(user)
    senders = list(
        Cascade.objects.visible_to(user)
        .filter(document=document)
        .values_list("sender__org_unit__path", flat=True)
        .order_by("sender__org_unit__path")
        .distinct()[:5]
    )
    for path in senders:
        unit = visible.filter(path=path).first()
        if unit is not None:
            return unit
    roots = scope_paths(user)
    if roots:
        for root in roots:
            unit = visible.filter(path=root).first()
            if unit is not None:
                return unit
    if document.committee_id:
        return visible.filter(pk=document.committee.org_unit_id).first()
    return None


def coverage(
    user, document: Document, unit: OrgUnit, *, as_of: date | None = None, rows: str | None = "all"
) -> Coverage:
    """The coverage of `document` below `unit` (its subtree, the unit's own committees included), live as of
    `as_of` (today): totals, one group per child unit with receivers in its subtree, and the rows (all, pending,
    implemented or overdue; None: no rows). A fixed number of queries, whatever the number of receivers."""
    as_of = as_of or timezone.localdate()
    base = Cascade.objects.visible_to(user).filter(document=document).in_subtree(unit)
    width = len(unit.path) + OrgUnit.steplen
    grouped = list(
        base.annotate(prefix=Substr("unit_path", 1, width))
        .values("prefix")
        .annotate(
            expected=Count("pk"),
            implemented=Count("pk", filter=Q(implementing_document__isnull=False)),
            done=Count("pk", filter=Q(status=Status.DONE)),
            overdue=Count("pk", filter=Q(implementing_document__isnull=True, due_on__lt=as_of)),
        )
        .order_by()
    )
    total = CoverageGroup(unit=unit)
    result = Coverage(document=document, unit=unit, as_of=as_of, total=total, row_filter=rows or "all")
    children = {u.path: u for u in OrgUnit.objects.filter(path__in=[g["prefix"] for g in grouped if g["prefix"]])}
    own = None
    for g in grouped:
        counts = {k: g[k] for k in ("expected", "implemented", "done", "overdue")}
        for k, v in counts.items():
            setattr(total, k, getattr(total, k) + v)
        if g["prefix"] == unit.path:
            own = CoverageGroup(unit=unit, own=True, **counts)
        elif g["prefix"] in children:
            result.by_unit.append(CoverageGroup(unit=children[g["prefix"]], **counts))
    result.by_unit.sort(key=lambda grp: (grp.unit.sort_key, grp.unit.code))
    if own is not None:
        result.by_unit.insert(0, own)
    if rows is not None:
        # Only what a row shows: a national list is thousands of rows.
        qs = (
            base.select_related("committee__org_unit", "implementing_document")
            .only(
                "status", "due_on", "implemented_on", "done_on", "unit_path", "implementing_document_id", "version",
                "committee__name", "committee__org_unit__name", "committee__org_unit__code",
                "implementing_document__number_symbol", "implementing_document__date",
                "implementing_document__subject", "implementing_document__type",
            )
            .order_by("committee__org_unit__sort_key", "committee__org_unit__code", "id")
        )  # fmt: skip
        if rows == "pending":
            qs = qs.filter(implementing_document__isnull=True)
        elif rows == "implemented":
            qs = qs.filter(implementing_document__isnull=False)
        elif rows == "overdue":
            qs = qs.filter(implementing_document__isnull=True, due_on__lt=as_of)
        result.rows = list(qs)
        for c in result.rows:
            c.overdue = is_overdue(c, as_of)
    return result


def _percent(value: float | None):
    return "" if value is None else ratio(value)


def coverage_xlsx(cov: Coverage) -> bytes:
    """Two sheets: the counts by child unit (then the total), and the receiving committees one by one."""
    headers = [
        _("Đơn vị"),
        _("Số Ban Chỉ đạo nhận"),
        _("Đã ban hành văn bản triển khai"),
        _("Đã báo cáo hoàn thành"),
        _("Chưa ban hành"),
        _("Quá hạn"),
        _("Tỷ lệ (%)"),
    ]

    def line(label: str, g: CoverageGroup) -> list:
        return [label, g.expected, g.implemented, g.done, g.pending, g.overdue, _percent(g.percent)]

    groups = [line(_("Cấp %(u)s") % {"u": g.unit.name} if g.own else g.unit.name, g) for g in cov.by_unit]
    groups.append(line(_("Tổng cộng"), cov.total))
    row_headers = [
        _("Đơn vị"),
        _("Ban Chỉ đạo"),
        _("Tình trạng"),
        _("Văn bản triển khai"),
        _("Ngày ban hành"),
        _("Thời hạn"),
        _("Quá hạn"),
    ]
    rows = [
        [
            c.committee.org_unit.name,
            c.committee.name,
            str(c.get_status_display()),
            str(c.implementing_document or ""),
            short_date(c.implemented_on) if c.implemented_on else "",
            short_date(c.due_on) if c.due_on else "",
            _("Quá hạn") if getattr(c, "overdue", False) else "",
        ]
        for c in cov.rows
    ]
    title = _("Tình hình triển khai %(d)s — %(u)s, đến ngày %(t)s") % {
        "d": cov.document,
        "u": cov.unit.name,
        "t": short_date(cov.as_of),
    }
    return table_to_xlsx(
        [(_("Theo đơn vị"), headers, groups), (_("Danh sách"), row_headers, rows)],
        title=title,
    )
