"""Channels' metrics, contests and trainings recorded once, offered to the unit's report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from giaoban.core.errors import ImportRejected, ServiceError
from giaoban.outreach import selectors, services
from giaoban.outreach.models import ChannelMetric, Entry

# The district's 2023 figures: over 2023N9 blog 279 posts and 56.000 visitors a month (mean), fanpage
# 11.008 followers (September), second fanpage 166 posts.
BLOG_POSTS = [28, 30, 32, 29, 31, 33, 30, 34, 32]
BLOG_VISITORS = [52000, 54500, 55000, 56500, 57000, 55500, 58000, 57500, 58000]
FOLLOWERS = [9850, 9990, 10120, 10260, 10410, 10580, 10730, 10870, 11008]
FP2_POSTS = [17, 18, 19, 18, 18, 19, 19, 19, 19]


def record_2023(world):
    for m in range(9):
        period = f"2023-{m + 1:02d}"
        services.metric_record(
            channel=world.blog, period=period, values={"posts": BLOG_POSTS[m], "reach": BLOG_VISITORS[m]}
        )
        services.metric_record(channel=world.fanpage, period=period, values={"followers": FOLLOWERS[m], "posts": 40})
        services.metric_record(channel=world.fanpage2, period=period, values={"posts": FP2_POSTS[m]})


def values(defaults):
    return {code: d.value for code, d in defaults.items()}


def test_the_nine_month_report_is_offered_the_channels_figures(world):
    record_2023(world)
    got = values(selectors.report_defaults(world.tree.d1, world.n9, "2023N9"))
    assert got["BLOG_POSTS"] == 279
    assert got["BLOG_VISITORS"] == 56000  # a mean over the months, as the indicator aggregates over time
    assert got["FANPAGE_FOLLOWERS"] == 11008  # the last month
    assert got["FANPAGE2_POSTS"] == 166  # only the channel the indicator names
    assert "MEETINGS" not in got  # not mapped: nothing offered


def test_a_month_is_offered_that_months_figures_and_where_they_came_from(world):
    record_2023(world)
    defaults = selectors.report_defaults(world.tree.d1, world.monthly, "2023-03")
    assert defaults["BLOG_POSTS"].value == 32
    assert "Cờ đỏ sao vàng" in defaults["BLOG_POSTS"].source


def test_another_units_channels_are_not_offered(world):
    record_2023(world)
    assert "BLOG_POSTS" not in selectors.report_defaults(world.tree.p1, world.monthly, "2023-03")


def test_it_refuses_a_quarter_and_negative_or_fractional_counts(world):
    with pytest.raises(ServiceError):
        services.metric_record(channel=world.blog, period="2023Q1", values={"posts": 3})
    with pytest.raises(ServiceError):
        services.metric_record(channel=world.blog, period="2023-01", values={"posts": -1})
    with pytest.raises(ServiceError):
        services.metric_record(channel=world.blog, period="2023-01", values={"posts": "2,5"})
    with pytest.raises(ServiceError):
        services.metric_record(channel=world.blog, period="2023-01", values={})
    assert not ChannelMetric.objects.exists()


def test_a_correction_replaces_the_months_figures(world):
    services.metric_record(channel=world.blog, period="2023-01", values={"posts": 3})
    services.metric_record(channel=world.blog, period="2023-01", values={"posts": "28", "reach": "52.000"})
    m = ChannelMetric.objects.get()
    assert (m.posts, m.reach) == (28, 52000)


CSV_OK = (
    "unit,channel,period,posts,reach,followers,interactions\n"
    "389,Cờ đỏ sao vàng,2023-01,28,52.000,,\n"
    "389,Fanpage Ngọc Lặc,2023-01,40,7800,9850,1200\n"
)


def test_the_metrics_import_writes_every_row(world):
    made = services.metrics_import_csv(CSV_OK.encode(), actor=world.secretary)
    assert len(made) == 2
    assert ChannelMetric.objects.get(channel=world.blog).reach == 52000


def test_a_metrics_import_with_one_bad_row_writes_nothing_and_names_every_error(world):
    bad = (
        CSV_OK + "389,Không có kênh này,2023-01,1,,,\n389,Cờ đỏ sao vàng,2023Q1,1,,,\n01,Cờ đỏ sao vàng,2023-02,x,,,\n"
    )
    with pytest.raises(ImportRejected) as exc:
        services.metrics_import_csv(bad.encode(), actor=world.secretary)
    assert [(e["row"], e["column"]) for e in exc.value.errors] == [(4, "channel"), (5, "period"), (6, "unit")]
    assert not ChannelMetric.objects.exists()


def test_an_out_of_scope_unit_in_an_import_reads_as_unknown(world):
    with pytest.raises(ImportRejected) as exc:
        services.metrics_import_csv(CSV_OK.encode(), actor=world.outsider)
    assert {e["column"] for e in exc.value.errors} == {"unit"}


def contest(world):
    return services.contest_create(
        org_unit=world.tree.p1,
        name="Cuộc thi viết về bảo vệ nền tảng tư tưởng của Đảng",
        starts_on=date(2023, 4, 1),
        ends_on=date(2023, 8, 31),
        categories=["Bài viết", "Video"],
        prizes=[{"name": "Giải Nhất", "count": 1}, {"name": "Giải Nhì", "count": 2}],
    )


def test_entries_are_ranked_by_their_mean_score_and_given_the_prizes_in_order(world):
    c = contest(world)
    entries = [
        services.entry_create(
            contest=c,
            title=f"Bài {i}",
            authors=f"Tác giả {i}",
            org_unit=unit,
            category="Bài viết",
            submitted_on=date(2023, 5, i),
        )
        for i, unit in enumerate([world.tree.c1, world.tree.c2, world.tree.c1, world.tree.p1], start=1)
    ]
    for entry, (a, b) in zip(entries, [(70, 80), (90, 92), (85, 85), (60, 50)], strict=True):
        services.score_record(entry=entry, judge="Giám khảo A", score=a)
        services.score_record(entry=entry, judge="Giám khảo B", score=str(b))
    ranked = services.contest_rank(contest=c)
    assert [(e.title, e.rank, e.prize) for e in ranked] == [
        ("Bài 2", 1, "Giải Nhất"),
        ("Bài 3", 2, "Giải Nhì"),
        ("Bài 1", 3, "Giải Nhì"),
        ("Bài 4", 4, ""),
    ]
    rows = selectors.contest_counts(world.tree.p1, date(2023, 1, 1), date(2023, 12, 31))
    assert [(r.label, r.entries, r.winners) for r in rows] == [
        ("Tỉnh Thanh Hóa", 1, 0),
        ("Huyện Ngọc Lặc", 3, 3),
    ]
    # A unit's report is offered its own entries of the period; nothing recorded offers nothing (not 0).
    assert values(selectors.report_defaults(world.tree.c1, world.monthly, "2023-05")) == {"ENTRIES": 2}
    assert selectors.report_defaults(world.tree.d1, world.monthly, "2023-05") == {}


def test_an_entry_outside_the_contest_or_its_categories_is_refused(world):
    c = contest(world)
    with pytest.raises(ServiceError):
        services.entry_create(contest=c, title="x", authors="y", org_unit=world.tree.c1, submitted_on=date(2023, 9, 1))
    with pytest.raises(ServiceError):
        services.entry_create(contest=c, title="x", authors="y", org_unit=world.tree.c1, category="Thơ",
                              submitted_on=date(2023, 5, 1))  # fmt: skip
    with pytest.raises(ServiceError):
        services.score_record(entry=services.entry_create(contest=c, title="x", authors="y", org_unit=world.tree.c1,
                              submitted_on=date(2023, 5, 1)), judge="A", score=101)  # fmt: skip


def test_the_entries_import_is_all_or_nothing(world):
    c = contest(world)
    good = "title,authors,unit,category,submitted_on\nBài A,Nguyễn Văn A,90001,Bài viết,01/05/2023\n"
    services.entries_import_csv(good.encode(), contest=c, actor=world.secretary)
    assert Entry.objects.count() == 1
    bad = good + "Bài B,,90002,Video,2023-05-02\nBài C,Lê C,99999,Video,2023-13-01\n"
    with pytest.raises(ImportRejected) as exc:
        services.entries_import_csv(bad.encode(), contest=c, actor=world.secretary)
    assert {(e["row"], e["column"]) for e in exc.value.errors} == {(3, "authors"), (4, "submitted_on"), (4, "unit")}
    assert Entry.objects.count() == 1


def test_trainings_and_their_participants_feed_the_indicators(world):
    services.training_create(org_unit=world.tree.d1, title="Tập huấn kỹ năng viết tin", starts_on=date(2023, 3, 10),
                             ends_on=date(2023, 3, 11), groups={"cán bộ": 40, "đoàn viên": 25})  # fmt: skip
    services.training_create(org_unit=world.tree.d1, title="Hội nghị báo cáo viên", starts_on=date(2023, 6, 2),
                             ends_on=date(2023, 6, 2), groups={"báo cáo viên": 30})  # fmt: skip
    got = values(selectors.report_defaults(world.tree.d1, world.n9, "2023N9"))
    assert (got["TRAININGS"], got["TRAINEES"]) == (Decimal(2), Decimal(95))
    got = values(selectors.report_defaults(world.tree.d1, world.monthly, "2023-03"))
    assert (got["TRAININGS"], got["TRAINEES"]) == (Decimal(1), Decimal(65))
