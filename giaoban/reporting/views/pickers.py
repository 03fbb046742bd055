"""The period picker's htmx endpoint: the picker again, for the type and year just chosen."""

import re
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import periods
from ..pickers import period_picker

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise Http404 from None


@require_GET
@login_required
def period_picker_view(request):
    """Only labels of periods: no data of anyone's, so nothing to scope."""
    name = request.GET.get("name", "")
    scheme = request.GET.get("scheme") or periods.CALENDAR
    if not _NAME.match(name) or scheme not in periods.SCHEMES:
        raise Http404
    picker = period_picker(
        request.GET,
        name,
        types=request.GET.get("types", "").split(","),
        scheme=scheme,
        start=_date(request.GET.get("start", "")),
        end=_date(request.GET.get("end", "")),
        blank=request.GET.get("blank", "")[:60],
        label=request.GET.get("label", "")[:100],
    )
    return render(request, "reporting/includes/period_picker.html", picker)
