"""The list of a contest's winners: .xlsx through the one table writer, .docx through the one official
document machinery (the committee's Party or state layout)."""

from __future__ import annotations

from django.db.models import Avg
from django.utils import timezone

from giaoban.core import officialdoc
from giaoban.core.formats import format_number, official_date
from giaoban.core.xlsx import Number, table_to_xlsx
from giaoban.orgs.models import Committee
from giaoban.reporting.consolidated import head_of, issuer_name, layout_of, parent_body, short_name

from .models import Contest, Entry

__all__ = ["WINNER_HEADERS", "winners", "winners_document", "winners_docx", "winners_xlsx"]

WINNER_HEADERS = ["STT", "Tác phẩm", "Tác giả", "Đơn vị", "Thể loại", "Điểm", "Giải"]


def winners(contest: Contest) -> list[Entry]:
    return list(
        Entry.objects.filter(contest=contest)
        .exclude(prize="")
        .select_related("org_unit")
        .annotate(mean=Avg("scores__score"))
        .order_by("rank", "id")
    )


def _rows(contest: Contest) -> list[list]:
    return [
        [
            n,
            e.title,
            e.authors,
            e.org_unit.name,
            e.category,
            format_number(e.mean, 2) if e.mean is not None else "",
            e.prize,
        ]
        for n, e in enumerate(winners(contest), start=1)
    ]


def winners_xlsx(contest: Contest) -> bytes:
    rows = [[*r[:5], Number(e.mean, "#,##0.00"), r[6]] for r, e in zip(_rows(contest), winners(contest), strict=True)]
    return table_to_xlsx([("Kết quả", WINNER_HEADERS, rows)], title=f"Kết quả {contest.name}")


def _committee(contest: Contest) -> Committee | None:
    return contest.committee or Committee.objects.filter(org_unit=contest.org_unit).order_by("pk").first()


def winners_document(contest: Contest) -> officialdoc.OfficialDocument:
    committee = _committee(contest)
    layout = layout_of(committee) if committee else "party"
    head = head_of(committee, timezone.localdate()) if committee else None
    intro = (
        f"{contest.organiser or (committee.name if committee else '')} tổ chức {contest.name} "
        f"từ {official_date(contest.starts_on)} đến {official_date(contest.ends_on)}. "
        f"Căn cứ kết quả chấm của Ban Giám khảo, thông báo danh sách tác phẩm đoạt giải như sau:"
    ).strip()
    return officialdoc.OfficialDocument(
        layout=layout,
        parent_body=parent_body(contest.org_unit, layout),
        issuer=issuer_name(committee) if committee else contest.organiser.upper(),
        number="",
        symbol="TB/BCĐ" if layout == "party" else "TB-BCĐ",
        place=short_name(contest.org_unit),
        date=timezone.localdate(),
        dated=False,
        doc_type="THÔNG BÁO",
        subject=f"Kết quả {contest.name}",
        sections=[officialdoc.Section("", [intro])],
        # The notice lists what the winners are known by; scores and categories stay in the .xlsx.
        table=officialdoc.Table(
            title="",
            headers=[h for i, h in enumerate(WINNER_HEADERS) if i not in (4, 5)],
            rows=[[str(c) for i, c in enumerate(r) if i not in (4, 5)] for r in _rows(contest)],
        ),
        signer_capacity="T/M BAN CHỈ ĐẠO" if layout == "party" else "TM. BAN CHỈ ĐẠO",
        signer_title="TRƯỞNG BAN",
        signer_name=head.person_name if head else "",
        recipients=["- Các đơn vị có tác phẩm đoạt giải,", "- Lưu VT."],
    )


def winners_docx(contest: Contest) -> bytes:
    return officialdoc.render_docx(winners_document(contest))
