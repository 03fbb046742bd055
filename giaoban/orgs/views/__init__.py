"""Unit browser, unit page, committee pages. Every object comes through the access choke point."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.access import Action, can, scope_paths
from giaoban.core.errors import ImportRejected

from .. import selectors, services
from ..filters import CommitteeFilter, OrgUnitFilter
from ..forms import DecisionForm, NewMemberFormSet
from ..models import OrgUnit


@login_required
def unit_list(request):
    """Browse the tree as of a date (children of `parent`) or search it without diacritics."""
    params = request.GET.copy()
    if not params.get("valid_on"):
        params["valid_on"] = timezone.localdate().isoformat()
    base = selectors.units_for(request.user)
    parent_code = params.get("parent", "")
    if params.get("q") and parent_code:
        # A search started below a unit looks through its whole subtree, not only its children.
        params.pop("parent")
    filterset = OrgUnitFilter(params, queryset=base.select_related("parent"))
    parent = None
    if filterset.is_valid():
        qs = filterset.qs
        data = filterset.form.cleaned_data
        if parent_code:
            parent = get_object_or_404(base, code=parent_code)
            if data.get("q"):
                qs = qs.subtree_of(parent).exclude(pk=parent.pk)
        elif not data.get("q") and not data.get("kind"):
            # Nothing asked yet: start at the user's own top units, or below the one unit they have.
            roots = scope_paths(request.user)
            roots = (
                [OrgUnit.objects.get(depth=1).path] if roots is None and base.filter(depth=1).count() == 1 else roots
            )
            if roots is not None and len(roots) == 1:
                parent = base.get(path=roots[0])
                qs = qs.filter(parent=parent)
            else:
                qs = qs.filter(depth=1) if roots is None else qs.filter(path__in=roots)
        qs = qs.vn_sorted()
    else:
        qs = base.none()
    context = {
        "filter": filterset,
        "page": Paginator(qs, 50).get_page(request.GET.get("page")),
        "parent": parent,
        "ancestors": selectors.visible_ancestors(request.user, parent) if parent else [],
    }
    template = "orgs/unit_list.html#results" if request.htmx else "orgs/unit_list.html"
    return render(request, template, context)


@login_required
def unit_detail(request, code):
    unit = get_object_or_404(selectors.units_for(request.user).select_related("parent"), code=code)
    today = timezone.localdate()
    context = {
        "unit": unit,
        "ancestors": selectors.visible_ancestors(request.user, unit),
        "children": selectors.unit_children(unit, on=None if unit.is_closed else today)[:500],
        "predecessors": selectors.visible_lineage(request.user, selectors.unit_predecessors(unit)),
        "successors": selectors.visible_lineage(request.user, selectors.unit_successors(unit)),
        "committees": selectors.committees_for(request.user).filter(org_unit=unit),
    }
    return render(request, "orgs/unit_detail.html", context)


@login_required
def committee_list(request):
    filterset = CommitteeFilter(request.GET, queryset=selectors.committees_for(request.user))
    return render(request, "orgs/committee_list.html", {"filter": filterset, "committees": filterset.qs[:200]})


@login_required
def committee_detail(request, pk):
    committee = selectors.committee_detail(request.user, pk)
    today = timezone.localdate()
    # A dissolved committee shows the members it had on the day it ended, not an empty "today".
    day = committee.dissolved_on if committee.dissolved_on and committee.dissolved_on < today else today
    return render(
        request,
        "orgs/committee_detail.html",
        {
            "committee": committee,
            "current": selectors.current_members(committee, day),
            "members_on": day,
            "decisions": committee.decisions.all(),
            "today": today,
            "can_manage": can(request.user, Action.MANAGE, committee.org_unit.path),
        },
    )


def _put_errors_at_rows(form, filled: list, errors: list[dict]) -> None:
    """The service's errors beside what they are about: the decision's fields, or the row of the person
    (rows are numbered among the people filled in, in the order shown)."""
    for e in errors:
        column, row = e.get("column"), e.get("row")
        if row and row <= len(filled):
            target = filled[row - 1]
            target.add_error(column if column in target.fields else None, e["message"])
        else:
            form.add_error(column if column in form.fields else None, e["message"])


@login_required
def committee_reconstitute(request, pk):
    """Record a kiện toàn decision: the members it ends and the ones it starts (0..N), in one step, all or
    nothing. "Thêm người" adds a row (an htmx fragment, or the whole page without JavaScript); rows left
    blank are ignored."""
    committee = selectors.committee_detail(request.user, pk, action=Action.MANAGE)
    current = selectors.current_members(committee, timezone.localdate())
    agencies = selectors.agencies_for(request.user).filter(org_unit=committee.org_unit)
    data = request.POST if request.method == "POST" else None
    adding = data is not None and ("add_row" in request.POST or "add_row" in request.GET)
    if adding:
        data = request.POST.copy()
        try:
            total = int(data.get("new-TOTAL_FORMS", "1"))
        except ValueError:
            total = 1
        data["new-TOTAL_FORMS"] = str(min(total + 1, 200))
    form = DecisionForm(data, current=current)
    formset = NewMemberFormSet(data, form_kwargs={"agencies": agencies}, prefix="new")
    context = {"committee": committee, "form": form, "formset": formset, "show_errors": not adding}
    if adding:
        template = (
            "orgs/committee_reconstitute.html#new-members" if request.htmx else "orgs/committee_reconstitute.html"
        )
        return render(request, template, context)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        filled = [f for f in formset if f.cleaned_data]
        try:
            services.committee_reconstitute(
                committee=committee,
                number=data["number"],
                date=data["date"],
                issuer=data["issuer"],
                subject=data["subject"],
                end=list(data["end"]),
                start=[f.cleaned_data for f in filled],
                actor=request.user,
            )
        except ImportRejected as exc:
            _put_errors_at_rows(form, filled, exc.errors)
        else:
            messages.success(request, _("Đã ghi quyết định %(n)s.") % {"n": data["number"]})
            return redirect("committee_detail", pk=committee.pk)
    return render(request, "orgs/committee_reconstitute.html", context)
