"""Demo data for the register: real higher-level documents on the reference shelf (number, date, issuer and
subject only), Thanh Hóa's provincial committee's incoming register with a few lines (one with a handling
instruction that gave a task) and its outgoing plan implementing 35-NQ/TW. Runs after giaoban.work.demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.orgs.models import Agency, Committee

from .models import Document, Relation
from .services import register
from .services.numbering import document_register_outgoing

__all__ = ["SHELF", "DemoSummary", "load"]

# (number, symbol, type, date, issuer, subject): texts whose number, date and subject are on record.
SHELF = [
    (
        "35",
        "NQ/TW",
        "nghi_quyet",
        date(2018, 10, 22),
        "Bộ Chính trị",
        "Về tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch trong "
        "tình hình mới",
    ),
    (
        "36",
        "HD/VPTW",
        "huong_dan",
        date(2018, 4, 3),
        "Văn phòng Trung ương Đảng",
        "Về thể thức và kỹ thuật trình bày văn bản của Đảng",
    ),
    (
        "45",
        "2018/QĐ-TTg",
        "quyet_dinh",
        date(2018, 11, 9),
        "Thủ tướng Chính phủ",
        "Quy định chế độ họp trong hoạt động quản lý, điều hành của cơ quan thuộc hệ thống hành chính nhà nước",
    ),
    (
        "09",
        "2019/NĐ-CP",
        "quyet_dinh",
        date(2019, 1, 24),
        "Chính phủ",
        "Quy định chế độ báo cáo của cơ quan hành chính nhà nước",
    ),
    ("30", "2020/NĐ-CP", "quyet_dinh", date(2020, 3, 5), "Chính phủ", "Về công tác văn thư"),
]
# A decree is a "nghị định"; the register's types have no such value, so it is filed as "khác" with its symbol.
DECREES = {"2019/NĐ-CP", "2020/NĐ-CP"}


@dataclass
class DemoSummary:
    shelf: int
    incoming: int
    tasks: int

    def __str__(self) -> str:
        return _(
            "%(shelf)d văn bản cấp trên, %(incoming)d văn bản đến, %(tasks)d nhiệm vụ xử lý văn bản đến "
            "(%(shelf)d reference documents, %(incoming)d incoming, %(tasks)d handling tasks)"
        ) % vars(self)


@transaction.atomic
def load() -> DemoSummary:
    shelf = {}
    for number, symbol, type_, on, issuer, subject in SHELF:
        doc = register.document_create(
            committee=None,
            direction=Document.Direction.INCOMING,
            number=number,
            symbol=symbol,
            type="khac" if symbol in DECREES else type_,
            date=on,
            issuer=issuer,
            subject=subject,
        )
        shelf[doc.number_symbol] = doc
    nq35 = shelf["35-NQ/TW"]

    province = Committee.objects.filter(org_unit__code="38").select_related("org_unit").order_by("pk").first()
    if province is None:
        return DemoSummary(len(shelf), 0, 0)
    today = timezone.localdate()
    start = max(date(today.year, 1, 2), today - timedelta(days=60))

    plan = document_register_outgoing(
        committee=province,
        type="ke_hoach",
        on=start,
        subject=f"Triển khai thực hiện Nghị quyết số 35-NQ/TW của Bộ Chính trị năm {today.year}",
        signer="Trưởng Ban Chỉ đạo",
    )
    Relation.objects.create(source=plan, target=nq35, kind=Relation.Kind.IMPLEMENTS)

    agencies = {a.name: a for a in Agency.objects.filter(org_unit=province.org_unit)}
    communes = list(
        Committee.objects.filter(org_unit__parent=province.org_unit, org_unit__valid_to__isnull=True).order_by(
            "org_unit__name"
        )[:2]
    )
    entries = [
        register.incoming_entry_create(
            committee=province,
            document=nq35,
            received_on=start,
            recipient="Ban Tuyên giáo và Dân vận Tỉnh ủy",
            passed_on=start,
            notes="Để nghiên cứu, quán triệt trong năm",
        )
    ]
    for i, commune in enumerate(communes):
        day = min(today, start + timedelta(days=15 + 10 * i))
        entries.append(
            register.incoming_document_register(
                committee=province,
                number=f"{3 + i:02d}",
                symbol="BC/BCĐ",
                type="bao_cao",
                date=day - timedelta(days=2),
                issuer=commune.name,
                subject="Kết quả công tác đấu tranh phản bác các quan điểm sai trái, thù địch quý I",
                received_on=day,
                recipient="Bộ phận Thường trực Ban Chỉ đạo",
                passed_on=day,
            )
        )
    tasks = 0
    police = agencies.get("Công an tỉnh Thanh Hóa")
    lead = agencies.get("Ban Tuyên giáo và Dân vận Tỉnh ủy Thanh Hóa")
    if police is not None and lead is not None:
        day = today - timedelta(days=5)
        entry = register.incoming_document_register(
            committee=province,
            number="215",
            symbol="CV/CAT",
            type="cong_van",
            date=day - timedelta(days=1),
            issuer=police.name,
            subject="Về việc phối hợp cung cấp thông tin phục vụ công tác đấu tranh phản bác các quan điểm sai trái, "
            "thù địch trên không gian mạng",
            received_on=day,
            recipient="Ban Tuyên giáo và Dân vận Tỉnh ủy",
            passed_on=day,
        )
        entries.append(entry)
        youth = agencies.get("Tỉnh đoàn Thanh Hóa")
        register.incoming_handle(
            entry=entry,
            title="Chủ trì tổng hợp, cung cấp thông tin theo đề nghị của Công an tỉnh",
            agency=lead,
            supporting=[a for a in (police, youth) if a is not None],
            due_on=today + timedelta(days=10),
            assigned_on=day,
        )
        tasks = 1
    return DemoSummary(len(shelf), len(entries), tasks)
