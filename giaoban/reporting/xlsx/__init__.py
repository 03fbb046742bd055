"""The .xlsx round trip: entry templates written with openpyxl (template), uploads read safely with
python-calamine (read) and checked cell by cell, then written all or nothing through the submission services
(upload); flat tables of figures (tables). What writer and reader share is in layout, the limits in limits."""

from . import limits
from .layout import *  # noqa: F403
from .layout import __all__ as _layout
from .limits import *  # noqa: F403
from .limits import __all__ as _limits
from .read import *  # noqa: F403
from .read import __all__ as _read
from .tables import *  # noqa: F403
from .tables import __all__ as _tables
from .template import *  # noqa: F403
from .template import __all__ as _template
from .upload import *  # noqa: F403
from .upload import __all__ as _upload

__all__ = ["limits", *_layout, *_limits, *_read, *_tables, *_template, *_upload]
