"""The `giaoban reporting` command: CSV import (all or nothing) and the aggregate rebuild."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from giaoban.reporting.models import Aggregate, DataValue


def test_it_imports_a_csv_and_rebuilds_the_same_aggregates(tree, catalog, tmp_path, capsys):
    path = tmp_path / "figures.csv"
    path.write_text("unit,form,period,indicator,value\n90001,W35,2025W10,POSTS,56.000\n90002,W35,2025W10,POSTS,4\n")
    call_command("reporting", "import", str(path))
    assert "import: 2 số liệu trong 2 báo cáo (2 values in 2 reports)" in capsys.readouterr().out
    live = sorted(Aggregate.objects.values_list("unit_id", "value_sum"))
    call_command("reporting", "rebuild-aggregates")
    assert sorted(Aggregate.objects.values_list("unit_id", "value_sum")) == live


def test_it_lists_every_bad_row_and_writes_nothing(tree, catalog, tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text("unit,form,period,indicator,value\n90001,W35,2025W10,POSTS,x\n90002,W35,2025W10,NOPE,1\n")
    with pytest.raises(CommandError) as exc:
        call_command("reporting", "import", str(path))
    assert "row 2, column value" in str(exc.value) and "row 3, column indicator" in str(exc.value)
    assert DataValue.objects.count() == 0
