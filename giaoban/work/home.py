"""Work's panel on the home page (settings.HOME_PANELS): an agency officer's tasks, the first few of
"Việc được giao" (not yet done, soonest deadline first)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from giaoban.core.access import Role, user_roles
from giaoban.core.home import Panel

from . import selectors
from .models import Task

__all__ = ["panels"]

SHOWN = 5


def panels(request) -> list[Panel]:
    if Role.AGENCY_OFFICER not in {r for r, _p in user_roles(request.user)}:
        return []
    open_tasks = selectors.tasks_given_to(request.user).exclude(state=Task.State.DONE)
    return [
        Panel(
            "my-tasks",
            _("Việc được giao"),
            "work/home/tasks.html",
            {"tasks": selectors.tasks_with_status(open_tasks[:SHOWN]), "count": open_tasks.count()},
            order=15,
        )
    ]
