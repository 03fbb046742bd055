"""giaoban reporting rebuild-aggregates | import FILE [--draft]"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from giaoban.core.errors import ImportRejected, ServiceError

from ... import aggregates
from ...api.views import rows_from_csv
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
                    msg = f"rebuild-aggregates: {aggregates.rebuild()} reports counted"
            else:
                with open(options["file"], "rb") as fh:
                    rows = rows_from_csv(fh.read())
                result = datavalues_import(rows=rows, draft=options["draft"])
                msg = f"import: {result.values} values in {result.submissions} reports"
        except ImportRejected as exc:
            lines = [exc.message] + [
                f"  row {e['row'] or '-'}, column {e['column'] or '-'}: {e['message']}" for e in exc.errors
            ]
            raise CommandError("\n".join(lines)) from exc
        except (ServiceError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{msg} ({time.perf_counter() - started:.1f} s)")
