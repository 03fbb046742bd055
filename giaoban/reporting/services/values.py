"""The figures of a report: parsing what a user typed, and planning and writing the DataValue rows with their
ValueChange log in one statement each, for one report or many."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from giaoban.core.db import Statement, batches, current, delete_statements, insert_statements
from giaoban.core.errors import ServiceError
from giaoban.core.formats import format_number, parse_number
from giaoban.core.text import clean_text

from ..models import DataValue, Indicator, Submission, ValueChange

__all__ = [
    "ValueWrites",
    "canonical",
    "current_values",
    "parse_value",
    "parse_values",
    "plan_values",
    "stored_values",
]


def canonical(value: Decimal | None, text: str = "") -> str:
    if value is None:
        return text
    return format(value.normalize(), "f")


def parse_value(indicator: Indicator, raw: Any) -> tuple[Decimal | None, str]:
    """(value, text) of what a user typed for the indicator; ("", None) is no figure. ValueError says why."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if indicator.value_type == Indicator.ValueType.TEXT:
        if not isinstance(raw, str):
            raw = str(raw)
        raw = clean_text(raw)  # what no export or database can carry (NUL, vertical tab…) never gets stored
        if len(raw) > 5000:
            raise ValueError(_("Quá dài, tối đa 5.000 ký tự (too long, 5,000 characters at most)"))
        return None, raw.strip()
    if isinstance(raw, bool):
        raise ValueError(_("Không phải là số: '%s' (not a number)") % raw)
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        value = parse_number(str(raw))  # raises a bilingual ValueError
    if not value.is_finite() or abs(value) >= Decimal(10) ** 15:
        raise ValueError(_("Số quá lớn (number too large)"))
    if indicator.value_type == Indicator.ValueType.INTEGER and value != value.to_integral_value():
        raise ValueError(_("Phải là số nguyên (must be a whole number)"))
    if value != value.quantize(Decimal("0.0001")):
        raise ValueError(_("Tối đa 4 chữ số thập phân (at most 4 decimal places)"))
    if indicator.min_value is not None and value < indicator.min_value:
        raise ValueError(
            _("Không được nhỏ hơn %(m)s (must be at least %(m)s)") % {"m": format_number(indicator.min_value)}
        )
    if indicator.max_value is not None and value > indicator.max_value:
        raise ValueError(
            _("Không được lớn hơn %(m)s (must be at most %(m)s)") % {"m": format_number(indicator.max_value)}
        )
    return value, ""


def parse_values(indicators: list[Indicator], values: Mapping[str, Any]) -> dict[Indicator, tuple]:
    """What a user typed for a report, by indicator code, parsed (parse_value) for the given indicators; one
    ServiceError naming every wrong field, so nothing is saved when one is wrong."""
    by_code = {i.code: i for i in indicators}
    errors: dict[str, str] = {}
    parsed: dict[Indicator, tuple] = {}
    for code, raw in values.items():
        indicator = by_code.get(code)
        if indicator is None:
            errors[code] = _("Chỉ tiêu không có trong biểu mẫu (indicator not in this form)")
            continue
        try:
            parsed[indicator] = parse_value(indicator, raw)
        except (ValueError, InvalidOperation) as exc:
            errors[code] = str(exc)
    if errors:
        raise ServiceError(
            _("Có %(n)d ô nhập chưa đúng; chưa lưu gì (%(n)d fields are invalid; nothing was saved).")
            % {"n": len(errors)},
            {"fields": errors},
        )
    return parsed


def _update_values(rows: list[DataValue]) -> list[Statement]:
    """Statements saving the value and text of these DataValue rows: bulk_update() without its CASE WHEN
    per row and field, ~0.5 ms of Python a row (a minute for a 100,000-figure re-import). UPDATE ... FROM
    needs SQLite 3.33 or later."""
    conn = current()
    table = conn.ops.quote_name(DataValue._meta.db_table)
    return [
        (
            f"WITH v (id, value, text) AS (VALUES {', '.join(['(%s, CAST(%s AS NUMERIC), %s)'] * len(batch))}) "  # noqa: S608
            f"UPDATE {table} SET value = v.value, text = v.text FROM v WHERE {table}.id = v.id",
            [p for dv in batch for p in (dv.pk, _db_value(dv.value, conn), dv.text)],
        )
        for batch in batches(rows, 3)
    ]


def _db_value(value: Decimal | None, conn):
    return DataValue._meta.get_field("value").get_db_prep_save(value, conn)


class ValueWrites:
    """DataValue inserts, updates and deletes and their ValueChange log, planned over one or many reports
    and then written with one statement each (a statement per batch of rows on SQLite)."""

    def __init__(self) -> None:
        self.create: list[tuple] = []  # DataValue rows, as insert_statements() takes them
        self.update: list[DataValue] = []
        self.delete: list[int] = []
        self.log: list[tuple] = []  # ValueChange rows

    def add(
        self,
        submission: Submission,
        existing: Mapping[int, DataValue],
        parsed: dict[Indicator, tuple],
        actor,
        at: datetime,
    ) -> None:
        """Plan the parsed figures of one report (None/"" deletes one) against its stored `existing` values."""
        conn = current()
        actor_id = None if actor is None else actor.pk
        db_at = ValueChange._meta.get_field("at").get_db_prep_save(at, conn)
        for indicator, (value, text) in parsed.items():
            dv = existing.get(indicator.pk)
            old = canonical(dv.value, dv.text) if dv else ""
            new = canonical(value, text)
            if old == new:
                continue
            self.log.append((submission.pk, indicator.pk, old, new, actor_id, db_at))
            if not new:
                self.delete.append(dv.pk)
            elif dv is None:
                self.create.append((submission.pk, indicator.pk, _db_value(value, conn), text))
            else:
                dv.value, dv.text = value, text
                self.update.append(dv)

    @property
    def changed(self) -> int:
        return len(self.log)

    def statements(self) -> list[Statement]:
        """What was planned, as statements to run in this order."""
        return [
            *insert_statements(DataValue, ("submission", "indicator", "value", "text"), self.create),
            *_update_values(self.update),
            *delete_statements(DataValue, self.delete),
            *insert_statements(ValueChange, ("submission", "indicator", "old", "new", "actor", "at"), self.log),
        ]


def plan_values(
    submission: Submission, parsed: dict[Indicator, tuple], actor, at: datetime, *, have: set[int] | None = None
) -> ValueWrites:
    """The writes applying parsed figures (None/"" deletes one) and logging each change. If `have` is
    given, it is filled with the indicator ids that hold a figure afterwards."""
    existing = stored_values([submission.pk]).get(submission.pk, {})
    if have is not None:
        have.update(existing)
        for indicator, (value, text) in parsed.items():
            if canonical(value, text):
                have.add(indicator.pk)
            else:
                have.discard(indicator.pk)
    writes = ValueWrites()
    writes.add(submission, existing, parsed, actor, at)
    return writes


def current_values(submission: Submission) -> dict[str, str]:
    """The saved figures by indicator code, in Vietnamese format, for the page and for conflicts."""
    return {
        code: (format_number(value) if value is not None else text)
        for code, value, text in DataValue.objects.filter(submission=submission).values_list(
            "indicator__code", "value", "text"
        )
    }


def stored_values(submission_ids: list[int]) -> dict[int, dict[int, DataValue]]:
    """The stored figures of these reports, {submission id: {indicator id: DataValue}}, a query per chunk."""
    stored: dict[int, dict[int, DataValue]] = defaultdict(dict)
    qn = current().ops.quote_name
    # raw(): the same instances (through the field's converters) without compiling a query (0.2 ms a submit)
    sql = f"SELECT id, submission_id, indicator_id, value, text FROM {qn(DataValue._meta.db_table)} WHERE submission_id IN "  # noqa: S608
    for batch in batches(submission_ids, 1):
        for dv in DataValue.objects.raw(f"{sql}({', '.join(['%s'] * len(batch))})", list(batch)):
            stored[dv.submission_id][dv.indicator_id] = dv
    return stored
