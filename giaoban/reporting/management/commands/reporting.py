"""giaoban reporting rebuild-aggregates | import FILE [--draft]"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from giaoban.core.errors import ImportRejected, RowErrors, ServiceError

from ... import aggregates
from ...imports import check_row_count, rows_from_csv
from ...services import IMPORT_COLUMNS, datavalues_import


class Command(BaseCommand):
    help = "Rebuild the maintained aggregates from the figures, or import figures from CSV (all or nothing)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild-aggregates", help="repair tool: the live path keeps them up to date")
        p = sub.add_parser("import", help=f"CSV columns: {', '.join(IMPORT_COLUMNS)}; figures land as submitted")
        p.add_argument("file")
        p.add_argument("--draft", action="store_true", help="save as drafts instead of submitting")

    def handle(self, *args, action, **options):
        started = time.perf_counter()
        try:
            if action == "rebuild-aggregates":
                with transaction.atomic():
                    msg = _("rebuild-aggregates: đã tính %(n)d báo cáo (%(n)d reports counted)") % {
                        "n": aggregates.rebuild()
                    }
            else:
                with open(options["file"], "rb") as fh:
                    errors = RowErrors()
                    rows = rows_from_csv(fh.read(), errors)
                check_row_count(len(rows))
                result = datavalues_import(rows=rows, draft=options["draft"], file_errors=errors)
                msg = _("import: %(v)d số liệu trong %(r)d báo cáo (%(v)d values in %(r)d reports)") % {
                    "v": result.values,
                    "r": result.submissions,
                }
        except ImportRejected as exc:
            row = _("dòng %(row)s, cột %(column)s (row %(row)s, column %(column)s): %(message)s")
            lines = [exc.message] + [
                "  " + row % {"row": e["row"] or "-", "column": e["column"] or "-", "message": e["message"]}
                for e in exc.errors
            ]
            raise CommandError("\n".join(lines)) from exc
        except (ServiceError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{msg} ({time.perf_counter() - started:.1f} s)")
