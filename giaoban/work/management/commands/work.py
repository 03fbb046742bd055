"""giaoban work remind [--date D] [--dry-run] | giaoban work targets [--date D] | giaoban work rebuild-counts

`remind` writes the day's automatic reminders (due soon, overdue) as notifications and task history and
queues their e-mails for `giaoban db_worker`; safe to run twice, for cron or a systemd timer:

    15 7 * * *  giaoban work remind && giaoban db_worker --batch

`remind` also runs `targets`: the task of every issued plan item whose target is reached (a min target crossed,
a max one held at its window's end) is proposed as done, once (work.services.plans.targets_check).

`rebuild-counts` recomputes the maintained scorecard counts from the tasks (a repair tool).
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ... import counts
from ...services import plans, reminders


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        d, m, y = (int(x) for x in value.split("/"))
        return date(y, m, d)
    except ValueError:
        pass
    raise CommandError(_("Ngày không hợp lệ: %(v)s (dùng YYYY-MM-DD hoặc dd/mm/yyyy).") % {"v": value})


class Command(BaseCommand):
    help = "Task reminders and the scorecard counts of the work app."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("remind", help="write the day's due-soon and overdue reminders and queue their e-mails")
        p.add_argument("--date", help="the day to remind for (YYYY-MM-DD or dd/mm/yyyy; default today)")
        p.add_argument("--dry-run", action="store_true", help="print what would be sent, write nothing")
        p = sub.add_parser("targets", help="propose as done the tasks of plan items whose target is reached")
        p.add_argument("--date", help="the day to check for (YYYY-MM-DD or dd/mm/yyyy; default today)")
        sub.add_parser("rebuild-counts", help="recompute the scorecard counts from the tasks")

    def handle(self, *args, action, **options):
        if action == "remind":
            self.remind(options.get("date"), options.get("dry_run", False), options.get("verbosity", 1))
            if not options.get("dry_run"):
                self.targets(options.get("date"))
        elif action == "targets":
            self.targets(options.get("date"))
        else:
            started = time.perf_counter()
            n = counts.rebuild()
            self.stdout.write(
                _("Đã tính lại số liệu của %(n)d nhiệm vụ (%(t)s giây).")
                % {"n": n, "t": f"{time.perf_counter() - started:.1f}"}
            )

    def remind(self, day: str | None, dry_run: bool, verbosity: int) -> None:
        when = _date(day) if day else None
        summary = reminders.reminders_send(when, dry_run=dry_run)
        if dry_run or verbosity > 1:
            for r in summary.reminders:
                kind = _("sắp đến hạn") if r.kind == reminders.DUE_SOON else _("quá hạn")
                names = ", ".join(u.get_username() for u in r.users) or _("(không có người nhận)")
                self.stdout.write(
                    _("%(k)s: #%(id)s %(t)s — %(c)s, hạn %(d)s → %(u)s")
                    % {
                        "k": kind,
                        "id": r.task.pk,
                        "t": r.task.title,
                        "c": r.task.committee.name,
                        "d": f"{r.task.due_on:%d/%m/%Y}",
                        "u": names,
                    }
                )
        line = _("%(s)d nhắc sắp đến hạn, %(o)d nhắc quá hạn, %(k)d thư") % {
            "s": summary.due_soon,
            "o": summary.overdue,
            "k": summary.emails,
        }
        if dry_run:
            line = _("Chạy thử, không ghi gì (dry run): %(l)s") % {"l": line}
        self.stdout.write(f"{summary.day:%d/%m/%Y}: {line}")

    def targets(self, day: str | None) -> None:
        summary = plans.targets_check(_date(day) if day else None)
        for task in summary.proposed:
            self.stdout.write(_("Đạt mục tiêu, đề xuất hoàn thành: #%(id)s %(t)s") % {"id": task.pk, "t": task.title})
        self.stdout.write(
            _("%(d)s: %(c)d mục tiêu được kiểm tra, %(n)d nhiệm vụ được đề xuất hoàn thành")
            % {"d": f"{summary.day:%d/%m/%Y}", "c": summary.checked, "n": len(summary.proposed)}
        )
