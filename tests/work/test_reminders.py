"""Automatic reminders and the e-mail of notifications, end to end: `giaoban work remind`, the real
django-tasks database worker (`db_worker --batch`) and a real SMTP server on localhost (aiosmtpd).

These tests commit (transaction=True): the e-mail jobs are queued on commit and the worker runs in this
process on the test database's own connection, which works on the in-memory SQLite test database too.
"""

from __future__ import annotations

import socket
import threading
from datetime import date
from email import message_from_bytes, policy
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from giaoban.core.workdays import working_days_between
from giaoban.work import services
from giaoban.work.models import Notification, Task, TaskEvent

pytestmark = pytest.mark.django_db(transaction=True)

# The committee's N is 3 (the default). Friday 16/10/2026 is the deadline:
DEADLINE = date(2026, 10, 16)
SOON = date(2026, 10, 13)  # Tue: Wed, Thu, Fri = exactly 3 working days ahead
BEFORE_SOON = date(2026, 10, 12)  # Mon: 4 working days ahead
AFTER = date(2026, 10, 17)  # the day after the deadline


class Collector:
    def __init__(self) -> None:
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def take(self) -> list[tuple[list[str], object]]:
        with self.lock:
            got, self.messages = self.messages, []
        return got


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://giaoban.example.vn"
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def clock(monkeypatch):
    """The e-mail states a task's status as of the day it is sent: pin that day."""

    def set_day(day: date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    return set_day


def remind(day: date, *extra: str) -> str:
    out = StringIO()
    call_command("work", "remind", "--date", day.isoformat(), *extra, stdout=out)
    return out.getvalue()


def work_off_the_queue() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-reload", verbosity=0)


def body(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def tasks(world):
    world.police_officer.email = "cong.an@example.vn"
    world.police_officer.save(update_fields=["email"])
    world.approver.email = "truong.ban@example.vn"
    world.approver.save(update_fields=["email"])
    assert world.committee.due_soon_days == 3
    assert working_days_between(SOON, DEADLINE) == 3 and working_days_between(BEFORE_SOON, DEADLINE) == 4

    def give(title: str) -> Task:
        return services.task_create(
            committee=world.committee,
            title=title,
            agency=world.police,
            assigned_on=date(2026, 10, 1),
            due_on=DEADLINE,
            actor=world.approver,
            notify=False,
        )

    open_task = give("Rà soát kênh thông tin của các xã")
    done = give("Báo cáo sơ kết 9 tháng")
    services.task_report_done(task=done, actor=world.police_officer, reported_on=date(2026, 10, 9))
    services.task_confirm(task=done, actor=world.approver)
    reported = give("Tổ chức hội nghị tập huấn")
    # Reported done by the deadline, not yet confirmed: done on time once confirmed, never "overdue".
    services.task_report_done(task=reported, actor=world.police_officer, reported_on=date(2026, 10, 15))
    # The "reported/confirmed" notices (and their queued e-mails) are not what is tested here.
    Notification.objects.all().delete()
    DBTaskResult.objects.all().delete()
    return open_task, done, reported


def test_it_reminds_once_through_smtp_due_soon_then_overdue_never_a_done_task(world, tasks, smtp, clock):
    open_task, done, reported = tasks

    clock(BEFORE_SOON)
    assert "0 nhắc sắp đến hạn, 0 nhắc quá hạn, 0 thư" in remind(BEFORE_SOON)
    work_off_the_queue()
    assert smtp.take() == []

    # Exactly N working days before the deadline: the open task only, to the lead agency's officer.
    clock(SOON)
    assert "1 nhắc sắp đến hạn, 0 nhắc quá hạn, 1 thư" in remind(SOON)
    work_off_the_queue()
    [(to, msg)] = smtp.take()
    assert to == ["cong.an@example.vn"]
    assert "Sắp đến hạn" in msg["Subject"] and open_task.title in msg["Subject"]
    text = body(msg)
    assert open_task.title in text
    assert world.committee.name in text
    assert "16/10/2026" in text
    assert "Đang thực hiện, trong hạn — sắp đến hạn" in text
    assert f"https://giaoban.example.vn/tasks/{open_task.pk}/" in text
    notice = Notification.objects.get(user=world.police_officer, kind="due_soon")
    assert notice.emailed_at is not None and notice.task == open_task

    # Run again for the same day, then the worker again: nothing new, no mail.
    assert "0 nhắc sắp đến hạn, 0 nhắc quá hạn, 0 thư" in remind(SOON)
    work_off_the_queue()
    assert smtp.take() == []

    # On the deadline day it is not overdue yet (and due soon was sent already).
    clock(DEADLINE)
    assert "0 nhắc sắp đến hạn, 0 nhắc quá hạn, 0 thư" in remind(DEADLINE)
    work_off_the_queue()
    assert smtp.take() == []

    # The day after: overdue, to the officer and to the assigner; never the done or the reported task.
    clock(AFTER)
    assert "0 nhắc sắp đến hạn, 1 nhắc quá hạn, 2 thư" in remind(AFTER)
    work_off_the_queue()
    got = smtp.take()
    assert sorted(to[0] for to, _ in got) == ["cong.an@example.vn", "truong.ban@example.vn"]
    for _to, msg in got:
        assert "Quá hạn" in msg["Subject"] and open_task.title in msg["Subject"]
        assert "Tình trạng: Quá hạn" in body(msg)
    assert "0 nhắc sắp đến hạn, 0 nhắc quá hạn, 0 thư" in remind(AFTER)
    work_off_the_queue()
    assert smtp.take() == []

    # One history line per reminder; nothing at all for the done and the reported task.
    assert list(
        TaskEvent.objects.filter(task=open_task, kind=TaskEvent.Kind.REMINDED).values_list("due_on", flat=True)
    ) == [DEADLINE, DEADLINE]
    assert not TaskEvent.objects.filter(task__in=[done, reported], kind=TaskEvent.Kind.REMINDED).exists()
    assert not Notification.objects.filter(task__in=[done, reported]).exists()


def test_a_retried_job_never_sends_twice(world, tasks, smtp, clock):
    from giaoban.work.tasks import send_notification_email

    clock(SOON)
    remind(SOON)
    notice = Notification.objects.get(kind="due_soon")
    send_notification_email.enqueue(notice.pk)  # the same job queued a second time
    work_off_the_queue()
    assert len(smtp.take()) == 1


def test_dry_run_prints_what_it_would_send_and_writes_nothing(world, tasks, smtp):
    out = remind(AFTER, "--dry-run")
    assert "0 nhắc sắp đến hạn, 1 nhắc quá hạn, 2 thư" in out
    assert "Rà soát kênh thông tin của các xã" in out
    assert not Notification.objects.exists()
    assert not TaskEvent.objects.filter(kind=TaskEvent.Kind.REMINDED).exists()
    assert not DBTaskResult.objects.exists()
    work_off_the_queue()
    assert smtp.take() == []


def test_other_notifications_are_emailed_too_when_the_user_has_an_address(world, smtp, clock):
    from giaoban.orgs.models import Membership

    clock(date(2026, 10, 1))
    # The youth officer has no address of their own, but their committee membership has one.
    membership = Membership.objects.filter(committee=world.committee).first()
    membership.user, membership.email = world.youth_officer, "doan.thanh.nien@example.vn"
    membership.save(update_fields=["user", "email"])
    task = services.task_create(
        committee=world.committee,
        title="Xây dựng kế hoạch tuyên truyền năm 2027",
        agency=world.youth,
        assigned_on=date(2026, 10, 1),
        due_on=date(2026, 12, 31),
        actor=world.approver,
    )
    services.task_create(  # the police officer has no address: notified in the app only
        committee=world.committee, title="Việc khác", agency=world.police, actor=world.approver
    )
    work_off_the_queue()
    [(to, msg)] = smtp.take()
    assert to == ["doan.thanh.nien@example.vn"]
    assert "Được giao nhiệm vụ" in msg["Subject"]
    assert "31/12/2026" in body(msg) and f"/tasks/{task.pk}/" in body(msg)
    assert Notification.objects.get(user=world.youth_officer).emailed_at is not None
    assert Notification.objects.get(user=world.police_officer).emailed_at is None


def test_it_rebuilds_the_counts_from_the_command(world, tasks):
    from giaoban.work.models import TaskCount

    before = sorted(TaskCount.objects.values_list("path", "agency_id", "day", "assigned", "done_on_time", "overdue"))
    TaskCount.objects.all().delete()
    out = StringIO()
    call_command("work", "rebuild-counts", stdout=out)
    assert "3 nhiệm vụ" in out.getvalue()
    after = sorted(TaskCount.objects.values_list("path", "agency_id", "day", "assigned", "done_on_time", "overdue"))
    assert after == before and after


def test_two_runs_at_once_send_each_reminder_once(world, tasks, smtp, clock):
    from django.db import connection

    from giaoban.work.services import reminders

    if connection.vendor != "postgresql":
        pytest.skip("two connections to one database at once: the in-memory SQLite test database has one")
    clock(AFTER)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def one() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(reminders.reminders_send(AFTER))
        except Exception as exc:  # reported below: a thread's exception would otherwise be lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(results) == 2
    assert sum(r.overdue for r in results) == 1 and sum(r.emails for r in results) == 2
    assert TaskEvent.objects.filter(kind=TaskEvent.Kind.REMINDED).count() == 1
    work_off_the_queue()
    assert len(smtp.take()) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("within", [3, 5])
def test_the_reminder_query_agrees_with_the_status_rule_day_by_day(world, within):
    """Around a public holiday (02/09), for two committee settings of N: the task is found as due soon
    exactly on the days `status.due_soon` says, and as overdue from the day after its deadline."""
    from datetime import timedelta

    from giaoban.work import status
    from giaoban.work.services import reminders

    world.committee.due_soon_days = within
    world.committee.save(update_fields=["due_soon_days"])
    task = services.task_create(
        committee=world.committee,
        title="Rà soát",
        agency=world.police,
        assigned_on=date(2026, 8, 1),
        due_on=date(2026, 9, 4),
        notify=False,
    )
    dates = status.TaskDates.of(task)
    day = date(2026, 8, 20)
    while day <= date(2026, 9, 14):
        found = {r.kind for r in reminders.reminders_due(day) if r.task.pk == task.pk}
        expected = set()
        if status.due_soon(dates, day, within):
            expected.add("due_soon")
        if status.status_on(dates, day) == status.Status.OVERDUE and (day - task.due_on).days <= 7:
            expected.add("overdue")
        assert found == expected, day
        day += timedelta(days=1)


@pytest.mark.django_db
def test_it_refuses_a_bad_date_with_a_clear_message(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        call_command("work", "remind", "--date", "31/02/2026", stdout=StringIO())
    assert "0 nhắc sắp đến hạn" in remind(date(2026, 2, 27))  # dd/mm/yyyy and ISO both read
    out = StringIO()
    call_command("work", "remind", "--date", "27/02/2026", stdout=out)
    assert out.getvalue().startswith("27/02/2026:")
