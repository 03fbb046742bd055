"""giaoban report export --unit CODE --period ID --format docx|pdf|xlsx -o FILE [--committee ID] [--form CODE]
[--approved]: a committee's consolidated report, for scripts and cron (runs as the system, no user scope)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from giaoban.core.errors import ServiceError
from giaoban.orgs.models import Committee, OrgUnit

from ... import consolidated, periods


class Command(BaseCommand):
    help = "Export a committee's consolidated report (.docx, .pdf or .xlsx)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("export", help="write the consolidated report of a unit's committee for a period")
        p.add_argument("--unit", required=True, help="unit code, e.g. 389")
        p.add_argument("--period", required=True, help="period id, e.g. 2023N9, 2023Q3, 2023-10")
        p.add_argument("--format", required=True, choices=list(consolidated.FORMATS), dest="fmt")
        p.add_argument("-o", "--output", required=True, help="file to write")
        p.add_argument("--committee", type=int, help="committee id, when the unit has several")
        p.add_argument("--form", help="form code (default: the form the unit reports itself, else the first below)")
        p.add_argument("--approved", action="store_true", help="approved figures only")

    def handle(self, *args, action, **options):
        started = time.perf_counter()
        unit = OrgUnit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(_("Không có đơn vị mã '%(c)s' (unknown unit).") % {"c": options["unit"]})
        try:
            period = periods.parse_period(options["period"]).id
        except periods.PeriodError as exc:
            raise CommandError(str(exc)) from None
        committee = self._committee(unit, options["committee"])
        try:
            form = consolidated.default_form(committee, options["form"], period)
            report = consolidated.report_find_or_build(committee=committee, form=form, period=period)
            data = consolidated.export(report, options["fmt"], approved_only=options["approved"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        try:
            Path(options["output"]).write_bytes(data)
        except OSError as exc:
            raise CommandError(_("Không ghi được tệp (cannot write the file): %(e)s") % {"e": exc}) from exc
        self.stdout.write(
            _("%(file)s: %(committee)s, %(form)s %(period)s (%(size)d byte, %(t)s giây)")
            % {
                "file": options["output"],
                "committee": committee.name,
                "form": form.code,
                "period": period,
                "size": len(data),
                "t": f"{time.perf_counter() - started:.1f}",
            }
        )

    @staticmethod
    def _committee(unit: OrgUnit, pk: int | None) -> Committee:
        committees = list(Committee.objects.filter(org_unit=unit).select_related("org_unit", "standing_agency"))
        if pk is not None:
            for c in committees:
                if c.pk == pk:
                    return c
            raise CommandError(
                _("Đơn vị %(u)s không có Ban Chỉ đạo số %(pk)s (no such committee at this unit)")
                % {"u": unit.code, "pk": pk}
            )
        if not committees:
            raise CommandError(
                _("Đơn vị %(u)s không có Ban Chỉ đạo nào (the unit has no committee)") % {"u": unit.code}
            )
        if len(committees) > 1:
            listed = ", ".join(f"{c.pk}: {c.name}" for c in committees)
            raise CommandError(
                _(
                    "Đơn vị %(u)s có nhiều Ban Chỉ đạo, hãy chọn --committee "
                    "(the unit has several committees: choose one with --committee): %(list)s"
                )
                % {"u": unit.code, "list": listed}
            )
        return committees[0]
