"""Demo data for reporting: the BCĐ 35 indicators and forms, the old Ngọc Lặc district's 2023 reports
(its 2023N9 figures are those of its real nine-month report) and 2026 weekly reports of Thanh Hóa's
current communes, some late, some missing. Runs after giaoban.orgs.demo.load()."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.orgs.models import OrgUnit

from . import periods, services
from .models import Indicator, ReportForm

__all__ = ["DISTRICT_2023", "DemoSummary", "load"]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# code, name (vi), name (en), unit, aggregation across units, across time, value type
INDICATORS = [
    ("BLOG_POSTS", "Số bài viết trên trang thông tin (blog) của Ban Chỉ đạo", "Blog posts", "bài", "sum", "sum"),
    ("BLOG_VISITORS", "Lượt truy cập blog trong tháng", "Blog visitors a month", "lượt", "sum", "mean"),
    ("FANPAGE_FOLLOWERS", "Số người theo dõi fanpage", "Fanpage followers", "người", "sum", "last"),
    ("FANPAGE_POSTS", "Số bài đăng trên fanpage", "Fanpage posts", "bài", "sum", "sum"),
    ("FANPAGE_REACH", "Lượt tiếp cận bài đăng trên fanpage", "Fanpage reach", "lượt", "sum", "sum"),
    ("FANPAGE2_POSTS", "Số bài đăng trên fanpage thứ hai", "Second fanpage posts", "bài", "sum", "sum"),
    (
        "FANPAGE2_VISITORS",
        "Lượt truy cập fanpage thứ hai trong tháng",
        "Second fanpage visitors a month",
        "lượt",
        "sum",
        "mean",
    ),
    (
        "MEETINGS",
        "Số buổi sinh hoạt, giao ban chuyên đề về bảo vệ nền tảng tư tưởng của Đảng",
        "Topical meetings held",
        "buổi",
        "sum",
        "sum",
    ),
    (
        "COMMUNE_POSTS",
        "Số tin, bài đăng trên kênh thông tin của xã",
        "Posts on the commune's channels",
        "tin, bài",
        "sum",
        "sum",
    ),
    ("ORIGINAL_POSTS", "Số tin, bài tự sản xuất", "Original posts", "tin, bài", "sum", "sum"),
    ("TRAININGS", "Số lớp tập huấn, bồi dưỡng đã tổ chức", "Trainings held", "lớp", "sum", "sum"),
    ("TRAINEES", "Số lượt người được tập huấn, bồi dưỡng", "Trainees", "lượt người", "sum", "sum"),
    (
        "ZALO_MEMBERS",
        "Số thành viên nhóm Zalo thông tin của xã",
        "Members of the commune's Zalo group",
        "người",
        "sum",
        "last",
    ),
]
REQUIRED = {"BLOG_POSTS", "FANPAGE_POSTS", "COMMUNE_POSTS", "MEETINGS"}
DISTRICT_CHANNELS = [
    "BLOG_POSTS",
    "BLOG_VISITORS",
    "FANPAGE_FOLLOWERS",
    "FANPAGE_POSTS",
    "FANPAGE_REACH",
    "FANPAGE2_POSTS",
    "FANPAGE2_VISITORS",
]
COMMUNE_WEEKLY = ["MEETINGS", "COMMUNE_POSTS", "ORIGINAL_POSTS", "TRAININGS", "TRAINEES", "ZALO_MEMBERS"]

# The district's monthly figures for January–September 2023. Over 2023N9 (calendar) they give its
# nine-month report: blog 279 posts (sum) and 56.000 visitors a month (mean of the months); fanpage
# 11.008 followers (September, the last month), 388 posts, 77.000 reach (sums); second fanpage 166 posts
# (sum) and 38.000 visitors a month (mean).
DISTRICT_2023 = {
    "BLOG_POSTS": [28, 30, 32, 29, 31, 33, 30, 34, 32],
    "BLOG_VISITORS": [52000, 54500, 55000, 56500, 57000, 55500, 58000, 57500, 58000],
    "FANPAGE_FOLLOWERS": [9850, 9990, 10120, 10260, 10410, 10580, 10730, 10870, 11008],
    "FANPAGE_POSTS": [40, 42, 44, 41, 43, 45, 42, 46, 45],
    "FANPAGE_REACH": [7800, 8100, 8400, 8200, 8600, 8900, 8700, 9000, 9300],
    "FANPAGE2_POSTS": [17, 18, 19, 18, 18, 19, 19, 19, 19],
    "FANPAGE2_VISITORS": [35000, 36500, 37000, 38000, 38500, 39000, 39000, 39500, 39500],
}
DISTRICT_Q4_2023 = {
    "BLOG_POSTS": [31, 30, 35],
    "BLOG_VISITORS": [58500, 59000, 61000],
    "FANPAGE_FOLLOWERS": [11150, 11290, 11460],
    "FANPAGE_POSTS": [44, 47, 50],
    "FANPAGE_REACH": [9100, 9400, 9900],
    "FANPAGE2_POSTS": [18, 20, 21],
    "FANPAGE2_VISITORS": [39000, 40000, 41500],
}
NARRATIVE = {
    "results": "Duy trì đăng tải thường xuyên tin, bài tuyên truyền; phối hợp các cơ quan thành viên.",
    "limitations": "Một số tin, bài còn chậm; lực lượng cộng tác viên mỏng.",
    "next_tasks": "Tiếp tục nâng cao chất lượng tin, bài tự sản xuất.",
    "proposals": "",
}


@dataclass
class DemoSummary:
    indicators: int
    forms: int
    reports: int

    def __str__(self) -> str:
        return _(
            "%(indicators)d chỉ tiêu, %(forms)d biểu mẫu, %(reports)d báo cáo "
            "(%(indicators)d indicators, %(forms)d forms, %(reports)d reports)"
        ) % vars(self)


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _moment(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def _report(unit, form, period, values, *, when, actor=None, approver=None, status="submitted", narrative=None):
    s = services.submission_open(unit=unit, form=form, period=period)
    if status == "draft":
        return services.submission_save_draft(
            submission=s, values=values, narrative=narrative, expected_version=s.version, actor=actor, at=when
        )
    s = services.submission_submit(submission=s, values=values, narrative=narrative, actor=actor, at=when)
    if status in ("approved", "returned"):
        later = when + timedelta(days=1)
        if status == "approved":
            return services.submission_approve(submission=s, actor=approver, at=later)
        return services.submission_return(
            submission=s, actor=approver, at=later, reason="Đề nghị kiểm tra lại số lượt tham gia tập huấn."
        )
    return s


def _catalog() -> tuple[dict[str, Indicator], ReportForm, ReportForm]:
    inds = {}
    for code, name_vi, name_en, uom, agg, time_agg in INDICATORS:
        inds[code] = services.indicator_create(
            code=code,
            name_vi=name_vi,
            name_en=name_en,
            unit_of_measure=uom,
            aggregation=agg,
            time_aggregation=time_agg,
            min_value=0,
            required=code in REQUIRED,
        )
    inds["ORIGINAL_SHARE"] = services.indicator_create(
        code="ORIGINAL_SHARE",
        name_vi="Tỷ lệ tin, bài tự sản xuất",
        name_en="Share of original posts",
        unit_of_measure="%",
        value_type="percent",
        aggregation="ratio",
        numerator=inds["ORIGINAL_POSTS"],
        denominator=inds["COMMUNE_POSTS"],
    )
    weekly = services.reportform_create(
        code="BC35-TUAN",
        name="Báo cáo tuần công tác bảo vệ nền tảng tư tưởng của Đảng (cấp xã)",
        period_type="week",
        scheme="week_mon",
        deadline_working_days=2,
        unit_kinds=["commune"],
        active_from=date(2023, 1, 1),
        indicators=[inds[c] for c in COMMUNE_WEEKLY],
    )
    monthly = services.reportform_create(
        code="BC35-KENH",
        name="Báo cáo tháng về kênh thông tin của Ban Chỉ đạo 35 cấp huyện",
        period_type="month",
        scheme="calendar",
        deadline_working_days=3,
        unit_kinds=["district"],
        active_from=date(2023, 1, 1),
        indicators=[inds[c] for c in DISTRICT_CHANNELS],
    )
    return inds, weekly, monthly


def _commune_week(rng: random.Random, base: int, week_no: int) -> dict[str, int]:
    posts = rng.randint(3, 9)
    trainings = 1 if rng.random() < 0.2 else 0
    return {
        "MEETINGS": rng.randint(0, 2) if rng.random() < 0.8 else 1,
        "COMMUNE_POSTS": posts,
        "ORIGINAL_POSTS": rng.randint(1, posts),
        "TRAININGS": trainings,
        "TRAINEES": trainings * rng.randint(20, 60),
        "ZALO_MEMBERS": base + 6 * week_no + rng.randint(0, 5),
    }


@transaction.atomic
def load(today: date | None = None) -> DemoSummary:
    today = today or timezone.localdate()
    rng = random.Random(35)  # noqa: S311 - reproducible demo figures, not security
    inds, weekly, monthly = _catalog()
    reports = 0
    district = OrgUnit.objects.get(name="Huyện Ngọc Lặc", kind=OrgUnit.Kind.DISTRICT)
    old_communes = list(OrgUnit.objects.filter(parent=district, kind=OrgUnit.Kind.COMMUNE).order_by("code"))
    district_clerk = _user("thuky.huyenngoclac")
    approver = _user("duyet.thanhhoa")

    # The district's own channels, monthly, 2023: approved up to September; February came in late.
    months = [*zip(range(1, 10), range(9), strict=True), *zip(range(10, 13), range(3), strict=True)]
    for month, i in months:
        source = DISTRICT_2023 if month <= 9 else DISTRICT_Q4_2023
        pid = f"2023-{month:02d}"
        deadline = services.deadline_for(monthly, pid)
        when = _moment(
            deadline + timedelta(days=3) if month == 2 else periods.cutoff(pid, "calendar") + timedelta(days=1)
        )
        _report(
            district,
            monthly,
            pid,
            {code: source[code][i] for code in DISTRICT_CHANNELS},
            when=when,
            actor=district_clerk,
            approver=approver,
            status="approved" if month <= 9 else "submitted",
            narrative=NARRATIVE,
        )
        reports += 1

    # The old communes, weekly, through the first nine months of 2023.
    for week in periods.composed_of("2023N9", periods.WEEK, "week_mon"):
        end = periods.cutoff(week, "week_mon")
        for n, commune in enumerate(old_communes):
            if rng.random() < 0.05:
                continue  # missing
            late = rng.random() < 0.1
            when = _moment(
                services.deadline_for(weekly, week.id) + timedelta(days=2) if late else end + timedelta(days=1)
            )
            _report(
                commune,
                weekly,
                week.id,
                _commune_week(rng, 300 + 40 * n, week.index),
                when=when,
                approver=approver,
                status="approved" if rng.random() < 0.7 else "submitted",
            )
            reports += 1

    # Today's communes of Thanh Hóa, weekly, the last six weeks of 2026 that have ended.
    province = district.parent
    last_day = min(today, date(2026, 12, 31))
    current = periods.period_of(last_day, periods.WEEK, "week_mon")
    if periods.cutoff(current, "week_mon") >= today:
        current = periods.previous_period(current)
    weeks = []
    while len(weeks) < 6 and current.year == 2026:
        weeks.append(current)
        current = periods.previous_period(current)
    communes = list(
        OrgUnit.objects.filter(parent=province, kind=OrgUnit.Kind.COMMUNE).valid_on(date(2026, 1, 1)).order_by("code")
    )
    secretary = _user("thuky.ngoclac")
    for week in reversed(weeks):
        end = periods.cutoff(week, "week_mon")
        deadline = services.deadline_for(weekly, week.id)
        for n, commune in enumerate(communes):
            roll = rng.random()
            if roll < 0.08 and week == weeks[0]:
                status = "draft"
            elif roll < 0.12:
                continue  # missing
            elif roll < 0.14:
                status = "returned"
            else:
                status = "approved" if rng.random() < 0.5 and week != weeks[0] else "submitted"
            late = rng.random() < 0.15
            when = _moment(deadline + timedelta(days=1) if late else end + timedelta(days=1), 8 + n % 9)
            when = min(when, timezone.now())
            _report(
                commune,
                weekly,
                week.id,
                _commune_week(rng, 500 + 7 * n, week.index),
                when=when,
                actor=secretary if commune.code == "15061" else None,
                approver=approver,
                status=status,
            )
            reports += 1
    return DemoSummary(indicators=len(inds), forms=2, reports=reports)
