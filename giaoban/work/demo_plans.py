"""Demo of plans: Thanh Hóa's BCĐ 35 plan for the current year, issued at the start of the year, its items given
as tasks to the member agencies, with targets on the indicators the communes report weekly (reporting.demo):
some met (the Zalo groups' members, the share of original posts), some behind (posts, trainings); the daily check
has proposed the met ones' tasks as done; the rest of the year's meetings generated as drafts.
Runs after giaoban.reporting.demo and giaoban.work.demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.workdays import add_working_days
from giaoban.orgs.models import Agency, Committee, OrgUnit
from giaoban.reporting.models import Indicator

from .models import Plan
from .services import ItemInput, TargetInput, plan_create, plan_issue, plan_meetings_generate, targets_check

__all__ = ["DemoSummary", "load"]

PROVINCE_CODE = "38"
AGENCIES = {
    "tgdv": "Ban Tuyên giáo và Dân vận Tỉnh ủy Thanh Hóa",
    "ca": "Công an tỉnh Thanh Hóa",
    "qs": "Bộ Chỉ huy Quân sự tỉnh Thanh Hóa",
    "doan": "Tỉnh đoàn Thanh Hóa",
    "vh": "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa",
    "bao": "Báo và Phát thanh, Truyền hình Thanh Hóa",
}
# content, lead, supporting, (start month, due month/day), output, target (indicator, kind, value) or None
ITEMS = [
    (
        "Duy trì, nâng cao chất lượng tin, bài trên kênh thông tin của Ban Chỉ đạo 35 các xã, phường",
        "tgdv",
        ["bao", "vh"],
        (1, (12, 31)),
        "Tin, bài trên kênh thông tin của xã",
        ("COMMUNE_POSTS", "min", 40000),
    ),
    (
        "Phát triển nhóm Zalo thông tin của các xã, phường, mở rộng người theo dõi",
        "doan",
        ["tgdv"],
        (1, (12, 31)),
        "Nhóm Zalo thông tin của xã",
        ("ZALO_MEMBERS", "min", 150000),
    ),
    (
        "Nâng tỷ lệ tin, bài tự sản xuất trên kênh thông tin của các xã, phường",
        "bao",
        ["tgdv"],
        (1, (12, 31)),
        "Tin, bài tự sản xuất",
        ("ORIGINAL_SHARE", "min", 50),
    ),
    (
        "Tổ chức tập huấn kỹ năng thông tin, tuyên truyền trên không gian mạng cho cán bộ cấp xã",
        "ca",
        ["doan", "qs"],
        (3, (11, 30)),
        "Lớp tập huấn",
        ("TRAININGS", "min", 300),
    ),
    (
        "Sơ kết 6 tháng, tổng kết năm công tác của Ban Chỉ đạo",
        "tgdv",
        [],
        (6, (12, 31)),
        "Báo cáo sơ kết, tổng kết",
        None,
    ),
]


@dataclass
class DemoSummary:
    plans: int
    items: int
    targets: int
    proposed: int
    meetings: int

    def __str__(self) -> str:
        return _(
            "%(plans)d kế hoạch, %(items)d nội dung, %(targets)d mục tiêu, %(proposed)d nhiệm vụ đạt mục tiêu, "
            "%(meetings)d cuộc họp dự thảo (%(plans)d plans, %(items)d items, %(targets)d targets, "
            "%(proposed)d tasks proposed done, %(meetings)d draft meetings)"
        ) % vars(self)


@transaction.atomic
def load(today: date | None = None) -> DemoSummary:
    today = today or timezone.localdate()
    year = today.year
    province = OrgUnit.objects.get(code=PROVINCE_CODE)
    committee = Committee.objects.filter(org_unit=province, dissolved_on__isnull=True).order_by("pk").first()
    if committee is None:
        return DemoSummary(0, 0, 0, 0, 0)
    agencies = {key: Agency.objects.filter(org_unit=province, name=name).first() for key, name in AGENCIES.items()}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[t[5][0] for t in ITEMS if t[5]])}
    items = []
    for content, lead, supporting, (start, (month, day)), output, target in ITEMS:
        if agencies.get(lead) is None:
            continue
        t = None
        if target and target[0] in indicators:
            code, kind, value = target
            t = TargetInput(indicators[code], province, str(year), kind, Decimal(value))
        items.append(
            ItemInput(
                content,
                agencies[lead],
                supporting=[agencies[s] for s in supporting if agencies.get(s)],
                starts_on=date(year, start, 1),
                due_on=date(year, month, day),
                output=output,
                target=t,
            )
        )
    plan = plan_create(
        committee=committee,
        title=f"Kế hoạch hoạt động năm {year} của {committee.name or 'Ban Chỉ đạo'}",
        year=year,
        items=items,
    )
    issued_on = add_working_days(date(year, 1, 5), 0)
    plan = plan_issue(plan=plan, issued_on=issued_on)
    proposed = targets_check(today).proposed
    meetings = plan_meetings_generate(plan=plan, cadence="monthly", today=today)
    # And next year's plan as a draft, as the standing agency prepares it in December.
    plan_create(
        committee=committee,
        title=f"Kế hoạch hoạt động năm {year + 1} của {committee.name or 'Ban Chỉ đạo'}",
        year=year + 1,
        items=[ItemInput(i.content, i.lead_agency, i.supporting, output=i.output) for i in items[:2]],
    )
    return DemoSummary(
        plans=Plan.objects.filter(committee=committee).count(),
        items=len(items),
        targets=sum(1 for i in items if i.target),
        proposed=len(proposed),
        meetings=len(meetings),
    )
