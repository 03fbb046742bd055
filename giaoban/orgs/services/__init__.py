"""Writes on org units, successions, committees and roles. Every multi-row write is all or nothing."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from giaoban.core import csvfile
from giaoban.core.dates import parse_date
from giaoban.core.errors import RowErrors, ServiceError
from giaoban.core.text import clean_line, fold, sort_key, strip_unit_prefix

from ..models import Committee, CommitteeRole, Decision, Membership, OrgUnit, Succession

NATIONAL_CODE = "VN"
VN_START = date(2025, 7, 1)  # the two-level local government took effect (Resolution 202/2025/QH15)

SUBTYPE_KIND = {
    OrgUnit.Subtype.QUOC_GIA: OrgUnit.Kind.NATIONAL,
    OrgUnit.Subtype.TINH: OrgUnit.Kind.PROVINCE,
    OrgUnit.Subtype.HUYEN: OrgUnit.Kind.DISTRICT,
    OrgUnit.Subtype.QUAN: OrgUnit.Kind.DISTRICT,
    OrgUnit.Subtype.THI_XA: OrgUnit.Kind.DISTRICT,
    OrgUnit.Subtype.XA: OrgUnit.Kind.COMMUNE,
    OrgUnit.Subtype.PHUONG: OrgUnit.Kind.COMMUNE,
    OrgUnit.Subtype.DAC_KHU: OrgUnit.Kind.COMMUNE,
    OrgUnit.Subtype.THI_TRAN: OrgUnit.Kind.COMMUNE,
}
# "thành phố" is a province (trực thuộc TW) or a district (thuộc tỉnh).
SUBTYPE_KINDS_EXTRA = {
    (OrgUnit.Subtype.THANH_PHO, OrgUnit.Kind.PROVINCE),
    (OrgUnit.Subtype.THANH_PHO, OrgUnit.Kind.DISTRICT),
}


def _subtype_fits(subtype: str, kind: str) -> bool:
    return SUBTYPE_KIND.get(subtype) == kind or (subtype, kind) in SUBTYPE_KINDS_EXTRA


def _fill_derived(unit: OrgUnit) -> None:
    unit.name_folded = fold(unit.name)
    unit.sort_key = sort_key(strip_unit_prefix(unit.name))


@dataclass
class NewUnit:
    code: str
    name: str
    kind: str
    subtype: str
    parent_code: str | None
    valid_from: date
    valid_to: date | None = None


def _insert_units(new_units: list[NewUnit]) -> list[OrgUnit]:
    """Insert units whose parents exist or come earlier in the list; paths computed in bulk.

    Units are never re-parented, so a path, once given, is final.
    """
    by_code: dict[str, OrgUnit] = {}
    parent_codes = {u.parent_code for u in new_units if u.parent_code}
    existing = {u.code: u for u in OrgUnit.objects.filter(code__in=parent_codes)}
    next_step: dict[str | None, int] = {}

    def step_for(parent: OrgUnit | None) -> int:
        key = parent.path if parent else None
        if key not in next_step:
            if parent is None:
                last = OrgUnit.objects.filter(depth=1).aggregate(m=Max("path"))["m"]
            elif parent.pk is None:
                last = None
            else:
                last = OrgUnit.objects.filter(parent=parent).aggregate(m=Max("path"))["m"]
            next_step[key] = OrgUnit._str2int(last[-OrgUnit.steplen :]) + 1 if last else 1
        n = next_step[key]
        next_step[key] = n + 1
        return n

    to_create: list[OrgUnit] = []
    child_counts: dict[str, int] = defaultdict(int)
    for nu in new_units:
        parent = by_code.get(nu.parent_code) or existing.get(nu.parent_code) if nu.parent_code else None
        depth = parent.depth + 1 if parent else 1
        path = OrgUnit._get_path(parent.path if parent else "", depth, step_for(parent))
        unit = OrgUnit(
            code=nu.code,
            name=nu.name,
            kind=nu.kind,
            subtype=nu.subtype,
            parent=parent,
            path=path,
            depth=depth,
            numchild=0,
            valid_from=nu.valid_from,
            valid_to=nu.valid_to,
        )
        _fill_derived(unit)
        if parent is not None:
            if parent.pk is None:
                parent.numchild += 1
            else:
                child_counts[parent.code] += 1
        by_code[nu.code] = unit
        to_create.append(unit)
    # Parents created in this batch must be saved before their children's FKs point at them.
    for depth in sorted({u.depth for u in to_create}):
        level = [u for u in to_create if u.depth == depth]
        for u in level:
            u.parent = by_code.get(u.parent.code, u.parent) if u.parent else None
        bulk_create_with_history(level, OrgUnit, batch_size=500)
    if not all(u.pk for u in to_create):  # backends that don't return ids from bulk inserts
        ids = dict(OrgUnit.objects.filter(code__in=by_code).values_list("code", "pk"))
        for u in to_create:
            u.pk = ids[u.code]
    for code, n in child_counts.items():
        parent = existing[code]
        parent.numchild += n
        OrgUnit.objects.filter(pk=parent.pk).update(numchild=parent.numchild)
    return to_create


@transaction.atomic
def orgunit_create(
    *,
    code: str,
    name: str,
    kind: str,
    subtype: str,
    parent: OrgUnit | None,
    valid_from: date,
    valid_to: date | None = None,
) -> OrgUnit:
    errors = RowErrors()
    code, name = clean_line(code or ""), clean_line(name or "")
    _check_unit(
        errors,
        None,
        code=code,
        name=name,
        kind=kind,
        subtype=subtype,
        valid_from=valid_from,
        valid_to=valid_to,
        parent=parent,
    )
    if OrgUnit.objects.filter(code=code).exists():
        errors.add(None, "code", _("Mã %(code)s đã được dùng (codes are never reused).") % {"code": code})
    if parent is not None and name and valid_from:
        for sibling in _namesakes(parent.pk, name):
            if _overlap(valid_from, valid_to, sibling.valid_from, sibling.valid_to):
                errors.add(None, "name", _sibling_message(sibling))
    errors.raise_if_any(_("Không tạo được đơn vị (unit not created)."))
    return _insert_units([NewUnit(code, name, kind, subtype, parent.code if parent else None, valid_from, valid_to)])[0]


def _check_unit(errors: RowErrors, row: int | None, *, code, name, kind, subtype, valid_from, valid_to, parent) -> None:
    if not code:
        errors.add(row, "code", _("Thiếu mã đơn vị (code is required)."))
    if not name:
        errors.add(row, "name", _("Thiếu tên đơn vị (name is required)."))
    if kind not in OrgUnit.Kind.values:
        errors.add(
            row,
            "kind",
            _("Cấp không hợp lệ: '%(v)s' (kind must be one of %(c)s).")
            % {"v": kind, "c": ", ".join(OrgUnit.Kind.values)},
        )
    if subtype not in OrgUnit.Subtype.values:
        errors.add(
            row,
            "subtype",
            _("Loại không hợp lệ: '%(v)s' (subtype must be one of %(c)s).")
            % {"v": subtype, "c": ", ".join(OrgUnit.Subtype.values)},
        )
    elif kind in OrgUnit.Kind.values and not _subtype_fits(subtype, kind):
        errors.add(
            row,
            "subtype",
            _("Loại '%(s)s' không thuộc cấp '%(k)s' (subtype does not fit the kind).") % {"s": subtype, "k": kind},
        )
    if valid_from and valid_to and valid_to < valid_from:
        errors.add(row, "valid_to", _("Ngày kết thúc trước ngày bắt đầu (valid_to is before valid_from)."))
    if parent is not None and kind in OrgUnit.Kind.values:
        if OrgUnit.KIND_DEPTH[OrgUnit.Kind(parent.kind)] >= OrgUnit.KIND_DEPTH[OrgUnit.Kind(kind)]:
            errors.add(
                row,
                "parent_code",
                _("Đơn vị cấp trên '%(p)s' không ở cấp cao hơn (parent must be a higher level).") % {"p": parent.code},
            )
        if valid_from and (
            parent.valid_from > valid_from or (parent.valid_to and (valid_to is None or valid_to > parent.valid_to))
        ):
            errors.add(
                row,
                "valid_from",
                _(
                    "Thời gian hiệu lực nằm ngoài thời gian hiệu lực của đơn vị cấp trên %(p)s (validity overlaps outside the parent's)."
                )
                % {"p": parent.code},
            )
    if parent is None and kind in OrgUnit.Kind.values and kind != OrgUnit.Kind.NATIONAL:
        errors.add(row, "parent_code", _("Thiếu đơn vị cấp trên (parent_code is required below national level)."))


UNIT_COLUMNS = ["code", "name", "kind", "subtype", "parent_code", "valid_from", "valid_to"]
SUCCESSION_COLUMNS = ["predecessor_code", "successor_code", "date", "kind", "share", "note"]


def read_csv(data: bytes | str, columns: list[str], errors: RowErrors) -> list[tuple[int, dict[str, str]]]:
    """Rows numbered as a spreadsheet shows them (header = row 1); see giaoban.core.csvfile.read_csv."""
    rows = csvfile.read_csv(data, columns, errors, optional={"valid_to", "share", "note"})
    if not rows and not errors:
        errors.add(None, None, _("Tệp không có dòng dữ liệu nào (no data rows)."))
    return rows


def _date_cell(errors: RowErrors, row: int, column: str, value: str) -> date | None:
    try:
        return parse_date(value)
    except ValueError as exc:
        errors.add(row, column, str(exc))
        return None


@transaction.atomic
def orgunits_import_csv(data: bytes | str) -> list[OrgUnit]:
    """Import units from CSV (UNIT_COLUMNS). The file is checked whole; any bad row writes nothing."""
    errors = RowErrors()
    rows = read_csv(data, UNIT_COLUMNS, errors)
    if not rows:  # otherwise the file's own problems are listed with every other error below
        errors.raise_if_any(_("Tệp không hợp lệ (invalid file)."))
    codes_in_file: dict[str, int] = {}
    for row, r in rows:
        if r["code"] in codes_in_file:
            errors.add(
                row,
                "code",
                _("Mã %(c)s trùng với dòng %(r)s (duplicate code in file).")
                % {"c": r["code"], "r": codes_in_file[r["code"]]},
            )
        elif r["code"]:
            codes_in_file[r["code"]] = row
    taken = set(OrgUnit.objects.filter(code__in=list(codes_in_file)).values_list("code", flat=True))
    for code in taken:
        errors.add(
            codes_in_file[code],
            "code",
            _("Mã %(c)s đã có trong hệ thống; mã không được dùng lại (code already exists).") % {"c": code},
        )
    parents_db = {
        u.code: u for u in OrgUnit.objects.filter(code__in={r["parent_code"] for _, r in rows if r["parent_code"]})
    }
    file_rows = {r["code"]: (row, r) for row, r in rows if r["code"]}

    # Cycles among parent references inside the file (A under B under A).
    for code in file_rows:
        seen, cur = set(), code
        while cur in file_rows and cur not in seen:
            seen.add(cur)
            cur = file_rows[cur][1]["parent_code"]
        if cur in seen and cur == code:
            errors.add(
                file_rows[code][0],
                "parent_code",
                _("Vòng lặp cấp trên: %(c)s nằm dưới chính nó (parent cycle).") % {"c": code},
            )

    parsed: dict[str, NewUnit] = {}
    for row, r in rows:
        vf = _date_cell(errors, row, "valid_from", r["valid_from"])
        vt = _date_cell(errors, row, "valid_to", r["valid_to"])
        if vf is None and r["valid_from"] == "":
            errors.add(row, "valid_from", _("Thiếu ngày hiệu lực (valid_from is required)."))
        parsed[r["code"]] = NewUnit(r["code"], r["name"], r["kind"], r["subtype"], r["parent_code"] or None, vf, vt)

    order: list[NewUnit] = []
    placed: set[str] = set()

    def place(code: str, trail: set[str]) -> None:
        if code in placed or code in trail or code not in parsed:
            return
        nu = parsed[code]
        if nu.parent_code in parsed:
            place(nu.parent_code, trail | {code})
        placed.add(code)
        order.append(nu)

    same_name: dict[tuple[str, str], list[tuple[int, NewUnit]]] = {}
    siblings_db: dict[tuple[str, str], list[OrgUnit]] = defaultdict(list)
    for sibling in OrgUnit.objects.filter(parent__in=list(parents_db.values())).select_related("parent"):
        siblings_db[(_name_key(sibling.name), sibling.parent.code)].append(sibling)
    for row, r in rows:
        nu = parsed[r["code"]]
        parent: Any = None
        if nu.parent_code:
            parent = parents_db.get(nu.parent_code)
            if parent is None and nu.parent_code in parsed:
                p = parsed[nu.parent_code]
                parent = OrgUnit(
                    code=p.code, kind=p.kind, valid_from=p.valid_from or date.min, valid_to=p.valid_to, depth=0
                )
            if parent is None:
                errors.add(
                    row, "parent_code", _("Không có đơn vị cấp trên mã %(c)s (unknown parent).") % {"c": nu.parent_code}
                )
        _check_unit(
            errors,
            row,
            code=nu.code,
            name=nu.name,
            kind=nu.kind,
            subtype=nu.subtype,
            valid_from=nu.valid_from,
            valid_to=nu.valid_to,
            parent=parent,
        )
        # Two units of the same name under the same parent may not be valid at the same time: not two rows of
        # the file, nor a row and a unit already recorded under that parent.
        key = (_name_key(r["name"]), r["parent_code"])
        for other_row, on in same_name.get(key, []):
            if nu.valid_from and on.valid_from and _overlap(nu.valid_from, nu.valid_to, on.valid_from, on.valid_to):
                errors.add(
                    row,
                    "valid_from",
                    _("Trùng tên và thời gian hiệu lực với dòng %(r)s (overlapping validity).") % {"r": other_row},
                )
        if r["name"]:
            same_name.setdefault(key, []).append((row, nu))
        if nu.valid_from and r["name"] and nu.parent_code in parents_db:
            for sibling in siblings_db.get(key, []):
                if _overlap(nu.valid_from, nu.valid_to, sibling.valid_from, sibling.valid_to):
                    errors.add(row, "name", _sibling_message(sibling))
        place(r["code"], set())
    errors.raise_if_any(_("Tệp có lỗi; chưa ghi dòng nào (the file has errors; nothing was written)."))
    return _insert_units(order)


def _name_key(name: str) -> str:
    """Names compared as a reader sees them: same letters, whatever the case or Unicode composition."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _namesakes(parent_id: int, name: str) -> list[OrgUnit]:
    key = _name_key(name)
    return [u for u in OrgUnit.objects.filter(parent_id=parent_id) if _name_key(u.name) == key]


def _sibling_message(sibling: OrgUnit) -> str:
    return _(
        "Đã có đơn vị %(c)s cùng tên dưới cùng đơn vị cấp trên, có hiệu lực cùng thời gian "
        "(a unit of this name under this parent, %(c)s, is valid at the same time)."
    ) % {"c": sibling.code}


def _overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from <= (b_to or date.max) and b_from <= (a_to or date.max)


@transaction.atomic
def successions_import_csv(data: bytes | str) -> list[Succession]:
    errors = RowErrors()
    rows = read_csv(data, SUCCESSION_COLUMNS, errors)
    if not rows:  # otherwise the file's own problems are listed with every other error below
        errors.raise_if_any(_("Tệp không hợp lệ (invalid file)."))
    codes = {r[c] for _, r in rows for c in ("predecessor_code", "successor_code") if r[c]}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    items = []
    for row, r in rows:
        pred, succ = units.get(r["predecessor_code"]), units.get(r["successor_code"])
        for col, unit in (("predecessor_code", pred), ("successor_code", succ)):
            if unit is None:
                errors.add(row, col, _("Không có đơn vị mã '%(c)s' (unknown unit).") % {"c": r[col]})
        day = _date_cell(errors, row, "date", r["date"])
        if day is None and not r["date"]:
            errors.add(row, "date", _("Thiếu ngày (date is required)."))
        share = Decimal(1)
        if r["share"]:
            try:
                share = Decimal(r["share"].replace(",", "."))
            except InvalidOperation:
                errors.add(
                    row, "share", _("Tỷ lệ không phải là số: '%(v)s' (share is not a number).") % {"v": r["share"]}
                )
        items.append((row, pred, succ, day, r["kind"], share, r["note"]))
    for row, pred, succ, day, kind, share, _note in items:
        _check_succession(errors, row, pred, succ, day, kind, share)
    _check_lineage_graph(errors, [(row, p, s) for row, p, s, *_ in items if p and s])
    _check_split_shares(errors, [(row, p, k, sh) for row, p, _s, _d, k, sh, _n in items if p])
    errors.raise_if_any(_("Tệp có lỗi; chưa ghi dòng nào (the file has errors; nothing was written)."))
    objs = [Succession(predecessor=p, successor=s, date=d, kind=k, share=sh, note=n) for _, p, s, d, k, sh, n in items]
    return bulk_create_with_history(objs, Succession)


def _check_succession(errors: RowErrors, row, pred, succ, day, kind, share) -> None:
    if kind not in Succession.Kind.values:
        errors.add(
            row,
            "kind",
            _("Hình thức không hợp lệ: '%(v)s' (kind must be one of %(c)s).")
            % {"v": kind, "c": ", ".join(Succession.Kind.values)},
        )
    if not (Decimal(0) < share <= Decimal(1)):
        errors.add(row, "share", _("Tỷ lệ phải lớn hơn 0 và không quá 1 (share must be in (0, 1])."))
    if pred is not None and succ is not None:
        if pred.pk == succ.pk:
            errors.add(row, "successor_code", _("Đơn vị không thể kế thừa chính nó (a unit cannot succeed itself)."))
        elif day is not None:
            if pred.valid_to is None or pred.valid_to >= day:
                errors.add(
                    row,
                    "date",
                    _(
                        "Đơn vị %(c)s chưa kết thúc hiệu lực trước ngày %(d)s (predecessor must be closed before the date)."
                    )
                    % {"c": pred.code, "d": day.strftime("%d/%m/%Y")},
                )
            if not succ.is_valid_on(day):
                errors.add(
                    row,
                    "date",
                    _("Đơn vị %(c)s không có hiệu lực vào ngày %(d)s (successor not valid on the date).")
                    % {"c": succ.code, "d": day.strftime("%d/%m/%Y")},
                )
        if Succession.objects.filter(predecessor=pred, successor=succ).exists():
            errors.add(row, "successor_code", _("Quan hệ kế thừa này đã có (succession already recorded)."))


def _check_lineage_graph(errors: RowErrors, new_edges: list[tuple[int, OrgUnit, OrgUnit]]) -> None:
    graph: dict[int, set[int]] = defaultdict(set)
    for p, s in Succession.objects.values_list("predecessor_id", "successor_id"):
        graph[p].add(s)
    for _row, p, s in new_edges:
        graph[p.pk].add(s.pk)
    for row, p, s in new_edges:
        # A cycle through this edge exists if p is reachable again from s.
        stack, seen = [s.pk], set()
        while stack:
            cur = stack.pop()
            if cur == p.pk and p.pk != s.pk:
                errors.add(
                    row,
                    "successor_code",
                    _("Tạo thành vòng kế thừa giữa %(a)s và %(b)s (succession cycle).") % {"a": p.code, "b": s.code},
                )
                break
            if cur in seen:
                continue
            seen.add(cur)
            stack.extend(graph.get(cur, ()))


def _check_split_shares(errors: RowErrors, items) -> None:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    rows_of: dict[int, list[int]] = defaultdict(list)
    preds = {p.pk: p for _, p, _, _ in items}
    for pk, share in Succession.objects.filter(predecessor_id__in=preds, kind=Succession.Kind.SPLIT).values_list(
        "predecessor_id", "share"
    ):
        totals[pk] += share
    for row, p, kind, share in items:
        if kind == Succession.Kind.SPLIT:
            totals[p.pk] += share
            rows_of[p.pk].append(row)
    for pk, total in totals.items():
        if total > 1 and rows_of[pk]:
            errors.add(
                rows_of[pk][-1],
                "share",
                _("Tổng tỷ lệ chia tách của %(c)s vượt quá 1 (%(t)s) (split shares exceed 1).")
                % {"c": preds[pk].code, "t": total},
            )


@transaction.atomic
def succession_create(
    *, predecessor: OrgUnit, successor: OrgUnit, date: date, kind: str, share: Decimal = Decimal(1), note: str = ""
) -> Succession:
    errors = RowErrors()
    _check_succession(errors, None, predecessor, successor, date, kind, Decimal(share))
    _check_lineage_graph(errors, [(None, predecessor, successor)])
    _check_split_shares(errors, [(None, predecessor, kind, Decimal(share))])
    errors.raise_if_any(_("Không ghi được quan hệ kế thừa (succession not recorded)."))
    succession = Succession(predecessor=predecessor, successor=successor, date=date, kind=kind, share=share, note=note)
    succession.save()
    return succession


@transaction.atomic
def orgunit_close(*, unit: OrgUnit, valid_to: date) -> OrgUnit:
    if valid_to < unit.valid_from:
        raise ServiceError(_("Ngày kết thúc trước ngày bắt đầu (valid_to is before valid_from)."))
    if OrgUnit.objects.filter(parent=unit).exclude(valid_to__lte=valid_to).exists():
        raise ServiceError(_("Còn đơn vị cấp dưới có hiệu lực sau ngày này (close the units below first)."))
    unit.valid_to = valid_to
    unit.save(update_fields=["valid_to"])
    return unit


@dataclass
class LoadResult:
    created: int
    updated: int
    total: int


@transaction.atomic
def orgunits_load_vn() -> LoadResult:
    """Today's 34 provinces and 3,321 communes from the vietnam-provinces package; idempotent."""
    from vietnam_provinces import Province, Ward

    province_subtype = {"tỉnh": OrgUnit.Subtype.TINH, "thành phố trung ương": OrgUnit.Subtype.THANH_PHO}
    ward_subtype = {"xã": OrgUnit.Subtype.XA, "phường": OrgUnit.Subtype.PHUONG, "đặc khu": OrgUnit.Subtype.DAC_KHU}
    wanted: list[NewUnit] = [
        NewUnit(NATIONAL_CODE, "Việt Nam", OrgUnit.Kind.NATIONAL, OrgUnit.Subtype.QUOC_GIA, None, date(1945, 9, 2))
    ]
    for p in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        name = p.name if p.name.startswith(("Thành phố", "Tỉnh")) else f"Tỉnh {p.name}"
        wanted.append(
            NewUnit(
                f"{int(p.code):02d}",
                name,
                OrgUnit.Kind.PROVINCE,
                province_subtype[p.division_type.value],
                NATIONAL_CODE,
                VN_START,
            )
        )
    for w in sorted(Ward.iter_all(), key=lambda w: int(w.code)):
        wanted.append(
            NewUnit(
                f"{int(w.code):05d}",
                w.name,
                OrgUnit.Kind.COMMUNE,
                ward_subtype[w.division_type.value],
                f"{int(w.province_code):02d}",
                VN_START,
            )
        )

    existing = {u.code: u for u in OrgUnit.objects.filter(code__in=[w.code for w in wanted])}
    updated = 0
    for nu in wanted:
        unit = existing.get(nu.code)
        if unit is None:
            continue
        if unit.parent_id and unit.parent.code != nu.parent_code:
            raise ServiceError(
                _(
                    "Đơn vị %(c)s đã có với cấp trên khác; đơn vị không được chuyển cấp trên (units are never re-parented)."
                )
                % {"c": nu.code}
            )
        if unit.name != nu.name:
            unit.name = nu.name
            _fill_derived(unit)
            unit.save(update_fields=["name", "name_folded", "sort_key"])
            updated += 1
    missing = [nu for nu in wanted if nu.code not in existing]
    # A province whose history the demo extends keeps its earlier valid_from: never move it later.
    created = _insert_units(missing) if missing else []
    return LoadResult(created=len(created), updated=updated, total=len(wanted))


@transaction.atomic
def committee_reconstitute(
    *,
    committee: Committee,
    number: str,
    date: date,
    issuer: str = "",
    subject: str = "",
    end: list[Membership] | None = None,
    start: list[dict[str, Any]] | None = None,
    kind: str = Decision.Kind.RECONSTITUTE,
    actor=None,
) -> Decision:
    """A kiện toàn decision: ends some memberships the day before `date`, starts others on `date`."""
    number, issuer, subject = clean_line(number or ""), clean_line(issuer or ""), clean_line(subject or "")
    start = [
        {**s, **{k: clean_line(str(s[k])) for k in ("person_name", "position") if isinstance(s.get(k), str)}}
        for s in (start or [])
    ]
    errors = RowErrors()
    if committee.dissolved_on is not None and date > committee.dissolved_on:
        errors.add(
            None,
            "date",
            _("Ban đã giải thể từ ngày %(d)s; không kiện toàn được nữa.")
            % {"d": committee.dissolved_on.strftime("%d/%m/%Y")},
        )
    if not number:
        errors.add(None, "number", _("Thiếu số quyết định (decision number is required)."))
    elif Decision.objects.filter(committee=committee, number=number).exists():
        errors.add(None, "number", _("Quyết định %(n)s đã được ghi (decision already recorded).") % {"n": number})
    end = end or []
    start = start or []
    for m in end:
        if m.committee_id != committee.pk:
            errors.add(
                None,
                "end",
                _("Thành viên %(p)s không thuộc Ban này (not a member of this committee).") % {"p": m.person_name},
            )
        elif m.end_date is not None:
            errors.add(
                None,
                "end",
                _("%(p)s đã thôi tham gia từ %(d)s (membership already ended).")
                % {"p": m.person_name, "d": m.end_date.strftime("%d/%m/%Y")},
            )
        elif m.start_date >= date:
            errors.add(
                None,
                "end",
                _("%(p)s bắt đầu sau ngày quyết định (membership starts after the decision).") % {"p": m.person_name},
            )
    for i, s in enumerate(start, start=1):
        if not s.get("person_name"):
            errors.add(i, "person_name", _("Thiếu họ tên (person_name is required)."))
        if s.get("role") not in CommitteeRole.values:
            errors.add(
                i,
                "role",
                _("Vai trò không hợp lệ (role must be one of %(c)s).") % {"c": ", ".join(CommitteeRole.values)},
            )
    if not start and not end:
        errors.add(None, None, _("Quyết định không thay đổi thành viên nào (the decision changes no membership)."))
    errors.raise_if_any(_("Không ghi được quyết định kiện toàn (decision not recorded)."))

    decision = Decision(committee=committee, kind=kind, number=number, date=date, issuer=issuer, subject=subject)
    decision.full_clean()
    if actor is not None:  # the audit trail names who recorded it (else the request's user, if any)
        decision._history_user = actor
    decision.save()
    for m in end:
        m.end_date = date - timedelta(days=1)
        m.ended_by = decision
        if actor is not None:
            m._history_user = actor
        m.save(update_fields=["end_date", "ended_by"])
    for s in start:
        m = Membership(
            committee=committee,
            person_name=s["person_name"],
            position=s.get("position", ""),
            agency=s.get("agency"),
            role=s["role"],
            start_date=date,
            appointed_by=decision,
        )
        m.full_clean()
        if actor is not None:
            m._history_user = actor
        m.save()
    return decision
