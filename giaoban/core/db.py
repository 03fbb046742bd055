"""Plain write statements for the hot paths (a report's submit, imports), and one way to send them.

The ORM builds and compiles a query per call: ~0.3 ms of Python each on a 2-core machine, more than the
database takes to run a small INSERT. The workflow's writes are therefore gathered as (sql, params) and
sent together with `execute_all`: on PostgreSQL in one round trip (psycopg's pipeline mode), on SQLite
one after another (the database is in process: there is no round trip to save). Only model table and
column names, column types and placeholders are ever put into the SQL text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

Statement = tuple[str, list]


def current() -> BaseDatabaseWrapper:
    """The default connection itself. `django.db.connection` is a proxy that looks it up in asgiref's
    context-local storage on every attribute access: ~100 times while a submit's statements are built
    (get_db_prep_save() reads the connection's ops and features per value)."""
    return connections[DEFAULT_DB_ALIAS]


def batches(items: Sequence, params_per_item: int) -> Iterable[Sequence]:
    """Slices of `items` for one statement each: 1,000 items, or fewer within the database's parameter
    limit (SQLite's 999 as Django counts them)."""
    size = min(1000, (current().features.max_query_params or 1000 * params_per_item) // params_per_item)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_statements(model: type[Model], fields: Sequence[str], rows: Sequence[tuple]) -> list[Statement]:
    """INSERTs of rows given as database values (ids for foreign keys), a statement per batch: bulk_create()
    without building and compiling a model instance per row (7 s of Python for the 200,000 rows of a
    100,000-figure import on SQLite; this takes 1 s)."""
    conn = current()
    qn = conn.ops.quote_name
    table = qn(model._meta.db_table)
    model_fields = [model._meta.get_field(f) for f in fields]
    columns = ", ".join(qn(f.column) for f in model_fields)
    if conn.vendor == "postgresql" and len(rows) > 1:
        # One array per column, as Django's bulk_create() does there: a handful of parameters whatever the
        # number of rows (psycopg parses a statement of more than 50 parameters again on every call).
        arrays = ", ".join(f"%s::{f.db_type(conn)}[]" for f in model_fields)
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM UNNEST({arrays})"  # noqa: S608
        return [(sql, [list(column) for column in zip(*rows, strict=True)])]
    row_marks = f"({', '.join(['%s'] * len(fields))})"
    return [
        (
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_marks] * len(batch))}",  # noqa: S608
            [v for row in batch for v in row],
        )
        for batch in batches(rows, len(fields))
    ]


def update_statement(obj: Model, names: Sequence[str]) -> Statement:
    """UPDATE of the named fields of one saved instance: save(update_fields=...) without its signals."""
    conn = current()
    qn = conn.ops.quote_name
    meta = obj._meta
    fields = [meta.get_field(name) for name in names]
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    return (
        f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s",  # noqa: S608
        [*(f.get_db_prep_save(getattr(obj, f.attname), conn) for f in fields), obj.pk],
    )


def delete_statements(model: type[Model], pks: Sequence) -> list[Statement]:
    """DELETEs by primary key, a statement per batch (for models nothing cascades from)."""
    qn = current().ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    return [
        (f"DELETE FROM {table} WHERE {pk} IN ({', '.join(['%s'] * len(batch))})", list(batch))  # noqa: S608
        for batch in batches(pks, 1)
    ]


def execute_all(statements: Iterable[Statement]) -> None:
    """Run write statements in order, in the current transaction; see the module's docstring."""
    conn = current()
    statements = list(statements)
    if conn.vendor != "postgresql":
        with conn.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
        return
    import psycopg

    conn.ensure_connection()
    raw = conn.connection
    # Server-side binding: parameters travel as values, not quoted into the text by Python (5 of the 20 s
    # a 100,000-figure import took); pipeline mode: every statement is sent before any result is read.
    cursor = psycopg.Cursor(raw)
    wrapped = conn.make_debug_cursor(cursor) if conn.queries_logged else conn.make_cursor(cursor)
    with conn.wrap_database_errors, raw.pipeline() if len(statements) > 1 and _pipelines() else nullcontext():
        for sql, params in statements:
            wrapped.execute(sql, params)


@cache
def _pipelines() -> bool:
    import psycopg

    return psycopg.Pipeline.is_supported()
