"""Plans on the work world: indicators of every aggregation type reported weekly by the communes of P1, and a
helper that drafts a plan with targets on them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from giaoban.reporting import services as reporting
from giaoban.work import services
from giaoban.work.services import ItemInput, TargetInput

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class Figures:
    """POSTS (sum), ORIGINAL (sum), FOLLOWERS (last), VISITORS (mean), PEAK (max/max), LOW (min/min) and SHARE
    (ORIGINAL / POSTS, %) on a weekly commune form, with reports of N1 and N2 for three weeks of 2026."""

    def __init__(self, tree):
        mk = reporting.indicator_create
        self.posts = mk(code="POSTS", name_vi="Số bài đăng", unit_of_measure="bài")
        self.original = mk(code="ORIGINAL", name_vi="Số bài tự sản xuất", unit_of_measure="bài")
        self.followers = mk(code="FOLLOWERS", name_vi="Người theo dõi", time_aggregation="last")
        self.visitors = mk(code="VISITORS", name_vi="Lượt truy cập mỗi tuần", time_aggregation="mean")
        self.peak = mk(code="PEAK", name_vi="Lượt tiếp cận cao nhất", aggregation="max", time_aggregation="max")
        self.low = mk(code="LOW", name_vi="Lượt tiếp cận thấp nhất", aggregation="min", time_aggregation="min")
        self.share = mk(
            code="SHARE",
            name_vi="Tỷ lệ bài tự sản xuất",
            value_type="percent",
            aggregation="ratio",
            numerator=self.original,
            denominator=self.posts,
        )
        self.note = mk(code="NOTE", name_vi="Ghi chú", value_type="text")
        self.weekly = reporting.reportform_create(
            code="W35",
            name="Báo cáo tuần BCĐ 35",
            period_type="week",
            scheme="week_mon",
            deadline_working_days=2,
            unit_kinds=["commune"],
            active_from=date(2020, 1, 1),
            indicators=[self.posts, self.original, self.followers, self.visitors, self.peak, self.low, self.note],
        )
        self.all = [self.posts, self.followers, self.visitors, self.peak, self.low, self.share]
        weeks = ["2026W10", "2026W11", "2026W12"]
        data = {
            tree.n1: [(10, 4, 100, 50, 7, 3), (12, 6, 110, 70, 9, 2), (8, 2, 115, 60, 5, 4)],
            tree.n2: [(5, 5, 40, 30, 11, 6), (7, 1, 42, 20, 4, 1), (6, 3, 45, 40, 6, 5)],
        }
        for unit, rows in data.items():
            for week, (posts, original, followers, visitors, peak, low) in zip(weeks, rows, strict=True):
                s = reporting.submission_open(unit=unit, form=self.weekly, period=week)
                reporting.submission_submit(
                    submission=s,
                    values={
                        "POSTS": posts,
                        "ORIGINAL": original,
                        "FOLLOWERS": followers,
                        "VISITORS": visitors,
                        "PEAK": peak,
                        "LOW": low,
                    },
                    at=datetime(2026, 3, 30, 9, tzinfo=VN),
                )


def draft_plan(world, figures=None, *, title="Kế hoạch hoạt động năm 2026 của Ban Chỉ đạo 35 tỉnh", year=2026, **kw):
    """A draft with two items: one with a min target on POSTS over P1 in 2026 (when `figures` is given)."""
    target = TargetInput(figures.posts, world.tree.p1, "2026", "min", Decimal(60)) if figures else None
    items = kw.pop(
        "items",
        [
            ItemInput(
                "Duy trì đăng tải tin, bài trên kênh thông tin của các xã",
                world.police,
                supporting=[world.youth],
                starts_on=date(2026, 1, 1),
                due_on=date(2026, 12, 31),
                output="Tin, bài",
                target=target,
            ),
            ItemInput("Tổng kết công tác năm", world.youth, due_on=date(2026, 12, 20), output="Báo cáo tổng kết"),
        ],
    )
    return services.plan_create(committee=world.committee, title=title, year=year, items=items, **kw)
