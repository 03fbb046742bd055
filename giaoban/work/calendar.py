"""The calendar: a committee's (or a user's) meetings, the report deadlines of the forms its units file, and the
deadlines of its tasks, day by day. The page and the private .ics feed read the same entries from here.

Scope is the one choke point's: meetings and tasks through `visible_to(user)`; report deadlines for the units the
calendar covers (the committee's unit, or the user's units; an agency officer, who files no report, has none).
A report deadline is `reporting.services.deadline_for` (working days after the period's cut-off, Tết skipped),
the rule the reporting pages use; a task's status is `work.status`'s.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from giaoban.core.access import Action, scope_paths, subtree_q
from giaoban.core.text import sort_key
from giaoban.core.workdays import is_working_day
from giaoban.orgs.models import Committee, OrgUnit
from giaoban.reporting import periods
from giaoban.reporting import services as reporting_services
from giaoban.reporting.models import ReportForm

from . import status as task_status
from .models import Meeting, Task
from .selectors import task_status_of

__all__ = [
    "KINDS",
    "MONTH_NAMES",
    "WEEKDAY_NAMES",
    "WEEKDAY_SHORT",
    "CalendarQuery",
    "Day",
    "Entry",
    "calendar_entries",
    "calendar_query",
    "month_grid",
    "month_title",
    "report_deadlines",
]

KINDS = {
    "meeting": gettext_lazy("Cuộc họp"),
    "report": gettext_lazy("Hạn báo cáo"),
    "task": gettext_lazy("Hạn nhiệm vụ"),
}
MONTH_NAMES = [
    gettext_lazy("Tháng Một"),
    gettext_lazy("Tháng Hai"),
    gettext_lazy("Tháng Ba"),
    gettext_lazy("Tháng Tư"),
    gettext_lazy("Tháng Năm"),
    gettext_lazy("Tháng Sáu"),
    gettext_lazy("Tháng Bảy"),
    gettext_lazy("Tháng Tám"),
    gettext_lazy("Tháng Chín"),
    gettext_lazy("Tháng Mười"),
    gettext_lazy("Tháng Mười Một"),
    gettext_lazy("Tháng Mười Hai"),
]
WEEKDAY_NAMES = [
    gettext_lazy("Thứ Hai"),
    gettext_lazy("Thứ Ba"),
    gettext_lazy("Thứ Tư"),
    gettext_lazy("Thứ Năm"),
    gettext_lazy("Thứ Sáu"),
    gettext_lazy("Thứ Bảy"),
    gettext_lazy("Chủ nhật"),
]
WEEKDAY_SHORT = [
    gettext_lazy("T2"),
    gettext_lazy("T3"),
    gettext_lazy("T4"),
    gettext_lazy("T5"),
    gettext_lazy("T6"),
    gettext_lazy("T7"),
    gettext_lazy("CN"),
]
_KIND_ORDER = {"meeting": 0, "report": 1, "task": 2}


@dataclass
class Entry:
    """One thing on a day: a meeting (timed), or a report's or a task's deadline (all day)."""

    kind: str  # meeting | report | task
    day: date
    title: str
    uid: str  # stable across feeds and days: "meeting-12@giaoban"
    url: str  # path of its page
    committee: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str = ""
    online_url: str = ""
    status: str = ""
    status_label: str = ""
    detail: str = ""
    draft: bool = False
    cancelled: bool = False
    overdue: bool = False
    due_soon: bool = False
    sequence: int = 0

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    def sort_key(self) -> tuple:
        moment = timezone.localtime(self.starts_at).time() if self.starts_at else time.min
        return (self.day, _KIND_ORDER[self.kind], moment, sort_key(self.title), self.uid)


@dataclass
class CalendarQuery:
    """What a calendar shows: a month, one committee or all in the user's scope, some kinds, month or list."""

    month: date  # its first day
    committee: Committee | None = None
    kinds: list[str] = field(default_factory=lambda: list(KINDS))
    view: str = "month"

    def params(self, **changes) -> str:
        values = {
            "month": f"{self.month:%Y-%m}",
            "committee": self.committee.pk if self.committee else "",
            "kind": self.kinds if set(self.kinds) != set(KINDS) else [],
            "view": self.view,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None, [])}, doseq=True)


def _month(text: str | None, today: date) -> date:
    try:
        year, month = (int(x) for x in (text or "").strip().split("-"))
        return date(year, month, 1) if 1900 <= year <= 2200 and 1 <= month <= 12 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def calendar_query(user, data: QueryDict, today: date | None = None) -> CalendarQuery:
    """Read ?month=2026-10&committee=ID&kind=meeting&kind=task&view=list. A committee outside the user's
    scope (or not a number) is a 404, as if it did not exist; a bad month is this month."""
    today = today or timezone.localdate()
    query = CalendarQuery(month=_month(data.get("month"), today))
    raw = (data.get("committee") or "").strip()
    if raw:
        if not raw.isdigit():
            raise Http404
        query.committee = (
            Committee.objects.visible_to(user, Action.VIEW).select_related("org_unit").filter(pk=int(raw)).first()
        )
        if query.committee is None:
            raise Http404
    kinds = [k for k in data.getlist("kind") if k in KINDS]
    if kinds:
        query.kinds = list(dict.fromkeys(kinds))
    query.view = "list" if data.get("view") == "list" else "month"
    return query


def _roots(user, committee: Committee | None) -> list[OrgUnit] | None:
    """The units whose subtrees the report deadlines are for; None: every unit (a system administrator)."""
    if committee is not None:
        return [committee.org_unit]
    paths = scope_paths(user, Action.VIEW)
    if paths is None:
        return None
    return list(OrgUnit.objects.filter(path__in=paths)) if paths else []


def _filers_valid_on(spans: list[tuple[date, date | None]], day: date) -> bool:
    return any(start <= day and (end is None or end >= day) for start, end in spans)


def report_deadlines(roots: list[OrgUnit] | None, start: date, end: date) -> list[Entry]:
    """The deadlines falling in [start, end] of the forms filed by units in `roots`' subtrees (the roots
    included), one per form and period, for the periods some unit of the form's levels is valid at the end of.
    One query for the forms and one per form, whatever the number of units."""
    if roots is not None and not roots:
        return []
    unit_q = Q(pk__in=[]) if roots else Q()
    for root in roots or ():
        unit_q |= subtree_q("path", root.path)
    single = roots[0] if roots and len(roots) == 1 else None
    entries = []
    for form in ReportForm.objects.order_by("code"):
        spans = list(
            OrgUnit.objects.filter(unit_q, kind__in=form.unit_kinds).values_list("valid_from", "valid_to").distinct()
        )
        if not spans:
            continue
        # A deadline lies a few working days after the cut-off: look back far enough for Tết and weekends.
        margin = timedelta(days=2 * form.deadline_working_days + 21)
        for p in periods.periods_between(start - margin, end, form.period_type, form.scheme):
            cutoff = periods.cutoff(p, form.scheme)
            deadline = reporting_services.deadline_for(form, p.id)
            if not start <= deadline <= end or cutoff < form.active_from or not _filers_valid_on(spans, cutoff):
                continue
            query = {"form": form.code, "period": p.id, **({"unit": single.code} if single else {})}
            entries.append(
                Entry(
                    kind="report",
                    day=deadline,
                    title=_("Hạn nộp %(form)s, kỳ %(period)s")
                    % {"form": form.name, "period": periods.period_label(p, form.scheme, dates=False, sentence=True)},
                    uid=f"report-{form.code}-{p.id}@giaoban",
                    url=f"{reverse('reporting:dashboard')}?{urlencode(query)}",
                    detail=_("Kỳ %(period)s: từ %(start)s đến %(end)s; hạn %(n)s ngày làm việc sau kỳ.")
                    % {
                        "period": periods.period_label(p, form.scheme, dates=False),
                        "start": periods.period_range(p, form.scheme)[0].strftime("%d/%m/%Y"),
                        "end": cutoff.strftime("%d/%m/%Y"),
                        "n": form.deadline_working_days,
                    },
                )
            )
    return entries


def _meeting_entries(user, start: date, end: date, committee: Committee | None) -> list[Entry]:
    tz = timezone.get_current_timezone()
    low = datetime.combine(start, time.min, tzinfo=tz)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    qs = Meeting.objects.visible_to(user, Action.VIEW).filter(starts_at__gte=low, starts_at__lt=high)
    if committee is not None:
        qs = qs.filter(committee=committee)
    out = []
    for m in qs.select_related("committee"):
        draft = m.status == Meeting.Status.DRAFT
        cancelled = m.status == Meeting.Status.CANCELLED
        out.append(
            Entry(
                kind="meeting",
                day=timezone.localtime(m.starts_at, tz).date(),
                title=m.title,
                uid=f"meeting-{m.pk}@giaoban",
                url=reverse("work:meeting", args=[m.pk]),
                committee=m.committee.name,
                starts_at=m.starts_at,
                ends_at=m.ends_at,
                place=m.place,
                online_url=m.online_url,
                status=m.status,
                status_label=m.get_status_display(),
                detail=m.get_kind_display(),
                draft=draft,
                cancelled=cancelled,
                sequence=m.version,
            )
        )
    return out


def _task_entries(user, start: date, end: date, committee: Committee | None, today: date) -> list[Entry]:
    qs = Task.objects.visible_to(user, Action.VIEW).filter(due_on__gte=start, due_on__lte=end)
    if committee is not None:
        qs = qs.filter(committee=committee)
    out = []
    for t in qs.select_related("committee", "agency", "unit"):
        status, due_soon = task_status_of(t, today)
        assignee = t.agency.name if t.agency_id else t.unit.name
        out.append(
            Entry(
                kind="task",
                day=t.due_on,
                title=t.title,
                uid=f"task-{t.pk}@giaoban",
                url=reverse("work:task", args=[t.pk]),
                committee=t.committee.name,
                status=status or "",
                status_label=str(task_status.Status(status).label) if status else "",
                detail=_("Chủ trì: %(who)s") % {"who": assignee},
                overdue=status == task_status.Status.OVERDUE,
                due_soon=due_soon,
                sequence=t.version,
            )
        )
    return out


def calendar_entries(
    user,
    start: date,
    end: date,
    *,
    committee: Committee | None = None,
    kinds: list[str] | None = None,
    today: date | None = None,
) -> list[Entry]:
    """Everything on the user's calendar from `start` to `end` (both included), in day order: one committee's
    when given (the caller checked it is visible), else every committee's the user may see. A constant number
    of queries, whatever the number of meetings and tasks."""
    today = today or timezone.localdate()
    kinds = kinds or list(KINDS)
    entries: list[Entry] = []
    if "meeting" in kinds:
        entries += _meeting_entries(user, start, end, committee)
    if "report" in kinds:
        entries += report_deadlines(_roots(user, committee), start, end)
    if "task" in kinds:
        entries += _task_entries(user, start, end, committee, today)
    return sorted(entries, key=Entry.sort_key)


@dataclass
class Day:
    day: date
    in_month: bool
    today: bool
    entries: list[Entry]

    @property
    def day_off(self) -> bool:
        """A weekend or a public holiday (Tết included): not a working day of `core.workdays`."""
        return not is_working_day(self.day)

    @property
    def holiday(self) -> bool:
        return self.day.weekday() < 5 and self.day_off

    @property
    def weekday_name(self) -> str:
        return str(WEEKDAY_NAMES[self.day.weekday()])


def month_grid(first: date) -> list[list[date]]:
    """The weeks (Monday first) that show the month, with the days of the neighbouring months that fill them."""
    return _calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)


def month_title(first: date) -> str:
    """ "Tháng Mười năm 2026" ("October 2026")."""
    return _("%(month)s năm %(year)s") % {"month": MONTH_NAMES[first.month - 1], "year": first.year}
