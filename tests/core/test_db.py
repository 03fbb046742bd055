"""core.db: the plain write statements of the hot paths and execute_all(), which sends them together."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from giaoban.core.db import delete_statements, execute_all, insert_statements, update_statement

pytestmark = pytest.mark.django_db


def names():
    return sorted(Group.objects.values_list("name", flat=True))


def test_it_runs_statements_in_order_and_a_later_one_sees_what_an_earlier_wrote():
    gone = Group.objects.create(name="Tổ cũ")
    execute_all(
        [
            *insert_statements(Group, ("name",), [("Ban Chỉ đạo",), ("Tổ giúp việc",)]),
            ("UPDATE auth_group SET name = name || %s WHERE name LIKE %s", [" tỉnh", "Ban%"]),
            *delete_statements(Group, [gone.pk]),
        ]
    )
    assert names() == ["Ban Chỉ đạo tỉnh", "Tổ giúp việc"]


def test_a_failing_statement_fails_the_call_and_nothing_of_it_stays():
    Group.objects.create(name="Đà Nẵng")
    with pytest.raises(IntegrityError), transaction.atomic():
        execute_all(
            [
                *insert_statements(Group, ("name",), [("Ngọc Lặc",), ("Thanh Hóa",)]),
                *insert_statements(Group, ("name",), [("Đà Nẵng",)]),  # unique name
            ]
        )
    assert names() == ["Đà Nẵng"]


def test_one_row_many_rows_and_an_update_store_the_values_given():
    execute_all(insert_statements(Group, ("name",), [("Một",)]))
    execute_all(insert_statements(Group, ("name",), [(f"Nhóm {i:04d}",) for i in range(1200)]))  # > one batch
    group = Group.objects.get(name="Một")
    group.name = "Đã sửa"
    execute_all([update_statement(group, ("name",))])
    assert Group.objects.count() == 1201
    assert Group.objects.get(pk=group.pk).name == "Đã sửa"
    assert names()[:2] == ["Nhóm 0000", "Nhóm 0001"]


def test_nothing_to_run_is_no_call():
    execute_all([])
    assert names() == []
