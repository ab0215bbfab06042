"""The committed fixtures/plan.json: reproducible from the seed text, and loadable."""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from departments.models import Department, DepartmentAlias
from tasks.models import Assignment, AssignmentRole, Category, Programme, Task

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "plan.json"


def leads_and_supports(number: int) -> tuple[list[str], list[str]]:
    assignments = Assignment.objects.filter(task__number=number).select_related("department")
    ordered = assignments.order_by("order")
    return (
        [a.department.name for a in ordered if a.role == AssignmentRole.LEAD],
        [a.department.name for a in ordered if a.role == AssignmentRole.SUPPORT],
    )


# --- building ----------------------------------------------------------------------------


def test_build_command_reproduces_the_committed_fixture_byte_for_byte(tmp_path):
    output = tmp_path / "plan.json"

    call_command("build_plan_fixture", "--output", str(output))

    assert output.read_bytes() == FIXTURE.read_bytes()


def test_committed_fixture_passes_the_check():
    call_command("build_plan_fixture", "--check")


def test_check_fails_with_a_clear_message_when_the_file_differs(tmp_path):
    stale = tmp_path / "plan.json"
    stale.write_text("[]\n", encoding="utf-8")

    with pytest.raises(CommandError, match="build_plan_fixture"):
        call_command("build_plan_fixture", "--check", "--output", str(stale))


def test_fixture_names_no_department_twice_and_no_spelling_twice():
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    names = [r["fields"]["name"] for r in records if r["model"] == "departments.department"]
    aliases = [r["fields"]["name"] for r in records if r["model"] == "departments.departmentalias"]

    assert len(names) == len(set(names)) == 57
    assert len(aliases) == len(set(aliases))


# --- loading -----------------------------------------------------------------------------


@pytest.fixture
def loaded_plan(db):
    call_command("loaddata", str(FIXTURE), verbosity=0)


def test_loaded_plan_has_one_programme_nine_categories_and_117_tasks(loaded_plan):
    programme = Programme.objects.get()

    assert programme.code == "hainan-service-trade-2020"
    assert programme.doc_number == "琼商服〔2020〕150号"
    assert str(programme.tasks_due_on) == "2022-12-31"
    assert Category.objects.count() == 9
    assert Task.objects.count() == 117
    assert list(Task.objects.values_list("number", flat=True)) == list(range(1, 118))


def test_every_task_has_a_lead_and_starts_not_started_due_end_of_2022(loaded_plan):
    without_lead = Task.objects.exclude(assignments__role=AssignmentRole.LEAD)

    assert not without_lead.exists()
    assert set(Task.objects.values_list("status", "percent", "due_on__year")) == {
        ("not_started", 0, 2022)
    }


def test_categories_are_numbered_with_full_width_labels(loaded_plan):
    categories = [str(c) for c in Category.objects.order_by("number")]

    assert categories[0] == "（一）全面探索完善管理体制"
    assert categories[2] == "（三）全面探索提升便利水平"
    assert categories[8] == "（九）其他"


def test_no_alias_maps_to_two_departments(loaded_plan):
    per_alias = Counter(DepartmentAlias.objects.values_list("name", flat=True))

    assert max(per_alias.values()) == 1
    assert DepartmentAlias.objects.get(name="省资规厅").department.name == "省自然资源规划厅"
    assert DepartmentAlias.objects.get(name="省银保监局").department.name == "海南银保监局"
    assert DepartmentAlias.objects.get(name="省知识产权").department.name == "省知识产权局"


def test_departments_by_kind(loaded_plan):
    by_kind = Counter(Department.objects.values_list("kind", flat=True))

    assert by_kind == {
        "provincial": 26,
        "central": 9,
        "collective": 7,
        "party": 6,
        "city": 5,
        "park": 2,
        "other": 2,
    }
    assert Department.objects.get(name="各市县").is_collective


def test_task_1_is_led_by_the_joint_meeting_office(loaded_plan):
    assert leads_and_supports(1) == (
        ["省服务贸易创新发展试点联席会议办公室"],
        ["各成员单位", "有关部门"],
    )


def test_task_3_abbreviations_resolve_to_canonical_departments(loaded_plan):
    assert leads_and_supports(3) == (
        ["省住建厅"],
        [
            "省发展改革委",
            "省交通厅",
            "省水务厅",
            "省生态环境厅",
            "省自然资源规划厅",
            "有关部门",
            "各市县",
        ],
    )


def test_task_22_has_three_leads_despite_the_stray_comma(loaded_plan):
    assert leads_and_supports(22) == (["海南银保监局", "省金融局", "省商务厅"], ["各市县"])


def test_task_56_splits_lead_and_supports_at_the_verb(loaded_plan):
    assert leads_and_supports(56) == (["省公安厅"], ["省委外办", "省旅文厅"])


def test_task_91_cut_short_name_resolves(loaded_plan):
    leads, supports = leads_and_supports(91)

    assert "省知识产权局" in leads
    assert "民航海南安全监督管理局" in leads
    assert supports == []


def test_task_86_keeps_the_source_typo(loaded_plan):
    assert "展业和和合规" in Task.objects.get(number=86).measure


# --- load_plan ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_plan_loads_and_prints_counts(capsys):
    call_command("load_plan")

    out = capsys.readouterr().out
    assert "试点任务: 117" in out
    assert "单位: 57" in out
    assert Assignment.objects.count() > 117


@pytest.mark.django_db
def test_load_plan_twice_changes_nothing_and_keeps_progress(capsys):
    call_command("load_plan")
    Task.objects.filter(number=1).update(status="on_track", percent=40)
    counts = (Department.objects.count(), Assignment.objects.count())

    call_command("load_plan")

    assert "未作任何修改" in capsys.readouterr().out
    assert Task.objects.filter(number=1, status="on_track", percent=40).exists()
    assert (Department.objects.count(), Assignment.objects.count()) == counts
