"""The one unit picker's htmx endpoint: search as you type (no diacritics needed, closed units too) and pick."""

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from giaoban.core.access import Action

from .. import selectors

PICKER = "orgs/includes/unit_picker.html"
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")
# What a picker may be scoped to: the units one may see, enter figures for, approve, or administer.
SCOPES = {Action.VIEW, Action.ENTER, Action.APPROVE, Action.MANAGE}


def picker_params(request) -> tuple[str, str]:
    name = request.GET.get("name", "")
    scope = request.GET.get("scope") or Action.VIEW
    if not _NAME.match(name) or scope not in SCOPES:
        raise Http404
    return name, scope


@require_GET
@login_required
def unit_picker(request):
    """With `code`: the picker with that unit chosen (404 outside the user's scope). Otherwise the units
    matching what was typed (`<name>_q` or `q`), as buttons that choose one."""
    name, scope = picker_params(request)
    uid = request.GET.get("uid", "")
    if uid and not _NAME.match(uid):
        raise Http404
    units = selectors.units_for(request.user, scope)
    context = {
        "name": name,
        "scope": scope,
        "label": request.GET.get("label", ""),
        "no_label": bool(request.GET.get("no_label")),
        "uid": uid,
    }
    code = request.GET.get("code")
    if code is not None:
        unit = get_object_or_404(units.select_related("parent"), code=code)
        return render(request, f"{PICKER}#picker", {**context, "unit": unit})
    q = (request.GET.get(f"{name}_q") or request.GET.get("q") or "").strip()
    found = selectors.unit_picker_search(units, q) if q else []
    more = len(found) > selectors.UNIT_PICKER_LIMIT
    context |= {"units": found[: selectors.UNIT_PICKER_LIMIT], "more": more, "q": q}
    return render(request, f"{PICKER}#results", context)
