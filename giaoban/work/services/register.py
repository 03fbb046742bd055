"""The documents a meeting issues (its invitation, its minutes, its conclusion notice) take their numbers from
the committee's running series and are registered as outgoing, through the one rule of
`documents.services.numbering.document_register_outgoing`: two documents never get one number.

A number the clerk types ("45", "45-TB/BCĐ") is taken when it is free (409 `number_taken` otherwise); no
number means the next one of the series. The meeting or notice keeps what the clerk typed, or the drawn
number and symbol ("01-TB/BCĐ"), so the printed document reads "Số 45-TB/BCĐ" either way.
"""

from __future__ import annotations

import re
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from giaoban.core.errors import Conflict, ServiceError
from giaoban.documents.models import Document
from giaoban.orgs.models import Committee

__all__ = ["document_issued", "issued_document_of", "typed_number"]

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
    from giaoban.documents.services.numbering import document_register_outgoing

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
