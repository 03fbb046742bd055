"""Writes of the work app, one module per entity: meetings (and their conclusions), plans, tasks, notifications,
reminders and e-mail, the private calendar feed."""

from .feeds import *  # noqa: F403
from .feeds import __all__ as _feeds
from .meetings import *  # noqa: F403
from .meetings import __all__ as _meetings
from .notifications import *  # noqa: F403
from .notifications import __all__ as _notifications
from .plans import *  # noqa: F403
from .plans import __all__ as _plans
from .reminders import *  # noqa: F403
from .reminders import __all__ as _reminders
from .tasks import *  # noqa: F403
from .tasks import __all__ as _tasks

__all__ = [*_feeds, *_meetings, *_notifications, *_plans, *_reminders, *_tasks]
