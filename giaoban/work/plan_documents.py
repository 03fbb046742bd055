"""The plan (kế hoạch) as an official document, in the committee's layout (Party "Số 12-KH/BCĐ", HD 36; state
"Số: 12/KH-BCĐ", Decree 30), with its items as a table (STT, nội dung, cơ quan chủ trì, phối hợp, thời gian, sản
phẩm), through the one machinery (core.officialdoc) and its clerk-editable templates core/docx/plan_<layout>.docx.
"""

from __future__ import annotations

import re
from datetime import date

from django.http import HttpResponse
from django.utils import timezone, translation

from giaoban.core import officialdoc
from giaoban.core.formats import format_number, short_date
from giaoban.core.officialdoc import Block, OfficialDocument, Table
from giaoban.documents.services.numbering import committee_abbreviation
from giaoban.orgs.models import Committee
from giaoban.reporting import periods

# The committee's layout, names and head as the meeting documents print them (work.documents holds the one import
# of reporting's document helpers, which another change is moving).
from .documents import FORMATS, SIGNER_TITLES, head_of, issuer_name, layout_of, parent_body, short_name
from .models import Plan, PlanItem, Target
from .plans import plan_items

__all__ = ["FORMATS", "HEADERS", "file_response", "filename", "plan_document", "render", "timeframe"]

HEADERS = ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian", "Sản phẩm"]
_LEADING_NUMBER = re.compile(r"\s*(\d+)")


def timeframe(item: PlanItem) -> str:
    """ "01/03/2027 – 30/06/2027", "Trước 30/06/2027", "Từ 01/03/2027", or "Thường xuyên"."""
    if item.starts_on and item.due_on:
        return f"{short_date(item.starts_on)} – {short_date(item.due_on)}"
    if item.due_on:
        return f"Trước {short_date(item.due_on)}"
    if item.starts_on:
        return f"Từ {short_date(item.starts_on)}"
    return "Thường xuyên"


def _target_line(target: Target) -> str:
    sign = "tối thiểu" if target.kind == Target.Kind.MIN else "tối đa"
    uom = f" {target.indicator.unit_of_measure}" if target.indicator.unit_of_measure else ""
    with translation.override("vi"):  # an official document: Vietnamese whatever the reader's language
        period = periods.period_label_or_id(target.period, sentence=True)
    return (
        f"Chỉ tiêu: {target.indicator.name_vi} ({target.unit.name}, kỳ {period}) "
        f"{sign} {format_number(target.value)}{uom}."
    )


def _committee_name(committee: Committee) -> str:
    return committee.name.strip() or re.sub(r"^BCĐ\b", "Ban Chỉ đạo", committee.short_name)


def _subject(plan: Plan) -> str:
    """The subject line under "KẾ HOẠCH": the title without a leading "Kế hoạch"."""
    title = re.sub(r"(?i)^\s*kế hoạch\s+", "", plan.title.strip())
    return title[:1].upper() + title[1:]


def _number(plan: Plan) -> str:
    match = _LEADING_NUMBER.match(plan.number or "")
    return match.group(1) if match else ""


def plan_document(plan: Plan, items: list[PlanItem] | None = None) -> OfficialDocument:
    """The plan: an opening, its items as a table (each target under its item), how it is carried out, the
    recipients and the head's signature. A draft has a blank number and day."""
    committee = plan.committee
    layout = layout_of(committee)
    items = plan_items(plan) if items is None else items
    issued = plan.status == Plan.Status.ISSUED
    abbreviation = committee_abbreviation(committee)
    name = _committee_name(committee)
    rows = []
    for item in items:
        content = item.content.strip()
        target = getattr(item, "target", None)  # an item without a target raises an AttributeError subclass
        if target is not None:
            content += "\n" + _target_line(target)
        rows.append(
            [
                str(item.position),
                content,
                item.lead_agency.name,
                ", ".join(a.name for a in item.supporting.all()),
                timeframe(item),
                item.output,
            ]
        )
    standing = committee.standing_agency.name if committee.standing_agency else "Cơ quan Thường trực Ban Chỉ đạo"
    blocks = [
        Block(
            f"Thực hiện chức năng, nhiệm vụ được giao, {name} xây dựng Kế hoạch "
            f"{_subject(plan)[:1].lower()}{_subject(plan)[1:]}, như sau:"
        ),
        Block("I. MỤC ĐÍCH, YÊU CẦU", style="heading"),
        Block(
            "Cụ thể hóa nhiệm vụ trọng tâm của Ban Chỉ đạo trong năm; phân công rõ cơ quan chủ trì, cơ quan phối "
            "hợp, thời gian và sản phẩm của từng nhiệm vụ; các chỉ tiêu được theo dõi từ số liệu báo cáo định kỳ."
        ),
        Block("II. NHIỆM VỤ CỤ THỂ", style="heading"),
    ]
    closing = [
        Block("III. TỔ CHỨC THỰC HIỆN", style="heading"),
        Block(
            "Các cơ quan thành viên Ban Chỉ đạo căn cứ nhiệm vụ được phân công chủ động xây dựng kế hoạch, "
            "triển khai thực hiện; định kỳ báo cáo kết quả về Ban Chỉ đạo (qua "
            f"{standing}) để tổng hợp, báo cáo tại các hội nghị giao ban, sơ kết, tổng kết."
        ),
        Block(f"{standing} theo dõi, đôn đốc, kiểm tra việc thực hiện Kế hoạch này./."),
    ]
    on: date = plan.issued_on if issued and plan.issued_on else timezone.localdate()
    head = head_of(committee, on)
    above = (
        Committee.objects.filter(org_unit_id=committee.org_unit.parent_id, dissolved_on__isnull=True)
        .order_by("pk")
        .first()
        if committee.org_unit.parent_id
        else None
    )
    recipients = [f"- {above.name} (để báo cáo);"] if above else []
    recipients += ["- Các thành viên Ban Chỉ đạo;", "- Các cơ quan thành viên;", "- Lưu VT."]
    return OfficialDocument(
        layout=layout,
        kind="plan",
        parent_body=parent_body(committee.org_unit, layout),
        issuer=issuer_name(committee),
        number=_number(plan) if issued else "",
        symbol=f"KH/{abbreviation}" if layout == "party" else f"KH-{abbreviation}",
        place=short_name(committee.org_unit),
        date=on,  # a draft prints the year only
        dated=issued,
        doc_type="KẾ HOẠCH",
        subject=_subject(plan),
        sections=[],
        table=Table(title="", headers=HEADERS, rows=rows),
        signer_capacity="T/M BAN CHỈ ĐẠO" if layout == "party" else "TM. BAN CHỈ ĐẠO",
        signer_title=SIGNER_TITLES.get(head.role, "TRƯỞNG BAN") if head else "TRƯỞNG BAN",
        signer_name=head.person_name if head else "",
        recipients=recipients,
        blocks=blocks,
        closing=closing,
    )


def render(plan: Plan, fmt: str) -> bytes:
    """The plan as .docx or .pdf bytes (a .pdf needs LibreOffice: ServiceError otherwise)."""
    doc = plan_document(plan)
    return officialdoc.render_docx(doc) if fmt == "docx" else officialdoc.render_pdf(doc)


def filename(plan: Plan, fmt: str) -> str:
    return f"ke-hoach-{plan.committee.org_unit.code}-{plan.year}-{plan.pk}.{fmt}"


def file_response(plan: Plan, fmt: str) -> HttpResponse:
    response = HttpResponse(render(plan, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename(plan, fmt)}"'
    return response
