"""The dashboard page: completeness and timeliness by child unit, late and missing units, indicator trends,
drilling down from the user's top unit to a commune."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core import formats
from giaoban.core.access import Action, can
from giaoban.core.templatetags.vn import vn_number
from giaoban.orgs.models import OrgUnit, UserRole
from giaoban.orgs.selectors import visible_ancestors

from .. import dashboard, periods, services
from ..models import Indicator

MAX_TREND_PERIODS = 24
PERIOD_CHOICES = 12
ROW_UNIT = "0UNIT0"  # stands for a unit's code in a URL reversed once for every row
# Late or missing units listed at once. Beyond that (a national page expects thousands of communes) the list
# is grouped by child unit with counts, each group opening its own paged list (?list=late|missing&page=).
LIST_PAGE = 25
LISTS = ("late", "missing")


def _top_unit(user) -> OrgUnit | None:
    """The highest unit the user holds a role at (the first by path among equals)."""
    units = OrgUnit.objects.filter(pk__in=UserRole.objects.filter(user=user).values("org_unit")).order_by(
        "depth", "path"
    )
    return units.first()


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value or default), low), high)
    except ValueError:
        return default


def _float(v):
    return None if v is None else float(v)


def _listed(statuses, unit: OrgUnit, form, period) -> list[tuple]:
    """Rows of a late or missing list, ready to print: (status, its entry page, its parent's name when not
    `unit`). A {% url %} and a few lookups per row made up most of a long list's rendering time."""
    entry = reverse("reporting:entry", args=[ROW_UNIT, form.code, period.id])
    return [
        (
            s,
            entry.replace(ROW_UNIT, quote(s.unit.code), 1),
            s.unit.parent.name if s.unit.parent_id != unit.pk and s.unit.pk != unit.pk else "",
        )
        for s in statuses
    ]


def _list_query(unit: OrgUnit, form, period, state: str, approved_only: bool, page: int = 1) -> str:
    query = {"unit": unit.code, "form": form.code, "period": period.id, "list": state, "page": page}
    if approved_only:
        query["approved"] = 1
    return "?" + urlencode(query)


def _units_fragment(request, unit: OrgUnit, form, period, state: str, approved_only: bool):
    """?list=late|missing&page=N: one page of the late or missing units below `unit` (table rows, with a
    button for the next page), for a group the dashboard shows folded."""
    page = _int(request.GET.get("page"), 1, 1, 100_000)
    rows, more = dashboard.units_page(unit, form, period, state, page, LIST_PAGE, approved_only)
    context = {
        "state": state,
        "rows": _listed(rows, unit, form, period),
        "deadline": services.deadline_for(form, period.id),
        "more": _list_query(unit, form, period, state, approved_only, page + 1) if more else "",
    }
    return render(request, "reporting/includes/dashboard_units.html", context)


@login_required
def dashboard_page(request):
    """?unit=CODE (default: the user's top unit), ?form=CODE, ?period=ID (default: the last finished period),
    ?indicators=A,B for the trend, ?n= periods in the trend, ?approved=1 for approved figures only."""
    user = request.user
    code = request.GET.get("unit")
    unit = get_object_or_404(OrgUnit.objects.visible_to(user), code=code) if code else _top_unit(user)
    if unit is None:
        return render(request, "reporting/dashboard.html", {"unit": None})
    forms = dashboard.forms_for_dashboard(unit)
    form_code = request.GET.get("form")
    if form_code:
        form = next((f for f in forms if f.code == form_code), None)
        if form is None:
            raise Http404
    else:
        form = forms[0] if forms else None
    if form is None:
        return render(request, "reporting/dashboard.html", {"unit": unit, "form": None})

    today = timezone.localdate()
    if request.GET.get("period"):
        try:
            period = periods.parse_period(request.GET["period"])
        except periods.PeriodError:
            raise Http404 from None
        if period.type != form.period_type:
            raise Http404
    else:
        period = dashboard.default_period(form, today)
    approved_only = request.GET.get("approved") == "1"
    state = request.GET.get("list")
    if state is not None:
        if state not in LISTS:
            raise Http404
        return _units_fragment(request, unit, form, period, state, approved_only)

    choices = dashboard.trend_choices(form)
    wanted = [c.strip().upper() for c in ",".join(request.GET.getlist("indicators")).split(",") if c.strip()]
    by_code = {i.code: i for i in choices}
    chosen = [by_code[c] for c in wanted if c in by_code] or dashboard.default_indicators(choices)
    count = _int(request.GET.get("n"), dashboard.TREND_PERIODS, 2, MAX_TREND_PERIODS)

    deadline = services.deadline_for(form, period.id)
    following = periods.next_period(period)
    total, children, own = dashboard.completeness_by_child(unit, form, period, approved_only)
    # One more than a page tells whether the lists are short enough to print whole.
    late, missing = dashboard.late_and_missing(unit, form, period, approved_only, limit=LIST_PAGE + 1)
    trend = dashboard.trend(unit, chosen, dashboard.trend_periods(period, form, count), approved_only)

    # The period in progress can be chosen too (who has already reported), but is not the default.
    recent = [dashboard.current_period(form, today)]
    while len(recent) < PERIOD_CHOICES:
        recent.append(periods.previous_period(recent[-1]))
    if period not in recent:
        recent.insert(0, period)
    rows = ([own] if own and own.expected else []) + children
    # Query string that drill-down and breadcrumb links keep (the unit is added in front).
    keep = {"form": form.code, "period": period.id, "indicators": ",".join(i.code for i in chosen)}
    if count != dashboard.TREND_PERIODS:
        keep["n"] = count
    if approved_only:
        keep["approved"] = 1
    chart = {
        # The page's separators, so that axis labels and tooltips print numbers as the tables do.
        "number": formats.number_symbols(formats.number_locale()),
        "labels": {
            "on_time": _("Đúng hạn"),
            "late": _("Muộn"),
            "missing": _("Chưa nộp"),
            "reports": _("Số báo cáo"),
        },
        "completeness": {
            "units": [r.unit.name for r in rows],
            "on_time": [r.on_time for r in rows],
            "late": [r.late for r in rows],
            "missing": [r.missing for r in rows],
        },
        "trend": {
            "periods": [dashboard.period_label(p, form.scheme, short=True) for p in trend.periods],
            "series": [
                {
                    "name": s.indicator.name_vi,
                    "unit": s.indicator.unit_of_measure,
                    "decimals": s.decimals,
                    "percent": s.indicator.value_type == Indicator.ValueType.PERCENT,
                    "zero": s.indicator.time_aggregation != Indicator.Aggregation.LAST,
                    "integer": s.indicator.value_type == Indicator.ValueType.INTEGER,
                    "values": [_float(v) for v in s.values],
                }
                for s in trend.series
            ],
        },
    }
    keep_approved = "&approved=1" if approved_only else ""

    def groups(statuses, state: str):
        """The list whole when short; else (the unit's own row, one group per child unit with its count)."""
        if len(statuses) <= LIST_PAGE:
            return _listed(statuses, unit, form, period), None
        own_rows = [s for s in statuses if s.unit.pk == unit.pk]
        folded = [
            {
                "unit": r.unit,
                "count": getattr(r, state),
                "url": _list_query(r.unit, form, period, state, approved_only),
                "link": f"?unit={quote(r.unit.code)}&form={quote(form.code)}&period={period.id}{keep_approved}",
            }
            for r in children
            if getattr(r, state)
        ]
        return _listed(own_rows, unit, form, period), folded

    late_rows, late_groups = groups(late, "late")
    missing_rows, missing_groups = groups(missing, "missing")

    # The completeness table's cells, formatted once per distinct number: a province's page has a row per
    # commune, and a template include with seven number filters per row was most of its rendering time.
    formatted: dict[tuple, str] = {}

    def number(value, decimals=None) -> str:
        key = (type(value), value, decimals)
        if key not in formatted:
            formatted[key] = vn_number(value, decimals)
        return formatted[key]

    def pct(value) -> str:
        return "—" if value is None else formats.format_percent(value, locale=formats.number_locale())

    def cells(r: dashboard.Completeness) -> list[tuple[str, str]]:
        return [
            (number(r.expected), ""),
            (number(r.reported), ""),
            (number(r.on_time), ""),
            (number(r.late), " text-warning-emphasis fw-semibold" if r.late else ""),
            (number(r.missing), " text-danger fw-semibold" if r.missing else ""),
            (pct(r.reported_pct), ""),
            (pct(r.on_time_pct), ""),
        ]

    context = {
        "unit": unit,
        "form": form,
        "forms": forms,
        "period": period,
        "period_label": dashboard.period_label(period, form.scheme),
        "period_choices": [(p, dashboard.period_label(p, form.scheme)) for p in recent],
        "previous": periods.previous_period(period),
        "next": following if periods.period_range(following, form.scheme)[0] <= today else None,
        "deadline": deadline,
        "deadline_passed": deadline < today,
        "approved_only": approved_only,
        "total": total,
        "total_cells": cells(total),
        "own": own,
        "own_cells": cells(own) if own else [],
        "children": children,
        "children_cells": [(r, cells(r)) for r in children],
        "late": late_rows,
        "late_groups": late_groups,
        "missing": missing_rows,
        "missing_groups": missing_groups,
        "choices": choices,
        "chosen": chosen,
        "chosen_codes": ",".join(i.code for i in chosen),
        "count": count,
        "trend": trend,
        "trend_rows": [
            (dashboard.period_label(p, form.scheme, with_dates=False), dashboard.period_dates(p, form.scheme), cells)
            for p, cells in trend.rows
        ],
        "chart": chart,
        "ancestors": visible_ancestors(user, unit),
        "keep": urlencode(keep),
        # Only those who enter figures for the units below get their workbook template.
        "can_enter": can(user, Action.ENTER, unit.path),
    }
    template = "reporting/dashboard.html#dashboard" if request.htmx else "reporting/dashboard.html"
    return render(request, template, context)
