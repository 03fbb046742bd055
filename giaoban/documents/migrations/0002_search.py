"""Search over the register's folded `search_text` (see giaoban/documents/selectors.py).

PostgreSQL: a GIN index on the words of the folded text (full text, configuration 'simple': no stemming, no
stop words), so "nq", "35" and "tw" — too short for trigrams — are each one index lookup. No extension needed.
SQLite: an FTS5 table over the same text, kept in step by triggers in the writing transaction, whatever writes
the row (the register's services, the running series, cascades, the admin, bulk loads).
"""

from django.db import migrations

# The expression the GIN index holds; selectors.DocumentMatch writes the identical one so the planner uses it.
PG_VECTOR = "to_tsvector('simple'::regconfig, regexp_replace(search_text, '[^a-z0-9]+', ' ', 'g'))"

PG_FORWARD = [f"CREATE INDEX IF NOT EXISTS documents_document_search ON documents_document USING gin (({PG_VECTOR}))"]
PG_BACKWARD = ["DROP INDEX IF EXISTS documents_document_search"]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE documents_document_fts USING fts5("
    "search_text, content='documents_document', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER documents_document_fts_ai AFTER INSERT ON documents_document BEGIN "
    "INSERT INTO documents_document_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER documents_document_fts_ad AFTER DELETE ON documents_document BEGIN "
    "INSERT INTO documents_document_fts(documents_document_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER documents_document_fts_au AFTER UPDATE OF search_text ON documents_document BEGIN "
    "INSERT INTO documents_document_fts(documents_document_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO documents_document_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO documents_document_fts(documents_document_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS documents_document_fts_ai",
    "DROP TRIGGER IF EXISTS documents_document_fts_ad",
    "DROP TRIGGER IF EXISTS documents_document_fts_au",
    "DROP TABLE IF EXISTS documents_document_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
