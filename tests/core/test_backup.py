"""giaoban backup / restore: one archive with the database and the stored files; a round trip gives the same rows
(timestamps to the microsecond) and the same files, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import tarfile
from datetime import UTC, datetime
from urllib.parse import urlunparse

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

STAMP = datetime(2025, 3, 10, 2, 0, 0, 123456, tzinfo=UTC)


def snapshot(cursor, tables: list[str]) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    out = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from introspection)
        out[table] = sorted(cursor.fetchall(), key=repr)
    return out


@pytest.fixture
def data(tree, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "reports" / "2025").mkdir(parents=True)
    (settings.MEDIA_ROOT / "reports" / "2025" / "báo cáo.docx").write_bytes(b"PK\x03\x04 docx bytes")
    (settings.MEDIA_ROOT / "top.txt").write_text("một")
    user = make_user("secretary", tree.c1, username="thuky")
    get_user_model().objects.filter(pk=user.pk).update(last_login=STAMP)
    from giaoban.core.tasks import heartbeat

    heartbeat.enqueue()
    return tree


def tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def test_it_round_trips_the_database_and_the_files(data, settings, tmp_path):
    archive = tmp_path / "out" / "giaoban.tar.gz"
    with connection.cursor() as cursor:
        before = snapshot(cursor, tables())
    call_command("backup", "-o", str(archive), verbosity=0)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "giaoban-backup/manifest.json" in names
    assert "giaoban-backup/media/reports/2025/báo cáo.docx" in names

    if connection.vendor == "postgresql":
        import psycopg

        # Both sides read the same way (Django's own cursor leaves jsonb as text).
        with psycopg.connect(_pg_url(connection.settings_dict["NAME"])) as original:
            before = snapshot(original.cursor(), tables())
        restored = _restore_into_a_fresh_pg_database(archive)
        assert restored == before
    else:
        # Over the same database: everything changed after the backup is undone.
        get_user_model().objects.filter(username="thuky").update(last_login=datetime(2026, 1, 1, tzinfo=UTC))
        get_user_model().objects.create_user(username="later")
        call_command("restore", str(archive), "--noinput", verbosity=0)
        with connection.cursor() as cursor:
            assert snapshot(cursor, tables()) == before
    assert get_user_model().objects.get(username="thuky").last_login == STAMP  # to the microsecond
    media = settings.MEDIA_ROOT
    (media / "top.txt").write_text("hai")
    (media / "added after.txt").write_text("x")
    (media / "reports" / "2025" / "báo cáo.docx").unlink()
    if connection.vendor == "postgresql":
        _restore_into_a_fresh_pg_database(archive)
    else:
        call_command("restore", str(archive), "--noinput", verbosity=0)
    assert (media / "top.txt").read_text() == "một"
    assert (media / "reports" / "2025" / "báo cáo.docx").read_bytes() == b"PK\x03\x04 docx bytes"
    assert not (media / "added after.txt").exists()


def _pg_url(name: str) -> str:
    db = connection.settings_dict
    return urlunparse(("postgresql", f"{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}", "/" + name, "", "", ""))


def _restore_into_a_fresh_pg_database(archive) -> dict:
    import psycopg

    name = f"{connection.settings_dict['NAME']}_restore"
    server = _pg_url("postgres")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = _pg_url(name)
        call_command("restore", str(archive), "--noinput", "--database-url", url, verbosity=0)
        with psycopg.connect(url) as restored:
            return snapshot(restored.cursor(), tables())
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_it_refuses_an_archive_that_is_not_a_backup_of_this_kind_of_database(data, tmp_path):
    bogus = tmp_path / "other.tar.gz"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"format": 1, "vendor": "oracle", "database": "x"}))
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(manifest, arcname="giaoban-backup/manifest.json")
    with pytest.raises(CommandError, match="oracle"):
        call_command("restore", str(bogus), "--noinput", verbosity=0)
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(manifest, arcname="../manifest.json")
    with pytest.raises(CommandError, match="not a giaoban backup"):
        call_command("restore", str(evil), "--noinput", verbosity=0)
    assert get_user_model().objects.filter(username="thuky").exists()  # nothing was touched
