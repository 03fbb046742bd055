"""Fixtures for the reporting tests: indicators and forms on the shared `tree`, and report helpers."""

from __future__ import annotations

from datetime import date

import pytest

from giaoban.orgs import services as org_services
from giaoban.orgs.models import Agency, Committee
from giaoban.reporting import demo, services

from .helpers import ngoc_lac_tree


class Catalog:
    def __init__(self) -> None:
        mk = services.indicator_create
        self.posts = mk(code="POSTS", name_vi="Số bài đăng", unit_of_measure="bài", required=True)
        self.original = mk(code="ORIGINAL", name_vi="Số bài tự sản xuất", unit_of_measure="bài")
        self.followers = mk(code="FOLLOWERS", name_vi="Người theo dõi", time_aggregation="last")
        self.visitors = mk(code="VISITORS", name_vi="Lượt truy cập mỗi tháng", time_aggregation="mean")
        self.peak = mk(code="PEAK", name_vi="Lượt tiếp cận cao nhất", aggregation="max", time_aggregation="max")
        self.share = mk(
            code="SHARE",
            name_vi="Tỷ lệ bài tự sản xuất",
            value_type="percent",
            aggregation="ratio",
            numerator=self.original,
            denominator=self.posts,
        )
        self.rate = mk(code="RATE", name_vi="Tỷ lệ hài lòng", value_type="percent", min_value=0, max_value=100)
        self.note = mk(code="NOTE", name_vi="Ghi chú", value_type="text")
        self.weekly = services.reportform_create(
            code="W35",
            name="Báo cáo tuần BCĐ 35",
            period_type="week",
            scheme="week_mon",
            deadline_working_days=2,
            unit_kinds=["commune"],
            active_from=date(2020, 1, 1),
            indicators=[self.posts, self.original, self.followers, self.visitors, self.peak, self.rate, self.note],
        )
        self.monthly = services.reportform_create(
            code="M35",
            name="Báo cáo tháng kênh của huyện",
            period_type="month",
            scheme="calendar",
            deadline_working_days=3,
            unit_kinds=["district"],
            active_from=date(2020, 1, 1),
            indicators=[self.posts, self.followers, self.visitors],
        )


@pytest.fixture
def catalog(db) -> Catalog:
    return Catalog()


@pytest.fixture
def report():
    """report(unit, form, period, {code: value}, status="submitted"|"draft"|"approved", when=datetime)."""

    def make(unit, form, period, values, status="submitted", when=None, narrative=None):
        s = services.submission_open(unit=unit, form=form, period=period)
        s = services.submission_save_draft(
            submission=s, values=values, narrative=narrative, expected_version=s.version, at=when
        )
        if status in ("submitted", "approved"):
            s = services.submission_submit(submission=s, at=when)
        if status == "approved":
            s = services.submission_approve(submission=s, at=when)
        return s

    return make


@pytest.fixture
def district(db):
    """VN > Thanh Hóa > Huyện Ngọc Lặc (closed 30/06/2025) > two old communes, two current communes, the
    provincial and the district committees; then the reporting demo's figures."""
    units = ngoc_lac_tree()
    th, unit = units["th"], units["district"]
    Committee.objects.create(name="Ban Chỉ đạo 35 Tỉnh ủy Thanh Hóa", short_name="BCĐ 35", org_unit=th)
    agency = Agency.objects.create(name="Ban Tuyên giáo Huyện ủy Ngọc Lặc", org_unit=unit)
    committee = Committee.objects.create(
        name="Ban Chỉ đạo 35 Huyện ủy Ngọc Lặc", short_name="BCĐ 35", org_unit=unit, standing_agency=agency
    )
    org_services.committee_reconstitute(
        committee=committee,
        number="215-QĐ/HU",
        date=date(2020, 9, 15),
        kind="establish",
        start=[
            {"person_name": "Bùi Văn Tuấn", "role": "head", "position": "Phó Bí thư Thường trực Huyện ủy"},
            {"person_name": "Phạm Văn Nghĩa", "role": "standing_deputy", "agency": agency},
        ],
    )
    demo.load(today=date(2026, 11, 22))
    return committee
