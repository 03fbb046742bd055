"""Writes on the register: documents (typed in by a clerk), their relations and files, and the incoming register
of Decree 30/2020 Phụ lục IV with its running number per committee and year and the handling instruction that
gives a task.

Who may write: the register of a committee is kept by those with Action.MEET in its unit's subtree (secretaries,
approvers); the reference shelf (no committee) by system administrators. A handling instruction gives a task, so
it needs the assigner's right (work.services.tasks.may_assign). Pages and the API check first and answer 404 or
403; the services keep any other caller honest.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.access import Action, can, is_system_admin
from giaoban.core.errors import Conflict, Forbidden, ServiceError, TooLarge, full_clean_or_raise
from giaoban.core.text import clean_line, clean_text
from giaoban.orgs.models import Agency, Committee, OrgUnit

from ..models import Document, DocumentFile, DocumentType, IncomingEntry, Relation
from .numbering import INCOMING_SERIES, number_draw

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "DOCUMENT_FIELDS",
    "document_create",
    "document_delete",
    "document_file_add",
    "document_file_remove",
    "document_update",
    "incoming_document_register",
    "incoming_entry_create",
    "incoming_entry_update",
    "incoming_handle",
    "max_file_size",
    "may_register",
    "relation_add",
    "relation_remove",
    "sniff_content_type",
]

# The fields a clerk types for a document (the rest is derived or set by giaoban).
DOCUMENT_FIELDS = ("number", "symbol", "type", "date", "issuer", "subject", "signer")
ENTRY_FIELDS = ("received_on", "recipient", "passed_on", "notes", "deadline", "progress")
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024


def may_register(user, committee: Committee | None) -> bool:
    """Keeps the committee's register: Action.MEET in its unit's subtree; the shared reference shelf
    (committee None): a system administrator."""
    if committee is None:
        return is_system_admin(user)
    return can(user, Action.MEET, committee.org_unit.path)


def _acting_user(actor) -> bool:
    # None is the system (demo, command line, bench): the checks are for people.
    return actor is not None and getattr(actor, "is_authenticated", False)


def _require_register(actor, committee: Committee | None) -> None:
    if _acting_user(actor) and not may_register(actor, committee):
        raise Forbidden(_("Bạn không giữ sổ văn bản này (you do not keep this register)."))


def _creator(actor):
    return actor if getattr(actor, "pk", None) else None


def _clean_document(doc: Document) -> None:
    doc.number = clean_line(doc.number or "")
    doc.symbol = clean_line(doc.symbol or "")
    doc.issuer = clean_line(doc.issuer or "")
    doc.signer = clean_line(doc.signer or "")
    doc.subject = clean_text(doc.subject or "").strip()
    if doc.type not in DocumentType.values:
        raise ServiceError(
            _("Loại văn bản không hợp lệ (invalid document type): %(t)s") % {"t": doc.type},
            {"fields": {"type": [_("Không hợp lệ (invalid)")]}},
        )
    doc.refresh_derived()
    full_clean_or_raise(doc, exclude=["source_type", "source_id", "created_by"])


def _refuse_duplicate(doc: Document) -> None:
    """Two documents of one register with the same number, symbol and date are one document typed twice."""
    if not doc.number_symbol:
        return
    twin = (
        Document.objects.filter(committee=doc.committee, number_symbol=doc.number_symbol, date=doc.date)
        .exclude(pk=doc.pk)
        .values_list("pk", flat=True)
        .first()
    )
    if twin is not None:
        raise Conflict(
            _("Văn bản %(n)s ngày %(d)s đã có trong sổ (already in the register).")
            % {"n": doc.number_symbol, "d": doc.date.strftime("%d/%m/%Y")},
            {"document": twin},
            code="duplicate_document",
        )


@transaction.atomic
def document_create(
    *,
    committee: Committee | None,
    direction: str,
    type: str,
    date: date,
    issuer: str,
    subject: str,
    number: str = "",
    symbol: str = "",
    signer: str = "",
    actor=None,
) -> Document:
    """A document typed into a register (or the reference shelf when `committee` is None): an incoming one, or an
    outgoing one issued outside giaoban (what giaoban issues goes through numbering.document_register_outgoing)."""
    _require_register(actor, committee)
    if direction not in Document.Direction.values:
        raise ServiceError(
            _("Chiều văn bản không hợp lệ (direction must be incoming or outgoing)."),
            {"fields": {"direction": [_("Không hợp lệ (invalid)")]}},
        )
    doc = Document(
        committee=committee,
        direction=direction,
        number=number,
        symbol=symbol,
        type=type,
        date=date,
        issuer=issuer,
        subject=subject,
        signer=signer,
        created_by=_creator(actor),
    )
    _clean_document(doc)
    _refuse_duplicate(doc)
    doc.save()
    return doc


def _lock(document: Document, expected_version: int | None) -> Document:
    locked = Document.objects.select_for_update(of=("self",)).select_related("committee__org_unit").get(pk=document.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Văn bản vừa được người khác cập nhật; hãy tải lại (the document was changed by someone else; reload)."),
            {"version": locked.version},
        )
    return locked


@transaction.atomic
def document_update(*, document: Document, actor=None, expected_version: int | None = None, **changes) -> Document:
    """Change the typed fields (DOCUMENT_FIELDS). A document numbered from giaoban's series keeps its number,
    symbol, type and year: the series must not get a gap or a twin."""
    unknown = set(changes) - set(DOCUMENT_FIELDS)
    if unknown:
        raise ServiceError(
            _("Không sửa được (not editable): %(f)s") % {"f": ", ".join(sorted(unknown))},
            {"fields": {f: [_("Không sửa được (not editable)")] for f in sorted(unknown)}},
        )
    doc = _lock(document, expected_version)
    _require_register(actor, doc.committee)
    year = doc.year
    for name, value in changes.items():
        setattr(doc, name, value if value is not None else "")
    _clean_document(doc)
    if doc.serial is not None:
        fixed = {"number": document.number, "symbol": document.symbol, "type": document.type}
        moved = [f for f, v in fixed.items() if getattr(doc, f) != v] + (["date"] if doc.year != year else [])
        if moved:
            raise ServiceError(
                _("Văn bản lấy số từ sổ của Ban: không đổi được số, ký hiệu, loại hay năm (numbered from the series)."),
                {"fields": {f: [_("Không sửa được (not editable)")] for f in moved}},
            )
    _refuse_duplicate(doc)
    doc.version += 1
    doc.save(update_fields=[*DOCUMENT_FIELDS, "number_symbol", "year", "search_text", "version", "updated_at"])
    return doc


@transaction.atomic
def document_delete(*, document: Document, actor=None) -> None:
    """Delete a document typed by mistake, only when nothing refers to it: no incoming entry, no relation to it,
    no cascade, not numbered by giaoban nor issued from a giaoban object. Its own relations and files go with it."""
    doc = _lock(document, None)
    _require_register(actor, doc.committee)
    held = {
        "incoming_entries": doc.incoming_entries.exists(),
        "related_from": doc.related_from.exists(),
        "cascades": doc.cascades.exists() or doc.implements_cascades.exists(),
        "series": doc.serial is not None or doc.source_id is not None,
    }
    if any(held.values()):
        raise Conflict(
            _("Văn bản đang được dùng (vào sổ, được dẫn chiếu hoặc đã gửi); không xóa được (the document is in use)."),
            {"in_use": sorted(k for k, v in held.items() if v)},
            code="in_use",
        )
    stored = [f.file.name for f in doc.files.all()]
    doc.delete()
    storage = DocumentFile._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in stored])


# --- Relations -------------------------------------------------------------------------------------------------


@transaction.atomic
def relation_add(*, source: Document, target: Document, kind: str, actor=None) -> Relation:
    """`source` implements / replaces / amends / guides `target`; written in the source's register."""
    _require_register(actor, source.committee)
    if kind not in Relation.Kind.values:
        raise ServiceError(
            _("Quan hệ không hợp lệ (kind must be one of %(k)s).") % {"k": ", ".join(Relation.Kind.values)},
            {"fields": {"kind": [_("Không hợp lệ (invalid)")]}},
        )
    if source.pk == target.pk:
        raise ServiceError(
            _("Văn bản không thể liên quan với chính nó (a document cannot relate to itself)."),
            {"fields": {"target": [_("Không hợp lệ (invalid)")]}},
        )
    if Relation.objects.filter(source=source, target=target, kind=kind).exists():
        raise Conflict(_("Quan hệ này đã có (this relation exists)."), code="duplicate_relation")
    return Relation.objects.create(source=source, target=target, kind=kind)


@transaction.atomic
def relation_remove(*, relation: Relation, actor=None) -> None:
    _require_register(actor, relation.source.committee)
    relation.delete()


# --- Files -----------------------------------------------------------------------------------------------------

# Extension -> the content type a file of that kind has; the content decides, the name must agree.
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
_OOXML_PARTS = {
    "word/document.xml": ".docx",
    "xl/workbook.xml": ".xlsx",
    "ppt/presentation.xml": ".pptx",
}
_ODF = {
    b"application/vnd.oasis.opendocument.text": ".odt",
    b"application/vnd.oasis.opendocument.spreadsheet": ".ods",
}


def max_file_size() -> int:
    """Bytes a document file may have (setting DOCUMENTS_MAX_FILE_SIZE, 20 MiB by default)."""
    return int(getattr(settings, "DOCUMENTS_MAX_FILE_SIZE", DEFAULT_MAX_FILE_SIZE))


def _zip_kind(fileobj) -> str | None:
    # Only the central directory is read (names), and the ODF `mimetype` entry, which is stored uncompressed.
    try:
        with zipfile.ZipFile(fileobj) as zf:
            names = set(zf.namelist())
            for part, ext in _OOXML_PARTS.items():
                if part in names and "[Content_Types].xml" in names:
                    return ext
            if "mimetype" in names and zf.getinfo("mimetype").file_size < 100:
                with zf.open("mimetype") as fh:
                    return _ODF.get(fh.read(100).strip())
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, RuntimeError, NotImplementedError):
        return None
    return None


def sniff_content_type(fileobj, name: str) -> str | None:
    """The content type of a file from its first bytes (and, for Office/ODF zips, its parts), when it is one
    the register keeps and its name's extension agrees; None otherwise. The client's content type is ignored."""
    ext = os.path.splitext(name or "")[1].lower()
    if ext not in ALLOWED_TYPES:
        return None
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    kinds: set[str] = set()
    if head.startswith(b"%PDF-"):
        kinds = {".pdf"}
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kinds = {".png"}
    elif head.startswith(b"\xff\xd8\xff"):
        kinds = {".jpg", ".jpeg"}
    elif head[:4] in (b"II*\x00", b"MM\x00*"):
        kinds = {".tif", ".tiff"}
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: Word 97-2003 or Excel 97-2003
        kinds = {".doc", ".xls"}
    elif head.startswith(b"PK\x03\x04"):
        data = fileobj.read()
        fileobj.seek(0)
        found = _zip_kind(io.BytesIO(data))
        kinds = {found} if found else set()
    return ALLOWED_TYPES[ext] if ext in kinds else None


@transaction.atomic
def document_file_add(*, document: Document, upload, actor=None) -> DocumentFile:
    """Store a file of the document through Django's storage (MEDIA_ROOT or S3-compatible, by STORAGES): at
    most max_file_size() bytes, of a kind the register keeps (PDF, Word, Excel, PowerPoint, ODF, PNG, JPEG,
    TIFF), the kind read from its content."""
    _require_register(actor, document.committee)
    limit = max_file_size()
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if size > limit:
        raise TooLarge(
            _("Tệp quá lớn: tối đa %(limit)s MB (file too large).") % {"limit": f"{limit / 1024 / 1024:g}"},
            {"limit": limit, "size": size},
        )
    name = clean_line(os.path.basename(getattr(upload, "name", "") or ""))[:255]
    if size == 0 or not name:
        raise ServiceError(_("Tệp trống (empty file)."), {"fields": {"file": [_("Tệp trống (empty file)")]}})
    content_type = sniff_content_type(upload, name)
    if content_type is None:
        raise ServiceError(
            _(
                "Chỉ nhận tệp PDF, Word, Excel, PowerPoint, ODF hoặc ảnh, đúng với phần mở rộng của tên tệp "
                "(only PDF, Word, Excel, PowerPoint, ODF or image files whose content matches their extension)."
            ),
            {"fields": {"file": [_("Loại tệp không được nhận (file type not accepted)")]}},
            code="unsupported_file_type",
        )
    stored = DocumentFile(
        document=document, name=name, size=size, content_type=content_type, uploaded_by=_creator(actor)
    )
    stored.file.save(name, upload, save=False)
    name_in_storage = stored.file.name
    try:
        stored.save()
    except Exception:
        stored.file.storage.delete(name_in_storage)
        raise
    return stored


@transaction.atomic
def document_file_remove(*, file: DocumentFile, actor=None) -> None:
    _require_register(actor, file.document.committee)
    name, storage = file.file.name, file.file.storage
    file.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- The incoming register (Decree 30/2020, Phụ lục IV) -------------------------------------------------------


def _check_entry(entry: IncomingEntry) -> None:
    if entry.passed_on and entry.passed_on < entry.received_on:
        raise ServiceError(
            _("Ngày chuyển trước ngày đến (passed on before it was received)."),
            {"fields": {"passed_on": [_("Trước ngày đến (before received_on)")]}},
        )
    if entry.received_on < entry.document.date:
        raise ServiceError(
            _("Ngày đến trước ngày ban hành văn bản (received before the document's date)."),
            {"fields": {"received_on": [_("Trước ngày ban hành (before the document's date)")]}},
        )
    entry.recipient = clean_line(entry.recipient or "")
    entry.notes = clean_text(entry.notes or "").strip()
    entry.progress = clean_text(entry.progress or "").strip()


@transaction.atomic
def incoming_entry_create(
    *,
    committee: Committee,
    document: Document,
    received_on: date,
    recipient: str = "",
    passed_on: date | None = None,
    notes: str = "",
    deadline: date | None = None,
    progress: str = "",
    actor=None,
) -> IncomingEntry:
    """Enter a document into the committee's incoming register: the next running number of the year received
    (series "in", drawn under the series row's lock, so concurrent clerks never get one number or leave a gap)."""
    _require_register(actor, committee)
    if IncomingEntry.objects.filter(committee=committee, document=document).exists():
        raise Conflict(
            _("Văn bản đã có trong sổ văn bản đến của Ban (already in the committee's incoming register)."),
            {"document": document.pk},
            code="already_registered",
        )
    entry = IncomingEntry(
        committee=committee,
        document=document,
        year=received_on.year,
        serial=0,
        received_on=received_on,
        recipient=recipient,
        passed_on=passed_on,
        notes=notes,
        deadline=deadline,
        progress=progress,
        created_by=_creator(actor),
    )
    _check_entry(entry)
    full_clean_or_raise(entry, exclude=["serial", "created_by"])
    entry.serial = number_draw(committee=committee, key=INCOMING_SERIES, year=entry.year)
    entry.save()
    return entry


@transaction.atomic
def incoming_document_register(
    *,
    committee: Committee,
    type: str,
    date: date,
    issuer: str,
    subject: str,
    received_on: date,
    number: str = "",
    symbol: str = "",
    signer: str = "",
    recipient: str = "",
    passed_on: date | None = None,
    notes: str = "",
    deadline: date | None = None,
    progress: str = "",
    actor=None,
) -> IncomingEntry:
    """A document received (typed in) and its line of the incoming register, in one step: both or neither."""
    doc = document_create(
        committee=committee,
        direction=Document.Direction.INCOMING,
        type=type,
        date=date,
        issuer=issuer,
        subject=subject,
        number=number,
        symbol=symbol,
        signer=signer,
        actor=actor,
    )
    return incoming_entry_create(
        committee=committee,
        document=doc,
        received_on=received_on,
        recipient=recipient,
        passed_on=passed_on,
        notes=notes,
        deadline=deadline,
        progress=progress,
        actor=actor,
    )


@transaction.atomic
def incoming_entry_update(*, entry: IncomingEntry, actor=None, **changes) -> IncomingEntry:
    """Change a line's received day (within its year: the running number is the year's), recipient, day passed
    on, notes, deadline or progress."""
    unknown = set(changes) - set(ENTRY_FIELDS)
    if unknown:
        raise ServiceError(
            _("Không sửa được (not editable): %(f)s") % {"f": ", ".join(sorted(unknown))},
            {"fields": {f: [_("Không sửa được (not editable)")] for f in sorted(unknown)}},
        )
    entry = (
        IncomingEntry.objects.select_for_update(of=("self",))
        .select_related("committee__org_unit", "document")
        .get(pk=entry.pk)
    )
    _require_register(actor, entry.committee)
    for name, value in changes.items():
        setattr(entry, name, ("" if value is None and name in ("recipient", "notes", "progress") else value))
    if entry.received_on is None or entry.received_on.year != entry.year:
        raise ServiceError(
            _("Ngày đến phải trong năm %(y)s của số đến (received_on must stay in the entry's year).")
            % {"y": entry.year},
            {"fields": {"received_on": [_("Khác năm (another year)")]}},
        )
    _check_entry(entry)
    full_clean_or_raise(entry, exclude=["created_by"])
    entry.save(update_fields=list(changes) or ["received_on"])
    return entry


@transaction.atomic
def incoming_handle(
    *,
    entry: IncomingEntry,
    title: str,
    actor=None,
    agency: Agency | None = None,
    unit: OrgUnit | None = None,
    supporting: Iterable[Agency] = (),
    due_on: date | None = None,
    description: str = "",
    assigned_on: date | None = None,
):
    """A handling instruction on an incoming document (lead agency or a committee below, supporting agencies,
    deadline): a task of the committee (source INCOMING, `Task.incoming` = the entry), given and followed up
    through work.services.tasks like any other. The entry's deadline is the task's when it had none."""
    from giaoban.work.models import Task
    from giaoban.work.services.tasks import task_create

    entry = (
        IncomingEntry.objects.select_for_update(of=("self",))
        .select_related("committee__org_unit", "document")
        .get(pk=entry.pk)
    )
    task = task_create(
        committee=entry.committee,
        title=(title or "").strip() or entry.document.subject[:500],
        description=description,
        agency=agency,
        unit=unit,
        supporting=supporting,
        due_on=due_on,
        assigned_on=assigned_on or timezone.localdate(),
        reference=str(entry.document)[:200],
        actor=actor,
    )
    task.source, task.incoming = Task.Source.INCOMING, entry
    task.save(update_fields=["source", "incoming"])
    if due_on and entry.deadline is None:
        entry.deadline = due_on
        entry.save(update_fields=["deadline"])
    return task
