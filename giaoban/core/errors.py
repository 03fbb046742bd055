"""Errors that services raise for bad input; pages show them, the API answers 4xx {"message", "code", "extra"}."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request that cannot be carried out as asked. Nothing has been written.

    `code` is the stable machine-readable reason the API answers beside the message; a subclass sets
    its own, and one raise can pass another (`code="stale_version"`)."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, extra: dict[str, Any] | None = None, *, code: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.extra = extra or {}
        if code is not None:
            self.code = code


class ImportRejected(ServiceError):
    """A file or batch with at least one bad row; `errors` lists every one (row, column, message)."""

    code = "import_rejected"

    def __init__(self, message: str, errors: list[dict[str, Any]]):
        super().__init__(message, {"errors": errors})
        self.errors = errors


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class TooLarge(ServiceError):
    """A body, file or batch over the size or row limit; nothing was read into the database."""

    status = 413
    code = "too_large"


class Forbidden(ServiceError):
    """The user may see the object but a rule forbids this act to them (e.g. approving their own report)."""

    status = 403


class RowErrors:
    """Collects row errors while a whole file is checked, so the user sees them all at once."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.items.append({"row": row, "column": column, "message": str(message)})

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, message: str) -> None:
        if self.items:
            raise ImportRejected(message, sorted(self.items, key=lambda e: (e["row"] or 0, e["column"] or "")))


def full_clean_or_raise(obj, exclude: list[str] | None = None) -> None:
    """Run a model instance's validation; a failure becomes a ServiceError naming its first message, with
    every field's messages in `extra["fields"]` (what pages show beside the fields and the API returns)."""
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise ServiceError(next(iter(fields.values()))[0], {"fields": fields}) from None
