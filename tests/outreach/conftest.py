"""The old district D1 (Huyện Ngọc Lặc) runs a blog and two fanpages; indicators mapped to them."""

from __future__ import annotations

from datetime import date

import pytest

from giaoban.core.access import Role
from giaoban.outreach import services
from giaoban.outreach.models import IndicatorSource
from giaoban.reporting import services as reporting


class World:
    def __init__(self, tree, make_user):
        self.tree = tree
        mk = reporting.indicator_create
        self.blog_posts = mk(code="BLOG_POSTS", name_vi="Số bài viết trên blog", unit_of_measure="bài")
        self.blog_visitors = mk(code="BLOG_VISITORS", name_vi="Lượt truy cập blog trong tháng", time_aggregation="mean")
        self.followers = mk(code="FANPAGE_FOLLOWERS", name_vi="Người theo dõi fanpage", time_aggregation="last")
        self.fp2_posts = mk(code="FANPAGE2_POSTS", name_vi="Số bài đăng trên fanpage thứ hai")
        self.trainings = mk(code="TRAININGS", name_vi="Số lớp tập huấn")
        self.trainees = mk(code="TRAINEES", name_vi="Số lượt người được tập huấn")
        self.entries = mk(code="ENTRIES", name_vi="Số tác phẩm dự thi")
        self.manual = mk(code="MEETINGS", name_vi="Số buổi sinh hoạt chuyên đề")
        indicators = [self.blog_posts, self.blog_visitors, self.followers, self.fp2_posts, self.trainings,
                      self.trainees, self.entries, self.manual]  # fmt: skip
        self.monthly = reporting.reportform_create(
            code="M35", name="Báo cáo tháng", period_type="month", scheme="calendar", deadline_working_days=3,
            unit_kinds=["district"], active_from=date(2020, 1, 1), indicators=indicators,
        )  # fmt: skip
        self.n9 = reporting.reportform_create(
            code="N9", name="Báo cáo 9 tháng", period_type="nine_months", scheme="calendar", deadline_working_days=5,
            unit_kinds=["district"], active_from=date(2020, 1, 1), indicators=indicators,
        )  # fmt: skip
        IndicatorSource.objects.create(
            indicator=self.blog_posts, kind="channel_metric", metric="posts", platform="blog"
        )
        IndicatorSource.objects.create(
            indicator=self.blog_visitors, kind="channel_metric", metric="reach", platform="blog"
        )
        IndicatorSource.objects.create(
            indicator=self.followers, kind="channel_metric", metric="followers", channel_name="Fanpage Ngọc Lặc"
        )
        IndicatorSource.objects.create(
            indicator=self.fp2_posts, kind="channel_metric", metric="posts", channel_name="Tổ quốc tôi yêu"
        )
        IndicatorSource.objects.create(indicator=self.trainings, kind="trainings")
        IndicatorSource.objects.create(indicator=self.trainees, kind="trainees")
        IndicatorSource.objects.create(indicator=self.entries, kind="contest_entries")
        d1 = tree.d1
        self.blog = services.channel_create(
            org_unit=d1, name="Cờ đỏ sao vàng", platform="blog", url="https://codosaovang.example"
        )
        self.fanpage = services.channel_create(org_unit=d1, name="Fanpage Ngọc Lặc", platform="facebook")
        self.fanpage2 = services.channel_create(org_unit=d1, name="Tổ quốc tôi yêu", platform="facebook")
        self.secretary = make_user(Role.SECRETARY, d1)
        self.viewer = make_user(Role.VIEWER, d1)
        self.outsider = make_user(Role.SECRETARY, tree.p2)


@pytest.fixture
def world(tree, make_user) -> World:
    return World(tree, make_user)
