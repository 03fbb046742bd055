"""One label for a period everywhere (periods.period_label), in both languages; the period picker; and the
pages that used to show "2026W49" now say "Tuần 49/2026 (30/11–06/12)"."""

from datetime import date

import pytest
from django.utils import translation

from giaoban.reporting import periods
from giaoban.reporting.pickers import period_picker

LABELS = [
    ("2026W49", "week_mon", "Tuần 49/2026 (30/11–06/12)", "Week 49/2026 (30/11–06/12)"),
    ("2026W49", "week_thu", "Tuần 49/2026 (03/12–09/12)", "Week 49/2026 (03/12–09/12)"),
    ("2026-10", "calendar", "Tháng 10/2026", "Month 10/2026"),
    ("2026Q3", "calendar", "Quý 3/2026", "Quarter 3/2026"),
    ("2026S1", "decree09", "6 tháng 2026", "6 months 2026"),
    ("2026S2", "calendar", "6 tháng cuối năm 2026", "Second half of 2026"),
    ("2026N9", "calendar", "9 tháng 2026", "Nine months of 2026"),
    ("2026", "calendar", "Năm 2026", "Year 2026"),
]


@pytest.mark.parametrize(("pid", "scheme", "vi", "en"), LABELS)
def test_it_names_every_period_type_in_both_languages(pid, scheme, vi, en, compiled_locale):
    with translation.override("vi"):
        assert periods.period_label(pid, scheme) == vi
    with translation.override("en"):
        assert periods.period_label(pid, scheme) == en


def test_it_has_a_short_form_and_a_form_for_sentences():
    with translation.override("vi"):
        assert periods.period_label("2026W49", dates=False) == "Tuần 49/2026"
        assert periods.period_label("2026W49", short=True) == "Tuần 49"
        assert periods.period_label("2026-10", sentence=True) == "tháng 10/2026"
        assert periods.period_label_or_id("not-a-period") == "not-a-period"


def test_the_other_label_functions_are_callers_of_the_one():
    from giaoban.reporting import consolidated, dashboard

    with translation.override("en"):
        assert consolidated.period_label("2023N9") == "nine months of 2023"  # an English reader's page
        with consolidated.in_vietnamese():  # the official document
            assert consolidated.period_label("2023N9") == "9 tháng 2023"
        assert dashboard.period_label("2026W49", "week_mon") == periods.period_label("2026W49", "week_mon")


def test_the_picker_offers_the_periods_of_a_type_and_year_up_to_an_end():
    picker = period_picker({}, types=["week"], scheme="week_mon", today=date(2026, 12, 2))
    assert picker["type"] == "week" and picker["year"] == 2026 and picker["period"] == "2026W49"
    assert picker["options"][-1] == ("2026W49", "Tuần 49/2026 (30/11–06/12)")
    closed = period_picker({}, types=["month"], end=date(2025, 6, 30), today=date(2026, 12, 2))
    assert closed["options"][-1][0] == "2025-06" and closed["years"][0] == 2025  # nothing after the closing


def test_the_picker_without_javascript_follows_a_changed_type_and_year():
    data = {"period": "2026W49", "period_type": "month", "period_year": "2025"}
    picker = period_picker(data, types=["week", "month"], blank="—", today=date(2026, 12, 2))
    assert picker["type"] == "month" and picker["year"] == 2025 and picker["period"] == ""
    assert [v for v, _ in picker["options"]] == [f"2025-{m:02d}" for m in range(1, 13)]
    kept = period_picker({"period": "2025-03"}, types=["week", "month"], today=date(2026, 12, 2))
    assert kept["period"] == "2025-03" and kept["type"] == "month"


def test_the_picker_endpoint_re_renders_for_a_type_and_year(client, make_user, tree):
    client.force_login(make_user("viewer", tree.p1))
    r = client.get(
        "/reports/periods/picker/",
        {"name": "period", "types": "week,month", "period_type": "month", "period_year": "2025", "scheme": "calendar"},
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert '<option value="2025-01">Tháng 01/2025</option>' in page and 'value="2025-12" selected' in page
    assert client.get("/reports/periods/picker/", {"name": "x y"}).status_code == 404
    client.logout()
    assert client.get("/reports/periods/picker/", {"name": "period"}).status_code == 302


# --- Pages that used to show or ask for a code ---------------------------------------------------------------


@pytest.fixture
def three(tree, catalog, report):
    from .helpers import at

    return [
        report(u, catalog.weekly, "2025W10", {"POSTS": str(n)}, when=at(2025, 3, 10))
        for n, u in enumerate((tree.c1, tree.c2, tree.c3), 1)
    ]


def test_the_queue_names_periods_and_filters_with_the_pickers(client, tree, three, make_user):
    client.force_login(make_user("approver", tree.p1))
    html = client.get("/reports/queue/").content.decode()
    assert "Tuần 10/2025 (03/03–09/03)" in html and ">2025W10<" not in html
    assert 'placeholder="2026W49"' not in html and 'name="unit_q"' in html and 'name="period_type"' in html
    # The unit filter takes a unit and everything below it: the closed district holds all three communes.
    assert client.get("/reports/queue/?unit=389").content.decode().count('name="ids"') == 3
    html = client.get("/reports/queue/?unit=&unit_q=ngoc+khe").content.decode()
    assert html.count('name="ids"') == 1 and "Xã Ngọc Khê" in html
    # The period picker's three selects, as a browser without JavaScript sends them.
    query = "?period_type=week&period_year=2025&period=2025W10"
    assert client.get("/reports/queue/" + query).content.decode().count('name="ids"') == 3
    query = "?period_type=week&period_year=2025&period=2025W11"
    assert client.get("/reports/queue/" + query).content.decode().count('name="ids"') == 0


def test_the_committee_page_asks_for_a_period_by_its_name(client, tree, make_user):
    from giaoban.orgs.models import Committee

    committee = Committee.objects.create(name="Ban Chỉ đạo 35 huyện", short_name="BCĐ 35", org_unit=tree.d1)
    client.force_login(make_user("viewer", tree.p1))
    html = client.get(f"/committees/{committee.pk}/").content.decode()
    assert "2023N9, 2026-10" not in html and 'name="period_type"' in html
    assert ">Tháng 06/2025</option>" in html and "Tháng 07/2025" not in html  # the district closed on 30/06/2025
    pick = f"/reports/consolidated/{committee.pk}/"
    r = client.get(pick, {"period_type": "nine_months", "period_year": "2024", "period": "2025-06"})
    assert r.status_code == 302 and r["Location"].startswith(f"/committees/{committee.pk}/?period_type=nine_months")
    r = client.get(pick, {"period_type": "nine_months", "period_year": "2024", "period": "2024N9"})
    assert r.status_code == 302 and "/2024N9/" in r["Location"]


def test_the_api_keeps_period_ids_and_adds_their_label(tree, three, make_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(make_user("approver", tree.p1))
    row = api.get("/api/v1/submissions/?period=2025W10").json()["results"][0]
    assert row["period"] == "2025W10" and row["period_label"] == "Tuần 10/2025 (03/03–09/03)"
