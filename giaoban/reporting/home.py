"""Reporting's panels on the home page (settings.HOME_PANELS), by role:

- a secretary: this period's reports due at their units, a returned report first with its reason;
- an approver: the reports waiting for them (the queue's first few and its count) and the late and missing
  units of the last finished period;
- a committee head, member or viewer: the dashboard link and its key numbers (expected, reported, on time,
  late, missing) for the last finished period.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.access import Action, Role, user_roles
from giaoban.core.home import Panel
from giaoban.orgs.models import OrgUnit

from . import dashboard, selectors
from .models import Submission

__all__ = ["panels"]

SHOWN = 5  # rows per list on the home page; the full list is one click away
MAX_UNITS = 3  # units (of the user's roles) a panel goes through


def _units(user, roles: set[str]) -> list[OrgUnit]:
    paths = sorted({p for r, p in user_roles(user) if r in roles})
    return list(OrgUnit.objects.filter(path__in=paths).order_by("depth", "path")[:MAX_UNITS])


def reports_due(user, units: list[OrgUnit]) -> list:
    """This period's reports of the units that are not submitted yet, the returned ones first (every returned
    report of the units, whatever its period), each a PeriodRow with `.submission` (and its return reason)."""
    today = timezone.localdate()
    due, returned = [], []
    for unit in units:
        for row in selectors.unit_periods(unit, today, count=2):
            if row.status == Submission.Status.RETURNED:
                returned.append((unit, row))
            elif row.status in ("missing", Submission.Status.DRAFT) and row.start <= today:
                due.append((unit, row))
    seen = {(r.form.pk, r.period, u.pk) for u, r in returned}
    for s in (
        selectors.submissions_for(user, Action.ENTER)
        .filter(status=Submission.Status.RETURNED, unit__in=units)
        .order_by("-period")[:SHOWN]
    ):
        if (s.form_id, s.period, s.unit_id) not in seen:
            returned.append((s.unit, selectors.PeriodRow(s.form, s.period, None, None, s.deadline, s)))
    due.sort(key=lambda ur: ur[1].deadline)
    return (returned + due)[: SHOWN * 2]


def _last_period_status(unit: OrgUnit, with_units: bool):
    """For each form reported below `unit` (two at most): its last finished period's key numbers and, if asked,
    the late and missing units (the first few)."""
    today = timezone.localdate()
    if unit.valid_to and unit.valid_to < today:  # a closed unit: its last periods, never any after it closed
        today = unit.valid_to + timedelta(days=1)
    out = []
    for form in dashboard.forms_for_dashboard(unit)[:2]:
        period = dashboard.default_period(form, today)
        total, _rows, _own = dashboard.completeness_by_child(unit, form, period)
        item = {"form": form, "period": period.id, "label": dashboard.period_label(period, form.scheme), "total": total}
        if with_units:  # the first few only, whatever the number of units (the counts are in `total`)
            item["late"], item["missing"] = dashboard.late_and_missing(unit, form, period, limit=SHOWN)
            item["more"] = total.late > len(item["late"]) or total.missing > len(item["missing"])
        out.append(item)
    return out


def panels(request) -> list[Panel]:
    user = request.user
    roles = {r for r, _p in user_roles(user)}
    out: list[Panel] = []
    if Role.SECRETARY in roles:
        units = _units(user, {Role.SECRETARY})
        out.append(
            Panel(
                "reports-due",
                _("Báo cáo cần nộp"),
                "reporting/home/reports_due.html",
                {"rows": reports_due(user, units)},
                order=10,
            )
        )
    if Role.APPROVER in roles:
        queue = selectors.approval_queue(user).select_related("unit__parent").order_by("deadline", "unit__path")
        units = _units(user, {Role.APPROVER})
        out.append(
            Panel(
                "approval-queue",
                _("Báo cáo chờ duyệt"),
                "reporting/home/queue.html",
                {
                    "waiting": list(queue[:SHOWN]),
                    "count": queue.count(),
                    "late": [(u, _last_period_status(u, with_units=True)) for u in units[:1]],
                },
                order=20,
            )
        )
    if roles & {Role.VIEWER, Role.MEMBER, Role.UNIT_ADMIN, Role.SYSTEM_ADMIN} and not roles & {
        Role.APPROVER,
        Role.SECRETARY,
    }:
        units = _units(user, {Role.VIEWER, Role.MEMBER, Role.UNIT_ADMIN, Role.SYSTEM_ADMIN})
        out.append(
            Panel(
                "key-numbers",
                _("Tình hình báo cáo"),
                "reporting/home/key_numbers.html",
                {"items": [(u, _last_period_status(u, with_units=False)) for u in units[:1]]},
                order=30,
            )
        )
    return out
