"""Reads of the reporting app, one module per concept: roll-ups from the maintained aggregates, who has to
report what (periods, status), and report lists and histories for pages and the API."""

from .catalog import *  # noqa: F403
from .catalog import __all__ as _catalog
from .rollups import *  # noqa: F403
from .rollups import __all__ as _rollups
from .status import *  # noqa: F403
from .status import __all__ as _status
from .submissions import *  # noqa: F403
from .submissions import __all__ as _submissions

__all__ = [*_catalog, *_rollups, *_status, *_submissions]
