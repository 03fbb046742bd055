"""giaoban restore FILE: replace the database and the stored files with a `giaoban backup` archive."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from giaoban.core import backup
from giaoban.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Restore a `giaoban backup` archive: the database and the stored files are replaced by the archive's. "
        "Stop the web servers and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--database-url",
            help="restore into this (empty, existing) database instead of the configured one, e.g. to test a backup",
        )
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, archive: Path, database_url: str | None, interactive: bool, **options):
        database = dj_database_url.parse(database_url) if database_url else None
        if interactive:
            answer = input(
                _("Mọi dữ liệu hiện có sẽ bị thay bằng bản sao lưu. Gõ 'yes' để tiếp tục: ")
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("Đã hủy (cancelled)."))
        try:
            manifest = backup.restore(archive, database=database)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"]:
            self.stdout.write(
                _("Đã khôi phục bản sao lưu lúc %(at)s: %(vendor)s và %(files)s tệp")
                % {"at": manifest["created_at"], "vendor": manifest["vendor"], "files": manifest["files"]}
            )
