"""Writes of the work app, one module per entity: meetings (and their conclusions), tasks, notifications."""

from .meetings import *  # noqa: F403
from .meetings import __all__ as _meetings
from .notifications import *  # noqa: F403
from .notifications import __all__ as _notifications
from .tasks import *  # noqa: F403
from .tasks import __all__ as _tasks

__all__ = [*_meetings, *_notifications, *_tasks]
