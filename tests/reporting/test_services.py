"""The submission workflow, its locks and logs, per-field validation, form versions and imports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from giaoban.core.errors import Conflict, ImportRejected, ServiceError
from giaoban.reporting import services
from giaoban.reporting.models import Aggregate, DataValue, Submission, SubmissionEvent, ValueChange

from .helpers import at, commune


def values_of(s):
    return dict(DataValue.objects.filter(submission=s).values_list("indicator__code", "value"))


def test_it_walks_draft_submit_return_resubmit_approve_reopen_and_logs_every_step(tree, catalog, make_user):
    secretary, approver = make_user("secretary", tree.c1), make_user("approver", tree.d1)
    s = services.submission_open(unit=tree.c1, form=catalog.weekly, period="2025w10")
    assert (s.period, s.status, s.deadline) == ("2025W10", "draft", date(2025, 3, 11))
    s = services.submission_save_draft(submission=s, values={"POSTS": "12"}, expected_version=1, actor=secretary)
    s = services.submission_submit(submission=s, actor=secretary, values={"POSTS": "15"}, expected_version=2)
    s = services.submission_return(submission=s, actor=approver, reason="Thiếu số liệu fanpage")
    assert (s.status, s.return_reason) == ("returned", "Thiếu số liệu fanpage")
    s = services.submission_submit(submission=s, actor=secretary, values={"POSTS": "16", "FOLLOWERS": "1.200"})
    s = services.submission_approve(submission=s, actor=approver)
    assert s.status == "approved" and s.approved_by == approver
    with pytest.raises(ServiceError, match="approved and locked"):
        services.submission_save_draft(submission=s, values={"POSTS": "1"}, expected_version=s.version, actor=secretary)
    with pytest.raises(ServiceError, match="reason is required"):
        services.submission_reopen(submission=s, actor=approver, reason="  ")
    s = services.submission_reopen(submission=s, actor=approver, reason="Đơn vị xin sửa")
    assert s.status == "returned"
    s = services.submission_save_draft(
        submission=s, values={"POSTS": "17"}, expected_version=s.version, actor=secretary
    )
    assert values_of(s) == {"POSTS": Decimal(17), "FOLLOWERS": Decimal(1200)}
    assert [(e.transition, e.actor, e.reason) for e in SubmissionEvent.objects.filter(submission=s)] == [
        ("saved", secretary, ""),
        ("submitted", secretary, ""),
        ("returned", approver, "Thiếu số liệu fanpage"),
        ("submitted", secretary, ""),
        ("approved", approver, ""),
        ("reopened", approver, "Đơn vị xin sửa"),
        ("saved", secretary, ""),
    ]
    assert [(c.indicator.code, c.old, c.new, c.actor) for c in ValueChange.objects.filter(submission=s)] == [
        ("POSTS", "", "12", secretary),
        ("POSTS", "12", "15", secretary),
        ("POSTS", "15", "16", secretary),
        ("FOLLOWERS", "", "1200", secretary),
        ("POSTS", "16", "17", secretary),
    ]
    assert s.history.count() >= 7
    # Reopened: out of both the live and the approved-only totals.
    assert set(Aggregate.objects.values_list("value_count", flat=True)) == {0}


def test_its_history_rows_hold_what_simple_history_would_write(tree, catalog, make_user):
    """The workflow writes a report's history rows itself (one INSERT, no save() signal); they must hold
    exactly what simple-history's own bulk_history_create() writes for the same report."""
    secretary, approver = make_user("secretary", tree.c1), make_user("approver", tree.d1)
    s = services.submission_open(unit=tree.c1, form=catalog.weekly, period="2025W10")
    s = services.submission_submit(
        submission=s, actor=secretary, values={"POSTS": "15"}, narrative={"results": "Đã đăng 15 tin"}
    )
    s = services.submission_approve(submission=s, actor=approver)
    ours = s.history.order_by("-history_id").first()
    Submission.history.bulk_history_create(
        [Submission.objects.get(pk=s.pk)],
        update=True,
        default_user=approver,
        default_date=ours.history_date,
        default_change_reason=None,
    )
    theirs = s.history.order_by("-history_id").first()
    fields = [f.attname for f in Submission.history.model._meta.concrete_fields if f.attname != "history_id"]
    assert {f: getattr(ours, f) for f in fields} == {f: getattr(theirs, f) for f in fields}
    assert (ours.status, ours.history_type, ours.history_user, ours.approved_by) == (
        "approved",
        "~",
        approver,
        approver,
    )
    assert ours.narrative["results"] == "Đã đăng 15 tin" and ours.submitted_by == secretary
    assert [h.status for h in s.history.order_by("history_id")] == ["draft", "submitted", "approved", "approved"]


@pytest.mark.parametrize(
    ("action", "status", "says"),
    [
        ("approve", "draft", "cannot approve"),
        ("return", "draft", "cannot return"),
        ("return", "approved", "cannot return"),
        ("reopen", "submitted", "cannot reopen"),
        ("submit", "submitted", "can be edited only once returned"),
        ("submit", "approved", "approved and locked"),
    ],
)
def test_it_refuses_a_transition_from_the_wrong_state(tree, catalog, report, action, status, says):
    s = report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 1}, status=status)
    before = (s.version, Aggregate.objects.filter(value_count__gt=0).count())
    call = {
        "approve": lambda: services.submission_approve(submission=s),
        "return": lambda: services.submission_return(submission=s, reason="x"),
        "reopen": lambda: services.submission_reopen(submission=s, reason="x"),
        "submit": lambda: services.submission_submit(submission=s),
    }[action]
    with pytest.raises(ServiceError, match=says):
        call()
    s.refresh_from_db()
    assert (s.version, Aggregate.objects.filter(value_count__gt=0).count()) == before


def test_it_never_loses_an_edit_when_two_people_save_the_same_draft(tree, catalog, make_user):
    a, b = make_user("secretary", tree.c1), make_user("secretary", tree.c1)
    s = services.submission_open(unit=tree.c1, form=catalog.weekly, period="2025W10")
    opened_by_a = opened_by_b = s.version
    services.submission_save_draft(submission=s, values={"POSTS": "56.000"}, expected_version=opened_by_a, actor=a)
    with pytest.raises(Conflict) as exc:
        services.submission_save_draft(submission=s, values={"POSTS": "7"}, expected_version=opened_by_b, actor=b)
    assert "someone else saved this report" in exc.value.message
    assert exc.value.status == 409
    assert exc.value.extra["values"] == {"POSTS": "56.000"} and exc.value.extra["version"] == 2
    assert values_of(s) == {"POSTS": Decimal(56000)}
    assert ValueChange.objects.filter(actor=b).count() == 0


@pytest.mark.parametrize(
    ("code", "typed", "stored"),
    [
        ("POSTS", "56.000", 56000),
        ("POSTS", "56000", 56000),
        ("POSTS", " 1.234 ", 1234),
        ("RATE", "5,6", Decimal("5.6")),
    ],
)
def test_it_accepts_vietnamese_number_formats(tree, catalog, code, typed, stored):
    s = services.submission_open(unit=tree.c1, form=catalog.weekly, period="2025W10")
    s = services.submission_save_draft(submission=s, values={code: typed}, expected_version=1)
    assert values_of(s) == {code: Decimal(stored)}


@pytest.mark.parametrize(
    ("values", "field", "says"),
    [
        ({"POSTS": "abc"}, "POSTS", "not a number"),
        ({"POSTS": "5,6"}, "POSTS", "whole number"),
        ({"POSTS": "12.5"}, "POSTS", "not a number"),
        ({"RATE": "101"}, "RATE", "at most 100"),
        ({"RATE": "-1"}, "RATE", "at least 0"),
        ({"SHARE": "5"}, "SHARE", "not in this form"),
        ({"UNKNOWN": "5"}, "UNKNOWN", "not in this form"),
    ],
)
def test_it_rejects_bad_input_field_by_field_and_writes_nothing(tree, catalog, values, field, says):
    s = services.submission_open(unit=tree.c1, form=catalog.weekly, period="2025W10")
    with pytest.raises(ServiceError) as exc:
        services.submission_save_draft(submission=s, values={"FOLLOWERS": "10", **values}, expected_version=1)
    assert says in exc.value.extra["fields"][field]
    assert "nothing was saved" in exc.value.message
    s.refresh_from_db()
    assert (s.version, DataValue.objects.count(), ValueChange.objects.count()) == (1, 0, 0)


def test_it_refuses_to_submit_without_required_figures(tree, catalog):
    s = services.submission_open(unit=tree.c1, form=catalog.weekly, period="2025W10")
    with pytest.raises(ServiceError, match="required figures missing") as exc:
        services.submission_submit(submission=s, values={"FOLLOWERS": "10"})
    assert exc.value.extra["fields"] == {"POSTS": "Bắt buộc nhập (required)"}
    s.refresh_from_db()
    assert (s.status, DataValue.objects.count()) == ("draft", 0)


@pytest.mark.parametrize(
    ("unit", "period", "says"),
    [
        ("c1", "2025-03", "not a week period"),
        ("d1", "2025W10", "not reported by district units"),
        ("c1", "2025W30", "not valid at the end"),
        ("n1", "2025W20", "not valid at the end"),
        ("n1", "2099W01", "has not started"),
        ("c1", "2025W99", "invalid period id"),
    ],
)
def test_it_refuses_a_report_the_unit_does_not_owe(tree, catalog, unit, period, says):
    with pytest.raises(ServiceError, match=says):
        services.submission_open(unit=getattr(tree, unit), form=catalog.weekly, period=period)
    assert Submission.objects.count() == 0


def test_it_judges_timeliness_against_working_day_deadlines(tree, catalog, report):
    # 2025W05 ends Sunday 02/02/2025, in the Tết holiday (27/01–02/02): 2 working days later is 04/02.
    s = report(tree.c1, catalog.weekly, "2025W05", {"POSTS": 1}, when=at(2025, 2, 4, 16))
    assert (s.deadline, s.on_time) == (date(2025, 2, 4), True)
    late = report(tree.c2, catalog.weekly, "2025W05", {"POSTS": 1}, when=at(2025, 2, 5, 8))
    assert late.on_time is False


def test_it_makes_a_new_form_version_when_an_indicator_is_added_and_old_reports_keep_theirs(tree, catalog, report):
    old = report(tree.d1, catalog.monthly, "2025-01", {"POSTS": 1})
    services.reportform_update(form=catalog.monthly, indicators=[catalog.posts, catalog.followers])
    services.reportform_update(form=catalog.monthly, name="Tên mới")  # no indicator change: no new version
    assert list(catalog.monthly.versions.values_list("number", flat=True)) == [1, 2]
    new = services.submission_open(unit=tree.d1, form=catalog.monthly, period="2025-02")
    assert (old.form_version.number, new.form_version.number) == (1, 2)
    with pytest.raises(ServiceError) as exc:
        services.submission_save_draft(submission=new, values={"VISITORS": 1}, expected_version=new.version)
    assert "not in this form" in exc.value.extra["fields"]["VISITORS"]


def test_it_refuses_inconsistent_indicators_and_forms(catalog):
    with pytest.raises(ServiceError, match="needs a numerator"):
        services.indicator_create(code="R", name_vi="Tỷ lệ", aggregation="ratio")
    with pytest.raises(ServiceError, match="across-time aggregation"):
        services.indicator_create(code="L", name_vi="x", aggregation="last")
    with pytest.raises(ServiceError, match="already exists"):
        services.indicator_create(code="POSTS", name_vi="x")
    with pytest.raises(ServiceError, match="computed, not entered"):
        services.reportform_create(
            code="F",
            name="F",
            period_type="month",
            scheme="calendar",
            deadline_working_days=1,
            unit_kinds=["commune"],
            active_from=date(2025, 1, 1),
            indicators=[catalog.share],
        )
    with pytest.raises(ServiceError, match="weekly forms use"):
        services.reportform_create(
            code="F",
            name="F",
            period_type="week",
            scheme="calendar",
            deadline_working_days=1,
            unit_kinds=["commune"],
            active_from=date(2025, 1, 1),
            indicators=[catalog.posts],
        )


def rows(*items):
    keys = ("unit", "form", "period", "indicator", "value")
    return [(i, dict(zip(keys, item, strict=True))) for i, item in enumerate(items, start=2)]


def test_it_imports_figures_as_submitted_reports_or_as_drafts(tree, catalog, make_user):
    actor = make_user("secretary", tree.d1)
    result = services.datavalues_import(
        rows=rows(
            ("90001", "W35", "2025W10", "POSTS", "56.000"),
            ("90001", "W35", "2025W10", "FOLLOWERS", "1200"),
            ("90002", "W35", "2025W10", "POSTS", "4"),
        ),
        actor=actor,
    )
    assert (result.submissions, result.values) == (2, 3)
    assert set(Submission.objects.values_list("status", flat=True)) == {"submitted"}
    assert Aggregate.objects.get(unit=tree.d1, indicator=catalog.posts, approved=False).value_sum == 56004
    services.datavalues_import(rows=rows(("90003", "W35", "2025W10", "POSTS", "9")), actor=actor, draft=True)
    assert Submission.objects.get(unit=tree.c3).status == "draft"
    assert Aggregate.objects.get(unit=tree.d1, indicator=catalog.posts, approved=False).value_sum == 56004


def test_it_rejects_a_whole_import_listing_every_bad_row(tree, catalog, report, make_user):
    actor = make_user("secretary", tree.d1)
    report(tree.c3, catalog.weekly, "2025W11", {"POSTS": 1}, status="approved")
    bad = rows(
        ("90001", "W35", "2025W10", "POSTS", "7"),  # fine on its own
        ("00004", "W35", "2025W10", "POSTS", "1"),  # out of the actor's scope
        ("99999", "W35", "2025W10", "POSTS", "1"),  # unknown unit
        ("90001", "NOPE", "2025W10", "POSTS", "1"),
        ("90001", "W35", "2025-03", "POSTS", "1"),
        ("90001", "W35", "2025W10", "SHARE", "1"),
        ("90002", "W35", "2025W10", "POSTS", "abc"),
        ("90001", "W35", "2025W10", "POSTS", "8"),  # duplicate
        ("90003", "W35", "2025W11", "POSTS", "2"),  # approved: locked
        ("90002", "W35", "2025W12", "FOLLOWERS", "2"),  # required POSTS missing
        ("", "W35", "2025W10", "POSTS", "1"),
    )
    with pytest.raises(ImportRejected) as exc:
        services.datavalues_import(rows=bad, actor=actor)
    found = [(e["row"], e["column"]) for e in exc.value.errors]
    assert found == [
        (3, "unit"),
        (4, "unit"),
        (5, "form"),
        (6, "period"),
        (7, "indicator"),
        (8, "value"),
        (9, "indicator"),
        (10, "period"),
        (11, "indicator"),
        (12, "unit"),
    ]
    assert "nothing was written" in exc.value.message
    # No hint that 00004 exists: it gets the same answer as an unknown code.
    assert exc.value.errors[0]["message"].replace("00004", "X") == exc.value.errors[1]["message"].replace("99999", "X")
    assert Submission.objects.count() == 1 and DataValue.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_loses_no_update_when_reports_are_submitted_concurrently(tree, catalog):
    """Many threads submit to the same ancestors at once (PostgreSQL runs them truly in parallel)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite is one connection")
    weeks = [f"2025W{w:02d}" for w in range(2, 22)]
    for week in weeks:
        for unit in (tree.c1, tree.c2):
            s = services.submission_open(unit=unit, form=catalog.weekly, period=week)
            services.submission_save_draft(submission=s, values={"POSTS": "1"}, expected_version=1)

    def submit(pk):
        try:
            services.submission_submit(submission=Submission.objects.get(pk=pk))
        finally:
            connections.close_all()

    # The two communes of a week share every ancestor row (district, province, country) of that week.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(submit, Submission.objects.order_by("period", "unit_id").values_list("pk", flat=True)))
    total = Aggregate.objects.filter(unit=tree.vn, indicator=catalog.posts, approved=False)
    assert sum(a.value_sum for a in total) == 40
    assert sum(a.value_count for a in total) == 40


def test_it_imports_over_a_thousand_reports_in_one_file(tree, catalog, make_user):
    # One OR term per report used to overflow SQLite's expression depth (1,000) on re-import.

    communes = [commune(tree.p1, f"38{i:03d}", f"Xã Nhập {i}") for i in range(21)]
    weeks = [f"2025W{w:02d}" for w in range(27, 53)] + [f"2026W{w:02d}" for w in range(1, 25)]
    data = rows(*[(c.code, "W35", w, "POSTS", "1") for c in communes for w in weeks])
    assert len(data) > 1000
    actor = make_user("secretary", tree.p1)
    services.datavalues_import(rows=data, actor=actor, draft=True)
    assert not Aggregate.objects.filter(unit=tree.p1, value_count__gt=0).exists()
    changed = rows(*[(c.code, "W35", w, "POSTS", "2") for c in communes for w in weeks])
    result = services.datavalues_import(rows=changed, actor=actor)
    assert (result.submissions, result.values) == (len(data), len(data))
    assert (
        Aggregate.objects.get(unit=tree.p1, indicator=catalog.posts, period="2025W30", approved=False).value_sum == 42
    )


def test_it_imports_with_a_number_of_queries_that_does_not_grow_with_the_reports(tree, catalog, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from giaoban.core.access import user_roles

    extra = [commune(tree.d1, f"9{i:04d}", f"Xã {i}", old=True) for i in range(100, 127)]
    units = [tree.c1, tree.c2, tree.c3, *extra]
    actor = make_user("secretary", tree.d1)
    user_roles(actor)  # read once per user object: not part of what is measured

    def figures(unit_list, week, posts, followers, original):
        return rows(
            *[
                (u.code, "W35", week, code, value)
                for u in unit_list
                for code, value in (("POSTS", posts), ("FOLLOWERS", followers), ("ORIGINAL", original))
            ]
        )

    def measure(week, new, drafts, submitted):
        """Queries of one import over `new` units without a report, `drafts` with a draft holding figures and
        `submitted` with a submitted report; an existing report changes a figure, keeps one and blanks one."""
        chosen = units[: new + drafts + submitted]
        existing, counted = chosen[new:], chosen[new + drafts :]
        services.datavalues_import(rows=figures(existing, week, "1", "2", "3"), actor=actor, draft=True)
        services.datavalues_import(rows=figures(counted, week, "1", "2", "3"), actor=actor)
        with CaptureQueriesContext(connection) as ctx:
            result = services.datavalues_import(rows=figures(chosen, week, "5", "2", ""), actor=actor)
        assert result.submissions == len(chosen)
        assert result.values == 2 * len(chosen)  # new: POSTS and FOLLOWERS; existing: POSTS and ORIGINAL
        return len(ctx.captured_queries)

    small = measure("2025W10", new=1, drafts=1, submitted=1)
    assert measure("2025W11", new=10, drafts=19, submitted=1) == small
    # Removing a submitted report from the roll-ups re-reads its min/max figures (aggregates.apply_many,
    # at most one query per report when it holds none); nothing else here may depend on the number of reports.
    assert measure("2025W12", new=10, drafts=10, submitted=10) - small <= 10 - 1
    assert Submission.objects.filter(status="submitted").count() == 3 + 30 + 30
    assert not DataValue.objects.filter(indicator=catalog.original).exists()


def test_it_reimports_over_submitted_reports_replacing_their_figures_in_the_rollups(tree, catalog, report, make_user):
    from giaoban.reporting import aggregates
    from giaoban.reporting.models import ReportCount

    actor = make_user("secretary", tree.d1)
    c1 = report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 3, "PEAK": 5, "FOLLOWERS": 100, "ORIGINAL": 1})
    c2 = report(tree.c2, catalog.weekly, "2025W10", {"POSTS": 4, "PEAK": 9}, when=at(2025, 3, 20))  # late
    c3 = report(tree.c3, catalog.weekly, "2025W10", {"POSTS": 1}, status="draft")
    before = {s.pk: s.version for s in (c1, c2, c3)}
    history_rows = Submission.history.count()
    when = at(2025, 3, 11, 15)
    result = services.datavalues_import(
        rows=rows(
            ("90001", "W35", "2025W10", "POSTS", "7"),
            ("90001", "W35", "2025W10", "PEAK", "1"),
            ("90001", "W35", "2025W10", "FOLLOWERS", ""),  # deletes the figure
            ("90001", "W35", "2025W10", "ORIGINAL", "1"),  # unchanged: no log line
            ("90002", "W35", "2025W10", "PEAK", "2"),  # POSTS, required, is already stored
            ("90003", "W35", "2025W10", "POSTS", "6"),
            ("90001", "W35", "2025W11", "POSTS", "8"),  # a new report
        ),
        actor=actor,
        at=when,
    )
    assert (result.submissions, result.values) == (4, 6)
    new = Submission.objects.get(unit=tree.c1, period="2025W11")
    reports = [c1, c2, c3, new]
    for s in reports:
        s.refresh_from_db()
    assert {(s.status, s.submitted_at, s.submitted_by) for s in reports} == {("submitted", when, actor)}
    assert [s.version for s in (c1, c2, c3)] == [before[s.pk] + 1 for s in (c1, c2, c3)] and new.version == 2
    assert values_of(c1) == {"POSTS": 7, "PEAK": 1, "ORIGINAL": 1} and values_of(c2) == {"POSTS": 4, "PEAK": 2}
    assert sorted(
        (c.submission.unit.code, c.submission.period, c.indicator.code, c.old, c.new, c.actor)
        for c in ValueChange.objects.filter(at=when)
    ) == [
        ("90001", "2025W10", "FOLLOWERS", "100", "", actor),
        ("90001", "2025W10", "PEAK", "5", "1", actor),
        ("90001", "2025W10", "POSTS", "3", "7", actor),
        ("90001", "2025W11", "POSTS", "", "8", actor),
        ("90002", "2025W10", "PEAK", "9", "2", actor),
        ("90003", "2025W10", "POSTS", "1", "6", actor),
    ]
    events = SubmissionEvent.objects.filter(at=when)
    assert sorted(e.submission_id for e in events) == sorted(s.pk for s in reports)
    assert {(e.transition, e.actor, e.reason) for e in events} == {("submitted", actor, "nhập dữ liệu (import)")}
    for s in reports:
        (row,) = s.history.filter(history_date=when)
        assert (row.history_type, row.history_user, row.status) == ("+" if s is new else "~", actor, "submitted")
    assert Submission.history.count() == history_rows + 4

    # The district's figures are the new ones: the sum, and the maximum that went down (9 -> max(1, 2)).
    def agg(indicator, period="2025W10"):
        return Aggregate.objects.get(unit=tree.d1, indicator=indicator, period=period, approved=False)

    assert (agg(catalog.posts).value_sum, agg(catalog.posts).value_count) == (17, 3)
    assert (agg(catalog.peak).value_max, agg(catalog.peak).value_min) == (2, 1)
    assert agg(catalog.followers).value_count == 0 and agg(catalog.posts, "2025W11").value_sum == 8
    counts = ReportCount.objects.get(unit=tree.d1, form=catalog.weekly, period="2025W10", approved=False)
    assert (counts.reported, counts.on_time) == (3, 3)  # re-submitted on 11/03, before the deadline

    def snapshot():
        fields = ("indicator_id", "unit_id", "form_id", "period", "approved", "value_sum", "value_count")
        return (
            sorted(Aggregate.objects.filter(value_count__gt=0).values_list(*fields, "value_min", "value_max")),
            sorted(
                ReportCount.objects.filter(reported__gt=0).values_list(
                    "unit_id", "form_id", "period", "approved", "reported", "on_time"
                )
            ),
        )

    live = snapshot()
    aggregates.rebuild()
    assert snapshot() == live
