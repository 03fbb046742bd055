"""Shared by the generator and the runner: database URLs, creating/dropping bench databases, Django setup."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")

# Fraction of the current communes that report (the hierarchy itself is always the full one).
SCALES = {"tiny": 0.003, "small": 0.1, "full": 1.0}


def scale_fraction(scale: str) -> float:
    return SCALES[scale] if scale in SCALES else float(scale)


def db_url(vendor: str, scale: str) -> str:
    # BENCH_DB_PREFIX keeps two people's bench databases apart on one shared server.
    name = f"{os.environ.get('BENCH_DB_PREFIX', 'giaoban_bench')}_{scale}".replace(".", "_")
    if vendor == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{OUT / (name + '.sqlite3')}"
    parts = urlparse(PG_SERVER)
    return urlunparse(parts._replace(path="/" + name))


def recreate(url: str) -> None:
    """An empty database at `url` (dropped first if it exists)."""
    if url.startswith("sqlite"):
        path = Path(urlparse(url).path)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop(url: str) -> None:
    if url.startswith("sqlite"):
        recreate(url)
        return
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_SERVER, connect_timeout=5).close()
    except Exception:
        return False
    return True


def setup_django(url: str) -> None:
    """Django on the bench database (call once per process, before importing models)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextmanager
def step(label: str, timings: dict | None = None):
    t0 = time.perf_counter()
    print(f"  {label} ...", flush=True)
    yield
    dt = time.perf_counter() - t0
    if timings is not None:
        timings[label] = round(dt, 2)
    print(f"  {label}: {dt:.1f} s", flush=True)
