"""The work demo: old Ngọc Lặc's nine-month giao ban of 2023 followed up to the end, a committee for every
current commune of Thanh Hóa, and a recent provincial giao ban whose tasks keep today's pages full."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from giaoban.orgs import demo as orgs_demo
from giaoban.orgs.models import Committee, Membership, OrgUnit
from giaoban.work import demo, documents, selectors
from giaoban.work.models import Attendance, Conclusion, Meeting, Task
from tests.work.test_documents import cells, texts

TODAY = date(2026, 11, 22)
AFTER_2023 = date(2024, 6, 30)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The orgs demo and the work demo, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        orgs_demo.load()
        summary = demo.load(today=TODAY)
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def ngoc_lac(loaded, db) -> Meeting:
    return Meeting.objects.select_related("committee__org_unit", "chair", "secretary").get(
        committee__org_unit__code=orgs_demo.DISTRICT_CODE
    )


def test_it_holds_old_ngoc_lacs_nine_month_giao_ban_chaired_by_its_head(ngoc_lac):
    assert timezone.localtime(ngoc_lac.starts_at).date() == date(2023, 10, 13)
    assert ngoc_lac.kind == Meeting.Kind.SO_KET_9_THANG and ngoc_lac.period == "2023N9"
    assert ngoc_lac.chair.person_name == "Bùi Văn Tuấn" and ngoc_lac.chair.role == "head"
    assert ngoc_lac.status == Meeting.Status.CONCLUDED
    attendance = Counter(ngoc_lac.attendance.values_list("status", flat=True))
    assert attendance == {"present": 8, "absent": 1, "delegated": 1}
    absent = ngoc_lac.attendance.get(status=Attendance.Status.ABSENT)
    assert absent.reason and absent.membership.person_name == "Trương Văn Hậu"
    assert "279 tin, bài" in ngoc_lac.proceedings and ngoc_lac.closed_at is not None


def test_it_issues_ngoc_lacs_notice_with_the_points_such_a_notice_holds(ngoc_lac):
    conclusion = Conclusion.objects.get(meeting=ngoc_lac)
    assert (conclusion.status, conclusion.number, conclusion.issued_on) == ("issued", "45-TB/BCĐ", date(2023, 10, 17))
    points = [p.text for p in conclusion.points.all()]
    assert len(points) == 4
    for words in (
        "báo cáo định kỳ hằng tuần",
        "tổng kết công tác năm 2023",
        "Kế hoạch công tác năm 2024",
        "cụ thể hóa",
        "phối hợp giữa các cơ quan thành viên",
    ):
        assert any(words in p for p in points), words
    data = documents.render(ngoc_lac, "conclusion", "docx")
    assert cells(data, 0)[0].splitlines()[-1] == "Số 45-TB/BCĐ"
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in cells(data, 0)[1]
    assert any(line.startswith("- Xây dựng Quy chế phối hợp") for line in texts(data))


def test_it_ends_ngoc_lacs_tasks_done_on_time_done_late_and_one_overdue(ngoc_lac):
    tasks = list(Task.objects.filter(point__conclusion__meeting=ngoc_lac).select_related("committee", "agency"))
    assert all(date(2023, 10, 17) < t.due_on <= date(2023, 12, 31) for t in tasks)
    statuses = Counter(selectors.task_status_of(t, AFTER_2023)[0] for t in tasks)
    assert statuses == {"done_on_time": 4, "done_late": 1, "overdue": 1}
    late = next(t for t in tasks if selectors.task_status_of(t, AFTER_2023)[0] == "done_late")
    assert late.done_on > late.due_on
    overdue = next(t for t in tasks if selectors.task_status_of(t, AFTER_2023)[0] == "overdue")
    assert overdue.agency.name == "Công an huyện Ngọc Lặc" and overdue.done_on is None
    # Before its deadline the overdue one was in time: the status follows the day asked about.
    assert selectors.task_status_of(overdue, date(2023, 11, 1))[0] == "in_time"


def test_it_gives_every_current_commune_of_thanh_hoa_a_committee(loaded, db):
    communes = OrgUnit.objects.filter(parent__code="38", kind="commune").valid_on(TODAY)
    assert communes.count() == loaded.commune_committees == 166
    with_committee = Committee.objects.filter(org_unit__in=communes, dissolved_on__isnull=True)
    assert with_committee.values("org_unit").distinct().count() == 166
    assert with_committee.get(org_unit__code="15061").name == "Ban Chỉ đạo 35 Đảng ủy xã Ngọc Lặc"


def test_it_fills_todays_scorecard_with_tasks_of_member_agencies_and_communes(loaded, db):
    province = OrgUnit.objects.get(code="38")
    card = selectors.scorecard(province, TODAY, by="child")
    assert card.total.counts["assigned"] > 2 * 166
    assert card.total.counts["overdue"] > 0 and card.total.counts["in_time"] > 0
    assert card.total.counts["done_on_time"] > 0
    communes = [r for r in card.rows if r.unit and r.unit.kind == "commune"]
    assert len(communes) == 166 and all(r.counts["assigned"] == 2 for r in communes)
    by_agency = selectors.scorecard(province, TODAY, by="agency")
    assert {r.label for r in by_agency.rows} >= {"Công an tỉnh Thanh Hóa", "Tỉnh đoàn Thanh Hóa"}


def test_it_gives_the_agency_officer_a_non_empty_list_of_tasks(loaded, db):
    officer = get_user_model().objects.get(username="congan.thanhhoa")
    tasks = list(selectors.tasks_for(officer).select_related("committee", "agency"))
    assert tasks
    statuses = {selectors.task_status_of(t, TODAY)[0] for t in tasks}
    assert {"overdue", "in_time"} <= statuses
    assert all(t.agency.name == "Công an tỉnh Thanh Hóa" or t.supporting.filter(pk__isnull=False) for t in tasks)
    # The officer is the police's member on the provincial committee: the membership is linked to the login.
    member = Membership.objects.get(person_name="Hoàng Văn Sáng", committee__org_unit__code="38")
    assert member.user == officer


def test_it_lists_the_agency_officer_among_the_demo_logins():
    out = io.StringIO()
    call_command("demo", "--logins", stdout=out)
    for spec in demo.DEMO_USERS:
        assert spec["username"] in out.getvalue()
