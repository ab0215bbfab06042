"""The create_demo_accounts command: demo personas, and a body named for a collective."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from departments.models import DepartmentAlias, DepartmentKind, Profile
from pilot.testing.factories import DepartmentFactory
from tasks.models import Assignment, AssignmentRole

pytestmark = pytest.mark.django_db


def _run(name, *args):
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


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
