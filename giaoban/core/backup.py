"""Backup and restore of an installation: the database and the stored files (MEDIA_ROOT) in one .tar.gz.

PostgreSQL through pg_dump/pg_restore (custom format: exact values, timestamps to the microsecond); SQLite
through its online backup API (a consistent copy of a live database). The database is copied first and the
files after it, so every file the copied rows name is in the archive (files are written before the rows
that point at them, and never rewritten in place).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.errors import ServiceError

__all__ = ["backup", "restore"]

FORMAT = 1
ROOT = "giaoban-backup"
PG_DUMP = "database.pgdump"
SQLITE_DUMP = "database.sqlite3"


def _vendor(db: dict) -> str:
    return "postgresql" if "postgresql" in db["ENGINE"] else "sqlite" if "sqlite3" in db["ENGINE"] else db["ENGINE"]


def _pg_env(db: dict) -> dict[str, str]:
    """libpq's environment for the database `db` (a DATABASES entry): no password on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env


def _major(tool: str) -> int:
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    return int(re.search(r"\)\s+(\d+)", out).group(1))  # "pg_dump (PostgreSQL) 15.20 (Debian …)"


def _pg_tool(tool: str, server_version: int) -> str:
    """The client tool, refusing one older than the server (pg_dump cannot dump a newer server)."""
    path = shutil.which(tool)
    if path is None:
        raise ServiceError(
            _("Không tìm thấy %(tool)s: cài gói postgresql-client (make system-deps) (%(tool)s not found: install postgresql-client)")
            % {"tool": tool}
        )
    server_major = server_version // 10000
    if _major(path) < server_major:
        raise ServiceError(
            _("%(tool)s %(client)s không sao lưu được máy chủ PostgreSQL %(server)s; cần postgresql-client-%(server)s "
              "(%(tool)s %(client)s cannot handle a PostgreSQL %(server)s server; install postgresql-client-%(server)s)")
            % {"tool": tool, "client": _major(path), "server": server_major}
        )
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise ServiceError(f"{Path(args[0]).name}: {done.stderr.strip()}")


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def backup(output: Path, *, alias: str = "default") -> dict:
    """Write the archive to `output` (atomically: a partial file never has the final name); returns the manifest."""
    connection = connections[alias]
    db = connection.settings_dict
    vendor = _vendor(db)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="giaoban-backup-", dir=output.parent) as tmp:
        work = Path(tmp)
        if vendor == "postgresql":
            connection.ensure_connection()
            tool = _pg_tool("pg_dump", connection.pg_version)
            dump = work / PG_DUMP
            # One snapshot for the whole dump (pg_dump runs in a repeatable-read transaction).
            _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"], _pg_env(db))
        elif vendor == "sqlite":
            connection.ensure_connection()
            dump = work / SQLITE_DUMP
            target = sqlite3.connect(dump)
            try:
                connection.connection.backup(target)  # the online backup API: a consistent copy of a live database
            finally:
                target.close()
        else:
            raise ServiceError(_("Không hỗ trợ sao lưu cơ sở dữ liệu này (unsupported database): %(engine)s") % {"engine": vendor})
        media = _media_root()
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        manifest = {
            "format": FORMAT,
            "vendor": vendor,
            "created_at": timezone.now().isoformat(),
            "database": dump.name,
            "files": len(files),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = work / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / "manifest.json", arcname=f"{ROOT}/manifest.json")
            tar.add(dump, arcname=f"{ROOT}/{dump.name}")
            for path in files:
                tar.add(path, arcname=f"{ROOT}/media/{path.relative_to(media).as_posix()}", recursive=False)
        os.replace(partial, output)
    return manifest


def _members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    out = {}
    for m in tar.getmembers():
        name = m.name
        if not name.startswith(ROOT + "/") or ".." in Path(name).parts or m.issym() or m.islnk():
            raise ServiceError(_("Tệp sao lưu không hợp lệ (not a giaoban backup): %(name)s") % {"name": name})
        out[name[len(ROOT) + 1 :]] = m
    if "manifest.json" not in out:
        raise ServiceError(_("Tệp sao lưu không hợp lệ (not a giaoban backup): %(name)s") % {"name": "manifest.json"})
    return out


def restore(archive: Path, *, alias: str = "default", database: dict | None = None) -> dict:
    """Replace the database (`database`, a DATABASES entry, or the `alias` one) and the stored files with the
    archive's. Returns the manifest."""
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise ServiceError(_("Không đọc được tệp sao lưu (cannot read the backup): %(error)s") % {"error": exc}) from exc
    with tar, tempfile.TemporaryDirectory(prefix="giaoban-restore-") as tmp:
        members = _members(tar)
        manifest = json.loads(tar.extractfile(members["manifest.json"]).read())
        connection = connections[alias]
        db = database or connection.settings_dict
        vendor = _vendor(db)
        if manifest.get("format") != FORMAT or manifest.get("vendor") != vendor:
            raise ServiceError(
                _("Bản sao lưu của %(archive)s không khôi phục được vào %(target)s (a %(archive)s backup cannot be restored into %(target)s)")
                % {"archive": manifest.get("vendor"), "target": vendor}
            )
        work = Path(tmp)
        tar.extract(members[manifest["database"]], work, filter="data")
        dump = work / ROOT / manifest["database"]
        if vendor == "postgresql":
            _restore_pg(dump, db, connection)
        else:
            _restore_sqlite(dump, db, connection)
        _restore_media(tar, members)
    return manifest


def _restore_pg(dump: Path, db: dict, connection) -> None:
    connection.ensure_connection()
    tool = _pg_tool("pg_restore", connection.pg_version)
    env = _pg_env(db)
    psql = shutil.which("psql")
    if psql is None:
        raise ServiceError(_("Không tìm thấy %(tool)s: cài gói postgresql-client (make system-deps) (%(tool)s not found: install postgresql-client)") % {"tool": "psql"})
    if db is connection.settings_dict:
        connection.close()  # our own idle connection must not hold locks on the tables dropped below
    # Everything the archive does not hold goes too (tables of a later migration, rows of any kind).
    _run([psql, "-v", "ON_ERROR_STOP=1", "-q", "-c", "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"], env)
    _run([tool, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", f"--dbname={db['NAME']}", str(dump)], env)
    # A database setting is not part of a dump (migration reporting/0006); best effort, as that migration does.
    subprocess.run([psql, "-q", "-c", f'ALTER DATABASE "{db["NAME"]}" SET jit = off'], env=env, capture_output=True)  # noqa: S603


def _restore_sqlite(dump: Path, db: dict, connection) -> None:
    source = sqlite3.connect(dump)
    try:
        if db is connection.settings_dict:
            connection.ensure_connection()
            source.backup(connection.connection)  # page by page into the live database, under its lock
        else:
            target = sqlite3.connect(db["NAME"])
            try:
                source.backup(target)
            finally:
                target.close()
    finally:
        source.close()


def _restore_media(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> None:
    """The stored files become the archive's: unpacked beside MEDIA_ROOT, then swapped in."""
    media = _media_root()
    media.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=".media-restore-", dir=media.parent))
    for name, member in members.items():
        if name.startswith("media/") and member.isfile():
            target = fresh / name[len("media/") :]
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            os.utime(target, (member.mtime, member.mtime))
    old = media.parent / f".media-old-{int(time.time())}"
    if media.exists():
        media.rename(old)
    fresh.rename(media)
    shutil.rmtree(old, ignore_errors=True)
