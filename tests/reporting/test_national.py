"""Every role's day at national level: the dashboard's late and missing lists folded by province with counts and
paged (its HTML and query count do not grow with the number of communes), the home page's late and missing
units bounded, and a year's roll-up not counting the week in progress as missing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from giaoban.reporting import selectors
from giaoban.reporting.views.dashboard import LIST_PAGE
from tests.access import Endpoint, check, matrix

from .helpers import at, commune

URL = "/reports/dashboard/"
# 2025W40 = 29/09–05/10/2025, after the reorganisation; deadline two working days later, Tuesday 07/10/2025.
PERIOD = "2025W40"
ON_TIME = at(2025, 10, 6)
LATE = at(2025, 10, 9)


def _grow(tree, count: int) -> None:
    """`count` more current communes, two thirds in Thanh Hóa and a third in Hà Nội, none reporting."""
    for n in range(count):
        parent = tree.p2 if n % 3 == 2 else tree.p1
        parent.refresh_from_db()
        commune(parent, f"7{n:04d}", f"Xã Thêm {n}")
    for u in (tree.vn, tree.p1, tree.p2):
        u.refresh_from_db()


@pytest.fixture
def national(tree, catalog, report):
    """The two current communes of Thanh Hóa and Hà Nội's ward: one on time, one late, one missing."""
    report(tree.n1, catalog.weekly, PERIOD, {"POSTS": "5"}, when=ON_TIME)
    report(tree.n2, catalog.weekly, PERIOD, {"POSTS": "7"}, when=LATE)
    return tree


def _page(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def _national(client, **extra) -> tuple[str, int]:
    query = "&".join(f"{k}={v}" for k, v in {"unit": "VN", "form": "W35", "period": PERIOD, **extra}.items())
    return _page(client, f"{URL}?{query}")


def test_it_prints_a_short_list_whole(client, national, make_user):
    client.force_login(make_user("viewer", national.vn))
    html, _n = _national(client)
    missing = re.search(r'<table[^>]*id="missing".*?</table>', html, re.S).group(0)
    assert 'data-unit="00004"' in missing and "Phường Ba Đình" in missing
    late = re.search(r'<table[^>]*id="late".*?</table>', html, re.S).group(0)
    assert 'data-unit="15085"' in late and "09:00 09/10/2025" in late
    assert 'id="missing-groups"' not in html


def test_it_folds_a_long_missing_list_by_province_with_counts(client, national, make_user):
    _grow(national, 60)
    client.force_login(make_user("viewer", national.vn))
    html, _n = _national(client)
    assert 'id="missing"' not in html and "Xã Thêm" not in html  # no commune is listed on the page itself
    groups = re.search(r'id="missing-groups".*?</div>', html, re.S).group(0)
    counts = dict(
        re.findall(r'<details[^>]*data-unit="(\w+)".*?<span class="badge[^"]*">([\d.]+)</span>', groups, re.S)
    )
    assert counts == {"38": "40", "01": "21"}  # 40 new communes of Thanh Hóa; 20 and Ba Đình in Hà Nội
    assert re.search(r'id="missing-count">61<', html)
    assert 'hx-get="?unit=38&amp;form=W35&amp;period=2025W40&amp;list=missing&amp;page=1"' in groups
    assert 'href="?unit=38&amp;form=W35&amp;period=2025W40"' in groups  # without JavaScript: the province's page
    # The late list is short: printed whole.
    assert re.search(r'<table[^>]*id="late"', html) and 'id="late-groups"' not in html


def test_it_pages_a_provinces_missing_units(client, national, make_user):
    _grow(national, 60)
    client.force_login(make_user("viewer", national.vn))
    base = f"{URL}?unit=38&form=W35&period={PERIOD}&list=missing"
    first, _n = _page(client, base + "&page=1")
    assert "<html" not in first and first.count("<tr data-unit=") == LIST_PAGE
    assert f'hx-get="?unit=38&amp;form=W35&amp;period={PERIOD}&amp;list=missing&amp;page=2"' in first
    second, _n = _page(client, base + "&page=2")
    assert second.count("<tr data-unit=") == 40 - LIST_PAGE and "list=missing&amp;page=3" not in second
    shown = re.findall(r'<tr data-unit="(\w+)"', first + second)
    assert len(set(shown)) == 40 and "15061" not in shown and "15085" not in shown  # they reported
    assert "/reports/70000/W35/2025W40/" in first and "Chưa nộp" in first
    late, _n = _page(client, base.replace("list=missing", "list=late"))
    assert re.findall(r'<tr data-unit="(\w+)"', late) == ["15085"] and "09:00 09/10/2025" in late
    assert client.get(base.replace("list=missing", "list=all")).status_code == 404


def test_it_keeps_the_unit_lists_in_scope(client, national, make_user):
    _grow(national, 60)
    client.force_login(make_user("viewer", national.p1))
    assert client.get(f"{URL}?unit=01&form=W35&period={PERIOD}&list=missing&page=1").status_code == 404
    html, _n = _page(client, f"{URL}?unit=38&form=W35&period={PERIOD}&list=missing&page=2")
    assert html.count("<tr data-unit=") == 40 - LIST_PAGE


def test_it_keeps_the_national_dashboards_size_and_queries_as_communes_grow(client, national, make_user):
    client.force_login(make_user("viewer", national.vn))
    _grow(national, 30)
    small, small_queries = _national(client, indicators="POSTS,FOLLOWERS,SHARE")
    _grow_more(national, 300)
    large, large_queries = _national(client, indicators="POSTS,FOLLOWERS,SHARE")
    assert large_queries == small_queries <= 25
    # The same page but for the counts' digits (and the form's random CSRF token, of the same length).
    assert abs(len(large.encode()) - len(small.encode())) < 100, (len(small.encode()), len(large.encode()))
    assert len(large.encode()) < 200_000


def _grow_more(tree, count: int) -> None:
    """More communes, numbered after those of _grow(tree, 30)."""
    for n in range(30, count):
        parent = tree.p2 if n % 3 == 2 else tree.p1
        parent.refresh_from_db()
        commune(parent, f"7{n:04d}", f"Xã Thêm {n}")


# --- The home page of a national approver ------------------------------------------------------------------


def test_it_shows_a_national_approver_the_first_missing_units_in_constant_queries(client, national, make_user):
    client.force_login(make_user("approver", national.vn))
    with freeze_time("2025-10-08 10:00:00+07:00"):  # the last finished week: 2025W40
        _grow(national, 30)
        client.get("/")
        small, small_queries = _page(client, "/")
        _grow_more(national, 120)
        with CaptureQueriesContext(connection) as ctx:
            large, large_queries = _page(client, "/")
    # The late and missing units are read a few at a time, never all the country's.
    lists = [q["sql"] for q in ctx.captured_queries if "NOT (EXISTS" in q["sql"] or '."deadline")' in q["sql"]]
    assert len(lists) == 4 and all("LIMIT 5" in sql for sql in lists), lists
    assert large_queries == small_queries <= 45
    panel = large.split('id="panel-approval-queue"')[1]
    assert panel.count("Xã Thêm") == 5 and "Tuần 40/2025" in panel
    assert 'href="/reports/dashboard/?unit=VN&amp;form=W35&amp;period=2025W40"' in panel
    assert abs(len(large.encode()) - len(small.encode())) < 100


# --- A year's roll-up and the week in progress -----------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "due_weeks"),
    [
        # Tuesday 14/10/2025: 2025W41's deadline (two working days after Sunday 12/10); W42 has just begun.
        ("2025-10-14", 40),
        ("2025-10-15", 41),  # the day after that deadline, W41 is due
    ],
)
def test_it_does_not_count_the_weeks_not_yet_due_as_missing_in_a_years_rollup(
    tree, catalog, report, make_user, today, due_weeks
):
    with freeze_time(f"{today} 10:00:00+07:00"):
        report(tree.n1, catalog.weekly, "2025W40", {"POSTS": "5"}, when=ON_TIME)
        report(tree.n1, catalog.weekly, "2025W41", {"POSTS": "6"}, when=at(2025, 10, 13))
        report(tree.n2, catalog.weekly, "2025W42", {"POSTS": "1"}, when=at(2025, 10, 14))
        user = make_user("viewer", tree.vn)
        result = selectors.rollup(user, catalog.posts, tree.p1, "2025", by_child=True)
    # Thanh Hóa's communes: the three old ones for the weeks ending by 30/06/2025 (W01–W26), the two new ones
    # for W27 on; each week counted once it is due (W42, in progress, never; W41 from the day after its
    # deadline), or for the reports already in; and the old district's own monthly reports (the form M35 holds
    # POSTS too), January to June.
    old_weeks = 26
    due_new = due_weeks - old_weeks
    early = {40: 2, 41: 1}[due_weeks]  # the reports of the weeks not due yet: W41's and W42's, or W42's
    assert result.expected == 3 * old_weeks + 6 + 2 * due_new + early
    assert result.reported == 3
    assert result.missing == result.expected - 3
    n1 = next(c for c in result.children if c.unit.code == "15061")
    assert (n1.expected, n1.reported) == (due_new + (1 if due_weeks == 40 else 0), 2)
    n2 = next(c for c in result.children if c.unit.code == "15085")
    assert (n2.expected, n2.reported, n2.missing) == (due_new + 1, 1, due_new)


def test_it_counts_a_week_asked_for_by_itself_whole_even_before_its_deadline(tree, catalog, report, make_user):
    with freeze_time("2025-10-14 10:00:00+07:00"):
        report(tree.n1, catalog.weekly, "2025W42", {"POSTS": "1"}, when=at(2025, 10, 14))
        result = selectors.rollup(make_user("viewer", tree.vn), catalog.posts, tree.p1, "2025W42")
    assert (result.expected, result.reported, result.missing) == (2, 1, 1)


def test_it_leaves_the_weeks_of_a_past_year_all_due(tree, catalog, make_user):
    with freeze_time("2026-01-02 10:00:00+07:00"):
        result = selectors.rollup(make_user("viewer", tree.vn), catalog.posts, tree.p1, "2025")
    weeks = 52  # 2025 has 52 ISO weeks; its last (22–28/12) is due by 30/12/2025
    assert date(2025, 12, 28).isocalendar()[1] == weeks
    assert result.expected == 3 * 26 + 6 + 2 * (weeks - 26) and result.missing == result.expected


# --- Access matrix ----------------------------------------------------------------------------------------


class World:
    def __init__(self, tree):
        self.unit = {"in": tree.p1, "out": tree.p2}


ENDPOINTS = [
    Endpoint(
        "dashboard-units-page", lambda w, s: f"{URL}?unit={w.unit[s].code}&form=W35&period={PERIOD}&list=missing&page=1"
    ),
    Endpoint("dashboard-late-page", lambda w, s: f"{URL}?unit={w.unit[s].code}&form=W35&period={PERIOD}&list=late"),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_the_dashboards_unit_lists(client, tree, catalog, make_user, endpoint, role, scope):
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, World(tree), endpoint, role, scope, user)
