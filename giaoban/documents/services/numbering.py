"""The committee's running number series: every document giaoban issues takes its number here, so two documents
never get one number and a year's numbers have no gaps (a number is drawn in the same transaction as the
document that uses it: a rollback gives the number back)."""

from __future__ import annotations

import re
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from giaoban.core.errors import Conflict, ServiceError
from giaoban.orgs.models import Committee

from ..models import TYPE_SYMBOLS, Document, DocumentType, NumberSeries

__all__ = [
    "INCOMING_SERIES",
    "committee_abbreviation",
    "document_issued",
    "document_register_outgoing",
    "issued_document_of",
    "number_draw",
    "number_take",
    "series_key",
    "symbol_for",
    "typed_number",
]

INCOMING_SERIES = "in"


def series_key(committee: Committee, type: str) -> str:
    """A state body numbers every type in one series a year (Decree 30/2020, art. 15); a Party committee numbers
    each type in its own (HD 36-HD/VPTW)."""
    return "" if committee.layout == "state" else type


def committee_abbreviation(committee: Committee) -> str:
    """The issuer part of a symbol: the first word of the committee's short name when written in capitals
    ("BCĐ" of "BCĐ 35"), else "BCĐ"."""
    first = (committee.short_name.split() or ["BCĐ"])[0]
    return first if first.isupper() else "BCĐ"


def symbol_for(committee: Committee, type: str) -> str:
    """ "TB/BCĐ" (Party) or "TB-BCĐ" (state); a công văn's symbol is the issuer alone."""
    abbreviation = committee_abbreviation(committee)
    code = TYPE_SYMBOLS.get(type, "")
    if type == DocumentType.CONG_VAN or not code:
        return abbreviation
    return f"{code}-{abbreviation}" if committee.layout == "state" else f"{code}/{abbreviation}"


def _locked(committee: Committee, key: str, year: int) -> NumberSeries:
    NumberSeries.objects.get_or_create(committee=committee, key=key, year=year)
    return NumberSeries.objects.select_for_update().get(committee=committee, key=key, year=year)


@transaction.atomic
def number_draw(*, committee: Committee, key: str, year: int) -> int:
    """The next number of the series, under the series row's lock (PostgreSQL; SQLite has one writer)."""
    series = _locked(committee, key, year)
    series.last += 1
    series.save(update_fields=["last"])
    return series.last


@transaction.atomic
def number_take(*, committee: Committee, key: str, year: int, number: int | None = None) -> int:
    """Draw the next number, or take a number the clerk gives: refused when a document of the series holds it;
    the series moves on when it is the next one."""
    if number is None:
        return number_draw(committee=committee, key=key, year=year)
    series = _locked(committee, key, year)
    taken = Document.objects.filter(committee=committee, series=key, year=year, serial=number).exists()
    if number < 1 or taken:
        raise Conflict(
            _("Số %(number)s đã được dùng trong năm %(year)s.") % {"number": number, "year": year},
            {"number": number, "next": series.last + 1},
            code="number_taken",
        )
    if number == series.last + 1:
        series.last = number
        series.save(update_fields=["last"])
    return number


@transaction.atomic
def document_register_outgoing(
    *,
    committee: Committee,
    type: str,
    on: date,
    subject: str,
    source: models.Model | None = None,
    number: int | None = None,
    signer: str = "",
    actor=None,
) -> Document:
    """Number a document giaoban issues from the committee's series and register it as outgoing, linked to what
    it is (`source`: a conclusion notice, an invitation, a plan …). Registering the same source and type again
    returns its document unchanged: a number is never drawn twice for one document. One source may issue
    documents of several types (a meeting issues its invitation and its minutes)."""
    if source is not None:
        existing = Document.objects.filter(
            source_type=ContentType.objects.get_for_model(source),
            source_id=source.pk,
            direction="outgoing",
            type=type,
        ).first()
        if existing is not None:
            return existing
    key = series_key(committee, type)
    serial = number_take(committee=committee, key=key, year=on.year, number=number)
    doc = Document(
        committee=committee,
        direction=Document.Direction.OUTGOING,
        number=f"{serial:02d}",
        symbol=symbol_for(committee, type),
        type=type,
        date=on,
        issuer=committee.name or committee.short_name,
        subject=subject,
        signer=signer,
        series=key,
        serial=serial,
        source=source,
        created_by=actor,
    )
    doc.refresh_derived()
    doc.full_clean(exclude=["source_type", "source_id"])
    doc.save()
    return doc


# --- What a meeting, a notice or a report issues: typed or drawn numbers, registered once ---------------

_LEADING_NUMBER = re.compile(r"^\s*0*(\d{1,9})(?!\d)")


def typed_number(text: str) -> int | None:
    """The running number of what a clerk typed: "45-TB/BCĐ" -> 45, "12/GM-BCĐ" -> 12, "" -> None (draw one);
    a text that does not start with a number is refused (400, field `number`)."""
    text = (text or "").strip()
    if not text:
        return None
    match = _LEADING_NUMBER.match(text)
    if match is None:
        raise ServiceError(
            _("Số văn bản phải bắt đầu bằng một số, ví dụ 45 hoặc 45-TB/BCĐ; để trống để lấy số tiếp theo."),
            {"fields": {"number": [_("Không hợp lệ (invalid)")]}},
        )
    return int(match.group(1))


def issued_document_of(source: models.Model, type: str) -> Document | None:
    """The outgoing register's row of the document of this type that `source` issued, if registered."""
    return Document.objects.filter(
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        direction=Document.Direction.OUTGOING,
        type=type,
    ).first()


@transaction.atomic
def document_issued(
    *,
    committee: Committee,
    type: str,
    on: date,
    subject: str,
    source: models.Model,
    number: str = "",
    signer: str = "",
    actor=None,
) -> Document:
    """Register what `source` issues as outgoing, numbered from the series (or with the typed `number`). Issuing
    again (a re-sent invitation, minutes saved again) keeps the first registration; a different typed number
    then is refused (409 `number_taken`)."""
    wanted = typed_number(number)
    existing = issued_document_of(source, type)
    if existing is not None:
        if wanted is not None and wanted != existing.serial:
            raise Conflict(
                _("Văn bản này đã được vào sổ với số %(number)s.") % {"number": existing.number_symbol},
                {"number": existing.serial, "number_symbol": existing.number_symbol},
                code="number_taken",
            )
        return existing
    return document_register_outgoing(
        committee=committee,
        type=type,
        on=on,
        subject=subject,
        source=source,
        number=wanted,
        signer=signer,
        actor=actor if getattr(actor, "pk", None) else None,
    )
