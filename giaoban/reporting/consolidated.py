"""The consolidated report of a committee for a window: figures table (units x indicators) from the maintained
aggregates, the units' own narrative texts, the editable draft with its history, and its .docx/.pdf/.xlsx."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from giaoban.core import officialdoc
from giaoban.core.access import Action, can, subtree_q
from giaoban.core.errors import Conflict, ServiceError
from giaoban.core.formats import format_number
from giaoban.core.text import clean_line, clean_text, strip_unit_prefix
from giaoban.core.xlsx import table_to_xlsx
from giaoban.documents.models import DocumentType
from giaoban.documents.services import numbering
from giaoban.orgs.models import Committee, CommitteeRole, Membership, OrgUnit

from . import periods
from .models import ConsolidatedReport, DataValue, Indicator, ReportForm, Submission
from .selectors import Bucket, completeness, indicator_value, over_time, window_values
from .services import current_version, version_indicators

__all__ = [
    "FORMATS",
    "ConsolidatedTable",
    "consolidated_table",
    "default_form",
    "export",
    "form_window",
    "forms_for_committee",
    "gather_narratives",
    "period_label",
    "report_document",
    "report_find_or_build",
    "report_get_or_create_draft",
    "report_issue",
    "report_save",
]

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Agg = Indicator.Aggregation
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
MAX_NARRATIVE_CHARS = 50_000
# A document's table has one column per unit when there are at most this many rows, so that a district
# reporting its own channels gets "indicator | figure" lines rather than one row seven columns wide.
TRANSPOSE_UP_TO = 4


# --- Periods and names --------------------------------------------------------------------------------


def period_label(period: str) -> str:
    """The period as the consolidated report names it inside its sentences ("Báo cáo 9 tháng 2023"): the one
    label of periods.period_label, lower-case first, in the active language (the documents are built in
    Vietnamese, see `in_vietnamese`)."""
    return periods.period_label(period, sentence=True)


def in_vietnamese():
    """The official documents and the texts stored in a draft are Vietnamese whatever the reader's language."""
    return translation.override("vi")


def form_window(form: ReportForm, period: str) -> tuple[periods.Period, list[periods.Period]]:
    try:
        window = periods.parse_period(period)
        return window, periods.composed_of(window, form.period_type, form.scheme)
    except periods.PeriodError as exc:
        raise ServiceError(str(exc), {"period": period}) from None


def short_name(unit: OrgUnit) -> str:
    """ "Huyện Ngọc Lặc" -> "Ngọc Lặc": the place name of the unit's documents."""
    return strip_unit_prefix(unit.name)


_PARTY_BODY = {
    OrgUnit.Subtype.TINH: "TỈNH ỦY",
    OrgUnit.Subtype.THANH_PHO: "THÀNH ỦY",
    OrgUnit.Subtype.HUYEN: "HUYỆN ỦY",
    OrgUnit.Subtype.QUAN: "QUẬN ỦY",
    OrgUnit.Subtype.THI_XA: "THỊ ỦY",
    OrgUnit.Subtype.XA: "ĐẢNG ỦY XÃ",
    OrgUnit.Subtype.PHUONG: "ĐẢNG ỦY PHƯỜNG",
    OrgUnit.Subtype.THI_TRAN: "ĐẢNG ỦY THỊ TRẤN",
    OrgUnit.Subtype.DAC_KHU: "ĐẢNG ỦY ĐẶC KHU",
}
_STATE_PREFIX = {
    OrgUnit.Subtype.TINH: "TỈNH",
    OrgUnit.Subtype.THANH_PHO: "THÀNH PHỐ",
    OrgUnit.Subtype.HUYEN: "HUYỆN",
    OrgUnit.Subtype.QUAN: "QUẬN",
    OrgUnit.Subtype.THI_XA: "THỊ XÃ",
    OrgUnit.Subtype.XA: "XÃ",
    OrgUnit.Subtype.PHUONG: "PHƯỜNG",
    OrgUnit.Subtype.THI_TRAN: "THỊ TRẤN",
    OrgUnit.Subtype.DAC_KHU: "ĐẶC KHU",
}


def parent_body(unit: OrgUnit, layout: str) -> str:
    """The body above the committee in the header: "HUYỆN ỦY NGỌC LẶC" (party), "UBND HUYỆN NGỌC LẶC" (state)."""
    name = short_name(unit).upper()
    if unit.kind == OrgUnit.Kind.NATIONAL:
        return "BAN CHẤP HÀNH TRUNG ƯƠNG" if layout == "party" else "CHÍNH PHỦ"
    if layout == "party":
        # A city of a province (thành phố thuộc tỉnh) is a district-level unit with a "Thành ủy" too.
        return f"{_PARTY_BODY.get(unit.subtype, 'ĐẢNG ỦY')} {name}"
    return f"UBND {_STATE_PREFIX.get(unit.subtype, '')} {name}".replace("  ", " ")


def issuer_name(committee: Committee) -> str:
    """ "BCĐ 35" -> "BAN CHỈ ĐẠO 35"."""
    short = committee.short_name.strip() or committee.name
    return re.sub(r"^BCĐ\b", "BAN CHỈ ĐẠO", short).upper()


def layout_of(committee: Committee) -> str:
    """The committee's document layout, "party" or "state" (Committee.layout)."""
    return committee.layout


def head_of(committee: Committee, on: date) -> Membership | None:
    """The head on `on`, or else the latest one (a dissolved committee's last head)."""
    heads = list(committee.memberships.filter(role=CommitteeRole.HEAD).order_by("-start_date", "-id"))
    current = [m for m in heads if m.start_date <= on and (m.end_date is None or m.end_date >= on)]
    return (current or heads or [None])[0]


# --- Forms of a committee -------------------------------------------------------------------------------


def _depth(kind: str) -> int:
    return OrgUnit.KIND_DEPTH.get(kind, 0)


def forms_for_committee(committee: Committee) -> list[ReportForm]:
    """Forms reported at the committee's unit or below it, the unit's own first."""
    unit = committee.org_unit
    own, below = [], []
    for form in ReportForm.objects.order_by("code"):
        if unit.kind in form.unit_kinds:
            own.append(form)
        elif any(_depth(k) > _depth(unit.kind) for k in form.unit_kinds):
            below.append(form)
    return own + below


def default_form(committee: Committee, code: str | None = None, period: str | None = None) -> ReportForm:
    """The form asked for, or else the first one that has units to report it in `period` (a province's
    district form has none after the districts closed in 2025), or else the first one."""
    forms = forms_for_committee(committee)
    if code:
        for form in forms:
            if form.code == code:
                return form
        raise ServiceError(
            _("Biểu mẫu %(f)s không được báo cáo tại đơn vị này (form %(f)s is not reported at or below this unit).")
            % {"f": code},
            {"form": code},
        )
    if not forms:
        raise ServiceError(
            _("Không có biểu mẫu nào được báo cáo tại đơn vị này (no form is reported at or below this unit)."),
            {"committee": committee.pk},
        )
    if period is not None:
        unit = committee.org_unit
        for form in forms:
            try:
                window, _parts = form_window(form, period)
            except ServiceError:
                continue
            start, end = periods.period_range(window, form.scheme)
            own, children = _row_units(unit, form, start, end)
            if (own and unit.valid_from <= end and (unit.valid_to is None or unit.valid_to >= start)) or children:
                return form
    return forms[0]


# --- The figures table ------------------------------------------------------------------------------


@dataclass
class TableRow:
    unit: OrgUnit | None
    label: str
    values: list[Decimal | None] = field(default_factory=list)
    expected: int = 0
    reported: int = 0

    def display(self) -> list[str]:
        return [format_number(v) for v in self.values]


@dataclass
class ConsolidatedTable:
    unit: OrgUnit
    form: ReportForm
    period: str
    indicators: list[Indicator]
    rows: list[TableRow]
    total: TableRow
    approved_only: bool = False

    @property
    def headers(self) -> list[str]:
        return [f"{i.name_vi} ({i.unit_of_measure})" if i.unit_of_measure else i.name_vi for i in self.indicators]

    def value(self, code: str) -> Decimal | None:
        for ind, v in zip(self.indicators, self.total.values, strict=True):
            if ind.code == code:
                return v
        raise KeyError(code)

    def as_dict(self) -> dict[str, Any]:
        def row(r: TableRow) -> dict[str, Any]:
            return {
                "unit": r.unit.code if r.unit else None,
                "label": r.label,
                "values": {i.code: v for i, v in zip(self.indicators, r.values, strict=True)},
                "display": dict(zip([i.code for i in self.indicators], r.display(), strict=True)),
                "expected": r.expected,
                "reported": r.reported,
            }

        return {
            "unit": self.unit.code,
            "form": self.form.code,
            "period": self.period,
            "approved_only": self.approved_only,
            "indicators": [
                {"code": i.code, "name": i.name_vi, "unit_of_measure": i.unit_of_measure} for i in self.indicators
            ],
            "rows": [row(r) for r in self.rows],
            "total": row(self.total),
        }


def _row_units(unit: OrgUnit, form: ReportForm, start: date, end: date) -> tuple[bool, list[OrgUnit]]:
    """Whether the unit reports the form itself, and its children valid in the window that report it or
    have units below them that do (communes of a district for a commune form, say)."""
    own = unit.kind in form.unit_kinds
    child_kinds = [k for k, d in OrgUnit.KIND_DEPTH.items() if d > _depth(unit.kind)]
    if not any(_depth(k) > _depth(unit.kind) for k in form.unit_kinds):
        return own, []
    children = list(
        OrgUnit.objects.filter(parent=unit, kind__in=child_kinds, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .vn_sorted()
    )
    deepest = max(_depth(k) for k in form.unit_kinds)
    return own, [c for c in children if _depth(c.kind) <= deepest]


def _cells(indicators: list[Indicator], values: dict[int, Decimal | None]) -> list[Decimal | None]:
    """A table row's cells from the base indicators' window values."""
    return [indicator_value(ind, values) for ind in indicators]


def _own_values(
    unit: OrgUnit, form: ReportForm, ends: dict[str, date], base: dict[int, tuple[str, str]], approved_only: bool
) -> dict[int, Decimal | None]:
    """The unit's own report's figures over the window (its aggregate rows also hold the units below it),
    rolled up across time by the same rule, from its few values."""
    statuses = [Submission.Status.APPROVED] if approved_only else list(Submission.COUNTED)
    mine: dict[int, dict[date, Bucket]] = defaultdict(lambda: defaultdict(Bucket))
    for ind_id, pid, value in DataValue.objects.filter(
        submission__unit=unit,
        submission__form=form,
        submission__period__in=list(ends),
        submission__status__in=statuses,
        indicator_id__in=list(base),
        value__isnull=False,
    ).values_list("indicator_id", "submission__period", "value"):
        mine[ind_id][ends[pid]].add(
            {"value_sum": value, "value_count": 1, "value_min": value, "value_max": value}, Decimal(1)
        )
    return {ind_id: over_time(mine[ind_id], units, time) for ind_id, (units, time) in base.items()}


def consolidated_table(
    user, unit: OrgUnit, form: ReportForm, period: str, approved_only: bool = False
) -> ConsolidatedTable:
    """Units x indicators of `form` for window `period` at `unit`: one row per child unit (and one for the
    unit's own report when it reports the form), and the unit's total, all from the maintained aggregates in
    a fixed number of queries. `user=None` is the system (the CLI): no scoping."""
    if user is not None and not can(user, Action.VIEW, unit.path):
        raise Http404
    window, composed = form_window(form, period)
    start, end = periods.period_range(window, form.scheme)
    ends = {p.id: periods.cutoff(p, form.scheme) for p in composed}
    indicators = [i for i in version_indicators(current_version(form)) if i.is_numeric]
    base_ids = {i.pk for i in indicators if not i.is_ratio} | {
        x for i in indicators if i.is_ratio for x in (i.numerator_id, i.denominator_id)
    }
    held = {i.pk: i for i in indicators}
    missing = base_ids - set(held)
    if missing:  # a ratio whose parts are not on the form: read their aggregation rules
        held.update({i.pk: i for i in Indicator.objects.filter(pk__in=missing)})
    base = {pk: (held[pk].aggregation, held[pk].time_aggregation) for pk in base_ids}

    own, children = _row_units(unit, form, start, end)
    forms = {form.pk: (form, base_ids)}
    buckets = {form.pk: list(ends.items())}
    found = window_values([unit.pk, *(c.pk for c in children)], base, forms, buckets, approved_only)

    total = TableRow(unit, _("Tổng cộng"), _cells(indicators, found.get(unit.pk, {})))
    rows: list[TableRow] = []
    if own:
        if children:
            values = _cells(indicators, _own_values(unit, form, ends, base, approved_only))
        else:
            values = list(total.values)  # nothing below reports it: the subtree is the unit itself
        label = unit.name if not children else _("%(u)s (báo cáo của đơn vị)") % {"u": unit.name}
        rows.append(TableRow(unit, label, values))
    rows += [TableRow(c, c.name, _cells(indicators, found.get(c.pk, {}))) for c in children]

    counts = completeness([unit], len(unit.path) + OrgUnit.steplen, forms, buckets, approved_only)
    for r in rows:
        r.expected, r.reported, _on_time = counts.get(r.unit.path, (0, 0, 0))
    total.expected = sum(c[0] for c in counts.values())
    total.reported = sum(c[1] for c in counts.values())
    return ConsolidatedTable(unit, form, window.id, indicators, rows, total, approved_only)


# --- Narratives ----------------------------------------------------------------------------------------


@dataclass
class GatheredText:
    unit: OrgUnit
    text: str
    periods: list[str]


@dataclass
class GatheredSection:
    key: str
    title: str
    items: list[GatheredText]

    def prefill(self, unit: OrgUnit) -> str:
        """The texts as a starting draft: the unit's own words as they are, the others labelled by unit."""
        lines = []
        for item in self.items:
            lines.append(item.text if item.unit.pk == unit.pk else f"- {item.unit.name}: {item.text}")
        return "\n".join(lines)


def gather_narratives(unit: OrgUnit, form: ReportForm, period: str, approved_only: bool = False):
    """For each narrative section of the form, the texts the unit and the units below it submitted over the
    window's reporting periods, labelled by unit; a text repeated from one period to the next is shown once."""
    _w, composed = form_window(form, period)
    sections = current_version(form).narrative_sections
    statuses = [Submission.Status.APPROVED] if approved_only else list(Submission.COUNTED)
    found: dict[str, dict[tuple[int, str], GatheredText]] = {s["key"]: {} for s in sections}
    subs = (
        Submission.objects.filter(
            subtree_q("unit__path", unit.path), form=form, period__in=[p.id for p in composed], status__in=statuses
        )
        .exclude(narrative={})
        .select_related("unit")
        .order_by("unit__path", "period")
    )
    for s in subs:
        for key, text in (s.narrative or {}).items():
            text = (text or "").strip() if isinstance(text, str) else ""
            if key not in found or not text:
                continue
            item = found[key].setdefault((s.unit_id, text), GatheredText(s.unit, text, []))
            item.periods.append(s.period)
    return [GatheredSection(s["key"], s["title"], list(found[s["key"]].values())) for s in sections]


# --- The draft -------------------------------------------------------------------------------------------


def _defaults(committee: Committee, form: ReportForm, period: str) -> dict[str, Any]:
    unit = committee.org_unit
    layout = layout_of(committee)
    head = head_of(committee, timezone.localdate())
    above = (
        Committee.objects.filter(org_unit_id=unit.parent_id, dissolved_on__isnull=True).order_by("pk").first()
        if unit.parent_id
        else None
    )
    recipients = [f"- {above.name} (để báo cáo)," if above else None, "- Các thành viên Ban Chỉ đạo,", "- Lưu VT."]
    with in_vietnamese():  # stored in the draft: the document's words, whoever opens the page first
        subject = f"Kết quả công tác {period_label(period)}, nhiệm vụ thời gian tới"
    return {
        "place": short_name(unit),
        "subject": subject,
        "signer_name": head.person_name if head else "",
        "signer_title": "TRƯỞNG BAN",
        "signer_capacity": "T/M BAN CHỈ ĐẠO" if layout == "party" else "TM. BAN CHỈ ĐẠO",
        "recipients": [r for r in recipients if r],
    }


def report_find_or_build(*, committee: Committee, form: ReportForm, period: str) -> ConsolidatedReport:
    """The saved report, or a new unsaved one with the defaults (reading a report writes nothing)."""
    window, _composed = form_window(form, period)
    found = (
        ConsolidatedReport.objects.filter(committee=committee, form=form, period=window.id)
        .select_related("updated_by")
        .first()
    )
    # An unsaved report is at version 0, the version its first save must name: what GET shows is what PUT sends.
    return found or ConsolidatedReport(
        committee=committee, form=form, period=window.id, version=0, **_defaults(committee, form, window.id)
    )


@transaction.atomic
def report_get_or_create_draft(
    *, committee: Committee, form: ReportForm, period: str, actor=None
) -> ConsolidatedReport:
    report = report_find_or_build(committee=committee, form=form, period=period)
    if report.pk is None:
        report.version = 1
        report.updated_by = actor
        report._history_user = actor
        report.full_clean()
        if not _insert(report):
            report = report_find_or_build(committee=committee, form=form, period=period)
    return report


def _insert(report: ConsolidatedReport) -> bool:
    """Insert a new report; False if another one of the same committee, form and period was inserted first
    (two first saves at once: on PostgreSQL the second waits for the first and then hits the unique key)."""
    try:
        with transaction.atomic():
            report.save(force_insert=True)
    except IntegrityError:
        report.pk = None
        return False
    return True


def _conflict(locked: ConsolidatedReport) -> Conflict:
    user = locked.updated_by
    who = (f"{user.last_name} {user.first_name}".strip() or user.get_username()) if user else "?"
    when = timezone.localtime(locked.updated_at).strftime("%H:%M %d/%m/%Y")
    return Conflict(
        _(
            "Dự thảo vừa được %(who)s lưu lúc %(when)s; nội dung bạn sửa chưa được lưu, hãy so sánh và lưu lại "
            "(the draft was saved by %(who)s at %(when)s meanwhile; your edit was not saved: compare and save again)."
        )
        % {"who": who, "when": when},
        {"version": locked.version, "narrative": locked.narrative, "subject": locked.subject, "updated_by": who},
    )


def _lock(report: ConsolidatedReport, expected_version: int | None) -> ConsolidatedReport:
    locked = ConsolidatedReport.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=report.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise _conflict(locked)
    if locked.is_issued:
        raise ServiceError(
            _("Báo cáo đã ban hành và bị khóa (the report has been issued and is locked)."), {"status": locked.status}
        )
    return locked


EDITABLE_FIELDS = ("subject", "place", "signer_name", "signer_title", "signer_capacity")


@transaction.atomic
def report_save(
    *,
    report: ConsolidatedReport,
    expected_version: int | None,
    actor=None,
    narrative: dict[str, Any] | None = None,
    recipients: list[str] | None = None,
    **fields: Any,
) -> ConsolidatedReport:
    """Save the draft. `expected_version` is the version the editor started from (0 for a report not yet
    saved): if someone saved in between, nothing is written and Conflict says who and when."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(f"Không sửa được (cannot set): {', '.join(sorted(unknown))}", {"fields": sorted(unknown)})
    if report.pk is None:
        existing = ConsolidatedReport.objects.filter(
            committee=report.committee, form=report.form, period=report.period
        ).first()
        if existing is not None:
            if expected_version not in (None, 0):
                raise _conflict(existing)
            report = existing
        else:
            if expected_version not in (None, 0):
                raise ServiceError(_("Không tìm thấy dự thảo (no such draft)."), {"version": expected_version})
            report.version = 0
            expected_version = None
    if report.pk is not None:
        if expected_version == 0:
            raise _conflict(report)
        report = _lock(report, expected_version)
    sections = {s["key"] for s in current_version(report.form).narrative_sections}
    if narrative is not None:
        if not isinstance(narrative, dict):
            raise ServiceError(_("Nội dung phải là một bảng theo mục (narrative must be an object)."))
        unknown_keys = set(narrative) - sections
        if unknown_keys:
            raise ServiceError(
                f"Không có mục (unknown sections): {', '.join(sorted(unknown_keys))}",
                {"fields": {"narrative": sorted(unknown_keys)}},
            )
        cleaned = {**report.narrative}
        for key, text in narrative.items():
            text = "" if text is None else str(text)
            if len(text) > MAX_NARRATIVE_CHARS:
                raise ServiceError(
                    f"Mục {key} quá {MAX_NARRATIVE_CHARS} ký tự (section too long)", {"fields": {"narrative": [key]}}
                )
            cleaned[key] = clean_text(text).strip()
        report.narrative = cleaned
    if recipients is not None:
        if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
            raise ServiceError(_("Nơi nhận phải là danh sách (recipients must be a list of lines)."))
        report.recipients = [clean_line(r) for r in recipients if clean_line(r)]
    for name, value in fields.items():
        setattr(report, name, clean_text(str(value or "")).strip())
    report.version += 1
    report.updated_by = actor
    report._history_user = actor
    try:
        # The unique key is the database's to check: a check here would race with a concurrent first save.
        report.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        messages = exc.message_dict
        raise ServiceError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in messages.items()), {"fields": messages}
        ) from None
    if report.pk is None:
        if not _insert(report):
            raise _conflict(
                ConsolidatedReport.objects.select_related("updated_by").get(
                    committee=report.committee, form=report.form, period=report.period
                )
            )
    else:
        report.save()
    return report


@transaction.atomic
def report_issue(
    *, report: ConsolidatedReport, number: str, issued_on: date, actor=None, expected_version: int | None = None
) -> ConsolidatedReport:
    """Give the report its number and date; from then on it is locked. The number comes from the committee's
    running series when none is typed (a typed one is kept when free, 409 `number_taken` otherwise), and the
    report stands in the committee's outgoing register (documents.services.numbering)."""
    number = (number or "").strip()
    if number and not re.fullmatch(r"[0-9A-Za-z/.\-]{1,20}", number):
        raise ServiceError(_("Số văn bản không hợp lệ (invalid document number)."), {"fields": {"number": number}})
    if not isinstance(issued_on, date):
        raise ServiceError(_("Thiếu ngày ban hành (issue date required)."), {"fields": {"issued_on": None}})
    if report.pk is None:
        raise ServiceError(_("Hãy lưu dự thảo trước khi ban hành (save the draft first)."))
    locked = _lock(report, expected_version)
    with in_vietnamese():
        subject = locked.subject or f"Báo cáo {period_label(locked.period)}"
    registered = numbering.document_issued(
        committee=locked.committee,
        type=DocumentType.BAO_CAO,
        on=issued_on,
        subject=subject,
        source=locked,
        number=number,
        signer=locked.signer_name,
        actor=actor,
    )
    locked.number, locked.issued_on, locked.status = (
        number or registered.number,
        issued_on,
        ConsolidatedReport.Status.ISSUED,
    )
    locked.version += 1
    locked.updated_by = actor
    locked._history_user = actor
    locked.save()
    return locked


# --- The document ---------------------------------------------------------------------------------------

FIGURES_PLACEMENTS = ("section", "appendix")


def figures_placement() -> str:
    """Where the document puts its figures table: "section" (in section I, the default) or "appendix" (on a page
    of its own after the signature, referenced from section I): settings.CONSOLIDATED_FIGURES_PLACEMENT."""
    placement = getattr(settings, "CONSOLIDATED_FIGURES_PLACEMENT", "section")
    if placement not in FIGURES_PLACEMENTS:
        raise ImproperlyConfigured(
            f"CONSOLIDATED_FIGURES_PLACEMENT must be one of {FIGURES_PLACEMENTS}, not {placement!r}"
        )
    return placement


def roman(n: int) -> str:
    """1 -> "I", 4 -> "IV", 14 -> "XIV": the numbers of a report's sections."""
    out = ""
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        count, n = divmod(n, value)
        out += letters * count
    return out


def _phrase(ind: Indicator, value: Decimal) -> str:
    name = ind.name_vi[:1].lower() + ind.name_vi[1:]
    figure = f"{format_number(value)} {ind.unit_of_measure}".strip()
    if ind.value_type == Indicator.ValueType.PERCENT and ind.unit_of_measure in ("", "%"):
        figure = f"{format_number(value)}%"
    if ind.time_aggregation == Agg.MEAN and not ind.is_ratio:
        return f"{name} bình quân {figure}"
    if ind.time_aggregation == Agg.LAST and not ind.is_ratio:
        return f"{name} đến cuối kỳ đạt {figure}"
    return f"{name}: {figure}"


def summary_paragraph(table: ConsolidatedTable) -> str:
    """The key figures in one sentence, from the indicators' names and values (document text: Vietnamese)."""
    phrases = [_phrase(i, v) for i, v in zip(table.indicators, table.total.values, strict=True) if v is not None]
    if not phrases:
        return ""
    with in_vietnamese():
        return f"Kết quả chủ yếu {period_label(table.period)}: " + "; ".join(phrases) + "."


def doc_table(table: ConsolidatedTable) -> tuple[officialdoc.Table, str]:
    """The document's figures table and, when its columns are numbered, the legend naming them."""
    with in_vietnamese():
        title = f"Số liệu tổng hợp {period_label(table.period)}"
    rows = table.rows
    if len(rows) <= TRANSPOSE_UP_TO:
        # Few units: one line per indicator reads better than a row seven columns wide.
        show_total = len(rows) > 1 or not rows
        own_only = len(rows) == 1 and rows[0].unit == table.unit
        headers = ["STT", "Chỉ tiêu", "Đơn vị tính", *("Kết quả" if own_only else r.label for r in rows)]
        if show_total:
            headers.append("Tổng cộng")
        lines = []
        for n, ind in enumerate(table.indicators):
            cells = [str(n + 1), ind.name_vi, ind.unit_of_measure, *(format_number(r.values[n]) for r in rows)]
            if show_total:
                cells.append(format_number(table.total.values[n]))
            lines.append(cells)
        return officialdoc.Table(title=title, headers=headers, rows=lines), ""
    # Many units: one row each. Indicator names would squeeze the unit column on a portrait page, so the
    # columns are numbered and named in a legend above the table.
    headers = ["STT", "Đơn vị", *(f"({n + 1})" for n in range(len(table.indicators)))]
    legend = "Bảng số liệu tổng hợp theo đơn vị, các cột: " + "; ".join(
        f"({n + 1}) {h}" for n, h in enumerate(table.headers)
    )
    lines = [[str(n + 1), r.label, *r.display()] for n, r in enumerate(rows)]
    total = ["", "Tổng cộng", *table.total.display()]
    return officialdoc.Table(title=title, headers=headers, rows=lines, total_row=total), legend + "."


def effective_narrative(report: ConsolidatedReport, gathered: list[GatheredSection]) -> dict[str, str]:
    """The draft's text of each section, or the gathered texts where the draft has none yet."""
    unit = report.committee.org_unit
    return {s.key: (report.narrative or {}).get(s.key) or s.prefill(unit) for s in gathered}


def report_sections(
    report: ConsolidatedReport, table: ConsolidatedTable, gathered: list[GatheredSection], placement: str
) -> list[officialdoc.Section]:
    """The document's sections: every section of the form keeps its official number (I, II, III…) and says so
    when it has nothing to report; section I opens with the key figures and holds the figures table, or
    refers to the appendix. A form without narrative sections gets one: "I. KẾT QUẢ"."""
    texts = effective_narrative(report, gathered)
    figures, legend = doc_table(table)
    has_figures = bool(figures.rows)
    summary = summary_paragraph(table)
    titles = [(s.key, s.title) for s in gathered] or [("", "Kết quả")]
    sections = []
    for n, (key, title) in enumerate(titles):
        section = officialdoc.Section(f"{roman(n + 1)}. {title.upper()}", [texts[key]] if texts.get(key) else [])
        if n == 0:
            if summary:
                section.paragraphs.insert(0, summary)
            if has_figures and placement == "appendix":
                section.paragraphs.append(_("Số liệu chi tiết tại Phụ lục kèm theo."))
            elif has_figures:
                section.paragraphs += [legend] if legend else []
                section.table = figures
        if not section.paragraphs and section.table is None:
            section.paragraphs = [_("Không có nội dung báo cáo trong kỳ.")]
        sections.append(section)
    return sections


def report_document(
    report: ConsolidatedReport, table: ConsolidatedTable, gathered: list[GatheredSection]
) -> officialdoc.OfficialDocument:
    """The report as an official document, in Vietnamese whatever the reader's language; the figures go in
    section I or in an appendix after the signature (`figures_placement`)."""
    with in_vietnamese():
        return _document(report, table, gathered, figures_placement())


def _document(
    report: ConsolidatedReport, table: ConsolidatedTable, gathered: list[GatheredSection], placement: str
) -> officialdoc.OfficialDocument:
    committee = report.committee
    layout = layout_of(committee)
    sections = report_sections(report, table, gathered, placement)
    appendix = None
    figures, legend = doc_table(table)
    if placement == "appendix" and figures.rows:
        appendix = officialdoc.Appendix(
            title=figures.title,
            issued_by=committee.name,
            table=officialdoc.Table("", figures.headers, figures.rows, figures.total_row),
            paragraphs=[legend] if legend else [],
        )
    defaults = _defaults(committee, report.form, report.period) if not report.signer_name else {}
    return officialdoc.OfficialDocument(
        layout=layout,
        parent_body=parent_body(committee.org_unit, layout),
        issuer=issuer_name(committee),
        number=report.number,
        symbol=numbering.symbol_for(committee, DocumentType.BAO_CAO),
        place=report.place or short_name(committee.org_unit),
        date=report.issued_on or timezone.localdate(),
        dated=report.issued_on is not None,  # a draft's day and month are written on signing
        doc_type="BÁO CÁO",
        subject=report.subject,
        sections=sections,
        table=None,
        signer_capacity=report.signer_capacity,
        signer_title=report.signer_title,
        signer_name=report.signer_name or defaults.get("signer_name", ""),
        recipients=list(report.recipients),
        appendix=appendix,
    )


def _xlsx(report: ConsolidatedReport, table: ConsolidatedTable) -> bytes:
    """The figures as a spreadsheet, in the reader's language (the indicators' names are the form's own)."""
    headers = [_("STT"), _("Đơn vị"), *table.headers]
    rows = [[n + 1, r.label, *r.values] for n, r in enumerate(table.rows)]
    rows.append(["", table.total.label, *table.total.values])
    title = f"{report.committee.name} — {report.form.name} — {period_label(table.period)}"
    return table_to_xlsx([(f"{report.form.code} {table.period}", headers, rows)], title=title)


def export(report: ConsolidatedReport, fmt: str, approved_only: bool = False, user=None) -> bytes:
    """The report as .docx, .pdf or .xlsx bytes (`user=None`: the system, no scoping)."""
    if fmt not in FORMATS:
        raise ServiceError(
            f"Định dạng không hỗ trợ: {fmt} (unsupported format; use {', '.join(FORMATS)})", {"format": fmt}
        )
    unit = report.committee.org_unit
    if fmt == "xlsx":
        return _xlsx(report, consolidated_table(user, unit, report.form, report.period, approved_only))
    with in_vietnamese():  # the table's labels ("Tổng cộng", "… (báo cáo của đơn vị)") are document text
        table = consolidated_table(user, unit, report.form, report.period, approved_only)
        doc = report_document(report, table, gather_narratives(unit, report.form, report.period, approved_only))
    return officialdoc.render_docx(doc) if fmt == "docx" else officialdoc.render_pdf(doc)


def filename(report: ConsolidatedReport, fmt: str) -> str:
    return f"bao-cao-tong-hop-{report.committee.org_unit.code}-{report.form.code}-{report.period}.{fmt}"
