"""giaoban backup -o FILE: the database and the stored files in one .tar.gz (giaoban/core/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from giaoban.core import backup
from giaoban.core.errors import ServiceError


class Command(BaseCommand):
    help = "Back up the database and the stored files into one archive (.tar.gz); safe while the site runs."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, type=Path, help="the archive to write (.tar.gz)")

    def handle(self, *args, output: Path, **options):
        try:
            manifest = backup.backup(output)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"]:
            self.stdout.write(
                _("Đã sao lưu %(vendor)s và %(files)s tệp vào %(path)s")
                % {"vendor": manifest["vendor"], "files": manifest["files"], "path": output}
            )
