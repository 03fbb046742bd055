"""The reporting demo on a minimal org tree: the old Ngọc Lặc district's 2023N9 report figures."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from giaoban.reporting import demo
from giaoban.reporting.models import Indicator, Submission
from giaoban.reporting.selectors import rollup
from tests.reporting.helpers import ngoc_lac_tree

NINE_MONTHS_2023 = {
    "BLOG_POSTS": 279,
    "BLOG_VISITORS": 56000,
    "FANPAGE_FOLLOWERS": 11008,
    "FANPAGE_POSTS": 388,
    "FANPAGE_REACH": 77000,
    "FANPAGE2_POSTS": 166,
    "FANPAGE2_VISITORS": 38000,
}


@pytest.fixture
def demo_tree(db):
    """VN > Thanh Hóa > Huyện Ngọc Lặc (closed 30/06/2025) > two old communes; two current communes of
    Thanh Hóa from 01/07/2025: the few units the reporting demo needs, without the orgs demo."""
    return ngoc_lac_tree()


@pytest.fixture
def loaded(demo_tree, make_user):
    summary = demo.load(today=date(2026, 11, 22))
    return summary, make_user("viewer", demo_tree["vn"])


def test_it_gives_the_old_districts_nine_month_2023_figures_through_the_selector(loaded, demo_tree):
    _summary, user = loaded
    for code, expected in NINE_MONTHS_2023.items():
        r = rollup(user, Indicator.objects.get(code=code), demo_tree["district"], "2023N9")
        assert r.value == expected, code
    r = rollup(user, Indicator.objects.get(code="BLOG_POSTS"), demo_tree["district"], "2023N9", approved_only=True)
    assert (r.value, r.expected, r.reported, r.on_time) == (279, 9, 9, 8)  # February came in late


def test_it_gives_the_same_figures_through_the_api(loaded):
    _summary, user = loaded
    client = APIClient()
    client.force_authenticate(user)
    for code, expected in NINE_MONTHS_2023.items():
        r = client.get(f"/api/v1/rollup/?indicator={code}&unit=389&period=2023N9")
        assert r.status_code == 200 and r.json()["value"] == expected, (code, r.json())


def test_it_has_2026_reports_of_current_communes_some_late_or_missing(loaded):
    summary, _user = loaded
    assert summary.forms == 2 and summary.indicators == 14
    reports = Submission.objects.filter(period__startswith="2026W", unit__code__in=["15061", "15085"])
    assert reports.count() > 8
    assert {s.status for s in reports} >= {"submitted", "approved"}
    assert any(s.on_time is False for s in reports)
