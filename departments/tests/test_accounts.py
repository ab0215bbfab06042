"""Accounts: the account services and the reporter accounts command (the demo accounts
command, which also names bodies on tasks, is tested in tasks/tests/test_demo_accounts.py)."""

import csv
import io
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from departments.models import Department, DepartmentAlias, DepartmentKind, Profile, Role
from departments.services import create_account, create_reporter_accounts, generate_password
from pilot.testing.factories import DepartmentFactory, make_user

pytestmark = pytest.mark.django_db


def _run(name, *args):
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


# --- services -------------------------------------------------------------------------------


def test_generated_password_is_three_readable_groups_of_four():
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", generate_password())


def test_generated_passwords_differ():
    assert len({generate_password() for _ in range(20)}) == 20


def test_create_account_gives_a_password_that_logs_in(plan):
    user, password = create_account(
        username="zhang", role=Role.REPORTER, department=plan.commerce, full_name="张三"
    )
    assert authenticate(username="zhang", password=password) == user
    assert (user.profile.role, user.profile.department) == (Role.REPORTER, plan.commerce)
    assert user.get_full_name() == "张三"


def test_create_account_uses_the_password_given(db):
    create_account(username="li", role=Role.OFFICE, password="a-given-secret")
    assert authenticate(username="li", password="a-given-secret") is not None


def test_reporter_account_needs_a_department(db):
    with pytest.raises(ValidationError) as caught:
        create_account(username="wang", role=Role.REPORTER)
    assert caught.value.message_dict == {"department": ["部门填报人必须属于一个单位。"]}
    assert not get_user_model().objects.exists()


def test_collective_cannot_hold_an_account(plan):
    with pytest.raises(ValidationError):
        create_account(username="cities", role=Role.REPORTER, department=plan.cities)


def test_a_taken_username_is_refused(plan):
    make_user("zhao", Role.MEMBER)
    with pytest.raises(ValidationError) as caught:
        create_account(username="zhao", role=Role.MEMBER)
    assert caught.value.message_dict == {"username": ["用户名“zhao”已被使用。"]}


def test_reporter_accounts_are_named_in_the_pinyin_of_the_short_name(plan):
    results = create_reporter_accounts(departments=[plan.commerce, plan.customs])
    usernames = [username for _, username, _ in results]
    assert usernames == ["shangwu", "haikouhaiguan"]
    assert all(password for _, _, password in results)


def test_a_name_with_nothing_to_spell_falls_back_to_the_department_id(plan):
    odd = DepartmentFactory(name="某单位", short_name="—")
    [(_, username, _)] = create_reporter_accounts(departments=[odd])
    assert username == f"dept-{odd.pk}"


def test_two_units_that_spell_alike_get_distinct_usernames(plan):
    water = DepartmentFactory(name="省水务厅")
    tax = DepartmentFactory(name="海南省税务局", kind=DepartmentKind.CENTRAL)
    results = create_reporter_accounts(departments=[water, tax])
    assert [username for _, username, _ in results] == ["shuiwu", "shuiwu-2"]


def test_department_with_a_reporter_account_is_skipped_with_an_empty_password(plan, personas):
    # The personas fixture gave 省商务厅 the reporter "lead".
    results = create_reporter_accounts(departments=[plan.commerce])
    assert results == [(plan.commerce, "lead", "")]
    assert Profile.objects.filter(department=plan.commerce).count() == 1


def test_collectives_get_no_reporter_account(plan):
    assert create_reporter_accounts(departments=[plan.cities]) == []


def test_a_leftover_user_with_the_derived_name_is_not_reused(plan):
    get_user_model().objects.create_user(username="caizheng")
    [(_, username, _)] = create_reporter_accounts(departments=[plan.finance])
    assert username == "caizheng-2"


# --- create_reporter_accounts command --------------------------------------------------------


def test_command_by_default_covers_concrete_departments_holding_tasks(plan):
    # 省商务厅, 海口海关 and 省财政厅 hold tasks; 省委网信办 holds none; 各市县 is a collective.
    _run("create_reporter_accounts")
    names = set(Profile.objects.values_list("department__name", flat=True))
    assert names == {"省商务厅", "海口海关", "省财政厅"}


def test_command_resolves_a_department_by_alias(plan):
    DepartmentAlias.objects.create(department=plan.commerce, name="海南省商务厅")
    out = _run("create_reporter_accounts", "--department", "海南省商务厅")
    assert "shangwu" in out
    assert Profile.objects.get().department == plan.commerce


def test_command_refuses_an_unknown_department(plan):
    with pytest.raises(CommandError, match="找不到单位“省不存在厅”"):
        _run("create_reporter_accounts", "--department", "省不存在厅")


def test_command_refuses_a_collective(plan):
    with pytest.raises(CommandError, match="集合单位"):
        _run("create_reporter_accounts", "--department", "各市县")


def test_command_says_which_departments_it_skipped(plan, personas):
    out = _run("create_reporter_accounts", "--department", "省商务厅")
    assert "跳过 省商务厅：已有填报账号 lead" in out


def test_command_writes_a_csv_with_a_byte_order_mark_for_excel(plan, tmp_path):
    path = tmp_path / "accounts.csv"
    _run("create_reporter_accounts", "--department", "省财政厅", "--output", str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["单位", "用户名", "初始密码"]
    assert rows[1][:2] == ["省财政厅", "caizheng"]
    assert authenticate(username=rows[1][1], password=rows[1][2]) is not None


def test_command_never_writes_a_formula_into_the_csv(plan, tmp_path):
    # CSV has no cell types: an office-edited name starting like a formula gets an apostrophe.
    Department.objects.filter(pk=plan.finance.pk).update(name='=HYPERLINK("http://x","省财政厅")')
    path = tmp_path / "accounts.csv"
    _run("create_reporter_accounts", "--output", str(path))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x","省财政厅")' in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


def test_command_with_output_keeps_passwords_off_the_terminal(plan, tmp_path):
    out = _run("create_reporter_accounts", "--output", str(tmp_path / "a.csv"))
    assert "已写入" in out
    assert not re.search(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", out)
