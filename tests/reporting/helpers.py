"""Small helpers shared by the reporting tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y: int, m: int, d: int, hh: int = 9) -> datetime:
    """A moment in Vietnam's time zone (deadlines are dates there)."""
    return datetime(y, m, d, hh, tzinfo=VN_TZ)


NGOC_LAC_NOW = [("15061", "Xã Ngọc Lặc"), ("15085", "Xã Thạch Lập")]


def ngoc_lac_tree(current_communes: list[tuple[str, str]] = NGOC_LAC_NOW) -> dict:
    """VN > Thanh Hóa > Huyện Ngọc Lặc (closed 30/06/2025) > two old communes, and current communes of
    Thanh Hóa from 01/07/2025: the few units the reporting demo needs, without the orgs demo."""
    from datetime import date

    from giaoban.orgs.services import orgunit_create as mk

    vn = mk(code="VN", name="Việt Nam", kind="national", subtype="quoc_gia", parent=None, valid_from=date(1945, 9, 2))
    th = mk(code="38", name="Tỉnh Thanh Hóa", kind="province", subtype="tinh", parent=vn, valid_from=date(1945, 9, 2))
    closed = {"valid_from": date(2020, 1, 1), "valid_to": date(2025, 6, 30)}
    district = mk(code="389", name="Huyện Ngọc Lặc", kind="district", subtype="huyen", parent=th,
                  valid_from=date(1963, 1, 1), valid_to=date(2025, 6, 30))  # fmt: skip
    for code, name in [("15064", "Thị trấn Ngọc Lặc"), ("15067", "Xã Ngọc Khê")]:
        mk(code=code, name=name, kind="commune", subtype="xa", parent=district, **closed)
    for code, name in current_communes:
        subtype = "phuong" if name.startswith("Phường") else "xa"
        mk(code=code, name=name, kind="commune", subtype=subtype, parent=th, valid_from=date(2025, 7, 1))
    for unit in (vn, th, district):
        unit.refresh_from_db()
    return {"vn": vn, "th": th, "district": district}


def commune(parent, code: str, name: str, *, old: bool = False, subtype: str = "xa"):
    """An extra commune under `parent`: current (from 01/07/2025, after the 2025 reorganisation), or with
    old=True one of before it (2020 to 30/06/2025)."""
    from datetime import date

    from giaoban.orgs.services import orgunit_create

    valid = {"valid_from": date(2020, 1, 1), "valid_to": date(2025, 6, 30)} if old else {"valid_from": date(2025, 7, 1)}
    return orgunit_create(code=code, name=name, kind="commune", subtype=subtype, parent=parent, **valid)
