"""The demo set-up (setup_demo, create_demo_accounts) on the real plan: safe to run again."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from departments.models import Department
from pilot.testing.factories import stamp
from tasks import selectors
from tasks.models import Assignment, AssignmentRole, ProgressUpdate, Task, UpdateState
from tasks.services import reporting

REAL_TEXT = "完成单一窗口备案流程梳理（真实报送）。"


@pytest.fixture
def demo(db, clock, settings):
    """Set the demo up early in the programme (a short history keeps the test fast)."""
    settings.DEBUG = True
    clock.move_to(stamp(2020, 10, 15))
    first = _setup_demo()
    return first


def _setup_demo() -> str:
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    return out.getvalue()


def _file_a_real_update(username: str) -> ProgressUpdate:
    """File and submit an update as the user would, on a task their unit leads."""
    user = get_user_model().objects.get(username=username)
    department = user.profile.department
    period = selectors.current_period(programme=selectors.default_programme())
    task = (
        Task.objects.filter(
            assignments__department=department, assignments__role=AssignmentRole.LEAD
        )
        .exclude(updates__period=period, updates__department=department)
        .order_by("number")
        .first()
    )
    data = {"status": "on_track", "percent": 40, "work_done": REAL_TEXT, "next_steps": "继续推进。"}
    return reporting.file_new_update(task=task, period=period, actor=user, data=data, submit=True)


def test_setup_demo_runs_again_after_a_real_update_and_keeps_it(demo):
    demo_updates = ProgressUpdate.objects.filter(work_done__startswith="【演示数据】").count()
    filed = _file_a_real_update("shangwu")

    second = _setup_demo()

    assert "未填充演示数据" in second
    filed.refresh_from_db()
    assert (filed.work_done, filed.state) == (REAL_TEXT, UpdateState.SUBMITTED)
    assert ProgressUpdate.objects.filter(work_done__startswith="【演示数据】").count() == (
        demo_updates
    )


def test_setup_demo_without_real_updates_regenerates_the_same_history(demo):
    before = ProgressUpdate.objects.count()
    second = _setup_demo()
    assert "演示数据已生成" in second
    assert ProgressUpdate.objects.count() == before
    haikou = Department.objects.get(name="海口市政府")
    assert Assignment.objects.filter(department=haikou, on_behalf_of__isnull=False).count() == 1


def _held(username: str) -> set[str]:
    department = get_user_model().objects.get(username=username).profile.department
    return set(Assignment.objects.filter(department=department).values_list("role", flat=True))


def test_demo_reporters_cover_lead_support_both_and_a_body_named_for_a_collective(demo):
    assert _held("shangwu") == {AssignmentRole.LEAD, AssignmentRole.SUPPORT}
    assert _held("haiguan") == {AssignmentRole.LEAD}
    assert _held("wangxin") == {AssignmentRole.LEAD}
    assert _held("waiban") == {AssignmentRole.SUPPORT}
    named = Assignment.objects.get(department__name="海口市政府", on_behalf_of__isnull=False)
    assert (named.task.number, named.on_behalf_of.name, named.role) == (
        9,
        "各市县",
        AssignmentRole.SUPPORT,
    )
    assert get_user_model().objects.get(username="haikou").profile.department == named.department


def test_demo_says_what_each_reporter_holds(demo):
    assert "shangwu   省商务厅填报人：牵头 43 项、配合 3 项" in demo
    assert "waiban    省委外办填报人：配合 15 项" in demo
    assert "haikou    海口市政府填报人：牵头 1 项、配合 2 项、其中代表集合单位 1 项" in demo


def test_generated_reporter_accounts_are_readable_pinyin(demo):
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    assert {"fagai", "yinbaojian", "sanya", "dashuju", "renhanghaikouzhongxinzhihang"} <= usernames
    assert not [name for name in usernames if name.startswith("dept-")]
