"""PostgreSQL: no JIT compilation for this database's sessions.

At national scale the planner's cost estimate of a 9-month roll-up (one statement of ~50 ms) passes
`jit_above_cost`, and compiling it took ~30 ms more than running it (bench case b: 50 ms at 1.1 million
values, 81 ms at 10 million, all of the difference JIT). giaoban's statements are short, index-driven
reads and writes, for which JIT never pays. A database setting, so it costs nothing per connection
and passes through connection poolers; it applies to sessions opened after the migration.
"""

from django.db import DatabaseError, migrations, transaction


def _alter_database(schema_editor, setting: str) -> None:
    """ALTER DATABASE <this one> <setting>, on PostgreSQL only; if the user may not (not the owner), say
    so rather than stop the deployment."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        sql = f"ALTER DATABASE {connection.ops.quote_name(cursor.fetchone()[0])} {setting}"
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute(sql)
        except DatabaseError as exc:
            print(f"\n  could not change the database's settings ({exc}); run as its owner: {sql}")


def jit_off(apps, schema_editor):
    _alter_database(schema_editor, "SET jit = off")


def jit_default(apps, schema_editor):
    _alter_database(schema_editor, "RESET jit")


class Migration(migrations.Migration):
    dependencies = [("reporting", "0005_derived_tables_without_fk_constraints")]

    operations = [migrations.RunPython(jit_off, jit_default, elidable=False)]
