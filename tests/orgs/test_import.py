"""CSV import of units and successions: checked whole, every bad row named, nothing written on error."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from giaoban.core.errors import ImportRejected
from giaoban.orgs import services
from giaoban.orgs.models import OrgUnit, Succession

HEADER = "code,name,kind,subtype,parent_code,valid_from,valid_to\n"


def rejected(fn, text):
    before = (OrgUnit.objects.count(), Succession.objects.count())
    with pytest.raises(ImportRejected) as exc:
        fn(text.encode())
    assert (OrgUnit.objects.count(), Succession.objects.count()) == before, "a rejected file wrote rows"
    return [(e["row"], e["column"], e["message"]) for e in exc.value.errors]


def test_it_imports_units_in_any_row_order_with_paths_below_their_parents(tree):
    created = services.orgunits_import_csv(
        (HEADER + "38001,Xã Con,commune,xa,38100,05/01/2026,\n38100,Huyện Mới,district,huyen,38,2026-01-01,\n").encode(
            "utf-8-sig"
        )
    )
    assert {u.code for u in created} == {"38100", "38001"}
    child = OrgUnit.objects.get(code="38001")
    assert child.parent.code == "38100" and child.path.startswith(child.parent.path)
    assert child.valid_from == date(2026, 1, 5)
    assert OrgUnit.objects.get(code="38").numchild == tree.p1.numchild + 1
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


def test_it_accepts_semicolon_separated_files(tree):
    services.orgunits_import_csv(HEADER.replace(",", ";") + "38002;Xã Chấm Phẩy;commune;xa;38;2026-01-01;\n")
    assert OrgUnit.objects.filter(code="38002").exists()


@pytest.mark.parametrize(
    ("rows", "row", "column", "says"),
    [
        ("38003,Xã A,commune,xa,77,2026-01-01,", 2, "parent_code", "unknown parent"),
        ("15061,Xã Trùng,commune,xa,38,2026-01-01,", 2, "code", "code already exists"),
        (
            "38004,Xã A,commune,xa,38,2026-01-01,\n38004,Xã B,commune,xa,38,2026-01-01,",
            3,
            "code",
            "duplicate code in file",
        ),
        ("38005,Xã A,commune,xa,38,2026-31-01,", 2, "valid_from", "invalid date"),
        ("38006,Xã A,commune,xa,38,2026-02-01,2026-01-01", 2, "valid_to", "before valid_from"),
        ("38007,Xã A,commune,xa,389,2025-01-01,", 2, "valid_from", "outside the parent"),
        (
            "38008,Xã A,commune,xa,38,2026-01-01,\n38009,Xã A,commune,xa,38,2026-06-01,",
            3,
            "valid_from",
            "overlapping validity",
        ),
        (
            "38010,Huyện A,district,huyen,38011,2026-01-01,\n38011,Huyện B,district,huyen,38010,2026-01-01,",
            2,
            "parent_code",
            "parent cycle",
        ),
        ("38012,Xã A,village,xa,38,2026-01-01,", 2, "kind", "kind must be one of"),
        ("38013,Xã A,commune,tinh,38,2026-01-01,", 2, "subtype", "does not fit"),
        ("38014,,commune,xa,38,2026-01-01,", 2, "name", "name is required"),
        ("38015,Tỉnh Con,province,tinh,15061,2026-01-01,", 2, "parent_code", "higher level"),
    ],
)
def test_it_rejects_a_bad_unit_row_and_writes_nothing(tree, rows, row, column, says):
    good = "38999,Xã Tốt,commune,xa,38,2026-01-01,\n"
    errors = rejected(services.orgunits_import_csv, HEADER + good + rows + "\n")
    assert any(r == row + 1 and c == column and says in m for r, c, m in errors), errors
    assert not OrgUnit.objects.filter(code="38999").exists()


def test_it_lists_every_bad_row_at_once(tree):
    errors = rejected(
        services.orgunits_import_csv,
        HEADER + "a,,commune,xa,77,x,\nb,Xã B,commune,xa,38,2026-01-01,\nc,,commune,xa,38,,\n",
    )
    assert {(r, c) for r, c, _ in errors} >= {
        (2, "name"),
        (2, "parent_code"),
        (2, "valid_from"),
        (4, "name"),
        (4, "valid_from"),
    }


def test_it_rejects_a_file_without_the_columns(tree):
    errors = rejected(services.orgunits_import_csv, "ma,ten\n1,2\n")
    assert errors[0][0] == 1 and "missing columns" in errors[0][2]


SUCC = "predecessor_code,successor_code,date,kind,share,note\n"


def test_it_imports_successions(tree):
    services.orgunit_close(unit=tree.q1, valid_to=date(2026, 6, 30))
    new = services.orgunit_create(
        code="00005", name="Phường Mới", kind="commune", subtype="phuong", parent=tree.p2, valid_from=date(2026, 7, 1)
    )
    services.successions_import_csv(SUCC + "00004,00005,01/07/2026,rename,,NQ số 1\n")
    s = Succession.objects.get(predecessor=tree.q1)
    assert (s.successor, s.kind, s.share, s.note) == (new, "rename", 1, "NQ số 1")


@pytest.mark.parametrize(
    ("line", "column", "says"),
    [
        ("90001,77777,2025-07-01,merge,,", "successor_code", "unknown unit"),
        ("90001,90001,2025-07-01,merge,,", "successor_code", "cannot succeed itself"),
        ("15061,15085,2025-07-01,merge,,", "date", "must be closed"),
        ("90001,15061,2025-07-01,merge,,", "successor_code", "already recorded"),
        ("90002,15085,2025-07-01,fusion,,", "kind", "kind must be one of"),
        ("90002,15085,2025-13-01,merge,,", "date", "invalid date"),
        ("90002,15085,2025-07-01,split,1.5,", "share", "share must be in"),
        ("90003,00004,2025-07-01,split,0.3,", "share", "split shares exceed 1"),
        ("90002,15085,2025-07-01,merge,abc,", "share", "not a number"),
        ("15061,90001,2025-07-01,merge,,", "date", "must be closed"),
    ],
)
def test_it_rejects_a_bad_succession_and_writes_nothing(tree, line, column, says):
    errors = rejected(services.successions_import_csv, SUCC + "90002,15085,2025-07-01,merge,,\n" + line + "\n")
    assert any(r == 3 and c == column and says in m for r, c, m in errors), errors


def test_it_rejects_a_succession_cycle(tree):
    # Reopen the story: 15061 closed and (wrongly) said to live on in 90002, which already led to 15061.
    services.orgunit_close(unit=tree.n1, valid_to=date(2025, 12, 31))
    OrgUnit.objects.filter(pk=tree.c2.pk).update(valid_to=None)
    errors = rejected(services.successions_import_csv, SUCC + "15061,90002,2026-01-01,merge,,\n")
    assert any("succession cycle" in m for _, _, m in errors), errors


def test_the_cli_prints_every_error_and_fails(tree, tmp_path):
    bad = tmp_path / "units.csv"
    bad.write_text(HEADER + "38003,Xã A,commune,xa,77,2026-01-01,\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("orgunits", "import-units", str(bad))
    assert "row 2, column parent_code" in str(exc.value)
    good = tmp_path / "ok.csv"
    good.write_text(HEADER + "38003,Xã A,commune,xa,38,2026-01-01,\n", encoding="utf-8")
    call_command("orgunits", "import-units", str(good))
    assert OrgUnit.objects.filter(code="38003").exists()
