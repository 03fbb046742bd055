"""Two concurrent first saves, of one report and of one consolidated draft, on a SQLite file database (WAL,
IMMEDIATE transactions, as `make run` uses it). Run in a subprocess by tests/reporting/test_races.py: the
tests' in-memory SQLite cannot hold two connections. Prints the outcome as JSON."""

from __future__ import annotations

import json
import os
import threading
from datetime import date

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from giaoban.orgs.models import Committee, UserRole  # noqa: E402
from giaoban.orgs.services import orgunit_create  # noqa: E402
from giaoban.reporting import services  # noqa: E402
from giaoban.reporting.api import consolidated as consolidated_api  # noqa: E402
from giaoban.reporting.api import views as submissions_api  # noqa: E402
from giaoban.reporting.models import ConsolidatedReport, DataValue, Submission  # noqa: E402


def race(calls, target, name):
    """Run `calls` in threads released together just before target.name runs; their answers' status codes."""
    barrier = threading.Barrier(len(calls), timeout=20)
    original = getattr(target, name)

    def gated(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    setattr(target, name, gated)
    codes = []

    def run(call):
        try:
            codes.append(call().status_code)
        except Exception as exc:  # a 500 in the test client raises
            codes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    setattr(target, name, original)
    return sorted(codes, key=str)


def main() -> None:
    call_command("migrate", verbosity=0)
    vn = orgunit_create(code="VN", name="Việt Nam", kind="national", subtype="quoc_gia", parent=None,
                        valid_from=date(1945, 9, 2))  # fmt: skip
    vn.refresh_from_db()
    p1 = orgunit_create(code="38", name="Tỉnh Thanh Hóa", kind="province", subtype="tinh", parent=vn,
                        valid_from=date(1990, 1, 1))  # fmt: skip
    p1.refresh_from_db()
    orgunit_create(code="15061", name="Xã Ngọc Lặc", kind="commune", subtype="xa", parent=p1,
                   valid_from=date(2025, 7, 1))  # fmt: skip
    posts = services.indicator_create(code="POSTS", name_vi="Số bài đăng")
    services.reportform_create(code="W35", name="Báo cáo tuần", period_type="week", scheme="week_mon",
                               deadline_working_days=2, unit_kinds=["commune"], active_from=date(2020, 1, 1),
                               indicators=[posts])  # fmt: skip
    committee = Committee.objects.create(name="Ban Chỉ đạo 35 Tỉnh ủy Thanh Hóa", short_name="BCĐ 35", org_unit=p1)
    users = []
    for i, role in enumerate(["secretary", "secretary", "approver", "approver"]):
        user = get_user_model().objects.create_user(username=f"u{i}", password="mat-khau-dai-123")
        UserRole.objects.create(user=user, role=role, org_unit=p1)
        users.append(user)

    def client(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    def first_save(user, value):
        body = {"unit": "15061", "form": "W35", "period": "2025W28", "values": {"POSTS": value}, "version": 0}
        return lambda: client(user).post("/api/v1/submissions/", body, format="json")

    def first_draft(user, subject):
        body = {"committee": committee.pk, "period": "2025-07", "form": "W35", "version": 0, "subject": subject}
        return lambda: client(user).put("/api/v1/reports/consolidated/", body, format="json")

    # Released together once each request has parsed its input: SQLite's IMMEDIATE transactions then take
    # them one at a time (a gate inside the transaction would wait for the other forever).
    report = race([first_save(users[0], "555"), first_save(users[1], "1")], submissions_api, "_check")
    draft = race([first_draft(users[2], "A"), first_draft(users[3], "B")], consolidated_api, "_resolve")
    print(
        json.dumps(
            {
                "report": report,
                "reports": Submission.objects.count(),
                "values": DataValue.objects.count(),
                "draft": draft,
                "drafts": ConsolidatedReport.objects.count(),
            }
        )
    )


if __name__ == "__main__":
    main()
