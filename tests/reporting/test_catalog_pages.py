"""The unit admin's catalog pages: indicators and forms created, edited into new versions with the history and
what changed, retired (no longer offered for new reports, past ones still readable), errors in the user's
language, and a list page whose query count does not grow with the catalog."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from giaoban.core.errors import ServiceError
from giaoban.reporting import periods, services
from giaoban.reporting.models import Indicator, ReportForm


@pytest.fixture
def national_admin(tree, make_user):
    return make_user("unit_admin", tree.vn)


@pytest.fixture
def admin38(tree, make_user):
    return make_user("unit_admin", tree.p1)


INDICATOR = {
    "code": "MEET38",
    "name_vi": "Số cuộc họp giao ban",
    "unit_of_measure": "cuộc",
    "value_type": "integer",
    "aggregation": "sum",
    "time_aggregation": "sum",
}


def test_it_creates_an_indicator_owned_by_the_admins_unit(client, tree, catalog, admin38):
    client.force_login(admin38)
    r = client.post("/reports/indicators/new/", INDICATOR)
    assert r.status_code == 302 and r["Location"] == "/reports/indicators/MEET38/"
    made = Indicator.objects.get(code="MEET38")
    assert made.owner == tree.p1 and made.unit_of_measure == "cuộc"
    page = client.get("/reports/indicators/MEET38/").content.decode()
    assert 'data-version="1"' in page and "Số cuộc họp giao ban" in page


def test_it_saves_an_edit_as_a_new_version_and_shows_what_changed(client, tree, catalog, national_admin):
    client.force_login(national_admin)
    r = client.post(
        "/reports/indicators/POSTS/edit/",
        {
            "name_vi": "Số tin, bài đăng",
            "unit_of_measure": "bài",
            "value_type": "integer",
            "aggregation": "sum",
            "time_aggregation": "sum",
            "required": "on",
        },
    )
    assert r.status_code == 302
    assert Indicator.objects.get(code="POSTS").name_vi == "Số tin, bài đăng"
    page = client.get("/reports/indicators/POSTS/").content.decode()
    assert 'data-version="2"' in page and 'data-version="1"' in page
    # Version 2 names the field that changed, with the old value beside the new one; nothing else.
    v2 = page[page.index('data-version="2"') : page.index('data-version="1"')]
    assert "<del>Số bài đăng</del>" in v2 and "Số tin, bài đăng" in v2
    assert "Đơn vị tính" not in v2


def test_it_saves_nothing_when_nothing_changed(client, tree, catalog, national_admin):
    client.force_login(national_admin)
    before = Indicator.history.filter(code="NOTE").count()
    data = {"name_vi": "Ghi chú", "value_type": "text", "aggregation": "sum", "time_aggregation": "sum"}
    assert client.post("/reports/indicators/NOTE/edit/", data).status_code == 302
    assert Indicator.history.filter(code="NOTE").count() == before


def test_it_edits_a_forms_indicators_into_a_new_version_and_keeps_the_old_one(
    client, tree, catalog, national_admin, report
):
    old = report(tree.n1, catalog.weekly, "2025W30", {"POSTS": 3}, status="draft")
    client.force_login(national_admin)
    codes = ["POSTS", "ORIGINAL", "FOLLOWERS", "VISITORS", "PEAK", "RATE", "NOTE"]
    details = {
        "name": "Báo cáo tuần BCĐ 35",
        "period_type": "week",
        "scheme": "week_mon",
        "deadline_working_days": "2",
        "unit_kinds": ["commune"],
        "active_from": "2020-01-01",
    }
    # Each button press shows the list again, changed, and saves nothing.
    r = client.post("/reports/forms/W35/edit/", {**details, "indicators": codes, "op": "remove:NOTE"})
    assert r.status_code == 200 and 'value="NOTE"' not in r.content.decode().split('id="id_add"')[0]
    codes.remove("NOTE")
    r = client.post("/reports/forms/W35/edit/", {**details, "indicators": codes, "op": "up:ORIGINAL"})
    chosen = r.content.decode().split('id="id_add"')[0]
    assert chosen.index('value="ORIGINAL"') < chosen.index('value="POSTS"')
    assert services.current_version(catalog.weekly).number == 1
    codes = ["ORIGINAL", "POSTS", "FOLLOWERS", "VISITORS", "PEAK", "RATE"]
    r = client.post("/reports/forms/W35/edit/", {**details, "indicators": codes, "op": "save"})
    assert r.status_code == 302
    version = services.current_version(catalog.weekly)
    assert version.number == 2 and version.created_by == national_admin
    assert [i.code for i in services.version_indicators(version)] == codes
    page = client.get("/reports/forms/W35/").content.decode()
    v2 = page[page.index('data-version="2"') : page.index('data-version="1"')]
    assert "bỏ</span>" not in v2  # (sanity: the words below are the diff's)
    assert "NOTE — Ghi chú" in v2 and "đổi thứ tự chỉ tiêu" in v2
    # The report made before keeps version 1: its page still asks for NOTE.
    old.refresh_from_db()
    assert old.form_version.number == 1
    entry = client.get(f"/reports/{tree.n1.code}/W35/2025W30/").content.decode()
    assert "Ghi chú" in entry


def test_it_retires_a_form_no_new_report_opens_and_past_ones_stay_readable(
    client, tree, catalog, national_admin, make_user, report
):
    this_week = periods.period_of(timezone.localdate(), "week", "week_mon")
    made, new = periods.previous_period(this_week).id, this_week.id
    report(tree.n1, catalog.weekly, made, {"POSTS": 3})
    client.force_login(national_admin)
    assert "Xác nhận ngừng sử dụng" in client.get("/reports/forms/W35/retire/").content.decode()
    assert client.post("/reports/forms/W35/retire/").status_code == 302
    assert ReportForm.objects.get(code="W35").retired_at is not None
    with pytest.raises(ServiceError, match="ngừng sử dụng"):
        services.submission_open(unit=tree.n1, form=ReportForm.objects.get(code="W35"), period=new)
    secretary = make_user("secretary", tree.n1)
    client.force_login(secretary)
    assert client.get(f"/reports/{tree.n1.code}/W35/{new}/").status_code == 404
    assert client.get(f"/reports/{tree.n1.code}/W35/{made}/").status_code == 200
    mine = client.get(f"/reports/?unit={tree.n1.code}").content.decode()
    assert f"/W35/{made}/" in mine and f"/W35/{new}/" not in mine
    # Listed among the retired forms, not the active ones.
    assert "/reports/forms/W35/" not in client.get("/reports/forms/").content.decode()
    assert "/reports/forms/W35/" in client.get("/reports/forms/?status=retired").content.decode()
    client.force_login(national_admin)
    assert client.post("/reports/forms/W35/reactivate/").status_code == 302
    assert services.submission_open(unit=tree.n1, form=ReportForm.objects.get(code="W35"), period=new).pk


def test_it_retires_an_indicator_only_once_no_form_in_use_asks_for_it(client, tree, catalog, national_admin):
    client.force_login(national_admin)
    r = client.post("/reports/indicators/NOTE/retire/")
    assert r.status_code == 400 and "W35" in r.content.decode() and "hãy bỏ nó khỏi" in r.content.decode()
    services.reportform_update(
        form=catalog.weekly,
        indicators=[
            i for i in services.version_indicators(services.current_version(catalog.weekly)) if i.code != "NOTE"
        ],
    )
    assert client.post("/reports/indicators/NOTE/retire/").status_code == 302
    assert "ngừng sử dụng" in client.get("/reports/indicators/NOTE/").content.decode()
    # No longer offered for a form's list, and refused if sent anyway.
    page = client.get("/reports/forms/M35/edit/").content.decode()
    assert 'value="NOTE"' not in page
    r = client.post(
        "/reports/forms/M35/edit/",
        {
            "name": "M",
            "period_type": "month",
            "scheme": "calendar",
            "deadline_working_days": "3",
            "unit_kinds": ["district"],
            "active_from": "2020-01-01",
            "indicators": ["POSTS", "NOTE"],
            "op": "save",
        },
    )
    assert r.status_code == 400 and "retired indicators" in r.content.decode()
    assert services.current_version(catalog.monthly).number == 1
    assert client.post("/reports/indicators/NOTE/reactivate/").status_code == 302
    assert Indicator.objects.get(code="NOTE").retired_at is None


def test_it_creates_a_form_from_the_page(client, tree, catalog, admin38):
    client.force_login(admin38)
    data = {
        "code": "T38",
        "name": "Biểu tháng của tỉnh",
        "period_type": "month",
        "scheme": "calendar",
        "deadline_working_days": "5",
        "unit_kinds": ["commune"],
        "active_from": "2025-07-01",
    }
    r = client.post("/reports/forms/new/", {**data, "add": "POSTS", "op": "add"})
    assert r.status_code == 200 and 'name="indicators" value="POSTS"' in r.content.decode()
    r = client.post("/reports/forms/new/", {**data, "indicators": ["POSTS"], "op": "save"})
    assert r.status_code == 302
    form = ReportForm.objects.get(code="T38")
    assert form.owner == tree.p1 and services.current_version(form).created_by == admin38


@pytest.mark.parametrize(
    ("language", "expected"),
    [("vi", "Chỉ tiêu tỷ số cần tử số và mẫu số"), ("en", "A ratio needs a numerator and a denominator.")],
)
def test_it_shows_the_services_refusal_beside_the_field_in_the_users_language(
    client, tree, catalog, admin38, compiled_locale, language, expected
):
    client.force_login(admin38)
    client.cookies["django_language"] = language
    r = client.post(
        "/reports/indicators/new/",
        {**INDICATOR, "aggregation": "ratio", "value_type": "percent"},
    )
    assert r.status_code == 200
    text = r.content.decode()
    assert expected in text and "field-error" in text
    assert not Indicator.objects.filter(code="MEET38").exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("vi", "Biểu mẫu cần ít nhất một chỉ tiêu"), ("en", "A form needs at least one indicator.")],
)
def test_it_says_in_the_users_language_that_a_form_needs_an_indicator(
    client, tree, catalog, admin38, compiled_locale, language, expected
):
    client.force_login(admin38)
    client.cookies["django_language"] = language
    data = {
        "code": "T38",
        "name": "Biểu",
        "period_type": "month",
        "scheme": "calendar",
        "deadline_working_days": "5",
        "unit_kinds": ["commune"],
        "active_from": "2025-07-01",
        "op": "save",
    }
    r = client.post("/reports/forms/new/", data)
    assert r.status_code == 400 and expected in r.content.decode()


def test_it_finds_indicators_without_diacritics_and_filters_retired_ones(client, tree, catalog, national_admin):
    services.indicator_retire(indicator=services.indicator_create(code="OLD", name_vi="Số bài cũ"))
    client.force_login(national_admin)
    found = client.get("/reports/indicators/?q=so bai").content.decode()
    assert "/reports/indicators/POSTS/" in found and "/reports/indicators/ORIGINAL/" in found
    assert "/reports/indicators/OLD/" not in found and "/reports/indicators/NOTE/" not in found
    retired = client.get("/reports/indicators/?q=SO BAI&status=retired").content.decode()
    assert "/reports/indicators/OLD/" in retired and "/reports/indicators/POSTS/" not in retired
    assert "/reports/indicators/OLD/" in client.get("/reports/indicators/?status=all&q=old").content.decode()
    fragment = client.get("/reports/indicators/?q=bai", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="results">')


def test_it_lists_the_catalog_in_a_constant_number_of_queries(client, tree, catalog, national_admin):
    client.force_login(national_admin)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = (count("/reports/indicators/?status=all"), count("/reports/forms/?status=all"))
    for n in range(30):
        ind = services.indicator_create(code=f"X{n}", name_vi=f"Chỉ tiêu {n}", owner=tree.p1 if n % 2 else None)
        services.reportform_create(
            code=f"F{n}",
            name=f"Biểu {n}",
            period_type="month",
            scheme="calendar",
            deadline_working_days=3,
            unit_kinds=["commune"],
            active_from=date(2024, 1, 1),
            indicators=[ind],
            owner=tree.p1 if n % 2 else None,
        )
        if n % 3 == 0:
            services.indicator_update(indicator=ind, name_vi=f"Chỉ tiêu số {n}")
    assert (count("/reports/indicators/?status=all"), count("/reports/forms/?status=all")) == before
