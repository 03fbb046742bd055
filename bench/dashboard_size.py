"""Bytes, queries and time of the national dashboard and a national approver's home page, on a database
loaded with `giaoban demo` (or made by bench.generate). Not a test: it prints what it measured.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB .venv/bin/python -m bench.dashboard_size [--reps 5]

The approver is made for the run inside a transaction that is rolled back: the database is left as it was.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--unit", default="VN", help="the unit whose dashboard is measured (default: VN)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.conf import settings

    settings.TWO_FACTOR_REQUIRED_ROLES = []  # force_login() cannot pass a second factor
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from giaoban.core.access import Role
    from giaoban.orgs.models import OrgUnit, UserRole

    def measure(client: Client, url: str) -> None:
        client.get(url)  # warm
        times, size, queries = [], 0, 0
        for _ in range(args.reps):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
            size, queries = len(response.content), len(ctx.captured_queries)
        print(
            f"{url}: {size:,} bytes, {queries} queries, median {statistics.median(times) * 1000:.0f} ms "
            f"({min(times) * 1000:.0f}–{max(times) * 1000:.0f}, n={args.reps})"
        )

    unit = OrgUnit.objects.get(code=args.unit)
    with transaction.atomic():
        viewer = get_user_model().objects.create_user(username="bench-national-viewer")
        UserRole.objects.create(user=viewer, role=Role.VIEWER, org_unit=unit)
        approver = get_user_model().objects.create_user(username="bench-national-approver")
        UserRole.objects.create(user=approver, role=Role.APPROVER, org_unit=unit)
        client = Client()
        client.force_login(viewer)
        measure(client, f"/reports/dashboard/?unit={unit.code}")
        client.force_login(approver)
        measure(client, "/")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
