"""Shared fixtures: a small unit tree with a reorganisation, users holding each role, and the English catalog."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.contrib.auth import get_user_model

import giaoban
from giaoban.core.access import Role
from giaoban.orgs import services
from giaoban.orgs.models import OrgUnit, UserRole

OLD_END = date(2025, 6, 30)
NEW_START = date(2025, 7, 1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 at Django's default cost takes ~0.3 s a user; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_optional(settings):
    # force_login() cannot pass a second factor: the suite signs in without one, and the tests of two-factor
    # sign-in (tests/accounts) turn the requirement back on.
    settings.TWO_FACTOR_REQUIRED_ROLES = []


@pytest.fixture(autouse=True)
def _vietnamese_first():
    # A request in English leaves English active in the thread that ran it (the test client's); every test
    # starts, as a user does, in the default language.
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.activate("vi")


@pytest.fixture
def compiled_locale(settings, tmp_path):
    """Django reads the English catalog compiled from django.po now, never a stale .mo left in the tree."""
    po = Path(giaoban.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with po.open("rb") as source, (target / "django.mo").open("wb") as fh:
        write_mo(fh, read_po(source, locale="en", abort_invalid=True))
    settings.LOCALE_PATHS = [tmp_path]  # setting_changed resets Django's translation cache
    return tmp_path


class Tree:
    """VN > P1 (province) > {old district D1 (closed) > C1, C2, C3 (closed)}, {N1, N2 (new communes)};
    VN > P2 > Q1. C1 + C2 merged into N1; C3 split 60/40 into N1 and N2."""

    def __init__(self) -> None:
        mk = services.orgunit_create
        self.vn = mk(
            code="VN", name="Việt Nam", kind="national", subtype="quoc_gia", parent=None, valid_from=date(1945, 9, 2)
        )
        self.p1 = mk(
            code="38",
            name="Tỉnh Thanh Hóa",
            kind="province",
            subtype="tinh",
            parent=self.vn,
            valid_from=date(1990, 1, 1),
        )
        self.p2 = mk(
            code="01",
            name="Thành phố Hà Nội",
            kind="province",
            subtype="thanh_pho",
            parent=self.vn,
            valid_from=date(1990, 1, 1),
        )
        self.d1 = mk(
            code="389",
            name="Huyện Ngọc Lặc",
            kind="district",
            subtype="huyen",
            parent=self.p1,
            valid_from=date(2000, 1, 1),
            valid_to=OLD_END,
        )
        self.c1 = mk(
            code="90001",
            name="Thị trấn Ngọc Lặc",
            kind="commune",
            subtype="thi_tran",
            parent=self.d1,
            valid_from=date(2020, 1, 1),
            valid_to=OLD_END,
        )
        self.c2 = mk(
            code="90002",
            name="Xã Ngọc Khê",
            kind="commune",
            subtype="xa",
            parent=self.d1,
            valid_from=date(2020, 1, 1),
            valid_to=OLD_END,
        )
        self.c3 = mk(
            code="90003",
            name="Xã Thúy Sơn",
            kind="commune",
            subtype="xa",
            parent=self.d1,
            valid_from=date(2020, 1, 1),
            valid_to=OLD_END,
        )
        self.n1 = mk(
            code="15061", name="Xã Ngọc Lặc", kind="commune", subtype="xa", parent=self.p1, valid_from=NEW_START
        )
        self.n2 = mk(
            code="15085", name="Xã Thạch Lập", kind="commune", subtype="xa", parent=self.p1, valid_from=NEW_START
        )
        self.q1 = mk(
            code="00004", name="Phường Ba Đình", kind="commune", subtype="phuong", parent=self.p2, valid_from=NEW_START
        )
        for pred, succ, kind, share in [
            (self.c1, self.n1, "merge", 1),
            (self.c2, self.n1, "merge", 1),
            (self.c3, self.n1, "split", "0.6"),
            (self.c3, self.n2, "split", "0.4"),
        ]:
            services.succession_create(predecessor=pred, successor=succ, date=NEW_START, kind=kind, share=share)
        for u in (self.vn, self.p1, self.p2, self.d1):
            u.refresh_from_db()


@pytest.fixture
def tree(db) -> Tree:
    return Tree()


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(role: str | None = None, unit: OrgUnit | None = None, *, password: str = "matkhau-an-toan-123", **extra):
        counter["n"] += 1
        agency = extra.pop("agency", None)
        user = get_user_model().objects.create_user(
            username=extra.pop("username", f"user{counter['n']}"), password=password, **extra
        )
        if role == Role.AGENCY_OFFICER and agency is None:
            # An officer of a member agency at that unit that leads no task: no reach beyond its own tasks.
            from giaoban.orgs.models import Agency

            agency, _ = Agency.objects.get_or_create(name="Công an (kiểm thử)", org_unit=unit)
        if agency is not None:
            unit = agency.org_unit
        if role:
            UserRole.objects.create(user=user, role=role, org_unit=unit, agency=agency)
            if role == Role.SYSTEM_ADMIN:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
        return user

    return make


@pytest.fixture
def committees(tree):
    """A committee at province P1 and one at P2, each established with members."""
    from giaoban.orgs.models import Agency, Committee

    made = {}
    for unit, label in ((tree.p1, "Thanh Hóa"), (tree.p2, "Hà Nội")):
        agency = Agency.objects.create(name=f"Ban Tuyên giáo Tỉnh ủy {label}", org_unit=unit)
        committee = Committee.objects.create(
            name=f"Ban Chỉ đạo 35 {label}", short_name="BCĐ 35", org_unit=unit, standing_agency=agency
        )
        services.committee_reconstitute(
            committee=committee,
            number=f"01-QĐ/{label}",
            date=date(2024, 1, 10),
            kind="establish",
            start=[
                {"person_name": f"Nguyễn Văn Trưởng {label}", "role": "head", "position": "Phó Bí thư"},
                {"person_name": f"Trần Thị Phó {label}", "role": "standing_deputy", "agency": agency},
                {"person_name": f"Lê Văn Ủy Viên {label}", "role": "member"},
            ],
        )
        made[unit.code] = committee
    return made
