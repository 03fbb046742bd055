"""Maintained scorecard counts: each task's day-by-day status changes (`status.deltas`), added to `TaskCount`
rows of its unit and every ancestor in the same transaction as the task's write.

The scorecard as of D sums the rows dated on or before D: for the national scorecard by province that is
34 provinces times the days on which anything changed, however many tasks there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction

from giaoban.core.db import batches, current, execute_all, insert_statements
from giaoban.orgs.models import OrgUnit

from . import status
from .models import Task, TaskCount

__all__ = ["apply", "lineage", "rebuild", "task_key"]

Key = tuple[str, int, date]

_COLUMNS = ("path", "agency_id", "day", *status.COUNTED)


def lineage(path: str) -> list[str]:
    """The paths of the root, every ancestor and the unit itself (from the path alone)."""
    step = OrgUnit.steplen
    return [path[: step * d] for d in range(1, len(path) // step + 1)]


def task_key(task: Task) -> tuple[status.TaskDates, str, int]:
    """What the counts of one task depend on: its dates, where it counts and its lead agency."""
    return status.TaskDates.of(task), task.unit_path, task.agency_id or 0


def _rows(key: tuple[status.TaskDates, str, int], sign: int, into: dict[Key, list[int]]) -> None:
    dates, path, agency_id = key
    targets = [(p, 0) for p in lineage(path)]
    if agency_id:
        targets.append((path, agency_id))
    for day, changes in status.deltas(dates).items():
        values = [sign * changes[c] for c in status.COUNTED]
        for p, a in targets:
            row = into.setdefault((p, a, day), [0] * len(status.COUNTED))
            for i, v in enumerate(values):
                row[i] += v


def apply(removed: Iterable[tuple] = (), added: Iterable[tuple] = ()) -> None:
    """Take the contributions of `removed` task keys out of the counts and put those of `added` in.

    Call inside the transaction of the task write; keys come from `task_key()` before and after the change.
    """
    acc: dict[Key, list[int]] = {}
    for key in removed:
        _rows(key, -1, acc)
    for key in added:
        _rows(key, 1, acc)
    rows = [(p, a, d, *v) for (p, a, d), v in acc.items() if any(v)]
    if not rows:
        return
    conn = current()
    qn = conn.ops.quote_name
    table = qn(TaskCount._meta.db_table)
    names = ", ".join(qn(c) for c in _COLUMNS)
    updates = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in status.COUNTED)
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    statements = []
    for batch in batches(rows, len(_COLUMNS)):
        sql = (
            f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(batch))} "  # noqa: S608
            f"ON CONFLICT ({qn('path')}, {qn('agency_id')}, {qn('day')}) DO UPDATE SET {updates}"
        )
        statements.append((sql, [v for row in batch for v in row]))
    execute_all(statements)


def rebuild(chunk: int = 20_000) -> int:
    """Recompute every count from the tasks (a repair tool; the live path keeps them current). Returns the
    number of tasks read."""
    acc: dict[Key, list[int]] = defaultdict(lambda: [0] * len(status.COUNTED))
    n = 0
    fields = ("assigned_on", "due_on", "done_on", "unit_path", "agency_id")
    last = 0
    while True:
        batch = list(Task.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:chunk])
        if not batch:
            break
        for pk, assigned_on, due_on, done_on, unit_path, agency_id in batch:
            _rows((status.TaskDates(assigned_on, due_on, done_on), unit_path, agency_id or 0), 1, acc)
            last = pk
        n += len(batch)
    rows = [(p, a, d, *v) for (p, a, d), v in acc.items() if any(v)]
    acc.clear()
    # One transaction: readers see the old counts until the new ones are all in. Plain INSERTs (no model
    # instances): bulk_create() spent 80% of the rebuild compiling them.
    with transaction.atomic():
        TaskCount.objects.all().delete()
        for start in range(0, len(rows), 50_000):
            execute_all(insert_statements(TaskCount, _COLUMNS, rows[start : start + 50_000]))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TaskCount._meta.db_table}")
    return n
