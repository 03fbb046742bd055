"""Demo of cascades: Thanh Hóa's committee issues a plan implementing Nghị quyết 35-NQ/TW (registered in its
outgoing register), sends it to the committees of its communes three weeks before the day the demo is loaded, with a
deadline that has passed; two communes in five have registered their implementing plan, half of those reported done.
Xã Ngọc Lặc (the demo secretary's commune) has not, so its secretary can do it. Runs after giaoban.work.demo (which
makes the communes' committees)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.workdays import add_working_days, is_working_day
from giaoban.orgs.models import Committee, OrgUnit

from .models import Cascade, Document, DocumentType, Relation
from .services.cascades import ImplementingInput, cascade_implement, cascade_report_done, cascade_send
from .services.numbering import document_register_outgoing

__all__ = ["DemoSummary", "load"]

PROVINCE_CODE = "38"
KEEP_PENDING = "15061"  # Xã Ngọc Lặc: thuky.ngoclac implements it in the demo


@dataclass
class DemoSummary:
    sent: int
    implemented: int
    done: int

    def __str__(self) -> str:
        return _(
            "1 kế hoạch gửi %(sent)d Ban Chỉ đạo cấp xã, %(implemented)d đã ban hành văn bản triển khai, %(done)d đã "
            "báo cáo hoàn thành (1 plan sent to %(sent)d commune committees, %(implemented)d implemented, %(done)d "
            "reported done)"
        ) % vars(self)


def _working_day_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


@transaction.atomic
def load(today: date | None = None) -> DemoSummary | None:
    today = today or timezone.localdate()
    province = OrgUnit.objects.filter(code=PROVINCE_CODE).first()
    committee = Committee.objects.filter(org_unit=province, dissolved_on__isnull=True).first() if province else None
    if committee is None:
        return None
    issued = _working_day_before(today - timedelta(days=22))
    sent = add_working_days(issued, 1)  # the next working day
    plan = document_register_outgoing(
        committee=committee,
        type=DocumentType.KE_HOACH,
        on=issued,
        subject=f"Kế hoạch triển khai thực hiện Nghị quyết số 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị về tăng "
        f"cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch trong tình "
        f"hình mới, năm {issued.year}",
        signer="Nguyễn Văn Trưởng",
    )
    reference = Document.objects.filter(committee__isnull=True, number_symbol="35-NQ/TW").first()
    if reference is not None:
        Relation.objects.get_or_create(source=plan, target=reference, kind=Relation.Kind.IMPLEMENTS)
    summary = cascade_send(document=plan, sender=committee, below=True, sent_on=sent, due_on=sent + timedelta(days=14))
    cascades = sorted(
        Cascade.objects.filter(document=plan).select_related("committee__org_unit"), key=lambda c: c.unit_path
    )
    implemented = done = 0
    for i, c in enumerate(cascades):
        if c.committee.org_unit.code == KEEP_PENDING or i % 5 > 1:
            continue
        on = min(sent + timedelta(days=3 + i % 17), today)
        c = cascade_implement(
            cascade=c,
            new=ImplementingInput(
                type=DocumentType.KE_HOACH,
                date=on,
                subject=f"Kế hoạch thực hiện {plan.number_symbol} của Ban Chỉ đạo 35 tỉnh năm {on.year}",
            ),
        )
        implemented += 1
        if i % 2 == 0:
            cascade_report_done(cascade=c, done_on=min(on + timedelta(days=5), today))
            done += 1
    return DemoSummary(sent=len(summary.sent), implemented=implemented, done=done)
