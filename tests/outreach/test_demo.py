"""The outreach demo: old Ngọc Lặc's channels carry the figures of its 2023 reports."""

from __future__ import annotations

from datetime import date

import pytest

from giaoban.outreach import demo as outreach_demo
from giaoban.outreach import selectors
from giaoban.outreach.models import Contest, Entry, Training
from giaoban.reporting import demo as reporting_demo
from giaoban.reporting.models import ReportForm
from tests.reporting.helpers import ngoc_lac_tree
from tests.reporting.test_demo import NINE_MONTHS_2023


@pytest.fixture
def loaded(db):
    tree = ngoc_lac_tree()
    reporting_demo.load(today=date(2026, 11, 22))
    return tree, outreach_demo.load()


def test_the_channels_give_each_month_of_the_district_report(loaded):
    tree, summary = loaded
    assert (summary.channels, summary.metrics) == (3, 36)
    monthly = ReportForm.objects.get(code="BC35-KENH")
    offered = selectors.report_defaults(tree["district"], monthly, "2023-09")
    assert {c: d.value for c, d in offered.items() if c.startswith(("BLOG", "FANPAGE"))} == {
        "BLOG_POSTS": 32,
        "BLOG_VISITORS": 58000,
        "FANPAGE_FOLLOWERS": 11008,
        "FANPAGE_POSTS": 45,
        "FANPAGE_REACH": 9300,
        "FANPAGE2_POSTS": 19,
        "FANPAGE2_VISITORS": 39500,
    }


def test_over_nine_months_the_channels_give_the_reports_figures(loaded):
    tree, _summary = loaded
    # A nine-month form over the same indicators reads the channels exactly as the report reads its months.
    from giaoban.reporting import services

    monthly = ReportForm.objects.get(code="BC35-KENH")
    n9 = services.reportform_create(
        code="BC35-N9", name="9 tháng", period_type="nine_months", scheme="calendar", deadline_working_days=5,
        unit_kinds=["district"], active_from=date(2023, 1, 1),
        indicators=list(services.version_indicators(services.current_version(monthly))),
    )  # fmt: skip
    offered = selectors.report_defaults(tree["district"], n9, "2023N9")
    assert {c: int(offered[c].value) for c in NINE_MONTHS_2023} == NINE_MONTHS_2023


def test_a_contest_with_ranked_winners_and_trainings(loaded):
    contest = Contest.objects.get()
    assert Entry.objects.filter(contest=contest).exclude(prize="").count() == 6
    assert Entry.objects.get(contest=contest, rank=1).prize == "Giải Nhất"
    assert Training.objects.count() == 3
