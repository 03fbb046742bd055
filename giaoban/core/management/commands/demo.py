"""giaoban demo [--if-empty] [--logins]: load the demo data set into an empty database, or print its logins."""

from __future__ import annotations

import importlib
import time
from types import ModuleType

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from giaoban.core.access import Role
from giaoban.orgs import demo as orgs_demo
from giaoban.orgs.models import OrgUnit

# Written by another app; the demo still loads while that app has none.
OPTIONAL_DEMOS = [
    "giaoban.reporting.demo",
    "giaoban.work.demo",
    "giaoban.work.demo_plans",
    "giaoban.outreach.demo",
    "giaoban.documents.demo",
    # After work's demo, which makes the communes' committees the provincial plan is sent to.
    "giaoban.documents.demo_cascades",
]


def optional_module(name: str) -> ModuleType | None:
    """The module, or None when exactly that module does not exist (a broken import inside it still raises)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


class Command(BaseCommand):
    help = "Load the demo (Vietnam's units, the old Ngọc Lặc district, BCĐ 35 committees, one user per role)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (exit 0) when the database already has units or users",
        )
        parser.add_argument("--logins", action="store_true", help="only print the demo logins and exit")

    def handle(self, *args, if_empty: bool = False, logins: bool = False, **options):
        if logins:
            self.print_logins()
            return
        if OrgUnit.objects.exists() or get_user_model().objects.exists():
            if if_empty:
                self.stdout.write(
                    _(
                        "demo: cơ sở dữ liệu đã có đơn vị hoặc người dùng; không nạp gì "
                        "(the database already has units or users; nothing loaded)"
                    )
                )
                return
            raise CommandError(
                _(
                    "giaoban demo không nạp vào cơ sở dữ liệu đã có dữ liệu khác (đơn vị hoặc người dùng); "
                    "hãy dùng cơ sở dữ liệu trống, hoặc --if-empty để bỏ qua "
                    "(giaoban demo refuses a database that already holds other data (units or users): "
                    "use an empty database, or --if-empty to skip quietly)."
                )
            )
        started = time.perf_counter()
        with transaction.atomic():
            summary = orgs_demo.load()
            self.stdout.write(f"demo orgs: {summary} ({time.perf_counter() - started:.1f} s)")
            for name in OPTIONAL_DEMOS:
                module = optional_module(name)
                if module is None:
                    self.stdout.write(
                        _("demo: không có %(name)s; bỏ qua (%(name)s not present; skipped)") % {"name": name}
                    )
                    continue
                step = time.perf_counter()
                result = module.load()
                detail = f"{result} " if result else ""
                self.stdout.write(f"demo {name}: {detail}({time.perf_counter() - step:.1f} s)")
        elapsed = f"{time.perf_counter() - started:.1f}"
        self.stdout.write(
            self.style.SUCCESS(_("demo: đã nạp xong trong %(t)s giây (demo loaded in %(t)s s)") % {"t": elapsed})
        )

    def print_logins(self) -> None:
        rows = [(_("Tên đăng nhập"), _("Mật khẩu"), _("Vai trò"), _("Đơn vị"))]
        # The other demos' logins (e.g. the agency officers of giaoban.work.demo) share the one password.
        specs = list(orgs_demo.DEMO_USERS)
        for name in OPTIONAL_DEMOS:
            module = optional_module(name)
            specs += getattr(module, "DEMO_USERS", []) if module else []
        rows += [
            (u["username"], orgs_demo.DEMO_PASSWORD, str(Role(u["role"]).label), f"{u['unit_name']} ({u['unit']})")
            for u in specs
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        self.stdout.write(
            _("Tài khoản demo, chỉ để dùng thử vì mật khẩu là công khai (demo logins; the password is public):")
        )
        for i, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
