"""Home page and small site-wide views."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from giaoban.core.access import user_roles
from giaoban.core.home import home_panels
from giaoban.orgs.models import UserRole
from giaoban.orgs.selectors import committees_for


@login_required
def home(request):
    """The user's day by role: panels from every app (settings.HOME_PANELS), then their units and committees."""
    user_roles(request.user)
    roles = UserRole.objects.filter(user=request.user).select_related("org_unit").order_by("org_unit__path", "role")
    committees = committees_for(request.user).filter(dissolved_on__isnull=True)[:50]
    return render(
        request,
        "core/home.html",
        {"roles": roles, "committees": committees, "panels": home_panels(request)},
    )
