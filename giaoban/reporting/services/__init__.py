"""Writes of the reporting app, one module per entity: the catalog (indicators, forms and their versions),
the figures of a report, submissions and their workflow, and bulk imports of figures."""

from .catalog import *  # noqa: F403
from .catalog import __all__ as _catalog
from .imports import *  # noqa: F403
from .imports import __all__ as _imports
from .outliers import *  # noqa: F403
from .outliers import __all__ as _outliers
from .submissions import *  # noqa: F403
from .submissions import __all__ as _submissions
from .values import *  # noqa: F403
from .values import __all__ as _values

__all__ = [*_catalog, *_imports, *_outliers, *_submissions, *_values]
