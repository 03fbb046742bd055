"""The one status rule at every boundary, and the scorecard counts against a brute-force count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giaoban.work import counts, status
from giaoban.work.status import Status, TaskDates

D = date(2026, 10, 15)  # a Thursday


def s(assigned, due, done, day):
    return status.status_on(TaskDates(assigned, due, done), day)


def test_it_is_in_time_on_the_deadline_day_and_overdue_the_day_after():
    t = (D - timedelta(days=10), D, None)
    assert s(*t, D) == Status.IN_TIME
    assert s(*t, D + timedelta(days=1)) == Status.OVERDUE


def test_it_is_done_on_time_when_done_on_the_deadline_day_and_late_the_day_after():
    assigned = D - timedelta(days=10)
    assert s(assigned, D, D, D + timedelta(days=30)) == Status.DONE_ON_TIME
    assert s(assigned, D, D + timedelta(days=1), D + timedelta(days=30)) == Status.DONE_LATE


def test_it_counts_done_only_from_the_done_date():
    assigned = D - timedelta(days=10)
    done = D + timedelta(days=3)
    assert s(assigned, D, done, D + timedelta(days=2)) == Status.OVERDUE
    assert s(assigned, D, done, done) == Status.DONE_LATE


def test_it_has_no_deadline_until_done_and_then_done_on_time():
    assigned = D - timedelta(days=10)
    assert s(assigned, None, None, D) == Status.NO_DEADLINE
    assert s(assigned, None, D, D) == Status.DONE_ON_TIME


def test_it_has_no_status_before_it_was_given():
    assert s(D, D + timedelta(days=5), None, D - timedelta(days=1)) is None


def test_an_extension_moves_the_deadline_and_the_status_with_it():
    assigned = D - timedelta(days=10)
    day = D + timedelta(days=2)
    assert s(assigned, D, None, day) == Status.OVERDUE
    assert s(assigned, D + timedelta(days=7), None, day) == Status.IN_TIME


def test_it_marks_due_soon_within_n_working_days_only_while_in_time():
    t = TaskDates(date(2026, 10, 1), date(2026, 10, 16), None)  # Friday
    assert status.due_soon(t, date(2026, 10, 13), 3)  # Tue -> Fri: 3 working days
    assert not status.due_soon(t, date(2026, 10, 12), 3)  # Mon -> Fri: 4
    assert status.due_soon(t, date(2026, 10, 16), 3)  # the deadline day itself
    assert not status.due_soon(t, date(2026, 10, 17), 3)  # overdue, not due soon


def test_fallen_due_counts_from_the_deadline_or_an_earlier_done_date():
    assigned = D - timedelta(days=10)
    assert status.fallen_due_on(TaskDates(assigned, D, None)) == D
    assert status.fallen_due_on(TaskDates(assigned, D, D - timedelta(days=4))) == D - timedelta(days=4)
    assert status.fallen_due_on(TaskDates(assigned, None, None)) is None


def test_the_timeline_lists_each_change_once():
    t = TaskDates(date(2026, 10, 1), date(2026, 10, 10), date(2026, 10, 20))
    assert status.timeline(t) == [
        (date(2026, 10, 1), Status.IN_TIME),
        (date(2026, 10, 11), Status.OVERDUE),
        (date(2026, 10, 20), Status.DONE_LATE),
    ]


START = date(2026, 1, 1)
day_offsets = st.integers(min_value=0, max_value=60)
task_dates = st.builds(
    lambda a, due, done: TaskDates(
        START + timedelta(days=a),
        None if due is None else START + timedelta(days=a + due),
        None if done is None else START + timedelta(days=a + done),
    ),
    day_offsets,
    st.none() | st.integers(min_value=0, max_value=40),
    st.none() | st.integers(min_value=0, max_value=60),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(task_dates, max_size=12), day_offsets.map(lambda d: START + timedelta(days=d)))
def test_the_summed_deltas_equal_a_brute_force_count(tasks, day):
    summed = dict.fromkeys(status.COUNTED, 0)
    for t in tasks:
        for d, changes in status.deltas(t).items():
            if d <= day:
                for c in status.COUNTED:
                    summed[c] += changes[c]
    brute = dict.fromkeys(status.COUNTED, 0)
    for t in tasks:
        st_ = status.status_on(t, day)
        if st_ is None:
            continue
        brute["assigned"] += 1
        brute[st_.value] += 1
        fallen = status.fallen_due_on(t)
        brute["fallen_due"] += fallen is not None and fallen <= day
    assert summed == brute


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    tasks=st.lists(st.tuples(task_dates, st.sampled_from(["c1", "n1", "n2", "p1", "police"])), max_size=10),
    day=day_offsets.map(lambda d: START + timedelta(days=d)),
)
def test_the_scorecard_equals_a_brute_force_count_over_the_tasks(world, tasks, day):
    from giaoban.work import selectors
    from giaoban.work.models import Task, TaskCount

    Task.objects.all().delete()
    TaskCount.objects.all().delete()
    tree = world.tree
    made = []
    for dates, where in tasks:
        kw = {"agency": world.police} if where == "police" else {"unit": getattr(tree, where)}
        if where == "p1":
            kw = {"agency": world.youth}
        task = Task(
            committee=world.committee,
            title="t",
            assigned_on=dates.assigned_on,
            due_on=dates.due_on,
            done_on=dates.done_on,
            unit_path=(kw.get("agency") or kw.get("unit")).org_unit.path if "agency" in kw else kw["unit"].path,
            **kw,
        )
        task.save()
        counts.apply(added=[counts.task_key(task)])
        made.append(task)
    for unit in (tree.vn, tree.p1, tree.d1, tree.n1):
        card = selectors.scorecard(unit, day, by="child")
        inside = [t for t in made if t.unit_path.startswith(unit.path)]
        brute = dict.fromkeys(status.COUNTED, 0)
        for t in inside:
            st_ = status.status_on(TaskDates.of(t), day)
            if st_ is None:
                continue
            brute["assigned"] += 1
            brute[st_.value] += 1
            fallen = status.fallen_due_on(TaskDates.of(t))
            brute["fallen_due"] += fallen is not None and fallen <= day
        assert card.total.counts == brute, unit.code
        assert {c: sum(r.counts[c] for r in card.rows) for c in status.COUNTED} == brute
    # A rebuild from the tasks gives the same rows as the live path.
    live = sorted(
        TaskCount.objects.exclude(
            assigned=0, done_on_time=0, done_late=0, in_time=0, overdue=0, no_deadline=0, fallen_due=0
        ).values_list()
    )
    counts.rebuild()
    rebuilt = sorted(TaskCount.objects.values_list())
    assert [r[1:] for r in live] == [r[1:] for r in rebuilt]
