"""The outreach pages: record a month's metrics, see them offered in the report, contests and trainings."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from openpyxl import load_workbook

from giaoban.outreach import services
from giaoban.outreach.models import Channel, ChannelMetric, Contest, Entry, Training


def test_a_secretary_records_a_months_metrics_and_the_report_is_offered_them(client, world):
    client.force_login(world.secretary)
    page = client.get(f"/outreach/channels/{world.blog.pk}/")
    assert page.status_code == 200 and "Cờ đỏ sao vàng" in page.content.decode()
    r = client.post(f"/outreach/channels/{world.blog.pk}/", {"period": "2023-03", "posts": "32", "reach": "55.000"})
    assert r.status_code == 302
    assert ChannelMetric.objects.get(channel=world.blog, period="2023-03").reach == 55000
    entry = client.get("/reports/389/M35/2023-03/").content.decode()
    assert 'name="v_BLOG_POSTS" value="32"' in entry
    assert "Cờ đỏ sao vàng" in entry  # where the figure came from


def test_a_bad_metric_is_shown_on_the_page_and_nothing_is_written(client, world):
    client.force_login(world.secretary)
    r = client.post(f"/outreach/channels/{world.blog.pk}/", {"period": "2023Q1", "posts": "-3"})
    assert r.status_code == 400
    text = r.content.decode()
    assert "tháng (2023-03) hoặc tuần (2023W10)" in text
    assert not ChannelMetric.objects.exists()


def test_a_viewer_sees_the_channel_but_cannot_record(client, world):
    client.force_login(world.viewer)
    page = client.get(f"/outreach/channels/{world.blog.pk}/").content.decode()
    assert "Lưu số liệu" not in page
    assert client.post(f"/outreach/channels/{world.blog.pk}/", {"period": "2023-03", "posts": "1"}).status_code == 404
    assert not ChannelMetric.objects.exists()


def test_a_channel_is_registered_from_the_page(client, world):
    client.force_login(world.secretary)
    r = client.post(
        "/outreach/channels/new/",
        {"org_unit": world.tree.d1.pk, "name": "Zalo OA Ngọc Lặc", "platform": "zalo", "url": "https://zalo.me/x"},
    )
    assert r.status_code == 302
    assert Channel.objects.filter(name="Zalo OA Ngọc Lặc", org_unit=world.tree.d1).exists()
    # A unit outside the user's scope is not offered, so cannot be chosen.
    r = client.post("/outreach/channels/new/", {"org_unit": world.tree.q1.pk, "name": "X", "platform": "blog"})
    assert r.status_code == 400
    assert not Channel.objects.filter(name="X").exists()


def test_the_metrics_csv_import_page_names_every_bad_row(client, world):
    client.force_login(world.secretary)
    csv = "unit,channel,period,posts,reach,followers,interactions\n389,Cờ đỏ sao vàng,2023-01,28,,,\n389,Không có,2023-01,1,,,\n"
    r = client.post("/outreach/channels/import/", {"file": io.BytesIO(csv.encode())}, follow=True)
    text = r.content.decode()
    assert "dòng 3" in text and "channel" in text
    assert not ChannelMetric.objects.exists()


def test_a_contest_from_entries_to_the_winners_list(client, world):
    client.force_login(world.secretary)
    r = client.post(
        "/outreach/contests/new/",
        {"org_unit": world.tree.d1.pk, "name": "Cuộc thi viết Ngọc Lặc", "starts_on": "2023-04-01",
         "ends_on": "2023-08-31", "categories": "Bài viết", "prizes": "Giải Nhất; 1\nGiải Nhì; 1"},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    contest = Contest.objects.get()
    for i, (unit, score) in enumerate([(world.tree.d1, "90"), (world.tree.d1, "85,5"), (world.tree.d1, "70")], 1):
        client.post(f"/outreach/contests/{contest.pk}/", {"action": "entry", "title": f"Bài {i}", "authors": f"Tác giả {i}",
                    "org_unit": unit.pk, "category": "Bài viết", "submitted_on": f"2023-05-0{i}"})  # fmt: skip
        entry = Entry.objects.get(title=f"Bài {i}")
        client.post(
            f"/outreach/contests/{contest.pk}/", {"action": "score", "entry": entry.pk, "judge": "A", "score": score}
        )
    client.post(f"/outreach/contests/{contest.pk}/", {"action": "rank"})
    assert list(Entry.objects.order_by("rank").values_list("title", "prize")) == [
        ("Bài 1", "Giải Nhất"),
        ("Bài 2", "Giải Nhì"),
        ("Bài 3", ""),
    ]
    xlsx = client.get(f"/outreach/contests/{contest.pk}/winners.xlsx")
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(min_row=4)]
    assert [r[1] for r in rows] == ["Bài 1", "Bài 2"]
    docx = client.get(f"/outreach/contests/{contest.pk}/winners.docx")
    doc = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "THÔNG BÁO" in text and "Cuộc thi viết Ngọc Lặc" in text
    assert "Bài 1" in cells and "Giải Nhất" in cells and "Bài 3" not in cells


def test_a_training_with_its_participants(client, world):
    client.force_login(world.secretary)
    r = client.post(
        "/outreach/trainings/new/",
        {"org_unit": world.tree.d1.pk, "title": "Tập huấn viết tin", "starts_on": "2023-03-10", "ends_on": "2023-03-10",
         "sessions": 2, "groups": "cán bộ; 40\nđoàn viên; 25"},
    )  # fmt: skip
    assert r.status_code == 302
    t = Training.objects.get()
    page = client.get(f"/outreach/trainings/{t.pk}/").content.decode()
    assert "cán bộ: 40" in page and "65" in page
    entry = client.get("/reports/389/M35/2023-03/").content.decode()
    assert 'name="v_TRAINEES" value="65"' in entry


def test_an_out_of_scope_contest_is_404(client, world):
    c = services.contest_create(org_unit=world.tree.d1, name="C", starts_on=date(2023, 1, 1), ends_on=date(2023, 2, 1))
    client.force_login(world.outsider)
    assert client.get(f"/outreach/contests/{c.pk}/").status_code == 404
    assert client.get(f"/outreach/contests/{c.pk}/winners.xlsx").status_code == 404
