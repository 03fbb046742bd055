"""Reading an upload safely: refusing by name, type and size before reading, bounding the zip archive (no bomb),
opening it with python-calamine, spotting formula and error cells, and turning a cell into a figure."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import python_calamine
from django.utils.translation import gettext as _

from giaoban.core.formats import format_number, short_date

from .. import services
from ..models import Indicator
from . import limits
from .layout import META_MAGIC, META_SHEET, XLSX_CONTENT_TYPE, XlsxRejected

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "CORRUPT",
    "CellMarks",
    "cell_marks",
    "cell_order",
    "cell_text",
    "cell_value",
    "check_archive",
    "check_upload",
    "formula_message",
    "open_workbook",
    "read_meta",
    "rows_of",
    "too_large_message",
    "value_at",
]


# Browsers label .xlsx inconsistently (some Windows set-ups send the old Excel type); the bytes decide.
ACCEPTED_CONTENT_TYPES = {
    XLSX_CONTENT_TYPE,
    "application/octet-stream",
    "application/zip",
    "application/x-zip-compressed",
    "application/vnd.ms-excel",
    "",
}


def check_upload(name: str, content_type: str, size: int) -> None:
    """Refuse by name, declared type and size before reading a byte of the file."""
    if not name.lower().endswith(".xlsx"):
        raise XlsxRejected.one(
            _("Chỉ nhận tệp Excel .xlsx; hãy lưu tệp dưới dạng .xlsx (only .xlsx files are accepted): %s") % name
        )
    if (content_type or "").split(";")[0].strip().lower() not in ACCEPTED_CONTENT_TYPES:
        raise XlsxRejected.one(_("Kiểu tệp không phải .xlsx (the file type is not .xlsx): %s") % content_type)
    _check_size(size)


def too_large_message(size: int) -> str:
    """The message for a file of `size` bytes over limits.MAX_BYTES."""
    return _("Tệp quá lớn: %(s)s, tối đa %(m)s (file too large: %(s)s, at most %(m)s)") % {
        "s": _mb(size),
        "m": _mb(limits.MAX_BYTES),
    }


def _check_size(size: int) -> None:
    if size > limits.MAX_BYTES:
        raise XlsxRejected.one(too_large_message(size), 413)


def _mb(n: int) -> str:
    return f"{format_number(Decimal(n) / (1024 * 1024), 1)} MB"


CORRUPT = "Tệp hỏng hoặc không phải tệp Excel .xlsx (the file is corrupt or not an .xlsx workbook)"


def _too_large(size: int | None = None) -> XlsxRejected:
    what = _("hơn %s") % _mb(limits.MAX_UNCOMPRESSED) if size is None else _mb(size)
    return XlsxRejected.one(
        _(
            "Tệp giải nén quá lớn (%(s)s, tối đa %(m)s): có thể là tệp độc hại "
            "(the unpacked workbook is too large (%(s)s, at most %(m)s): possibly a zip bomb)"
        )
        % {"s": what, "m": _mb(limits.MAX_UNCOMPRESSED)},
        413,
    )


def _corrupt(member: str | None = None, why: str = "") -> XlsxRejected:
    message = _(CORRUPT)
    if member:
        message += f" — {member}: {why}"
    return XlsxRejected.one(message)


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... file name length, extra field length


def _member_size(data: bytes, info: zipfile.ZipInfo, budget: int) -> int:
    """The uncompressed size of one member, measured by inflating it in bounded steps, never taken from
    the archive's headers (a bomb declares a few KB for a GB). Stops as soon as `budget` is passed (413);
    a CRC, length or stream that does not match is a corrupt file (400)."""
    if info.flag_bits & 0x1:
        raise _corrupt(info.filename, _("tệp có mật khẩu (encrypted)"))
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _corrupt(info.filename, _("kiểu nén không hỗ trợ (unsupported compression)"))
    offset = info.header_offset
    if offset < 0 or offset + _LOCAL_HEADER.size > len(data):
        raise _corrupt(info.filename, _("sai vị trí (bad offset)"))
    header = _LOCAL_HEADER.unpack_from(data, offset)
    if header[0] != b"PK\x03\x04":
        raise _corrupt(info.filename, _("sai đầu mục (bad local header)"))
    start = offset + _LOCAL_HEADER.size + header[9] + header[10]
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise _corrupt(info.filename, _("bị cắt cụt (truncated)"))
    crc, size = 0, 0
    if info.compress_type == zipfile.ZIP_STORED:
        size, crc = len(raw), zlib.crc32(raw)
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pending: bytes | memoryview = raw
        try:
            while pending and not inflater.eof:
                chunk = inflater.decompress(pending, 1 << 20)
                pending = inflater.unconsumed_tail
                size += len(chunk)
                if size > budget:
                    raise _too_large()
                crc = zlib.crc32(chunk, crc)
        except zlib.error:
            raise _corrupt(info.filename, _("dữ liệu nén hỏng (bad deflate stream)")) from None
        if not inflater.eof:
            raise _corrupt(info.filename, _("bị cắt cụt (truncated)"))
    if size > budget:
        raise _too_large()
    if crc != info.CRC:
        raise _corrupt(info.filename, _("sai mã kiểm tra CRC (bad CRC)"))
    if size != info.file_size:
        raise _corrupt(info.filename, _("kích thước khai báo sai (declared size does not match)"))
    return size


def check_archive(data: bytes) -> None:
    """Open the zip container and refuse a corrupt, truncated or bomb-like archive before calamine reads
    it: the member count is bounded, and every member is inflated here in bounded steps, so its real
    uncompressed size (not the one its header declares) and its CRC are checked; reading stops at the
    limit. Memory stays at one chunk per member whatever the archive claims."""
    _check_size(len(data))
    if not data.startswith(b"PK\x03\x04"):
        raise XlsxRejected.one(_(CORRUPT))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
        raise XlsxRejected.one(_(CORRUPT)) from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise XlsxRejected.one(_(CORRUPT))
    if len(members) > limits.MAX_MEMBERS:
        raise XlsxRejected.one(_("Tệp có quá nhiều thành phần (too many parts in the archive)"), 413)
    total = 0
    for m in members:
        if m.is_dir():
            continue
        # A large member may not inflate more than limits.MAX_RATIO times (real workbook XML stays far below).
        cap = min(limits.MAX_UNCOMPRESSED - total, max(1024 * 1024, limits.MAX_RATIO * max(m.compress_size, 1)))
        total += _member_size(data, m, cap)


def open_workbook(data: bytes) -> python_calamine.CalamineWorkbook:
    """The upload opened with calamine, after check_archive; a corrupt file or too many sheets is refused."""
    check_archive(data)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine raises several error types for broken XML or zip entries
        raise XlsxRejected.one(_(CORRUPT)) from None
    if len(book.sheet_names) > limits.MAX_SHEETS + 1:
        raise XlsxRejected.one(
            _("Tệp có quá %(n)d trang tính (more than %(n)d sheets)") % {"n": limits.MAX_SHEETS}, 413
        )
    return book


def rows_of(book, name: str) -> list[list]:
    """A sheet's rows as lists of python values, blank cells included (a broken sheet is refused as corrupt)."""
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:
        raise XlsxRejected.one(_(CORRUPT)) from None


def value_at(rows: list[list], row: int, col: int):
    """The value at 1-based (row, col), "" when outside the used area."""
    if row - 1 < len(rows):
        r = rows[row - 1]
        if col - 1 < len(r):
            return r[col - 1]
    return ""


def cell_text(v) -> str:
    """A cell as text: whole floats without ".0", None as "", stripped."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v).strip()


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")


@dataclass
class CellMarks:
    """Cells calamine cannot be trusted with, by sheet: errors (#DIV/0!…) and formulas. Calamine reads an
    error as empty and a formula as its cached result, or as empty when the file has none (openpyxl and
    other tools save formulas without one): "no figure" would silently delete a stored one."""

    errors: dict[str, set[str]] = field(default_factory=dict)
    formulas: dict[str, set[str]] = field(default_factory=dict)


def cell_marks(data: bytes) -> CellMarks:
    """Scan each sheet's XML (bounded and CRC-checked by check_archive) for error and formula cells.
    A formula cell without a reference is marked "?" so that it is still refused."""
    found = CellMarks()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        try:
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        except KeyError:
            return found
        targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
        for name, rid in re.findall(r'<(?:\w+:)?sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', workbook):
            target = targets.get(rid, "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            try:
                xml = archive.read(path)
            except KeyError:
                continue
            name = _xml_unescape(name)
            for attrs, body in _CELL.findall(xml):
                is_error = bool(_ERROR_TYPE.search(attrs))
                is_formula = bool(body and _FORMULA.search(body))
                if not (is_error or is_formula):
                    continue
                m = _CELL_REF.search(attrs)
                cell = m.group(1).decode() if m else "?"
                target_set = found.errors if is_error else found.formulas
                target_set.setdefault(name, set()).add(cell)
    return found


def cell_order(cell: str) -> tuple[int, str]:
    """Sort key of a cell reference: by row, then column."""
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", cell)
    return (int(m.group(2)), m.group(1)) if m else (0, cell)


def formula_message() -> str:
    """The message for a cell that holds a formula instead of a typed value."""
    return _(
        "Ô chứa công thức; hãy nhập giá trị, không nhập công thức (the cell holds a formula: type the value instead)"
    )


def _xml_unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
    )


def cell_value(indicator: Indicator, raw) -> tuple[Decimal | None, str]:
    """(value, text) of a cell as calamine reads it: floats (a formula's cached result too), strings in
    Vietnamese number format, dates, booleans. ValueError says why a cell is wrong."""
    if raw is None or raw == "":
        return None, ""
    is_date = isinstance(raw, date | datetime | time | timedelta)
    if indicator.value_type == Indicator.ValueType.TEXT:
        if isinstance(raw, datetime | date):
            raw = short_date(raw)
        elif isinstance(raw, float):
            raw = format_number(raw).replace(".", "") if raw.is_integer() else format_number(raw)
        return services.parse_value(indicator, str(raw))
    if is_date:
        raise ValueError(_("Ô chứa ngày tháng, không phải số (a date, not a number)"))
    if isinstance(raw, bool):
        raise ValueError(_("Ô chứa giá trị đúng/sai, không phải số (TRUE/FALSE, not a number)"))
    if isinstance(raw, float):
        # 15 significant digits: what Excel shows; drops binary noise such as 0.30000000000000004.
        raw = Decimal(format(raw, ".15g"))
    return services.parse_value(indicator, raw)


def read_meta(book) -> tuple[dict[str, str], list[list[str]]] | None:
    """The template's hidden metadata sheet: ({layout, form, period, …}, one row per unit sheet), or None when
    the workbook has none (not a giaoban template)."""
    if META_SHEET not in book.sheet_names:
        return None
    rows = [[cell_text(v) for v in r] for r in rows_of(book, META_SHEET)]
    if not rows or rows[0][:1] != [META_MAGIC]:
        return None
    head = {r[0]: (r[1] if len(r) > 1 else "") for r in rows[1:4] if r}
    head["layout"] = rows[0][1] if len(rows[0]) > 1 else ""
    return head, [r for r in rows[5:] if any(r)]
