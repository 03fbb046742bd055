"""Demo data for the orgs app: Vietnam's real hierarchy, the old Ngọc Lặc district of Thanh Hóa with its
successions, BCĐ 35 committees with invented members, and one demo user per role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from giaoban.core.access import Role
from giaoban.core.errors import ServiceError

from . import services
from .models import Agency, Committee, CommitteeRole, Membership, OrgUnit, Succession, UserRole

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoSummary", "load"]

# For the demo only: printed by `giaoban demo --logins`, so it is public. Never use it on a real site.
DEMO_PASSWORD = "giaoban-demo-2025"  # noqa: S105

DEMO_USERS: list[dict[str, Any]] = [
    {
        "username": "admin",
        "role": Role.SYSTEM_ADMIN,
        "unit": "VN",
        "unit_name": "Việt Nam",
        "last_name": "Nguyễn Quốc",
        "first_name": "Toàn",
    },
    {
        "username": "quantri.thanhhoa",
        "role": Role.UNIT_ADMIN,
        "unit": "38",
        "unit_name": "Tỉnh Thanh Hóa",
        "last_name": "Lê Minh",
        "first_name": "Quân",
    },
    {
        "username": "thuky.ngoclac",
        "role": Role.SECRETARY,
        "unit": "15061",
        "unit_name": "Xã Ngọc Lặc",
        "last_name": "Phạm Thị",
        "first_name": "Thu",
    },
    {
        "username": "duyet.thanhhoa",
        "role": Role.APPROVER,
        "unit": "38",
        "unit_name": "Tỉnh Thanh Hóa",
        "last_name": "Trịnh Văn",
        "first_name": "Duyệt",
    },
    {
        "username": "thanhvien.thanhhoa",
        "role": Role.MEMBER,
        "unit": "38",
        "unit_name": "Tỉnh Thanh Hóa",
        "last_name": "Hoàng Thị",
        "first_name": "Vân",
    },
    {
        "username": "xem.trunguong",
        "role": Role.VIEWER,
        "unit": "VN",
        "unit_name": "Việt Nam",
        "last_name": "Đỗ Văn",
        "first_name": "Xuân",
    },
    {
        # Enters the old district's reports (e.g. the first nine months of 2023) as history.
        "username": "thuky.huyenngoclac",
        "role": Role.SECRETARY,
        "unit": "389",
        "unit_name": "Huyện Ngọc Lặc, đến 30/06/2025",
        "last_name": "Bùi Thị",
        "first_name": "Hạnh",
    },
]

PROVINCE_CODE = "38"
# The province existed long before 2025 and kept its boundaries on 2025-07-01, so it is the same unit
# with an earlier start; it must also cover the district's 1963 start, hence the national start date.
PROVINCE_SINCE = date(1945, 9, 2)
DISTRICT_CODE = "389"  # huyện Ngọc Lặc's code in the pre-2025 list; districts have 3-digit codes
DISTRICT_SINCE = date(1963, 1, 1)
OLD_SINCE = date(2020, 1, 1)  # the communes as they stood after Thanh Hóa's 2019-2020 arrangement
OLD_END = date(2025, 6, 30)
NEW_START = services.VN_START
REORG_NOTE = "Sắp xếp đơn vị hành chính cấp xã, hiệu lực 01/07/2025 (dữ liệu minh họa)"

# The old communes' codes are illustrative: today's communes reuse some pre-2025 codes and codes are
# never reused here, so these are 15xxx codes that no current commune holds. The mapping into today's
# communes is simplified for the demo.
OLD_COMMUNES: list[tuple[str, str, str]] = [
    ("15064", "Thị trấn Ngọc Lặc", OrgUnit.Subtype.THI_TRAN),
    ("15067", "Xã Ngọc Khê", OrgUnit.Subtype.XA),
    ("15070", "Xã Mỹ Tân", OrgUnit.Subtype.XA),
    ("15073", "Xã Thúy Sơn", OrgUnit.Subtype.XA),
    ("15076", "Xã Thạch Lập", OrgUnit.Subtype.XA),
    ("15079", "Xã Quang Trung", OrgUnit.Subtype.XA),
    ("15082", "Xã Lam Sơn", OrgUnit.Subtype.XA),
    ("15088", "Xã Ngọc Liên", OrgUnit.Subtype.XA),
    ("15094", "Xã Minh Sơn", OrgUnit.Subtype.XA),
    ("15097", "Xã Minh Tiến", OrgUnit.Subtype.XA),
    ("15100", "Xã Nguyệt Ấn", OrgUnit.Subtype.XA),
    ("15103", "Xã Phùng Giáo", OrgUnit.Subtype.XA),
    ("15106", "Xã Kiên Thọ", OrgUnit.Subtype.XA),
    ("15109", "Xã Phùng Minh", OrgUnit.Subtype.XA),
]

# (old code, current code, kind, share). Thúy Sơn is split; the others merge whole.
COMMUNE_SUCCESSIONS: list[tuple[str, str, str, str]] = [
    ("15064", "15061", Succession.Kind.MERGE, "1"),
    ("15067", "15061", Succession.Kind.MERGE, "1"),
    ("15070", "15061", Succession.Kind.MERGE, "1"),
    ("15073", "15061", Succession.Kind.SPLIT, "0.6"),
    ("15073", "15085", Succession.Kind.SPLIT, "0.4"),
    ("15076", "15085", Succession.Kind.MERGE, "1"),
    ("15079", "15085", Succession.Kind.MERGE, "1"),
    ("15082", "15091", Succession.Kind.MERGE, "1"),
    ("15088", "15091", Succession.Kind.MERGE, "1"),
    ("15094", "15124", Succession.Kind.MERGE, "1"),
    ("15097", "15124", Succession.Kind.MERGE, "1"),
    ("15100", "15115", Succession.Kind.MERGE, "1"),
    ("15103", "15115", Succession.Kind.MERGE, "1"),
    ("15106", "15118", Succession.Kind.MERGE, "1"),
    ("15109", "15118", Succession.Kind.MERGE, "1"),
]

# The district's own figures are restated into the six communes that took its territory; shares sum to 1.
DISTRICT_SHARES: list[tuple[str, str]] = [
    ("15061", "0.30"),
    ("15085", "0.20"),
    ("15091", "0.15"),
    ("15124", "0.15"),
    ("15115", "0.10"),
    ("15118", "0.10"),
]

KIEN_TOAN_DATE = date(2025, 8, 15)


@dataclass
class DemoSummary:
    units: int
    successions: int
    committees: int
    memberships: int
    users: int

    def __str__(self) -> str:
        return _(
            "%(units)d đơn vị, %(successions)d quan hệ kế thừa, %(committees)d Ban Chỉ đạo, "
            "%(memberships)d lượt thành viên, %(users)d người dùng (%(units)d units, %(successions)d successions, "
            "%(committees)d committees, %(memberships)d memberships, %(users)d users)"
        ) % vars(self)


@transaction.atomic
def load() -> DemoSummary:
    """Build the orgs part of the demo into an empty database (the command checks that it is empty)."""
    services.orgunits_load_vn()
    province = OrgUnit.objects.get(code=PROVINCE_CODE)
    orgunit_extend_back(unit=province, valid_from=PROVINCE_SINCE)
    district = _load_old_district(province)
    committees = _load_committees(OrgUnit.objects.get(code=services.NATIONAL_CODE), province, district)
    users = _load_users()
    return DemoSummary(
        units=OrgUnit.objects.count(),
        successions=Succession.objects.count(),
        committees=len(committees),
        memberships=Membership.objects.count(),
        users=len(users),
    )


@transaction.atomic
def orgunit_extend_back(*, unit: OrgUnit, valid_from: date) -> OrgUnit:
    """Move a unit's start earlier: the same unit existed before the date it was first loaded with."""
    if valid_from > unit.valid_from:
        raise ServiceError(_("Chỉ được lùi ngày bắt đầu hiệu lực (valid_from can only move earlier)."))
    if unit.parent_id and unit.parent.valid_from > valid_from:
        raise ServiceError(
            _("Ngày bắt đầu trước ngày hiệu lực của đơn vị cấp trên %(p)s (before the parent's start).")
            % {"p": unit.parent.code}
        )
    unit.valid_from = valid_from
    unit.full_clean(exclude=["path", "name_folded", "sort_key"])
    unit.save(update_fields=["valid_from"])
    return unit


def _load_old_district(province: OrgUnit) -> OrgUnit:
    district = services.orgunit_create(
        code=DISTRICT_CODE,
        name="Huyện Ngọc Lặc",
        kind=OrgUnit.Kind.DISTRICT,
        subtype=OrgUnit.Subtype.HUYEN,
        parent=province,
        valid_from=DISTRICT_SINCE,
        valid_to=OLD_END,
    )
    old = {
        code: services.orgunit_create(
            code=code,
            name=name,
            kind=OrgUnit.Kind.COMMUNE,
            subtype=subtype,
            parent=district,
            valid_from=OLD_SINCE,
            valid_to=OLD_END,
        )
        for code, name, subtype in OLD_COMMUNES
    }
    current = {u.code: u for u in OrgUnit.objects.filter(code__in=[code for code, _share in DISTRICT_SHARES])}
    for old_code, new_code, kind, share in COMMUNE_SUCCESSIONS:
        services.succession_create(
            predecessor=old[old_code],
            successor=current[new_code],
            date=NEW_START,
            kind=kind,
            share=Decimal(share),
            note=REORG_NOTE,
        )
    for new_code, share in DISTRICT_SHARES:
        services.succession_create(
            predecessor=district,
            successor=current[new_code],
            date=NEW_START,
            kind=Succession.Kind.SPLIT,
            share=Decimal(share),
            note=_("Kết thúc hoạt động cấp huyện; số liệu của huyện phân bổ theo tỷ lệ (minh họa)."),
        )
    district.refresh_from_db()
    return district


# Member lists: (person name, position, agency key, committee role). Every name is invented.
Roster = list[tuple[str, str, str, str]]

NATIONAL_AGENCIES = {
    "tgdv": ("Ban Tuyên giáo và Dân vận Trung ương", "BTGDVTW", False),
    "ca": ("Bộ Công an", "BCA", True),
    "qp": ("Bộ Quốc phòng", "BQP", True),
    "mttq": ("Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam", "UBTWMTTQVN", False),
    "doan": ("Trung ương Đoàn Thanh niên Cộng sản Hồ Chí Minh", "TWĐ", False),
    "vh": ("Bộ Văn hóa, Thể thao và Du lịch", "BVHTTDL", True),
}
NATIONAL_ROSTER: Roster = [
    ("Nguyễn Văn Khánh", "Lãnh đạo Trung ương", "tgdv", CommitteeRole.HEAD),
    ("Trần Đình Hải", "Phó Trưởng Ban Tuyên giáo và Dân vận Trung ương", "tgdv", CommitteeRole.STANDING_DEPUTY),
    ("Lê Thị Mai Phương", "Thứ trưởng Bộ Văn hóa, Thể thao và Du lịch", "vh", CommitteeRole.DEPUTY),
    ("Phạm Quốc Bảo", "Thứ trưởng Bộ Công an", "ca", CommitteeRole.MEMBER),
    ("Đặng Văn Trường", "Phó Chủ nhiệm Tổng cục Chính trị", "qp", CommitteeRole.MEMBER),
    ("Vũ Thị Hồng Nhung", "Phó Chủ tịch Ủy ban Trung ương MTTQ Việt Nam", "mttq", CommitteeRole.MEMBER),
    ("Ngô Thanh Tùng", "Bí thư Trung ương Đoàn", "doan", CommitteeRole.MEMBER),
    ("Hà Minh Đức", "Vụ trưởng, Ban Tuyên giáo và Dân vận Trung ương", "tgdv", CommitteeRole.SECRETARIAT_LEAD),
    ("Đinh Thị Lan Anh", "Chuyên viên, Ban Tuyên giáo và Dân vận Trung ương", "tgdv", CommitteeRole.SECRETARY),
]

PROVINCE_AGENCIES = {
    # Shown under its 2025 name: it took over the Ban Tuyên giáo Tỉnh ủy's standing role.
    "tgdv": ("Ban Tuyên giáo và Dân vận Tỉnh ủy Thanh Hóa", "BTGDVTU", False),
    "ca": ("Công an tỉnh Thanh Hóa", "CAT", True),
    "qs": ("Bộ Chỉ huy Quân sự tỉnh Thanh Hóa", "BCHQST", True),
    "mttq": ("Ủy ban MTTQ Việt Nam tỉnh Thanh Hóa", "UBMTTQT", False),
    "doan": ("Tỉnh đoàn Thanh Hóa", "TĐ", False),
    "vh": ("Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa", "SVHTTDL", True),
    "bao": ("Báo và Phát thanh, Truyền hình Thanh Hóa", "BPTTH", True),
    "ldld": ("Liên đoàn Lao động tỉnh Thanh Hóa", "LĐLĐ", False),
}
PROVINCE_ROSTER: Roster = [
    ("Lê Văn Hoành", "Phó Bí thư Thường trực Tỉnh ủy", "tgdv", CommitteeRole.HEAD),
    ("Nguyễn Thị Thanh Hương", "Trưởng Ban Tuyên giáo và Dân vận Tỉnh ủy", "tgdv", CommitteeRole.STANDING_DEPUTY),
    ("Trịnh Xuân Lộc", "Phó Chủ tịch UBND tỉnh", "vh", CommitteeRole.DEPUTY),
    ("Hoàng Văn Sáng", "Phó Giám đốc Công an tỉnh", "ca", CommitteeRole.MEMBER),
    ("Mai Đức Thịnh", "Chính ủy Bộ Chỉ huy Quân sự tỉnh", "qs", CommitteeRole.MEMBER),
    ("Lê Thị Hoa", "Phó Chủ tịch Ủy ban MTTQ Việt Nam tỉnh", "mttq", CommitteeRole.MEMBER),
    ("Vũ Tiến Dũng", "Bí thư Tỉnh đoàn", "doan", CommitteeRole.MEMBER),
    ("Cao Văn Thắng", "Giám đốc Sở Văn hóa, Thể thao và Du lịch", "vh", CommitteeRole.MEMBER),
    ("Lường Thị Yến", "Tổng Biên tập Báo và Phát thanh, Truyền hình Thanh Hóa", "bao", CommitteeRole.MEMBER),
    ("Đỗ Mạnh Cường", "Phó Trưởng Ban Tuyên giáo và Dân vận Tỉnh ủy", "tgdv", CommitteeRole.SECRETARIAT_LEAD),
    ("Phạm Thu Trang", "Chuyên viên Ban Tuyên giáo và Dân vận Tỉnh ủy", "tgdv", CommitteeRole.SECRETARY),
]
# The kiện toàn ends two memberships and starts two: the deputy retires; the MTTQ member becomes deputy
# (a role change is one membership ended and another started, so history shows both); the trade union
# joins with a new member.
PROVINCE_LEAVING = ["Trịnh Xuân Lộc"]
PROVINCE_ROLE_CHANGE = ("Lê Thị Hoa", "Chủ tịch Ủy ban MTTQ Việt Nam tỉnh", "mttq", CommitteeRole.DEPUTY)
PROVINCE_JOINING = ("Lò Văn Phong", "Phó Chủ tịch Liên đoàn Lao động tỉnh", "ldld", CommitteeRole.MEMBER)

DISTRICT_AGENCIES = {
    "tg": ("Ban Tuyên giáo Huyện ủy Ngọc Lặc", "BTGHU", False),
    "ca": ("Công an huyện Ngọc Lặc", "CAH", True),
    "qs": ("Ban Chỉ huy Quân sự huyện Ngọc Lặc", "BCHQSH", True),
    "mttq": ("Ủy ban MTTQ Việt Nam huyện Ngọc Lặc", "UBMTTQH", False),
    "doan": ("Huyện đoàn Ngọc Lặc", "HĐ", False),
    "vh": ("Trung tâm Văn hóa, Thông tin và Thể thao huyện Ngọc Lặc", "TTVHTTTT", True),
}
DISTRICT_ROSTER: Roster = [
    ("Bùi Văn Tuấn", "Phó Bí thư Thường trực Huyện ủy", "tg", CommitteeRole.HEAD),
    ("Phạm Văn Nghĩa", "Trưởng Ban Tuyên giáo Huyện ủy", "tg", CommitteeRole.STANDING_DEPUTY),
    ("Quách Thị Hiền", "Phó Chủ tịch UBND huyện", "vh", CommitteeRole.DEPUTY),
    ("Lê Đình Khôi", "Phó Trưởng Công an huyện", "ca", CommitteeRole.MEMBER),
    ("Trương Văn Hậu", "Chính trị viên Ban Chỉ huy Quân sự huyện", "qs", CommitteeRole.MEMBER),
    ("Hà Thị Liên", "Phó Chủ tịch Ủy ban MTTQ Việt Nam huyện", "mttq", CommitteeRole.MEMBER),
    ("Nguyễn Đức Mạnh", "Bí thư Huyện đoàn", "doan", CommitteeRole.MEMBER),
    ("Lê Thị Ngân", "Giám đốc Trung tâm Văn hóa, Thông tin và Thể thao huyện", "vh", CommitteeRole.MEMBER),
    ("Phạm Thị Oanh", "Phó Trưởng Ban Tuyên giáo Huyện ủy", "tg", CommitteeRole.SECRETARIAT_LEAD),
    ("Trần Văn Quyết", "Chuyên viên Ban Tuyên giáo Huyện ủy", "tg", CommitteeRole.SECRETARY),
]


def _agencies_create(unit: OrgUnit, specs: dict[str, tuple[str, str, bool]]) -> dict[str, Agency]:
    agencies = {}
    for key, (name, short_name, is_state_body) in specs.items():
        agency = Agency(name=name, short_name=short_name, org_unit=unit, is_state_body=is_state_body)
        agency.full_clean()
        agency.save()
        agencies[key] = agency
    return agencies


def _committee_establish(
    *,
    unit: OrgUnit,
    name: str,
    standing_agency: Agency,
    agencies: dict[str, Agency],
    roster: Roster,
    number: str,
    on: date,
    issuer: str,
) -> Committee:
    committee = Committee(
        name=name, short_name="BCĐ 35", org_unit=unit, standing_agency=standing_agency, established_on=on
    )
    committee.full_clean()
    committee.save()
    services.committee_reconstitute(
        committee=committee,
        number=number,
        date=on,
        issuer=issuer,
        subject=f"Về việc thành lập {name}",
        kind="establish",
        start=[
            {"person_name": person, "position": position, "agency": agencies[key], "role": role}
            for person, position, key, role in roster
        ],
    )
    return committee


def _committee_dissolve(*, committee: Committee, on: date) -> Committee:
    """The district committee ended with its district: its members' terms end that day, no new decision."""
    committee.dissolved_on = on
    committee.save(update_fields=["dissolved_on"])
    for m in committee.memberships.filter(end_date__isnull=True):
        m.end_date = on
        m.save(update_fields=["end_date"])
    return committee


def _load_committees(nation: OrgUnit, province: OrgUnit, district: OrgUnit) -> list[Committee]:
    # Decision numbers and dates are invented for the demo.
    agencies = _agencies_create(nation, NATIONAL_AGENCIES)
    national = _committee_establish(
        unit=nation,
        name="Ban Chỉ đạo 35 Trung ương",
        standing_agency=agencies["tgdv"],
        agencies=agencies,
        roster=NATIONAL_ROSTER,
        number="135-QĐ/TW",
        on=date(2021, 3, 10),
        issuer="Ban Chấp hành Trung ương",
    )

    agencies = _agencies_create(province, PROVINCE_AGENCIES)
    provincial = _committee_establish(
        unit=province,
        name="Ban Chỉ đạo 35 Tỉnh ủy Thanh Hóa",
        standing_agency=agencies["tgdv"],
        agencies=agencies,
        roster=PROVINCE_ROSTER,
        number="1520-QĐ/TU",
        on=date(2020, 11, 20),
        issuer="Ban Thường vụ Tỉnh ủy Thanh Hóa",
    )
    members = {m.person_name: m for m in provincial.memberships.all()}
    services.committee_reconstitute(
        committee=provincial,
        number="3456-QĐ/TU",
        date=KIEN_TOAN_DATE,
        issuer="Ban Thường vụ Tỉnh ủy Thanh Hóa",
        subject="Về việc kiện toàn Ban Chỉ đạo 35 Tỉnh ủy Thanh Hóa",
        end=[members[name] for name in [*PROVINCE_LEAVING, PROVINCE_ROLE_CHANGE[0]]],
        start=[
            {"person_name": person, "position": position, "agency": agencies[key], "role": role}
            for person, position, key, role in (PROVINCE_ROLE_CHANGE, PROVINCE_JOINING)
        ],
    )

    agencies = _agencies_create(district, DISTRICT_AGENCIES)
    district_committee = _committee_establish(
        unit=district,
        name="Ban Chỉ đạo 35 Huyện ủy Ngọc Lặc",
        standing_agency=agencies["tg"],
        agencies=agencies,
        roster=DISTRICT_ROSTER,
        number="215-QĐ/HU",
        on=date(2020, 9, 15),
        issuer="Ban Thường vụ Huyện ủy Ngọc Lặc",
    )
    _committee_dissolve(committee=district_committee, on=OLD_END)
    return [national, provincial, district_committee]


def _load_users() -> list[Any]:
    user_model = get_user_model()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={spec["unit"] for spec in DEMO_USERS})}
    # One hash for all: hashing is deliberately slow, and the password is public anyway.
    password = make_password(DEMO_PASSWORD)
    users = []
    for spec in DEMO_USERS:
        is_admin = spec["role"] == Role.SYSTEM_ADMIN
        user = user_model(
            username=spec["username"],
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            email=f"{spec['username']}@example.invalid",
            password=password,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        user.save()
        UserRole.objects.create(user=user, role=spec["role"], org_unit=units[spec["unit"]])
        users.append(user)
    return users
