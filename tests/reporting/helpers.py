"""Small helpers shared by the reporting tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y: int, m: int, d: int, hh: int = 9) -> datetime:
    """A moment in Vietnam's time zone (deadlines are dates there)."""
    return datetime(y, m, d, hh, tzinfo=VN_TZ)
