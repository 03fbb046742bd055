"""The roll-up page: one indicator over a window for a unit and each of its child units."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from giaoban.core.errors import ServiceError

from .. import selectors
from ..figures import ESTIMATE_NOTE
from ..forms import RollupForm
from ..models import Indicator
from .common import unit_or_404


@login_required
def rollup_page(request):
    indicators = list(Indicator.objects.exclude(value_type=Indicator.ValueType.TEXT).order_by("code"))
    bound = "indicator" in request.GET
    form = RollupForm(
        request.GET if bound else None,
        indicators=indicators,
        initial={"unit": request.GET.get("unit", ""), "period": str(timezone.localdate().year)},
    )
    result = error = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        unit = unit_or_404(request.user, data["unit"].strip())
        indicator = next(i for i in indicators if i.code == data["indicator"])
        try:
            result = selectors.rollup(
                request.user,
                indicator,
                unit,
                data["period"],
                by_child=True,
                approved_only=data["approved"],
                restated=data["restated"],
            )
            result.indicator = indicator
        except ServiceError as exc:
            error = exc.message
    template = "reporting/rollup.html#result" if request.htmx else "reporting/rollup.html"
    estimated = bool(result) and (result.estimated or any(c.estimated for c in result.children))
    context = {"form": form, "result": result, "error": error, "estimated": estimated, "estimate_note": ESTIMATE_NOTE}
    return render(request, template, context)
