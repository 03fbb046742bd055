"""Plans: drafting, issuing (number from the running series, tasks made, counts right), targets read from the
live roll-up for every aggregation type, on track at the window's boundaries, proposed done once, the year's
meetings generated once, and the plan as a .docx in both layouts."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import call_command
from django.db import connection
from docx import Document as Docx

from giaoban.core.errors import Conflict, Forbidden, ImportRejected, ServiceError
from giaoban.documents.models import Document
from giaoban.reporting.selectors import rollup
from giaoban.work import counts, plan_documents, services
from giaoban.work.models import Meeting, Plan, Target, Task, TaskCount, TaskEvent
from giaoban.work.plans import elapsed_fraction, on_track_of, percent_of, plan_progress, target_progress
from giaoban.work.services import ItemInput, TargetInput

from .plan_helpers import Figures, draft_plan


@pytest.fixture
def figures(tree):
    return Figures(tree)


def _counts() -> set:
    return set(
        TaskCount.objects.exclude(
            assigned=0, done_on_time=0, done_late=0, in_time=0, overdue=0, no_deadline=0, fallen_due=0
        ).values_list(
            "path",
            "agency_id",
            "day",
            "assigned",
            "done_on_time",
            "done_late",
            "in_time",
            "overdue",
            "no_deadline",
            "fallen_due",
        )
    )


# --- Drafting -------------------------------------------------------------------------------------------


def test_it_drafts_a_plan_with_items_and_a_target(world, figures):
    plan = draft_plan(world, figures)
    items = list(plan.items.order_by("position"))
    assert [i.position for i in items] == [1, 2]
    assert list(items[0].supporting.all()) == [world.youth]
    assert items[0].target.period == "2026" and items[0].target.value == 60
    assert plan.status == Plan.Status.DRAFT and not Task.objects.exists()


def test_it_names_every_bad_field_by_row(world, figures):
    items = [
        ItemInput("", world.other_agency),
        ItemInput(
            "Nội dung",
            world.police,
            supporting=[world.other_agency],
            target=TargetInput(figures.note, world.tree.p2, "2026Z", "between", "x"),
        ),
    ]
    with pytest.raises(ImportRejected) as exc:
        services.plan_create(committee=world.committee, title="KH", year=2026, items=items)
    got = {(e["row"], e["column"]) for e in exc.value.errors}
    assert {
        (1, "content"),
        (1, "lead_agency"),
        (2, "supporting"),
        (2, "target.indicator"),
        (2, "target.unit"),
        (2, "target.period"),
        (2, "target.kind"),
        (2, "target.value"),
    } <= got
    assert not Plan.objects.exists()


def test_it_lets_only_a_meet_role_of_the_committee_draft(world, figures):
    with pytest.raises(Forbidden):
        draft_plan(world, figures, actor=world.outsider)
    assert draft_plan(world, figures, actor=world.secretary).created_by == world.secretary


def test_it_replaces_the_items_of_a_draft_and_locks_an_issued_plan(world, figures):
    plan = draft_plan(world, figures)
    plan = services.plan_update(
        plan=plan, title="Kế hoạch mới", items=[ItemInput("Một việc", world.police)], expected_version=0
    )
    assert plan.title == "Kế hoạch mới" and plan.items.count() == 1 and not Target.objects.exists()
    with pytest.raises(Conflict):
        services.plan_update(plan=plan, title="x", expected_version=0)
    services.plan_issue(plan=plan, issued_on=date(2026, 2, 2))
    with pytest.raises(ServiceError):
        services.plan_update(plan=plan, title="Sửa sau khi ban hành")


# --- Issuing --------------------------------------------------------------------------------------------


def test_it_issues_with_the_next_number_and_makes_a_task_per_item(world, figures):
    plan = draft_plan(world, figures)
    plan = services.plan_issue(plan=plan, issued_on=date(2026, 2, 2), actor=world.approver)
    assert plan.status == Plan.Status.ISSUED and plan.number == "01-KH/BCĐ"
    doc = plan.document
    assert (doc.direction, doc.type, doc.serial, doc.source) == ("outgoing", "ke_hoach", 1, plan)
    tasks = list(Task.objects.order_by("plan_item__position"))
    assert [(t.source, t.plan_item.plan_id, t.agency, t.due_on) for t in tasks] == [
        ("plan_item", plan.pk, world.police, date(2026, 12, 31)),
        ("plan_item", plan.pk, world.youth, date(2026, 12, 20)),
    ]
    assert list(tasks[0].supporting.all()) == [world.youth]
    assert tasks[0].reference == "01-KH/BCĐ"
    # The maintained counts are exactly what a rebuild from the tasks gives.
    before = _counts()
    counts.rebuild()
    assert _counts() == before and before
    second = services.plan_issue(plan=draft_plan(world, figures, title="Kế hoạch thứ hai"), issued_on=date(2026, 3, 1))
    assert second.number == "02-KH/BCĐ"


def test_it_refuses_a_typed_number_that_is_taken_and_writes_nothing(world, figures):
    services.plan_issue(plan=draft_plan(world, figures), issued_on=date(2026, 2, 2), number=12)
    other = draft_plan(world, figures, title="Kế hoạch khác")
    with pytest.raises(Conflict) as exc:
        services.plan_issue(plan=other, issued_on=date(2026, 3, 2), number=12)
    assert exc.value.code == "number_taken"
    other.refresh_from_db()
    assert other.status == "draft" and Task.objects.filter(plan_item__plan=other).count() == 0


def test_it_needs_the_approvers_right_to_issue(world, figures):
    plan = draft_plan(world, figures)
    with pytest.raises(Forbidden):
        services.plan_issue(plan=plan, issued_on=date(2026, 2, 2), actor=world.secretary)
    assert not Task.objects.exists() and not Document.objects.exists()


def test_it_rolls_back_the_number_when_an_item_cannot_become_a_task(world, figures):
    plan = draft_plan(world, figures)
    with pytest.raises(ImportRejected) as exc:
        services.plan_issue(plan=plan, issued_on=date(2026, 12, 25))  # item 2 was due on 20/12
    assert [(e["row"], e["column"]) for e in exc.value.errors] == [(2, "due_on")]
    assert not Document.objects.exists() and not Task.objects.exists()
    assert services.plan_issue(plan=plan, issued_on=date(2026, 2, 2)).number == "01-KH/BCĐ"


@pytest.mark.django_db(transaction=True)
def test_it_gives_concurrent_issues_distinct_numbers(world, figures):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: no concurrency to test")
    plans = [draft_plan(world, figures, title=f"Kế hoạch {i}") for i in range(4)]
    errors = []

    def issue(plan):
        from django.db import connections

        try:
            services.plan_issue(plan=plan, issued_on=date(2026, 2, 2))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(p,)) for p in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(Plan.objects.values_list("number", flat=True)) == [f"0{i}-KH/BCĐ" for i in range(1, 5)]


# --- Targets --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["POSTS", "FOLLOWERS", "VISITORS", "PEAK", "LOW", "SHARE"])
@pytest.mark.parametrize("period", ["2026", "2026-03", "2026W11"])
def test_it_reads_a_target_as_the_live_rollup(world, figures, make_user, code, period):
    indicator = next(i for i in figures.all if i.code == code)
    admin = make_user("system_admin", world.tree.vn)
    for unit in (world.tree.p1, world.tree.n1, world.tree.n2, world.tree.p2):
        target = Target(indicator=indicator, unit=unit, period=period, kind="min", value=Decimal(1))
        (progress,) = target_progress([target], date(2026, 6, 30))
        assert progress.value == rollup(admin, indicator, unit, period).value, (code, unit, period)
    assert progress.value is None  # P2 reported nothing


def test_it_reads_every_type_right(world, figures):
    p1 = world.tree.p1
    targets = [Target(indicator=i, unit=p1, period="2026", kind="min", value=Decimal(1)) for i in figures.all]
    got = {p.target.indicator.code: p.value for p in target_progress(targets, date(2026, 6, 30))}
    # Weeks 10–12: posts 15+19+14; followers in the last week 115+45; visitors mean of 80, 90, 100; peak 11;
    # low 1; share of original posts 21/48.
    assert got == {
        "POSTS": 48,
        "FOLLOWERS": 160,
        "VISITORS": 90,
        "PEAK": 11,
        "LOW": 1,
        "SHARE": Decimal("43.75"),
    }


def test_it_computes_the_plans_progress_in_a_constant_number_of_queries(world, figures, django_assert_max_num_queries):
    plan = draft_plan(
        world,
        figures,
        items=[
            ItemInput(f"Việc {i.code}", world.police, target=TargetInput(i, world.tree.p1, period, "min", 10))
            for i in figures.all
            for period in ("2026", "2026S1")
        ],
    )
    with django_assert_max_num_queries(8):
        progress = plan_progress(Plan.objects.get(pk=plan.pk), date(2026, 6, 30))
    assert len(progress) == 12


def test_percent_and_on_track_at_the_boundaries():
    t = Decimal(100)
    assert percent_of("min", Decimal(50), t) == 50 and percent_of("min", Decimal(150), t) == 150
    assert percent_of("max", Decimal(100), t) == 100 and percent_of("max", Decimal(200), t) == 50
    assert percent_of("min", None, t) is None
    start, end = date(2026, 1, 1), date(2026, 1, 10)
    assert elapsed_fraction(start, end, date(2025, 12, 31)) == 0
    assert elapsed_fraction(start, end, date(2026, 1, 5)) == Decimal("0.5")
    assert elapsed_fraction(start, end, end) == 1 and elapsed_fraction(start, end, date(2027, 1, 1)) == 1
    half = Decimal("0.5")
    # Cumulative: the allowance grows with the window; exactly on it is on track.
    assert on_track_of("min", Decimal(50), t, half, True) is True
    assert on_track_of("min", Decimal("49.9"), t, half, True) is False
    assert on_track_of("max", Decimal(50), t, half, True) is True
    assert on_track_of("max", Decimal("50.1"), t, half, True) is False
    # A level (last, mean, ratio…) is held to the whole target.
    assert on_track_of("min", Decimal(99), t, half, False) is False
    assert on_track_of("min", Decimal(100), t, half, False) is True
    assert on_track_of("max", Decimal(100), t, half, False) is True
    # No figure: a min is on track only before the window starts.
    assert on_track_of("min", None, t, Decimal(0), True) is True
    assert on_track_of("min", None, t, half, True) is False
    assert on_track_of("max", None, t, half, False) is True


def test_it_flags_on_track_from_the_elapsed_part_of_the_window(world, figures):
    # 48 posts by the end of March: on track for 150 a quarter-year (Q1) only once the quarter... (48 >= 150 x 1 no)
    p1 = world.tree.p1
    target = Target(indicator=figures.posts, unit=p1, period="2026Q2", kind="min", value=Decimal(48))
    assert target_progress([target], date(2026, 3, 31))[0].on_track is True  # window not started, no figure
    year = Target(indicator=figures.posts, unit=p1, period="2026", kind="min", value=Decimal(192))
    # 48 / 192 = 1/4 of the year: on track up to the day when 1/4 of the year has elapsed (91.25 days)
    assert target_progress([year], date(2026, 4, 1))[0].on_track is True  # 91/365 elapsed
    assert target_progress([year], date(2026, 4, 2))[0].on_track is False  # 92/365 elapsed


# --- Proposed done ----------------------------------------------------------------------------------------


def test_it_proposes_the_task_done_once_when_a_min_target_is_crossed(world, figures):
    plan = services.plan_issue(plan=draft_plan(world, figures), issued_on=date(2026, 2, 2))
    task = Task.objects.get(plan_item__target__isnull=False)
    other = Task.objects.exclude(pk=task.pk).get()
    summary = services.targets_check(date(2026, 4, 1))  # 48 posts < 60
    assert summary.proposed == [] and Task.objects.get(pk=task.pk).state == "open"
    Target.objects.filter(item__plan=plan).update(value=40)
    summary = services.targets_check(date(2026, 4, 1))
    assert [t.pk for t in summary.proposed] == [task.pk]
    task.refresh_from_db()
    assert (task.state, task.reported_on) == ("reported", date(2026, 4, 1))
    event = task.events.get(kind=TaskEvent.Kind.REPORTED_DONE)
    assert "Mục tiêu đã đạt" in event.note and event.actor is None
    assert Task.objects.get(pk=other.pk).state == "open"
    # Once: a second run, and a run after the assigner returned it, propose nothing.
    assert services.targets_check(date(2026, 4, 2)).proposed == []
    services.task_return(task=task, actor=None, reason="Chưa đủ chất lượng")
    assert services.targets_check(date(2026, 4, 3)).proposed == []
    assert task.events.filter(kind=TaskEvent.Kind.REPORTED_DONE).count() == 1


def test_it_never_proposes_a_done_task_and_a_max_target_only_after_its_window(world, figures):
    items = [
        ItemInput(
            "Giữ số bài không vượt",
            world.police,
            target=TargetInput(figures.posts, world.tree.p1, "2026Q1", "max", 100),
        ),
        ItemInput("Đạt 10 bài", world.youth, target=TargetInput(figures.posts, world.tree.p1, "2026", "min", 10)),
    ]
    services.plan_issue(plan=draft_plan(world, figures, items=items), issued_on=date(2026, 2, 2))
    done = Task.objects.get(agency=world.youth)
    services.task_report_done(task=done, actor=None, reported_on=date(2026, 3, 1))
    services.task_confirm(task=done, actor=None)
    held = Task.objects.get(agency=world.police)
    assert services.targets_check(date(2026, 3, 31)).proposed == []  # Q1 not over yet
    assert [t.pk for t in services.targets_check(date(2026, 4, 1)).proposed] == [held.pk]
    assert done.events.filter(kind=TaskEvent.Kind.REPORTED_DONE).count() == 1


def test_the_daily_command_proposes_and_is_safe_to_run_twice(world, figures, capsys):
    services.plan_issue(plan=draft_plan(world, figures), issued_on=date(2026, 2, 2))
    Target.objects.update(value=10)
    call_command("work", "targets", "--date", "2026-04-01")
    call_command("work", "targets", "--date", "2026-04-01")
    call_command("work", "remind", "--date", "2026-04-02")
    assert TaskEvent.objects.filter(kind=TaskEvent.Kind.REPORTED_DONE).count() == 1
    assert "1" in capsys.readouterr().out


# --- Meetings ---------------------------------------------------------------------------------------------


def test_it_generates_the_years_meetings_once(world, figures):
    plan = draft_plan(world, figures, year=2027)
    made = services.plan_meetings_generate(plan=plan, cadence="monthly", today=date(2026, 12, 1))
    kinds = [m.kind for m in made]
    assert len(made) == 12 and kinds.count("giao_ban_thang") == 9
    assert {"so_ket_6_thang", "so_ket_9_thang", "tong_ket_nam"} <= set(kinds)
    assert all(m.status == "draft" and m.plan_id == plan.pk for m in made)
    from django.utils import timezone

    from giaoban.core.workdays import is_working_day

    assert all(is_working_day(timezone.localtime(m.starts_at).date()) for m in made)
    assert services.plan_meetings_generate(plan=plan, cadence="monthly", today=date(2026, 12, 1)) == []
    assert Meeting.objects.filter(plan=plan).count() == 12
    weekly = services.plan_meetings_generate(plan=plan, cadence="weekly", today=date(2026, 12, 1))
    assert weekly and {m.kind for m in weekly} == {"giao_ban_tuan"}
    assert services.plan_meetings_generate(plan=plan, cadence="weekly", today=date(2026, 12, 1)) == []


def test_it_generates_only_meetings_from_today_on(world, figures):
    plan = draft_plan(world, figures, year=2026)
    made = services.plan_meetings_generate(plan=plan, cadence="monthly", today=date(2026, 12, 1))
    assert [m.kind for m in made] == ["tong_ket_nam"]


# --- The document -----------------------------------------------------------------------------------------


def _text(data: bytes) -> tuple[str, list[list[str]]]:
    doc = Docx(BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    for t in doc.tables:
        for row in t.rows:
            text += "\n" + " | ".join(c.text for c in row.cells)
    items = [[c.text for c in row.cells] for row in doc.tables[-1].rows] if doc.tables else []
    return text, items


@pytest.mark.parametrize(("state_body", "number_line"), [(False, "Số 01-KH/BCĐ"), (True, "Số: 01/KH-BCĐ")])
def test_it_prints_the_plan_in_the_committees_layout(world, figures, state_body, number_line):
    world.committee.is_state_body = state_body
    world.committee.save(update_fields=["is_state_body"])
    plan = services.plan_issue(plan=draft_plan(world, figures), issued_on=date(2026, 2, 2))
    text, _rows = _text(plan_documents.render(plan, "docx"))
    assert number_line in text
    assert ("ĐẢNG CỘNG SẢN VIỆT NAM" in text) is not state_body
    assert ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text) is state_body
    assert "KẾ HOẠCH" in text and "ngày 02 tháng 02 năm 2026" in text
    assert "STT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian | Sản phẩm" in text
    assert "1 | Duy trì đăng tải tin, bài trên kênh thông tin của các xã" in text
    assert "Công an tỉnh Thanh Hóa | Tỉnh đoàn Thanh Hóa | 01/01/2026 – 31/12/2026 | Tin, bài" in text
    assert "Chỉ tiêu: Số bài đăng (Tỉnh Thanh Hóa, kỳ năm 2026) tối thiểu 60 bài." in text
    assert "2 | Tổng kết công tác năm | Tỉnh đoàn Thanh Hóa |  | Trước 20/12/2026 | Báo cáo tổng kết" in text


def test_a_draft_prints_a_blank_number(world, figures):
    text, _rows = _text(plan_documents.render(draft_plan(world, figures), "docx"))
    assert "Số       -KH/BCĐ" in text
