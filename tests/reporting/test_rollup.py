"""Roll-ups from the maintained aggregates: semantics per aggregation type, windows, schemes,
history-aware restatement, completeness, and a query count that does not grow with the data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giaoban.core.errors import ServiceError
from giaoban.reporting import services
from giaoban.reporting.models import Aggregate, ReportCount
from giaoban.reporting.selectors import rollup

from .helpers import at, commune


@pytest.fixture
def admin(make_user, tree):
    return make_user("system_admin", tree.vn)


def value(user, indicator, unit, period, **kw):
    return rollup(user, indicator, unit, period, **kw).value


def test_it_puts_a_submitted_figure_in_every_ancestor_at_once(tree, catalog, report, admin):
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": "12"})
    report(tree.c2, catalog.weekly, "2025W10", {"POSTS": "30"})
    for unit, expected in [(tree.c1, 12), (tree.d1, 42), (tree.p1, 42), (tree.vn, 42), (tree.p2, None)]:
        assert value(admin, catalog.posts, unit, "2025W10") == (None if expected is None else Decimal(expected))


def test_it_never_counts_drafts_and_removes_returned_reports(tree, catalog, report, admin):
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": "12"}, status="draft")
    assert value(admin, catalog.posts, tree.d1, "2025W10") is None
    s = report(tree.c2, catalog.weekly, "2025W10", {"POSTS": "30"})
    assert value(admin, catalog.posts, tree.d1, "2025W10") == 30
    services.submission_return(submission=s, reason="Sai số liệu")
    assert value(admin, catalog.posts, tree.d1, "2025W10") is None
    assert set(Aggregate.objects.values_list("value_sum", "value_count")) == {(0, 0)}


def test_it_counts_approved_figures_only_when_asked(tree, catalog, report, admin):
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": "12"}, status="approved")
    report(tree.c2, catalog.weekly, "2025W10", {"POSTS": "30"})
    assert value(admin, catalog.posts, tree.p1, "2025W10") == 42
    r = rollup(admin, catalog.posts, tree.p1, "2025W10", approved_only=True)
    assert (r.value, r.reported) == (12, 1)


def test_it_sums_weeks_into_the_month_they_end_in(tree, catalog, report, admin):
    # 2025W13 = 24–30/03 belongs to March; 2025W14 = 31/03–06/04 straddles and ends in April.
    for week, n in [("2025W10", 1), ("2025W11", 2), ("2025W12", 4), ("2025W13", 8), ("2025W14", 16)]:
        report(tree.c1, catalog.weekly, week, {"POSTS": n})
    assert value(admin, catalog.posts, tree.d1, "2025-03") == 15
    assert value(admin, catalog.posts, tree.d1, "2025-04") == 16
    assert value(admin, catalog.posts, tree.d1, "2025Q1") == 15
    assert value(admin, catalog.posts, tree.d1, "2025S1") == 31


def test_it_takes_the_last_reported_bucket_for_last_across_time(tree, catalog, report, admin):
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 1, "FOLLOWERS": "1.000"})
    report(tree.c2, catalog.weekly, "2025W10", {"POSTS": 1, "FOLLOWERS": "500"})
    report(tree.c1, catalog.weekly, "2025W12", {"POSTS": 1, "FOLLOWERS": "1.200"})
    report(tree.c2, catalog.weekly, "2025W12", {"POSTS": 1, "FOLLOWERS": "650"})
    report(tree.c1, catalog.weekly, "2025W14", {"POSTS": 1, "FOLLOWERS": "9.999"})  # April
    # Across units: sum; across time: the latest week of March that has figures.
    assert value(admin, catalog.followers, tree.d1, "2025-03") == 1850
    assert value(admin, catalog.followers, tree.c1, "2025-03") == 1200


def test_it_averages_buckets_for_mean_across_time(tree, catalog, report, admin):
    for month, visitors in [("2025-01", "50.000"), ("2025-02", "56.000"), ("2025-03", "62.000")]:
        report(tree.d1, catalog.monthly, month, {"POSTS": 1, "VISITORS": visitors})
    assert value(admin, catalog.visitors, tree.d1, "2025Q1") == 56000
    assert value(admin, catalog.visitors, tree.p1, "2025Q1") == 56000


def test_it_rolls_a_ratio_up_as_sum_over_sum_not_as_a_mean_of_ratios(tree, catalog, report, admin):
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 10, "ORIGINAL": 9})  # 90 %
    report(tree.c2, catalog.weekly, "2025W10", {"POSTS": 90, "ORIGINAL": 9})  # 10 %
    assert value(admin, catalog.share, tree.d1, "2025W10") == 18  # 18/100, not (90 + 10) / 2
    assert value(admin, catalog.share, tree.c1, "2025W10") == 90


def test_it_keeps_max_right_after_the_top_figure_is_returned(tree, catalog, report, admin):
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 1, "PEAK": 700})
    top = report(tree.c2, catalog.weekly, "2025W10", {"POSTS": 1, "PEAK": 900})
    report(tree.c3, catalog.weekly, "2025W11", {"POSTS": 1, "PEAK": 800})
    assert value(admin, catalog.peak, tree.d1, "2025-03") == 900
    services.submission_return(submission=top, reason="Kiểm tra lại")
    assert value(admin, catalog.peak, tree.d1, "2025W10") == 700
    assert value(admin, catalog.peak, tree.d1, "2025-03") == 800


def test_it_composes_decree09_windows_from_decree09_months(tree, catalog, report, admin):
    trainings = services.indicator_create(code="TRAININGS", name_vi="Số lớp tập huấn")
    form = services.reportform_create(
        code="D09",
        name="Tháng theo Nghị định 09",
        period_type="month",
        scheme="decree09",
        deadline_working_days=2,
        unit_kinds=["district"],
        active_from=date(2020, 1, 1),
        indicators=[trainings],
    )
    for m in range(1, 13):
        report(tree.d1, form, f"2024-{m:02d}", {"TRAININGS": m})
    # decree09 2024N9 = 15/12/2023–14/09/2024 = reporting months 1..9.
    assert value(admin, trainings, tree.d1, "2024N9") == sum(range(1, 10))
    assert value(admin, trainings, tree.d1, "2024") == sum(range(1, 13))
    with pytest.raises(ServiceError, match="cannot be composed"):
        rollup(admin, trainings, tree.d1, "2024W05")


def test_it_restates_a_current_unit_with_its_predecessors_across_a_merge_and_a_split(tree, catalog, report, admin):
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 10, "FOLLOWERS": 100})
    report(tree.c2, catalog.weekly, "2025W10", {"POSTS": 20, "FOLLOWERS": 200})
    report(tree.c3, catalog.weekly, "2025W10", {"POSTS": 50, "FOLLOWERS": 1000})
    report(tree.n1, catalog.weekly, "2025W30", {"POSTS": 7, "FOLLOWERS": 2000})
    # As reported, the figures stand under the units that reported them.
    assert value(admin, catalog.posts, tree.n1, "2025") == 7
    assert value(admin, catalog.posts, tree.d1, "2025") == 80
    # Restated: N1 = C1 + C2 + 0.6 * C3; N2 = 0.4 * C3.
    assert value(admin, catalog.posts, tree.n1, "2025", restated=True) == 7 + 10 + 20 + 30
    assert value(admin, catalog.posts, tree.n2, "2025", restated=True) == 20
    assert value(admin, catalog.posts, tree.n1, "2025S1", restated=True) == 60
    # Last across time on restated history: the latest bucket with figures is N1's own week 30.
    assert value(admin, catalog.followers, tree.n1, "2025", restated=True) == 2000
    assert value(admin, catalog.followers, tree.n1, "2025S1", restated=True) == 100 + 200 + 600
    # The province's own history is unchanged either way.
    assert value(admin, catalog.posts, tree.p1, "2025", restated=True) == 87


def test_it_breaks_a_total_down_by_child_unit_with_completeness(tree, catalog, report, admin):
    # W10 2025 ends Sunday 09/03; deadline 2 working days later = Tuesday 11/03.
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 10}, when=at(2025, 3, 10))
    report(tree.c2, catalog.weekly, "2025W10", {"POSTS": 20}, when=at(2025, 3, 12))  # late
    report(tree.c3, catalog.weekly, "2025W10", {"POSTS": 5}, status="draft")  # not reported
    r = rollup(admin, catalog.posts, tree.p1, "2025W10", by_child=True)
    assert (r.value, r.expected, r.reported, r.on_time, r.late, r.missing) == (30, 3, 2, 1, 1, 1)
    assert [(c.unit.code, c.value, c.expected, c.reported, c.on_time) for c in r.children] == [
        ("389", Decimal(30), 3, 2, 1)
    ]
    d = rollup(admin, catalog.posts, tree.d1, "2025W10", by_child=True)
    assert sorted((c.unit.code, c.value, c.expected, c.reported, c.on_time) for c in d.children) == [
        ("90001", 10, 1, 1, 1),
        ("90002", 20, 1, 1, 0),
        ("90003", None, 1, 0, 0),
    ]
    # Expected reports: for each form holding the indicator and each of its periods in the window, the units
    # valid at the period's end that report it. March 2025: 5 weeks end in it x 3 old communes, plus the
    # district's monthly report; August: 5 weeks x 2 new communes, the district being closed.
    assert rollup(admin, catalog.posts, tree.p1, "2025-03").expected == 5 * 3 + 1
    assert rollup(admin, catalog.posts, tree.p1, "2025-08").expected == 5 * 2


def test_it_answers_404_outside_the_users_units(tree, catalog, make_user):
    from django.http import Http404

    user = make_user("viewer", tree.p2)
    with pytest.raises(Http404):
        rollup(user, catalog.posts, tree.p1, "2025W10")


def _bulk_reports(units, form, weeks, catalog):
    rows, n = [], 0
    for unit in units:
        for week in weeks:
            n += 1
            for code in ("POSTS", "FOLLOWERS", "ORIGINAL"):
                rows.append((n, {"unit": unit.code, "form": form.code, "period": week, "indicator": code, "value": n}))
    services.datavalues_import(rows=rows)


@pytest.mark.parametrize("by_child", [False, True])
@pytest.mark.parametrize("restated", [False, True])
def test_it_costs_the_same_number_of_queries_whatever_the_data_size(tree, catalog, admin, by_child, restated):

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            for ind in (catalog.posts, catalog.followers, catalog.share):
                rollup(admin, ind, tree.p1, "2025", by_child=by_child, restated=restated)
        return len(ctx.captured_queries)

    _bulk_reports([tree.c1], catalog.weekly, ["2025W10"], catalog)
    measure()  # warm the per-request caches (the user's roles)
    small = measure()
    extra = [commune(tree.d1, f"9{i:04d}", f"Xã {i}", old=True) for i in range(100, 110)]
    _bulk_reports([tree.c1, tree.c2, tree.c3, *extra], catalog.weekly, [f"2025W{w:02d}" for w in range(2, 14)], catalog)
    assert measure() == small
    # 26 weeks x 13 old communes + 26 weeks x 2 new communes + 6 monthly reports of the district.
    assert rollup(admin, catalog.posts, tree.p1, "2025").expected == 26 * 13 + 26 * 2 + 6


def test_it_rebuilds_the_same_aggregates_it_maintains_live(tree, catalog, report):
    from giaoban.reporting import aggregates

    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": 3, "PEAK": 5}, status="approved")
    returned = report(tree.c2, catalog.weekly, "2025W10", {"POSTS": 4, "PEAK": 9})
    report(tree.c3, catalog.weekly, "2025W11", {"POSTS": "1.000", "RATE": "5,6"})
    reopened = report(tree.n1, catalog.weekly, "2025W30", {"POSTS": 2}, status="approved")
    services.submission_return(submission=returned, reason="x")
    services.submission_reopen(submission=reopened, reason="y")
    fields = (
        "indicator_id",
        "unit_id",
        "form_id",
        "period",
        "approved",
        "value_sum",
        "value_count",
        "value_min",
        "value_max",
    )

    def snapshot():
        counts = ReportCount.objects.filter(reported__gt=0).values_list(
            "unit_id", "form_id", "period", "approved", "reported", "on_time"
        )
        return sorted(Aggregate.objects.filter(value_count__gt=0).values_list(*fields)), sorted(counts)

    live = snapshot()
    aggregates.rebuild()
    assert snapshot() == live and len(live[0]) > 10
    # c1 (approved) and c3 (submitted) are counted at every level above them; the returned and the
    # reopened reports are not.
    assert ReportCount.objects.get(unit=tree.p1, form=catalog.weekly, period="2025W10", approved=False).reported == 1
    assert ReportCount.objects.get(unit=tree.p1, form=catalog.weekly, period="2025W10", approved=True).reported == 1
    assert ReportCount.objects.get(unit=tree.vn, form=catalog.weekly, period="2025W11", approved=False).reported == 1
    assert not ReportCount.objects.filter(period="2025W30", reported__gt=0).exists()


@pytest.mark.parametrize("approved_only", [False, True])
def test_it_rolls_up_in_the_database_exactly_as_the_python_rule_does(tree, catalog, report, approved_only):
    """window_values() computes the roll-up rule in SQL (one row per unit and indicator); the weighted
    Python path (weighted_values, used for restated figures) is the rule written out. Same figures in,
    same values out, for every aggregation, window and level, with two forms ending on the same day."""
    import random

    from giaoban.reporting import periods, selectors

    rng = random.Random(35)
    weeks = [f"2025W{w:02d}" for w in range(5, 15)]
    for unit in (tree.c1, tree.c2, tree.c3):
        for week in weeks:
            if rng.random() < 0.2:
                continue  # a week not reported: "last" and "mean" must skip it, not count it as 0
            figures = {
                "POSTS": rng.randint(0, 40),
                "ORIGINAL": rng.randint(0, 9),
                "FOLLOWERS": rng.randint(100, 5000),
                "VISITORS": rng.randint(0, 900),
                "PEAK": rng.randint(0, 3000),
                "RATE": f"{rng.randint(0, 99)},{rng.randint(0, 99):02d}",
            }
            if rng.random() < 0.3:
                del figures["FOLLOWERS"]
            status = rng.choice(["submitted", "approved", "approved", "draft"])
            s = report(unit, catalog.weekly, week, figures, status=status)
            if status == "submitted" and rng.random() < 0.2:
                services.submission_return(submission=s, reason="Sai số liệu")
    for month in ("2025-02", "2025-03"):  # the district's own monthly form: buckets merge by end date
        report(tree.d1, catalog.monthly, month, {"POSTS": 7, "FOLLOWERS": 321, "VISITORS": 11}, status="approved")

    every = [catalog.posts, catalog.original, catalog.followers, catalog.visitors, catalog.peak, catalog.rate]
    weekly_only = [catalog.original, catalog.peak, catalog.rate]  # one form: buckets are single rows
    units = [tree.vn, tree.p1, tree.d1, tree.c1, tree.c2, tree.c3, tree.p2]
    compared = 0
    cases = [
        (inds, window)
        for inds in (every, weekly_only, [catalog.followers])
        for window in ("2025W10", "2025-02", "2025-03", "2025Q1", "2025-04", "2025S1")
    ]
    for inds, window in cases:
        base = {i.pk: (i.aggregation, i.time_aggregation) for i in inds}
        forms = selectors.forms_of(list(base))
        buckets = selectors.form_buckets(forms, periods.parse_period(window))
        in_db = selectors.window_values([u.pk for u in units], base, forms, buckets, approved_only)
        in_python = selectors.weighted_values(
            {u.pk: {u.pk: Decimal(1)} for u in units}, base, forms, buckets, approved_only
        )
        for u in units:
            for ind_id in base:
                want = selectors.round_value(in_python[u.pk][ind_id])
                got = selectors.round_value(in_db.get(u.pk, {}).get(ind_id))
                assert got == want, (window, u.code, ind_id, got, want)
                compared += want is not None
    assert compared > 100


@pytest.mark.django_db
def test_postgresql_sessions_of_the_database_run_without_jit():
    """A 9-month roll-up at national scale crosses jit_above_cost, and compiling it cost more than running
    it (bench case b); migration reporting/0006 turns JIT off for the database."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
            "WHERE d.datname = current_database() AND s.setrole = 0"
        )
        settings = [item for row in cursor.fetchall() for item in row[0]]
    assert "jit=off" in settings
