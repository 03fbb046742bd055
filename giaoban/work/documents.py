"""The giao ban's three official documents: the invitation (giấy mời, Decree 30 Mẫu 1.7), the minutes (biên bản,
Mẫu 1.9) and the conclusion notice (thông báo kết luận, Mẫu 1.4 / HD 36), in the committee's layout, through the
one document machinery (core.officialdoc) and its clerk-editable templates (core/docx/<kind>_<layout>.docx).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone

from giaoban.core import officialdoc
from giaoban.core.formats import official_date, short_date
from giaoban.core.officialdoc import Block, OfficialDocument, Signature
from giaoban.documents.models import DocumentType
from giaoban.documents.services.numbering import symbol_for
from giaoban.orgs.models import Committee, CommitteeRole, Membership
from giaoban.reporting.consolidated import head_of, issuer_name, layout_of, parent_body, short_name

from .models import Attendance, Conclusion, Meeting

__all__ = [
    "FORMATS",
    "WHICH",
    "conclusion_document",
    "document",
    "file_response",
    "filename",
    "invitation_document",
    "member_label",
    "minutes_document",
    "official_moment",
    "official_time",
    "register_fields",
    "render",
    "time_range",
]

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
# The names in URLs (/meetings/<id>/documents/<which>.<fmt>) and the template kind of each.
WHICH = {"invitation": "invitation", "minutes": "minutes", "conclusion": "notice"}
# The register's type of each template kind; its symbol ("GM/BCĐ" Party, "GM-BCĐ" state) is the register's
# (documents.services.numbering.symbol_for), so the printed number reads as the register's.
TYPES = {"invitation": DocumentType.GIAY_MOI, "minutes": DocumentType.BIEN_BAN, "notice": DocumentType.THONG_BAO}
WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]
ROLE_TITLES = {
    CommitteeRole.HEAD: "Trưởng Ban Chỉ đạo",
    CommitteeRole.STANDING_DEPUTY: "Phó Trưởng Ban Thường trực Ban Chỉ đạo",
    CommitteeRole.DEPUTY: "Phó Trưởng Ban Chỉ đạo",
    CommitteeRole.MEMBER: "Ủy viên Ban Chỉ đạo",
    CommitteeRole.SECRETARIAT_LEAD: "Tổ trưởng Tổ Thư ký Ban Chỉ đạo",
    CommitteeRole.SECRETARY: "Thư ký Ban Chỉ đạo",
}
# The signer's title for the roles that sign for the committee ("T/M BAN CHỈ ĐẠO" above it).
SIGNER_TITLES = {
    CommitteeRole.HEAD: "TRƯỞNG BAN",
    CommitteeRole.STANDING_DEPUTY: "PHÓ TRƯỞNG BAN THƯỜNG TRỰC",
    CommitteeRole.DEPUTY: "PHÓ TRƯỞNG BAN",
}
_LEADING_NUMBER = re.compile(r"\s*(\d+)")


def official_time(moment: datetime) -> str:
    """ "08 giờ 00 phút" (local time)."""
    local = timezone.localtime(moment)
    return f"{local.hour:02d} giờ {local.minute:02d} phút"


def official_moment(moment: datetime) -> str:
    """The time of a meeting as an invitation writes it: "08 giờ 00 phút, thứ Ba, ngày 13 tháng 10 năm 2026"."""
    local = timezone.localtime(moment)
    return f"{official_time(local)}, {WEEKDAYS[local.weekday()]}, {official_date(local.date())}"


def time_range(starts_at: datetime, ends_at: datetime | None) -> str:
    """ "Từ 08 giờ 00 phút đến 11 giờ 30 phút, thứ Sáu, ngày 13 tháng 10 năm 2023" (one day), or both moments
    in full when the meeting runs over several days; only the start when there is no end."""
    if ends_at is None:
        return official_moment(starts_at)
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() == end.date():
        return f"Từ {official_time(start)} đến {official_time(end)}, {WEEKDAYS[start.weekday()]}, " + official_date(
            start.date()
        )
    return f"Từ {official_moment(start)} đến {official_moment(end)}"


def member_label(m: Membership) -> str:
    """ "đồng chí Bùi Văn Tuấn, Phó Bí thư Thường trực Huyện ủy, Trưởng Ban Chỉ đạo"."""
    parts = [f"đồng chí {m.person_name}", m.position.strip(), ROLE_TITLES.get(m.role, "")]
    return ", ".join(p for p in parts if p)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _number(number: str) -> str:
    """The running number of a stored number such as "45-TB/BCĐ" or "45": the template adds the layout's
    symbol, so one stored number prints as "Số 45-TB/BCĐ" (Party) or "Số: 45/TB-BCĐ" (state)."""
    match = _LEADING_NUMBER.match(number or "")
    return match.group(1) if match else (number or "").strip()


def _committee_name(committee: Committee) -> str:
    """ "Ban Chỉ đạo 35 Huyện ủy Ngọc Lặc": the committee as the body text names it."""
    return committee.name.strip() or re.sub(r"^BCĐ\b", "Ban Chỉ đạo", committee.short_name)


def _below_name(committee: Committee) -> str:
    """Who a task "below" goes to: "Ban Chỉ đạo 35 các xã, phường" (or the provinces', for the centre)."""
    short = re.sub(r"^BCĐ\b", "Ban Chỉ đạo", committee.short_name.strip() or "Ban Chỉ đạo")
    places = "các tỉnh, thành phố" if committee.org_unit.kind == "national" else "các xã, phường"
    return f"{short} {places}"


def _meeting_day(meeting: Meeting) -> date:
    return timezone.localtime(meeting.starts_at).date()


def _signer(meeting: Meeting, layout: str, prefer_chair: bool) -> Signature:
    """The chair when a head or deputy chairs (for the notice), else the committee's head."""
    chair = meeting.chair
    if prefer_chair and chair is not None and chair.role in SIGNER_TITLES:
        member = chair
    else:
        member = head_of(meeting.committee, _meeting_day(meeting))
    title = SIGNER_TITLES.get(member.role, "TRƯỞNG BAN") if member else "TRƯỞNG BAN"
    capacity = "T/M BAN CHỈ ĐẠO" if layout == "party" else "TM. BAN CHỈ ĐẠO"
    return Signature(title=title, name=member.person_name if member else "", capacity=capacity)


def _base(meeting: Meeting, kind: str, *, number: str, on: date | None, doc_type: str, subject: str, **fields):
    committee = meeting.committee
    layout = layout_of(committee)
    symbol = symbol_for(committee, TYPES[kind])
    signer = fields.pop("signer", None) or _signer(meeting, layout, prefer_chair=False)
    return OfficialDocument(
        layout=layout,
        kind=kind,
        parent_body=parent_body(committee.org_unit, layout),
        issuer=issuer_name(committee),
        number=_number(number),
        symbol=symbol,
        place=short_name(committee.org_unit),
        date=on or timezone.localdate(),
        dated=on is not None,  # a draft's day and month are written on signing
        doc_type=doc_type,
        subject=subject,
        sections=[],
        table=None,
        signer_capacity=signer.capacity,
        signer_title=signer.title,
        signer_name=signer.name,
        **fields,
    )


def _place_blocks(meeting: Meeting) -> list[Block]:
    """ "Địa điểm:" and, on a line of its own (a long link would stretch a justified line), the online link."""
    blocks = []
    if meeting.place.strip() or not meeting.online_url:
        blocks.append(Block((meeting.place.strip() or "(sẽ thông báo sau)") + ".", label="Địa điểm:"))
    if meeting.online_url:
        blocks.append(Block(meeting.online_url, label="Họp trực tuyến:"))
    return blocks


def invitation_document(meeting: Meeting) -> OfficialDocument:
    """Giấy mời (Mẫu 1.7): kính mời the invitees tới dự the meeting; chair, time, place, programme."""
    committee = meeting.committee
    invitees = list(meeting.invitees.select_related("membership", "agency").order_by("id"))
    members = sorted((i.membership for i in invitees if i.membership), key=_role_order)
    agencies = [i.agency for i in invitees if i.agency]
    lines = [f"- {_capitalised(member_label(m))};" for m in members]
    lines += [f"- Đại diện lãnh đạo {a.name};" for a in agencies]
    if lines:
        lines[-1] = lines[-1][:-1] + "."
    blocks = [Block(f"{_committee_name(committee)} trân trọng kính mời:")]
    blocks += [Block(line, style="item") for line in lines]
    blocks.append(Block(meeting.title, label="Tới dự:"))
    if meeting.chair:
        blocks.append(Block(_capitalised(member_label(meeting.chair)) + ".", label="Chủ trì:"))
    blocks.append(Block(time_range(meeting.starts_at, meeting.ends_at) + ".", label="Thời gian:"))
    blocks += _place_blocks(meeting)
    agenda = list(meeting.agenda.order_by("order"))
    if agenda:
        blocks.append(Block("", label="Chương trình:"))
        for item in agenda:
            extra = [
                f"trình bày: {item.presenter}" if item.presenter else "",
                f"{item.minutes} phút" if item.minutes else "",
            ]
            details = "; ".join(e for e in extra if e)
            blocks.append(
                Block(f"{item.order}. {item.title}" + (f" ({details})" if details else "") + ".", style="item")
            )
    blocks.append(Block("Đề nghị các đồng chí nghiên cứu tài liệu, bố trí thời gian dự họp đầy đủ, đúng giờ./."))
    return _base(
        meeting,
        "invitation",
        number=meeting.invitation_number,
        on=meeting.invited_on,
        doc_type="GIẤY MỜI",
        subject=meeting.title,
        blocks=blocks,
        recipients=["- Như thành phần mời;", "- Lưu VT."],
    )


def _role_order(m: Membership) -> int:
    return list(CommitteeRole.values).index(m.role) if m.role in CommitteeRole.values else 99


def _attendance_blocks(meeting: Meeting) -> list[Block]:
    rows = list(meeting.attendance.select_related("membership").order_by("id"))
    rows.sort(key=lambda a: _role_order(a.membership))
    if not rows:
        invited = [i.membership for i in meeting.invitees.select_related("membership") if i.membership]
        return [Block(f"- {_capitalised(member_label(m))};", style="item") for m in sorted(invited, key=_role_order)]
    present = [a for a in rows if a.status == Attendance.Status.PRESENT]
    delegated = [a for a in rows if a.status == Attendance.Status.DELEGATED]
    absent = [a for a in rows if a.status == Attendance.Status.ABSENT]
    blocks = [Block(f"- Có mặt: {len(present)}/{len(rows)} thành viên Ban Chỉ đạo:", style="item")]
    blocks += [Block(f"+ {_capitalised(member_label(a.membership))};", style="item") for a in present]
    if delegated:
        blocks.append(Block(f"- Cử người dự thay: {len(delegated)} thành viên:", style="item"))
        blocks += [
            Block(f"+ {_capitalised(a.delegate)} dự thay {member_label(a.membership)};", style="item")
            for a in delegated
        ]
    if absent:
        blocks.append(Block(f"- Vắng mặt: {len(absent)} thành viên:", style="item"))
        blocks += [
            Block(f"+ {_capitalised(member_label(a.membership))} (lý do: {a.reason});", style="item") for a in absent
        ]
    agencies = [i.agency for i in meeting.invitees.select_related("agency") if i.agency]
    if agencies:
        blocks.append(Block("- Đại biểu: đại diện lãnh đạo " + ", ".join(a.name for a in agencies) + ".", style="item"))
    return blocks


def _closing(meeting: Meeting) -> str:
    if meeting.closed_at is None:
        return "Cuộc họp kết thúc vào lúc …… giờ …… phút cùng ngày./."
    closed = timezone.localtime(meeting.closed_at)
    if closed.date() == _meeting_day(meeting):
        return f"Cuộc họp kết thúc vào lúc {official_time(closed)} cùng ngày./."
    return f"Cuộc họp kết thúc vào lúc {official_time(closed)}, {official_date(closed.date())}./."


def minutes_document(meeting: Meeting) -> OfficialDocument:
    """Biên bản (Mẫu 1.9): time and place, chair, secretary, attendees, proceedings, closing time; signed by
    the secretary (THƯ KÝ, left) and the chair (CHỦ TỌA, right)."""
    blocks = [
        Block(official_moment(meeting.starts_at) + ".", label="Thời gian bắt đầu:"),
        *_place_blocks(meeting),
        Block("", label="Thành phần tham dự:"),
        *_attendance_blocks(meeting),
        Block(_capitalised(member_label(meeting.chair)) + "." if meeting.chair else "", label="Chủ trì (chủ tọa):"),
        Block(
            _capitalised(member_label(meeting.secretary)) + "." if meeting.secretary else "",
            label="Thư ký (người ghi biên bản):",
        ),
        Block("", label="Nội dung cuộc họp:"),
    ]
    blocks += [Block(line) for line in (meeting.proceedings or "").splitlines() if line.strip()]
    blocks.append(Block(_closing(meeting)))
    signatures = [
        Signature("THƯ KÝ", meeting.secretary.person_name if meeting.secretary else ""),
        Signature("CHỦ TỌA", meeting.chair.person_name if meeting.chair else ""),
    ]
    # Closed minutes are numbered in the register (work.services.minutes_save); open ones print blanks.
    from giaoban.documents.services.numbering import issued_document_of

    registered = issued_document_of(meeting, DocumentType.BIEN_BAN)
    return _base(
        meeting,
        "minutes",
        number=registered.number if registered else "",
        on=registered.date if registered else None,
        doc_type="BIÊN BẢN",
        subject=meeting.title,
        blocks=blocks,
        signatures=signatures,
        recipients=["- Các thành viên Ban Chỉ đạo;", "- Lưu VT, hồ sơ cuộc họp."],
    )


def _task_line(committee: Committee, planned) -> str:
    lead = _below_name(committee) if planned.below else planned.agency.name
    parts = [f"- {_capitalised(planned.title.strip().rstrip('.'))}: {lead} chủ trì"]
    supporting = [a.name for a in planned.supporting.all()]
    if supporting:
        parts[0] += f", phối hợp với {', '.join(supporting)}"
    parts.append(f"thời hạn: {'trước ngày ' + short_date(planned.due_on) if planned.due_on else 'thường xuyên'}")
    return "; ".join(parts) + "."


def _meeting_phrase(meeting: Meeting) -> str:
    title = meeting.title.strip()
    return title if re.match(r"(?i)^(hội nghị|cuộc họp|phiên họp)", title) else f"Hội nghị {title}"


def _chair_phrase(meeting: Meeting, signer: Signature) -> str:
    return member_label(meeting.chair) if meeting.chair else f"đồng chí {signer.name}".strip()


def _notice_subject(meeting: Meeting, signer: Signature) -> str:
    """ "Kết luận của đồng chí …, Trưởng Ban Chỉ đạo tại Hội nghị …": the notice's subject line."""
    return f"Kết luận của {_chair_phrase(meeting, signer)} tại {_meeting_phrase(meeting)}"


def register_fields(meeting: Meeting, which: str) -> tuple[str, str]:
    """(subject line, signer's name) of the meeting's document `which` (invitation | minutes | conclusion), as
    the outgoing register records them: the same words the printed document carries."""
    layout = layout_of(meeting.committee)
    if which == "invitation":
        return f"Mời dự {_meeting_phrase(meeting)}", _signer(meeting, layout, prefer_chair=False).name
    if which == "minutes":
        return f"Biên bản {_meeting_phrase(meeting)}", meeting.chair.person_name if meeting.chair else ""
    signer = _signer(meeting, layout, prefer_chair=True)
    return _capitalised(_notice_subject(meeting, signer)), signer.name


def conclusion_document(meeting: Meeting) -> OfficialDocument:
    """Thông báo kết luận (Mẫu 1.4 / HD 36): the opening paragraph, the numbered points with their tasks
    (lead, supporting agencies, deadline), the signer and the agencies given tasks. A draft has a blank
    number and day."""
    conclusion = Conclusion.objects.get(meeting=meeting)
    committee = meeting.committee
    layout = layout_of(committee)
    signer = _signer(meeting, layout, prefer_chair=True)
    chair = meeting.chair
    chair_phrase = _chair_phrase(meeting, signer)
    chair_short = f"đồng chí {chair.person_name}" if chair else chair_phrase
    phrase = _meeting_phrase(meeting)
    opening = (
        f"Ngày {official_date(_meeting_day(meeting)).removeprefix('ngày ')}, {_committee_name(committee)} "
        f"tổ chức {phrase}. {_capitalised(chair_phrase)} chủ trì. Dự hội nghị có "
        "các đồng chí thành viên Ban Chỉ đạo và đại diện lãnh đạo các cơ quan thành viên."
    )
    blocks = [
        Block(opening),
        Block(
            f"Sau khi nghe báo cáo và ý kiến phát biểu của các đại biểu, {chair_short} kết luận như sau:",
        ),
    ]
    agencies: dict[int, str] = {}
    below = False
    points = conclusion.points.prefetch_related("planned_tasks__agency", "planned_tasks__supporting")
    for point in points:
        blocks.append(Block(point.text.strip(), label=f"{point.number}."))
        for planned in point.planned_tasks.all():
            blocks.append(Block(_task_line(committee, planned), style="item"))
            if planned.below:
                below = True
            else:
                agencies.setdefault(planned.agency_id, planned.agency.name)
    blocks.append(Block(f"{_committee_name(committee)} thông báo để các cơ quan, đơn vị biết, thực hiện./."))
    above = (
        Committee.objects.filter(org_unit_id=committee.org_unit.parent_id, dissolved_on__isnull=True)
        .order_by("pk")
        .first()
        if committee.org_unit.parent_id
        else None
    )
    recipients = [f"- {above.name} (để báo cáo);"] if above else []
    recipients += ["- Các thành viên Ban Chỉ đạo;"]
    recipients += [f"- {name};" for name in agencies.values()]
    if below:
        recipients.append(f"- {_below_name(committee)};")
    recipients.append("- Lưu VT.")
    subject = _notice_subject(meeting, signer)
    return _base(
        meeting,
        "notice",
        number=conclusion.number if conclusion.status == Conclusion.Status.ISSUED else "",
        on=conclusion.issued_on if conclusion.status == Conclusion.Status.ISSUED else None,
        doc_type="THÔNG BÁO KẾT LUẬN",
        subject=_capitalised(subject),
        blocks=blocks,
        recipients=recipients,
        signer=signer,
    )


BUILDERS = {"invitation": invitation_document, "minutes": minutes_document, "conclusion": conclusion_document}


def document(meeting: Meeting, which: str) -> OfficialDocument:
    """The document `which` (invitation | minutes | conclusion) of the meeting."""
    return BUILDERS[which](meeting)


def render(meeting: Meeting, which: str, fmt: str) -> bytes:
    """The document as .docx or .pdf bytes (a .pdf needs LibreOffice: ServiceError otherwise)."""
    doc = document(meeting, which)
    return officialdoc.render_docx(doc) if fmt == "docx" else officialdoc.render_pdf(doc)


FILE_STEMS = {"invitation": "giay-moi", "minutes": "bien-ban", "conclusion": "thong-bao-ket-luan"}


def filename(meeting: Meeting, which: str, fmt: str) -> str:
    day = _meeting_day(meeting)
    return f"{FILE_STEMS[which]}-{meeting.committee.org_unit.code}-{day:%Y%m%d}-{meeting.pk}.{fmt}"


def file_response(meeting: Meeting, which: str, fmt: str) -> HttpResponse:
    """The document as a download (a missing LibreOffice for .pdf raises ServiceError)."""
    response = HttpResponse(render(meeting, which, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename(meeting, which, fmt)}"'
    return response
