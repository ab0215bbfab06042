"""Accounts: the account services and the two account commands."""

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
from tasks.models import Assignment, AssignmentRole

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


# --- create_demo_accounts command ------------------------------------------------------------


@pytest.fixture
def demo_plan(plan):
    """The test plan plus the two units the demo's supporting-only and named personas use."""
    plan.foreign = DepartmentFactory(name="省委外办", kind=DepartmentKind.PARTY)
    plan.haikou = DepartmentFactory(name="海口市政府", kind=DepartmentKind.CITY)
    return plan


def test_demo_accounts_are_refused_when_debug_is_off(demo_plan, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        _run("create_demo_accounts")
    assert not get_user_model().objects.exists()


def test_demo_accounts_are_created_with_roles_and_departments(demo_plan, settings):
    settings.DEBUG = True
    out = _run("create_demo_accounts")
    profiles = {
        p.user.username: (p.role, p.department.name if p.department else None)
        for p in Profile.objects.select_related("user", "department")
    }
    assert profiles == {
        "office": ("office", None),
        "member": ("member", None),
        "shangwu": ("reporter", "省商务厅"),
        "haiguan": ("reporter", "海口海关"),
        "wangxin": ("reporter", "省委网信办"),
        "waiban": ("reporter", "省委外办"),
        "haikou": ("reporter", "海口市政府"),
    }
    assert "如何登录" in out
    assert "demo12345" in out


def test_demo_accounts_log_in_with_the_demo_password(demo_plan, settings):
    _run("create_demo_accounts", "--force")
    assert authenticate(username="shangwu", password="demo12345") is not None


def test_demo_accounts_command_is_safe_to_run_twice(demo_plan, settings):
    settings.DEBUG = True
    _run("create_demo_accounts")
    shangwu = get_user_model().objects.get(username="shangwu")
    shangwu.set_password("changed-by-someone")
    shangwu.save()
    _run("create_demo_accounts")
    assert get_user_model().objects.count() == 7
    assert authenticate(username="shangwu", password="demo12345") is not None


def test_demo_accounts_resolve_departments_by_alias(demo_plan, settings):
    plan = demo_plan
    plan.customs.name = "中华人民共和国海口海关"
    plan.customs.save()
    DepartmentAlias.objects.create(department=plan.customs, name="海口海关")
    _run("create_demo_accounts", "--force")
    assert get_user_model().objects.get(username="haiguan").profile.department == plan.customs


def test_demo_accounts_need_the_plan_loaded_first(db):
    with pytest.raises(CommandError, match="load_plan"):
        _run("create_demo_accounts", "--force")


def test_demo_names_a_body_for_the_collective_on_a_task_the_lead_unit_leads(demo_plan, settings):
    # Task 1: 省商务厅 leads, 各市县 supports; 海口市政府 is named for 各市县 there.
    out = _run("create_demo_accounts", "--force")
    named = Assignment.objects.get(department=demo_plan.haikou)
    assert (named.task.number, named.role, named.on_behalf_of) == (
        1,
        AssignmentRole.SUPPORT,
        demo_plan.cities,
    )
    assert "haikou    海口市政府填报人：配合 1 项、其中代表集合单位 1 项" in out
    assert "shangwu   省商务厅填报人：牵头 2 项、配合 1 项" in out


def test_demo_says_so_when_no_task_suits_the_named_body(demo_plan, settings):
    Assignment.objects.filter(department=demo_plan.cities).delete()
    out = _run("create_demo_accounts", "--force")
    assert "未找到可为“各市县”指定海口市政府的任务，跳过。" in out
    assert not Assignment.objects.filter(department=demo_plan.haikou).exists()
