"""Demo data for outreach: old Ngọc Lặc's own blog "Cờ đỏ sao vàng", its fanpage and the fanpage "Tổ quốc tôi
yêu", with the 2023 monthly figures its reports carry (the 2023N9 report: 279 posts, 56.000 visitors a month,
11.008 followers, 388 posts, 77.000 reach, 166 posts, 38.000 visitors a month); their mapping to the report
indicators; a writing contest with entries and judging; trainings. Runs after the reporting demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from giaoban.orgs.models import Committee, OrgUnit
from giaoban.reporting.demo import DISTRICT_2023, DISTRICT_Q4_2023
from giaoban.reporting.models import Indicator

from . import services
from .models import ChannelMetric, IndicatorSource

__all__ = ["CHANNELS", "DemoSummary", "load"]

BLOG = "Cờ đỏ sao vàng"
FANPAGE = "Ban Chỉ đạo 35 huyện Ngọc Lặc"
FANPAGE2 = "Tổ quốc tôi yêu"
CHANNELS = [
    (BLOG, "blog", "https://codosaovang-ngoclac.example.vn", date(2019, 5, 1)),
    (FANPAGE, "facebook", "https://facebook.example/bcd35ngoclac", date(2020, 3, 1)),
    (FANPAGE2, "facebook", "https://facebook.example/toquoctoiyeu.ngoclac", date(2021, 9, 1)),
]
# indicator code -> (channel name, metric)
MAPPING = {
    "BLOG_POSTS": (BLOG, "posts"),
    "BLOG_VISITORS": (BLOG, "reach"),
    "FANPAGE_FOLLOWERS": (FANPAGE, "followers"),
    "FANPAGE_POSTS": (FANPAGE, "posts"),
    "FANPAGE_REACH": (FANPAGE, "reach"),
    "FANPAGE2_POSTS": (FANPAGE2, "posts"),
    "FANPAGE2_VISITORS": (FANPAGE2, "reach"),
}


@dataclass
class DemoSummary:
    channels: int
    metrics: int
    entries: int
    trainings: int

    def __str__(self) -> str:
        return (
            f"{self.channels} kênh, {self.metrics} kỳ số liệu kênh, {self.entries} tác phẩm dự thi, "
            f"{self.trainings} lớp tập huấn"
        )


@transaction.atomic
def load() -> DemoSummary:
    district = OrgUnit.objects.get(code="389")
    committee = Committee.objects.filter(org_unit=district).first()
    channels = {
        name: services.channel_create(
            org_unit=district, committee=committee, name=name, platform=p, url=url, since=since
        )
        for name, p, url, since in CHANNELS
    }
    figures = {code: DISTRICT_2023[code] + DISTRICT_Q4_2023[code] for code in MAPPING}
    rows = []
    for month in range(12):
        per_channel: dict[str, dict[str, int]] = {}
        for code, (channel, metric) in MAPPING.items():
            per_channel.setdefault(channel, {})[metric] = figures[code][month]
        for channel, values in per_channel.items():
            rows.append(ChannelMetric(channel=channels[channel], period=f"2023-{month + 1:02d}", **values))
    ChannelMetric.objects.bulk_create(rows)
    indicators = Indicator.objects.in_bulk([*MAPPING, "TRAININGS", "TRAINEES"], field_name="code")
    for code, (channel, metric) in MAPPING.items():
        if code in indicators:
            IndicatorSource.objects.create(
                indicator=indicators[code], kind="channel_metric", metric=metric, channel_name=channel
            )
    if "TRAININGS" in indicators:
        IndicatorSource.objects.create(indicator=indicators["TRAININGS"], kind="trainings")
        IndicatorSource.objects.create(indicator=indicators["TRAINEES"], kind="trainees")

    contest = services.contest_create(
        org_unit=district,
        committee=committee,
        name="Cuộc thi viết về bảo vệ nền tảng tư tưởng của Đảng huyện Ngọc Lặc năm 2023",
        organiser="Ban Chỉ đạo 35 huyện Ngọc Lặc",
        starts_on=date(2023, 4, 1),
        ends_on=date(2023, 8, 31),
        categories=["Bài viết", "Video"],
        rounds=[],
        prizes=[{"name": "Giải Nhất", "count": 1}, {"name": "Giải Nhì", "count": 2}, {"name": "Giải Ba", "count": 3}],
        rules="Mỗi tác giả gửi tối đa 2 tác phẩm; tác phẩm chưa đăng trên báo chí.",
    )
    communes = list(OrgUnit.objects.filter(parent=district).order_by("code"))
    entries = []
    titles = [
        "Giữ vững trận địa tư tưởng nơi vùng cao",
        "Người bí thư chi bộ và những bài viết đấu tranh",
        "Mạng xã hội: tỉnh táo trước thông tin xấu độc",
        "Thanh niên Ngọc Lặc với không gian mạng",
        "Lan tỏa câu chuyện đẹp từ thôn bản",
        "Niềm tin từ những việc làm nhỏ",
        "Bảo vệ nền tảng tư tưởng bắt đầu từ cơ sở",
        "Chuyện những người làm tin ở xã",
    ]
    authors = ["Lê Thị Hoa", "Phạm Văn Nam", "Bùi Thị Lan", "Trương Văn Hải", "Hà Thị Mai", "Quách Văn Dũng",
               "Nguyễn Thị Hằng", "Lò Văn Tuấn"]  # fmt: skip
    for i, title in enumerate(titles):
        entries.append(
            services.entry_create(
                contest=contest,
                title=title,
                authors=authors[i],
                org_unit=communes[i % len(communes)] if communes else district,
                category="Video" if i % 4 == 3 else "Bài viết",
                submitted_on=date(2023, 5 + i % 3, 3 + 2 * i),
            )
        )
    for i, entry in enumerate(entries):
        for judge, delta in (
            ("Giám khảo Nguyễn Văn Hòa", 0),
            ("Giám khảo Lê Thị Thu", 3),
            ("Giám khảo Bùi Văn Sơn", -2),
        ):
            services.score_record(entry=entry, judge=judge, score=90 - 4 * i + delta)
    services.contest_rank(contest=contest)

    trainings = [
        ("Tập huấn kỹ năng viết tin, bài trên không gian mạng", date(2023, 3, 16), {"cán bộ": 45, "đoàn viên": 30}),
        ("Hội nghị báo cáo viên quý II", date(2023, 6, 8), {"báo cáo viên": 52}),
        ("Bồi dưỡng nghiệp vụ quản trị fanpage", date(2023, 8, 22), {"cán bộ": 28, "đảng viên": 14}),
    ]
    for title, day, groups in trainings:
        services.training_create(org_unit=district, committee=committee, title=title, starts_on=day, ends_on=day,
                                 groups=groups, place="Hội trường Huyện ủy Ngọc Lặc", organiser="Ban Chỉ đạo 35 huyện")  # fmt: skip
    return DemoSummary(len(channels), len(rows), len(entries), len(trainings))
