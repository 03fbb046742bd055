"""The cascade pages: sending (all below, or committees found without diacritics), coverage with drill-down and
.xlsx, and the receiving committee's list with the implement and report-done forms."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages

from giaoban.documents.models import Cascade
from giaoban.documents.services.cascades import cascade_send
from giaoban.orgs import services as org_services
from giaoban.orgs.models import Committee

from .conftest import DUE, SENT


def test_the_send_page_finds_committees_without_diacritics_and_keeps_the_checked_ones(client, world):
    client.force_login(world.secretary)
    url = f"/documents/{world.directive.pk}/cascade/"
    page = client.get(url).content.decode()
    assert "Tất cả Ban Chỉ đạo cấp dưới (2)" in page and world.directive.number_symbol in page
    fragment = client.get(url, {"q": "thach lap", "committees": [world.n1.pk]}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert 'id="picker"' in html and "<html" not in html
    assert f'value="{world.n2.pk}"' in html and f'value="{world.n1.pk}" id="c{world.n1.pk}" checked' in html
    assert "Phường Ba Đình" not in html


def test_it_sends_to_chosen_committees_then_to_all_below(client, world):
    client.force_login(world.secretary)
    url = f"/documents/{world.directive.pk}/cascade/"
    r = client.post(url, {"mode": "chosen", "committees": [world.n2.pk], "due_on": "2027-03-31"})
    assert r.status_code == 302 and r["Location"].startswith(f"/documents/{world.directive.pk}/coverage/")
    assert list(Cascade.objects.values_list("committee_id", "due_on")) == [(world.n2.pk, date(2027, 3, 31))]
    r = client.post(url, {"mode": "below"}, follow=True)
    assert "Đã gửi 1 Ban Chỉ đạo; 1 Ban đã nhận trước đó." in r.content.decode()
    assert Cascade.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "chosen"}, "Chọn ít nhất một Ban Chỉ đạo cấp dưới"),
        ({"mode": "below", "due_on": "31/02/2027"}, "Ngày không hợp lệ"),
        ({"mode": "below", "due_on": "2020-01-01"}, "Thời hạn trước ngày gửi"),
    ],
)
def test_it_shows_why_it_did_not_send(client, world, data, message):
    client.force_login(world.secretary)
    r = client.post(f"/documents/{world.directive.pk}/cascade/", data)
    assert r.status_code == 200
    assert any(message in str(m) for m in get_messages(r.wsgi_request))
    assert not Cascade.objects.exists()


def test_coverage_page_counts_drills_down_and_lists_the_pending(client, world, tree, django_assert_max_num_queries):
    cascade_send(document=world.directive, sender=world.province, below=True, sent_on=SENT, due_on=DUE)
    client.force_login(world.viewer)
    url = f"/documents/{world.directive.pk}/coverage/"
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert 'id="expected">2<' in page and 'id="implemented">0<' in page and 'id="overdue">' in page
    assert 'data-key="15061"' in page and "Xã Thạch Lập" in page
    assert f'href="/documents/{world.directive.pk}/coverage.xlsx?unit=38"' in page
    # Drill down to a commune: its one row, and the breadcrumb back to the province.
    page = client.get(url, {"unit": "15061"}).content.decode()
    assert 'id="expected">1<' in page and f'href="{url}?unit=38"' in page
    fragment = client.get(url, {"unit": "38", "rows": "implemented"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="rows"' in fragment and "Không có Ban Chỉ đạo nào." in fragment and "<html" not in fragment
    xlsx = client.get(f"/documents/{world.directive.pk}/coverage.xlsx", {"unit": "38"})
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    # More communes: the same number of queries.
    for i in range(20):
        unit = org_services.orgunit_create(
            code=f"{16000 + i}", name=f"Xã Thử {i}", kind="commune", subtype="xa", parent=tree.p1,
            valid_from=date(2025, 7, 1),
        )  # fmt: skip
        Committee.objects.create(name=f"BCĐ 35 Xã Thử {i}", short_name="BCĐ 35", org_unit=unit)
    cascade_send(document=world.directive, sender=world.province, below=True, sent_on=SENT, due_on=DUE)
    with django_assert_max_num_queries(12):
        assert 'id="expected">22<' in client.get(url).content.decode()


def test_a_commune_implements_and_reports_done_from_its_list(client, world):
    cascade_send(document=world.directive, sender=world.province, below=True, sent_on=SENT, due_on=DUE)
    cascade = Cascade.objects.get(committee=world.n1)
    client.force_login(world.n1_secretary)
    listing = client.get("/documents/cascades/").content.decode()
    assert f'data-cascade="{cascade.pk}"' in listing and world.directive.subject in listing
    assert f'data-cascade="{Cascade.objects.get(committee=world.n2).pk}"' not in listing
    page = client.get(f"/documents/cascades/{cascade.pk}/").content.decode()
    assert 'id="implement-form"' in page and 'id="serial">1/2026' in page and 'id="done-form"' not in page
    r = client.post(
        f"/documents/cascades/{cascade.pk}/implement/",
        {"type": "ke_hoach", "date": "2026-03-10", "subject": "Kế hoạch triển khai của xã", "version": "0"},
        follow=True,
    )
    page = r.content.decode()
    assert 'data-status="implementing"' in page and "01-KH/BCĐ" in page and 'id="done-form"' in page
    r = client.post(f"/documents/cascades/{cascade.pk}/done/", {"done_on": "2026-03-20", "version": "1"}, follow=True)
    assert 'data-status="done"' in r.content.decode()
    assert 'id="implement-form"' not in r.content.decode()
    # Filter by status on the list.
    assert f'data-cascade="{cascade.pk}"' in client.get("/documents/cascades/?status=done").content.decode()
    assert f'data-cascade="{cascade.pk}"' not in client.get("/documents/cascades/?status=received").content.decode()


def test_a_viewer_sees_the_directive_but_no_forms(client, world):
    cascade_send(document=world.directive, sender=world.province, below=True, sent_on=SENT)
    client.force_login(world.viewer)
    page = client.get(f"/documents/cascades/{Cascade.objects.get(committee=world.n1).pk}/").content.decode()
    assert world.directive.subject in page and 'id="implement-form"' not in page
    assert "Gửi cấp dưới" not in client.get(f"/documents/{world.directive.pk}/coverage/").content.decode()
