"""giaoban orgunits load-vn | import-units FILE | import-successions FILE"""

import time

from django.core.management.base import BaseCommand, CommandError

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
                msg = f"load-vn: {result.created} created, {result.updated} renamed, {result.total} units in the source"
            else:
                with open(options["file"], "rb") as fh:
                    data = fh.read()
                fn = services.orgunits_import_csv if action == "import-units" else services.successions_import_csv
                msg = f"{action}: {len(fn(data))} rows written"
        except ImportRejected as exc:
            lines = [exc.message] + [
                f"  row {e['row'] or '-'}, column {e['column'] or '-'}: {e['message']}" for e in exc.errors
            ]
            raise CommandError("\n".join(lines)) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{msg} ({time.perf_counter() - started:.1f} s)")
