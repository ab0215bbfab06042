"""Plan changes with history: a lead change and a department merge take effect from a
period; the plan as of earlier periods is what it was."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from departments.models import Department, DepartmentAlias, DepartmentKind
from tasks.models import Assignment, AuditEvent, PlanChange, PlanChangeKind
from tasks.plan_asof import task_text_as_of, units_as_of
from tasks.services.plan_history import change_task_text, change_task_units, merge_departments

LEAD, SUPPORT = "lead", "support"


def _units(plan, task, year, month):
    names = {d.pk: d.name for d in Department.objects.all()}
    units = units_as_of(task_ids=[task.pk], period=plan.periods[(year, month)])[task.pk]
    return sorted((names[pk], role) for pk, role in units)


def test_a_lead_change_from_april_leaves_march_as_it_was(plan, personas, clock):
    t2 = plan.tasks[1]

    change = change_task_units(
        task=t2,
        leads=[plan.finance],
        supports=[plan.commerce],
        effective=plan.periods[(2021, 4)],
        reason="省政府办公厅通知调整分工",
        actor=personas.office,
    )

    assert _units(plan, t2, 2021, 3) == [("海口海关", LEAD), ("省商务厅", SUPPORT)]
    assert _units(plan, t2, 2021, 4) == [("省商务厅", SUPPORT), ("省财政厅", LEAD)]
    assert sorted(t2.assignments.values_list("department__name", "role")) == [
        ("省商务厅", SUPPORT),
        ("省财政厅", LEAD),
    ]
    # 海口海关's row is ended, not deleted: 3 rows in all, 2 of them current.
    assert Assignment.all_periods.filter(task=t2).count() == 3
    assert change.kind == PlanChangeKind.UNITS_CHANGED
    assert change.detail == "牵头：海口海关；配合：省商务厅 → 牵头：省财政厅；配合：省商务厅"
    event = AuditEvent.objects.get(task=t2, verb="changed")
    assert event.detail.endswith("自2021年4月起。原因：省政府办公厅通知调整分工")


def test_a_change_from_the_first_period_rewrites_the_plan_without_history(plan, personas, clock):
    t2 = plan.tasks[1]

    change_task_units(
        task=t2,
        leads=[plan.finance],
        supports=[],
        effective=plan.periods[(2021, 1)],
        reason="印发时笔误",
        actor=personas.office,
    )

    assert _units(plan, t2, 2021, 1) == [("省财政厅", LEAD)]
    assert Assignment.all_periods.filter(task=t2).count() == 1


def test_a_merge_passes_the_sources_tasks_and_reporters_to_the_target(plan, personas, clock):
    reformed = Department.objects.create(name="省商务和外事厅", kind=DepartmentKind.PROVINCIAL)

    changes = merge_departments(
        source=plan.commerce,
        target=reformed,
        effective_on=datetime.date(2021, 4, 10),
        reason="机构改革：省商务厅与省委外办合并",
        actor=personas.office,
    )

    t1, t2, t3 = plan.tasks
    assert _units(plan, t1, 2021, 3) == [
        ("各市县", SUPPORT),
        ("海口海关", SUPPORT),
        ("省商务厅", LEAD),
    ]
    assert _units(plan, t1, 2021, 4) == [
        ("各市县", SUPPORT),
        ("海口海关", SUPPORT),
        ("省商务和外事厅", LEAD),
    ]
    assert _units(plan, t2, 2021, 4) == [("海口海关", LEAD), ("省商务和外事厅", SUPPORT)]
    assert _units(plan, t3, 2021, 3) == [("省商务厅", LEAD), ("省财政厅", LEAD)]
    assert _units(plan, t3, 2021, 4) == [("省商务和外事厅", LEAD), ("省财政厅", LEAD)]
    # Its reporter now reports for the target; its spelling names the target from now on.
    personas.lead.profile.refresh_from_db()
    assert personas.lead.profile.department == reformed
    assert DepartmentAlias.objects.get(name="省商务厅").department == reformed
    plan.commerce.refresh_from_db()
    assert plan.commerce.merged_into == reformed
    assert [c.effective for c in changes] == [plan.periods[(2021, 4)]]
    assert "涉及任务 1、2、3" in changes[0].detail
    assert AuditEvent.objects.filter(verb="changed").count() == 3


def test_merging_a_lead_into_a_supporting_unit_makes_it_lead_from_the_period(plan, personas, clock):
    t2 = plan.tasks[1]  # 海口海关 leads, 省商务厅 supports

    merge_departments(
        source=plan.customs,
        target=plan.commerce,
        effective_on=datetime.date(2021, 5, 1),
        reason="机构改革",
        actor=personas.office,
    )

    assert _units(plan, t2, 2021, 4) == [("海口海关", LEAD), ("省商务厅", SUPPORT)]
    assert _units(plan, t2, 2021, 5) == [("省商务厅", LEAD)]


def test_plan_changes_need_the_office_and_a_reason(plan, personas, clock):
    t2 = plan.tasks[1]
    arguments = {"task": t2, "leads": [plan.finance], "supports": []}
    arguments["effective"] = plan.periods[(2021, 4)]
    with pytest.raises(PermissionDenied):
        change_task_units(**arguments, reason="调整", actor=personas.lead)
    with pytest.raises(ValidationError, match="请填写变更原因"):
        change_task_units(**arguments, reason="  ", actor=personas.office)
    with pytest.raises(ValidationError, match="不能既是牵头单位又是配合单位"):
        change_task_units(
            task=t2,
            leads=[plan.finance],
            supports=[plan.finance],
            effective=plan.periods[(2021, 4)],
            reason="调整",
            actor=personas.office,
        )
    assert PlanChange.objects.count() == 0
    assert _units(plan, t2, 2021, 4) == [("海口海关", LEAD), ("省商务厅", SUPPORT)]


def test_a_moved_due_date_and_reworded_measure_apply_from_their_period(plan, personas, clock):
    t1 = plan.tasks[0]
    old_due = t1.due_on

    change_task_text(
        task=t1,
        measure="建设国际贸易单一窗口服务贸易专区。",
        due_on=datetime.date(2021, 12, 31),
        effective=plan.periods[(2021, 5)],
        reason="联席会议第三次会议决定延期",
        actor=personas.office,
    )

    t1.refresh_from_db()
    assert task_text_as_of(task=t1, period=plan.periods[(2021, 4)]) == ("建设单一窗口。", old_due)
    assert task_text_as_of(task=t1, period=plan.periods[(2021, 5)]) == (
        "建设国际贸易单一窗口服务贸易专区。",
        datetime.date(2021, 12, 31),
    )
    assert t1.due_on == datetime.date(2021, 12, 31)
    change = PlanChange.objects.get()
    assert change.detail == f"具体举措、完成期限 {old_due} → 2021-12-31"


def test_a_text_change_with_nothing_changed_is_refused(plan, personas, clock):
    t1 = plan.tasks[0]
    with pytest.raises(ValidationError, match="没有任何修改"):
        change_task_text(
            task=t1,
            measure=t1.measure,
            due_on=t1.due_on,
            effective=plan.periods[(2021, 5)],
            reason="核对",
            actor=personas.office,
        )
