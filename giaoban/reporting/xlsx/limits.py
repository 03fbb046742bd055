"""Limits of an .xlsx upload, each overridable in settings. Other modules read them as limits.NAME, so that
a test can lower one with monkeypatch."""

from __future__ import annotations

from django.conf import settings

__all__ = [
    "MAX_BYTES",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_SHEETS",
    "MAX_UNCOMPRESSED",
]

# The compressed size is checked before anything is parsed; the
# archive's declared member sizes before calamine opens it (a zip bomb is small outside, huge inside).
MAX_BYTES = getattr(settings, "GIAOBAN_XLSX_MAX_BYTES", 5 * 1024 * 1024)
MAX_SHEETS = getattr(settings, "GIAOBAN_XLSX_MAX_SHEETS", 500)
MAX_UNCOMPRESSED = getattr(settings, "GIAOBAN_XLSX_MAX_UNCOMPRESSED", 100 * 1024 * 1024)
MAX_MEMBERS = getattr(settings, "GIAOBAN_XLSX_MAX_MEMBERS", 3 * MAX_SHEETS + 50)
MAX_RATIO = 200  # uncompressed / compressed of one large member; real workbook XML stays far below
