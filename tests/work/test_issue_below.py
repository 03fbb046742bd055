"""Issuing a notice with a task "below" gives one task per lower committee in bulk: the same tasks, counts and
notices as one by one, in a number of queries that does not grow with the communes."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from giaoban.orgs import services as org_services
from giaoban.orgs.models import Committee
from giaoban.work import counts, selectors, services
from giaoban.work.models import Meeting, Notification, Task, TaskCount, TaskEvent
from giaoban.work.services import PlannedTaskInput, PointInput

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def issue_below(world, day: int) -> tuple[int, list[Task]]:
    meeting = services.meeting_create(
        committee=world.committee,
        kind=Meeting.Kind.GIAO_BAN_THANG,
        title=f"Giao ban {day}",
        starts_at=datetime(2026, 10, day, 8, tzinfo=VN),
    )
    services.conclusion_save(
        meeting=meeting,
        points=[
            PointInput(
                "Duy trì chế độ báo cáo tuần.",
                [PlannedTaskInput("Báo cáo tuần", below=True, supporting=[world.youth], due_on=date(2026, 12, 31))],
            )
        ],
    )
    with CaptureQueriesContext(connection) as queries:
        services.conclusion_issue(meeting=meeting, number=f"{day}-TB/BCĐ", issued_on=date(2026, 10, day))
    return len(queries), list(Task.objects.filter(point__conclusion__meeting=meeting).select_related("unit"))


def test_it_gives_one_task_per_lower_committee_with_its_history_counts_and_notices(world):
    _n, tasks = issue_below(world, 13)
    assert sorted(t.unit.code for t in tasks) == ["15061", "15085"]
    for task in tasks:
        assert [s.pk for s in task.supporting.all()] == [world.youth.pk]
        assert task.point.number == 1 and task.source == Task.Source.CONCLUSION_POINT
        assert TaskEvent.objects.filter(task=task, kind="created").count() == 1
    assert Notification.objects.filter(user=world.commune_secretary, kind="assigned").count() == 1
    card = selectors.scorecard(world.tree.p1, date(2026, 11, 1), by="child")
    assert card.total.counts["assigned"] == 2 and card.total.counts["in_time"] == 2
    # The maintained counts equal a rebuild from the tasks.
    before = sorted(TaskCount.objects.values_list("path", "agency_id", "day", "assigned", "in_time", "overdue"))
    counts.rebuild()
    after = sorted(TaskCount.objects.values_list("path", "agency_id", "day", "assigned", "in_time", "overdue"))
    assert before == after


def test_it_issues_to_more_communes_in_the_same_number_of_queries(world):
    issue_below(world, 12)  # the year's first notice opens the committee's number series (one row, once)
    few, tasks = issue_below(world, 13)
    for i in range(6):
        unit = org_services.orgunit_create(
            code=f"1520{i}",
            name=f"Xã Thử {i}",
            kind="commune",
            subtype="xa",
            parent=world.tree.p1,
            valid_from=date(2025, 7, 1),
        )
        Committee.objects.create(name=f"Ban Chỉ đạo 35 xã Thử {i}", short_name="BCĐ 35", org_unit=unit)
    many, more = issue_below(world, 14)
    assert (len(tasks), len(more)) == (2, 8)
    assert many == few
