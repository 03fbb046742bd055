"""giaoban orgunits load-vn | import-units FILE | import-successions FILE"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from giaoban.core.errors import ImportRejected

from ... import services


class Command(BaseCommand):
    help = "Load Vietnam's current units, or import units / successions from CSV (all or nothing)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load-vn", help="34 provinces and 3,321 communes from vietnam-provinces (idempotent)")
        p = sub.add_parser("import-units", help=f"CSV columns: {', '.join(services.UNIT_COLUMNS)}")
        p.add_argument("file")
        p = sub.add_parser("import-successions", help=f"CSV columns: {', '.join(services.SUCCESSION_COLUMNS)}")
        p.add_argument("file")

    def handle(self, *args, action, **options):
        started = time.perf_counter()
        try:
            if action == "load-vn":
                result = services.orgunits_load_vn()
                msg = _(
                    "load-vn: %(c)d đơn vị mới, %(u)d đổi tên, %(t)d đơn vị trong nguồn "
                    "(%(c)d created, %(u)d renamed, %(t)d units in the source)"
                ) % {"c": result.created, "u": result.updated, "t": result.total}
            else:
                with open(options["file"], "rb") as fh:
                    data = fh.read()
                fn = services.orgunits_import_csv if action == "import-units" else services.successions_import_csv
                msg = _("%(action)s: đã ghi %(n)d dòng (%(n)d rows written)") % {"action": action, "n": len(fn(data))}
        except ImportRejected as exc:
            row = _("dòng %(row)s, cột %(column)s (row %(row)s, column %(column)s): %(message)s")
            lines = [exc.message] + [
                "  " + row % {"row": e["row"] or "-", "column": e["column"] or "-", "message": e["message"]}
                for e in exc.errors
            ]
            raise CommandError("\n".join(lines)) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{msg} ({time.perf_counter() - started:.1f} s)")
