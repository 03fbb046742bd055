"""The dashboard page: completeness and timeliness by child unit, late and missing units, trends, drill-down,
Vietnamese numbers, the access matrix and a query budget that does not grow with the number of units."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from giaoban.reporting import dashboard, periods, selectors
from tests.access import Endpoint, check, matrix

from .helpers import at, commune

URL = "/reports/dashboard/"
# 2025W10 = 03/03–09/03/2025; the weekly form's deadline is two working days later, Tuesday 11/03/2025.
ON_TIME = at(2025, 3, 10)
LATE = at(2025, 3, 13)


@pytest.fixture
def week10(tree, catalog, report):
    """In the old district: C1 on time, C2 late, C3 only a draft (missing); earlier weeks for the trend."""
    report(tree.c1, catalog.weekly, "2025W10", {"POSTS": "56000", "FOLLOWERS": "1200"}, when=ON_TIME)
    report(tree.c2, catalog.weekly, "2025W10", {"POSTS": "7", "FOLLOWERS": "300"}, when=LATE)
    report(tree.c3, catalog.weekly, "2025W10", {"POSTS": "3"}, status="draft", when=ON_TIME)
    report(tree.c1, catalog.weekly, "2025W09", {"POSTS": "10", "FOLLOWERS": "1100"}, status="approved")
    report(tree.c3, catalog.weekly, "2025W08", {"POSTS": "2", "FOLLOWERS": "250"})
    return tree


def _get(client, user, **params):
    client.force_login(user)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"{URL}?{query}")


def _row(html: str, table: str, code: str) -> list[str]:
    """The cells' text of the row for unit `code` in table `table`."""
    body = re.search(rf'<table[^>]*id="{table}".*?</table>', html, re.S).group(0)
    row = re.search(rf'<tr[^>]*data-unit="{code}".*?</tr>', body, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def _table(html: str, table: str) -> str:
    return re.search(rf'<table[^>]*id="{table}".*?</table>', html, re.S).group(0)


def test_it_counts_reports_by_child_unit_as_the_rollup_does(client, week10, catalog, make_user):
    user = make_user("viewer", week10.p1)
    html = _get(client, user, unit="389", form="W35", period="2025W10").content.decode()
    rollup = selectors.rollup(user, catalog.posts, week10.d1, "2025W10", by_child=True)
    for child in rollup.children:
        cells = _row(html, "completeness", child.unit.code)
        assert cells[:6] == [
            child.unit.name,
            str(child.expected),
            str(child.reported),
            str(child.on_time),
            str(child.late),
            str(child.missing),
        ]
    assert sorted((c.unit.code, c.expected, c.reported, c.on_time) for c in rollup.children) == [
        ("90001", 1, 1, 1),
        ("90002", 1, 1, 0),
        ("90003", 1, 0, 0),
    ]
    assert _row(html, "completeness", "total")[1:8] == ["3", "2", "1", "1", "1", "66,7 %", "33,3 %"]


def test_it_shows_the_province_by_its_children_valid_in_the_period(client, week10, catalog, make_user):
    user = make_user("viewer", week10.p1)
    html = _get(client, user, unit="38", form="W35", period="2025W10").content.decode()
    rollup = selectors.rollup(user, catalog.posts, week10.p1, "2025W10", by_child=True)
    assert [c.unit.code for c in rollup.children] == ["389"]
    assert _row(html, "completeness", "389")[1:4] == ["3", "2", "1"]
    # The new communes (from 01/07/2025) were not there in March 2025.
    assert 'data-unit="15061"' not in _table(html, "completeness")


def test_it_counts_approved_reports_only_when_asked_as_the_rollup_does(client, week10, catalog, report, make_user):
    user = make_user("viewer", week10.p1)
    report(week10.c1, catalog.weekly, "2025W11", {"POSTS": "4"}, status="approved", when=at(2025, 3, 17))
    report(week10.c2, catalog.weekly, "2025W11", {"POSTS": "5"}, when=at(2025, 3, 17))
    html = _get(client, user, unit="389", form="W35", period="2025W11", approved="1").content.decode()
    rollup = selectors.rollup(user, catalog.posts, week10.d1, "2025W11", by_child=True, approved_only=True)
    for child in rollup.children:
        assert _row(html, "completeness", child.unit.code)[1:4] == [
            str(child.expected),
            str(child.reported),
            str(child.on_time),
        ]
    assert (rollup.expected, rollup.reported) == (3, 1)
    missing = _table(html, "missing")
    assert "Xã Ngọc Khê" in missing and "Xã Thúy Sơn" in missing and "Thị trấn Ngọc Lặc" not in missing


@pytest.mark.parametrize(
    ("period", "scheme", "label"),
    [
        ("2026W45", "week_mon", "Tuần 45/2026 (02/11–08/11)"),
        ("2023-10", "calendar", "Tháng 10/2023"),
        ("2023Q3", "calendar", "Quý 3/2023"),
        ("2023S1", "decree09", "6 tháng 2023"),
        ("2023N9", "calendar", "9 tháng 2023"),
        ("2023", "calendar", "Năm 2023"),
    ],
)
def test_it_labels_periods_in_vietnamese(period, scheme, label):
    assert dashboard.period_label(period, scheme) == label
    assert dashboard.period_label("2026W45", "week_mon", short=True) == "Tuần 45"


def test_it_lists_the_late_and_the_missing_units_with_the_deadline(client, week10, make_user):
    html = _get(client, make_user("viewer", week10.p1), unit="38", form="W35", period="2025W10").content.decode()
    late, missing = _table(html, "late"), _table(html, "missing")
    assert "Xã Ngọc Khê" in late and "/reports/90002/W35/2025W10/" in late
    assert "11/03/2025" in late and "09:00 13/03/2025" in late
    assert "Xã Thúy Sơn" in missing and "/reports/90003/W35/2025W10/" in missing and "Nháp" in missing
    assert "Thị trấn Ngọc Lặc" not in late + missing
    assert "Hạn nộp" in html and "11/03/2025" in re.search(r'id="summary".*?</p>', html, re.S).group(0)


def test_it_drills_down_from_province_to_commune(client, week10, make_user):
    user = make_user("viewer", week10.p1)
    province = _get(client, user, unit="38", form="W35", period="2025W10", indicators="POSTS").content.decode()
    link = re.search(r'href="\?(unit=389&amp;[^"]*)"', province).group(1).replace("&amp;", "&")
    assert "form=W35" in link and "period=2025W10" in link and "indicators=POSTS" in link
    district = client.get(f"{URL}?{link}").content.decode()
    assert 'href="?unit=90002&amp;form=W35&amp;period=2025W10&amp;indicators=POSTS"' in district
    commune = client.get(f"{URL}?unit=90002&form=W35&period=2025W10&indicators=POSTS")
    assert commune.status_code == 200
    html = commune.content.decode()
    assert _row(html, "completeness", "90002")[1:6] == ["1", "1", "0", "1", "0"]
    crumbs = re.search(r'id="breadcrumb".*?</ol>', html, re.S).group(0)
    assert "?unit=38&amp;" in crumbs and "?unit=389&amp;" in crumbs


def test_it_shows_the_trend_of_the_chosen_indicators_as_the_rollup_computes_it(client, week10, catalog, make_user):
    user = make_user("viewer", week10.p1)
    response = _get(client, user, unit="389", form="W35", period="2025W10", indicators="POSTS,FOLLOWERS,SHARE")
    html = response.content.decode()
    weeks = [f"2025W{n:02d}" for n in range(3, 11)]
    body = _table(html, "trend").split("<tbody>")[1]
    rows = re.findall(r"<tr><th[^>]*>(.*?)</th>(.*?)</tr>", body, re.S)
    assert [label.split(" ")[1] for label, _cells in rows] == [f"{n}/2025" for n in range(3, 11)]
    from giaoban.core.formats import format_number

    for (_label, cells), week in zip(rows, weeks, strict=True):
        shown = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
        expected = []
        for ind, decimals in ((catalog.posts, None), (catalog.followers, None), (catalog.share, 1)):
            value = selectors.rollup(user, ind, week10.d1, week).value
            expected.append("—" if value is None else format_number(value, decimals))
        assert shown == expected, week
    assert rows[-1][1].count("56.007") == 1  # 56.000 + 7 in Vietnamese format
    data = json.loads(re.search(r'id="dashboard-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["trend"]["periods"][-1] == "Tuần 10"
    assert data["trend"]["series"][0]["values"][-2:] == [10.0, 56007.0]


def test_it_computes_trends_with_ratios_and_last_values_like_the_rollup(week10, catalog, make_user):
    user = make_user("viewer", week10.p1)
    windows = [periods.parse_period(p) for p in ("2025W08", "2025W09", "2025W10", "2025-03", "2025Q1")]
    inds = [catalog.posts, catalog.followers, catalog.share, catalog.peak]
    result = dashboard.trend(week10.p1, inds, windows)
    for s in result.series:
        assert s.values == [selectors.rollup(user, s.indicator, week10.p1, w.id).value for w in windows]
    approved = dashboard.trend(week10.p1, [catalog.posts], windows, approved_only=True)
    assert approved.series[0].values == [
        selectors.rollup(user, catalog.posts, week10.p1, w.id, approved_only=True).value for w in windows
    ]


def test_it_defaults_to_the_users_top_unit_and_the_last_finished_period(client, week10, catalog, make_user):
    user = make_user("approver", week10.d1)
    response = _get(client, user)
    assert response.status_code == 200
    assert response.context["unit"] == week10.d1
    assert response.context["form"] == catalog.weekly
    expected = dashboard.default_period(catalog.weekly, timezone.localdate())
    assert response.context["period"] == expected
    assert periods.cutoff(expected, "week_mon") < timezone.localdate()
    assert [i.code for i in response.context["chosen"]] == ["POSTS"]  # the form's required indicator


def test_it_links_the_home_page_and_the_menu_to_the_dashboard(client, week10, make_user):
    client.force_login(make_user("viewer", week10.p1))
    html = client.get("/").content.decode()
    assert 'id="dashboard-link"' in html and 'href="/reports/dashboard/"' in html
    assert "Bảng điều khiển" in html


@pytest.mark.parametrize(
    "query",
    [
        "unit=90001&form=M35",  # a district form has nothing to show at a commune
        "unit=389&form=NOPE",
        "unit=389&form=W35&period=2025-03",  # not a week
        "unit=389&form=W35&period=2025W99",
        "unit=NOPE",
    ],
)
def test_it_answers_404_to_what_does_not_apply(client, week10, make_user, query):
    client.force_login(make_user("viewer", week10.p1))
    assert client.get(f"{URL}?{query}").status_code == 404


def test_it_renders_only_the_fragment_for_htmx(client, week10, make_user):
    client.force_login(make_user("viewer", week10.p1))
    response = client.get(f"{URL}?unit=389&form=W35&period=2025W10&indicators=POSTS", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard">') and "<html" not in html
    assert 'id="dashboard-data"' in html


def test_it_uses_no_inline_script_or_style(client, week10, make_user):
    html = _get(client, make_user("viewer", week10.p1), unit="389", form="W35", period="2025W10").content.decode()
    assert " style=" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs, _body in scripts)
    assert "vendor/echarts/echarts.min.js" in html and "reporting/dashboard.js" in html


class World:
    def __init__(self, tree):
        self.unit = {"in": tree.d1, "out": tree.p2}


ENDPOINTS = [
    Endpoint("dashboard", lambda w, s: f"{URL}?unit={w.unit[s].code}&form=W35&period=2025W10"),
    Endpoint("dashboard-default-period", lambda w, s: f"{URL}?unit={w.unit[s].code}"),
]


@pytest.mark.parametrize(("endpoint", "role", "scope"), matrix(ENDPOINTS))
def test_it_scopes_the_dashboard(client, tree, catalog, make_user, endpoint, role, scope):
    user = make_user(role, tree.vn if role == "system_admin" else tree.p1)
    check(client, World(tree), endpoint, role, scope, user)


def _add_communes(tree, catalog, report, count: int) -> None:
    for n in range(count):
        tree.d1.refresh_from_db()
        unit = commune(tree.d1, f"91{n:03d}", f"Xã Thử {n}", old=True)
        if n % 3:
            report(unit, catalog.weekly, "2025W10", {"POSTS": str(n)}, when=LATE if n % 2 else ON_TIME)
    tree.d1.refresh_from_db()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_it_keeps_the_query_count_constant_as_child_units_grow(client, week10, catalog, report, make_user):
    client.force_login(make_user("viewer", week10.p1))
    url = f"{URL}?unit=389&form=W35&period=2025W10&indicators=POSTS,FOLLOWERS,SHARE"
    province = f"{URL}?unit=38&form=W35&period=2025W10&indicators=POSTS,FOLLOWERS,SHARE"
    small, small_province = _queries(client, url), _queries(client, province)
    _add_communes(week10, catalog, report, 12)
    large = _queries(client, url)
    assert large == small
    assert _queries(client, province) == small_province
    assert large <= 25, large
    html = client.get(url).content.decode()
    assert _table(html, "completeness").count("data-unit=") == 3 + 12 + 1  # the communes and the total


def test_it_offers_the_units_template_to_those_who_enter_figures_and_the_report_to_all(client, week10, make_user):
    viewer = _get(client, make_user("viewer", week10.p1), unit="38", form="W35", period="2025W10").content.decode()
    assert 'id="download-template"' not in viewer
    assert 'href="/reports/consolidated/unit/38/2025W10/?form=W35"' in viewer
    secretary = _get(client, make_user("secretary", week10.p1), unit="38", form="W35", period="2025W10")
    html = secretary.content.decode()
    assert 'href="/reports/38/W35/2025W10/template.xlsx?below=1"' in html
    assert client.get("/reports/38/W35/2025W10/template.xlsx?below=1").status_code == 200


@pytest.mark.parametrize("approved_only", [False, True])
@pytest.mark.parametrize("code", ["VN", "38", "389"])
def test_it_lists_late_and_missing_exactly_as_the_status_page_classes_them(week10, catalog, report, code, approved_only):
    from giaoban.orgs.models import OrgUnit

    unit = OrgUnit.objects.get(code=code)
    period = periods.parse_period("2025W10")
    statuses, _i, _t = selectors.form_period_status(catalog.weekly, period.id, unit, approved_only)
    expected_late = [s.unit.code for s in statuses if s.state == "late"]
    expected_missing = [s.unit.code for s in statuses if s.state == "missing"]
    if approved_only:
        expected_missing = [s.unit.code for s in statuses if s.state == "missing" or s.submission.status != "approved"]
        expected_late = [c for c in expected_late if c not in expected_missing]
    late, missing = dashboard.late_and_missing(unit, catalog.weekly, period, approved_only)
    assert [s.unit.code for s in late] == expected_late
    assert [s.unit.code for s in missing] == expected_missing
    assert late or missing
    by_unit = {s.unit.code: s.submission for s in statuses}
    for s in late:  # the page shows their deadline and submission time
        real = by_unit[s.unit.code]
        assert (s.submission.status, s.submission.deadline, s.submission.submitted_at) == (
            real.status, real.deadline, real.submitted_at
        )
    for s in missing:  # and the status of the report not (yet) counted, if any
        assert (s.submission and s.submission.status) == (by_unit[s.unit.code] and by_unit[s.unit.code].status)
