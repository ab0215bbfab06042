"""Retiring, splitting and merging tasks while the plan runs (issue 14 part 3): each takes
effect from a period; the plan as of earlier periods is what it was."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from departments.models import Department
from pilot.testing.factories import ProgrammeFactory
from tasks.models import AuditEvent, PlanChange, PlanChangeKind, Task
from tasks.plan_asof import task_text_as_of, tasks_as_of, units_as_of
from tasks.services.periods import generate_periods
from tasks.services.plan_history import change_task_units
from tasks.services.plan_lifecycle import merge_tasks, retire_task, split_task

LEAD, SUPPORT = "lead", "support"
DUE = datetime.date(2021, 12, 31)


def _units(plan, task, year, month):
    names = {d.pk: d.name for d in Department.objects.all()}
    units = units_as_of(task_ids=[task.pk], period=plan.periods[(year, month)]).get(task.pk, [])
    return sorted((names[pk], role) for pk, role in units)


def _numbers(plan, year, month):
    return sorted(tasks_as_of(period=plan.periods[(year, month)]).values_list("number", flat=True))


def test_a_retired_task_counts_up_to_the_period_before(plan, personas, clock):
    t2 = plan.tasks[1]

    change = retire_task(
        task=t2, effective=plan.periods[(2021, 4)], reason="任务已不适用", actor=personas.office
    )

    assert _numbers(plan, 2021, 3) == [1, 2, 3]
    assert _numbers(plan, 2021, 4) == [1, 3]
    assert list(Task.objects.values_list("number", flat=True)) == [1, 3]
    assert Task.all_periods.count() == 3
    assert _units(plan, t2, 2021, 3) == [("海口海关", LEAD), ("省商务厅", SUPPORT)]
    assert _units(plan, t2, 2021, 4) == []
    t2 = Task.all_periods.get(pk=t2.pk)
    assert t2.valid_until == plan.periods[(2021, 4)] and t2.is_retired
    assert (change.kind, change.detail, change.task) == (
        PlanChangeKind.TASK_RETIRED,
        "撤销任务 2",
        t2,
    )
    event = AuditEvent.objects.get(task=t2, verb="changed")
    assert event.detail == "撤销任务 2，自2021年4月起。原因：任务已不适用"


def test_a_split_keeps_the_number_and_adds_new_tasks_from_the_period(plan, personas, clock):
    t1 = plan.tasks[0]
    may = plan.periods[(2021, 5)]

    change = split_task(
        task=t1,
        parts=[
            {"measure": "建设单一窗口。", "due_on": DUE, "leads": [plan.commerce], "supports": []},
            {
                "measure": "单一窗口通关模块。",
                "due_on": datetime.date(2021, 10, 31),
                "leads": [plan.customs],
                "supports": [plan.cities],
            },
            {
                "measure": "单一窗口财政支付模块。",
                "due_on": DUE,
                "leads": [plan.finance],
                "supports": [plan.commerce],
            },
        ],
        effective=may,
        reason="联席会议决定细化任务",
        actor=personas.office,
    )

    assert _numbers(plan, 2021, 4) == [1, 2, 3]
    assert _numbers(plan, 2021, 5) == [1, 2, 3, 4, 5]
    four, five = Task.objects.filter(number__in=[4, 5]).order_by("number")
    assert (four.split_from, four.valid_from, four.category) == (t1, may, plan.categories[0])
    assert four.measure == "单一窗口通关模块。" and four.due_on == datetime.date(2021, 10, 31)
    assert four.responsibility == "牵头：海口海关；配合：各市县"
    assert _units(plan, four, 2021, 4) == []
    assert _units(plan, four, 2021, 5) == [("各市县", SUPPORT), ("海口海关", LEAD)]
    assert _units(plan, five, 2021, 5) == [("省商务厅", SUPPORT), ("省财政厅", LEAD)]
    # Task 1 keeps its number; April keeps its old units and due date.
    assert _units(plan, t1, 2021, 4) == [
        ("各市县", SUPPORT),
        ("海口海关", SUPPORT),
        ("省商务厅", LEAD),
    ]
    assert _units(plan, t1, 2021, 5) == [("省商务厅", LEAD)]
    t1.refresh_from_db()
    assert task_text_as_of(task=t1, period=plan.periods[(2021, 4)])[1] == datetime.date(2021, 6, 30)
    assert task_text_as_of(task=t1, period=may) == ("建设单一窗口。", DUE)
    assert (change.kind, change.detail) == (PlanChangeKind.TASK_SPLIT, "任务 1 拆分为任务 1、4、5")
    assert AuditEvent.objects.filter(verb="changed").count() == 3


def test_a_merge_retires_the_tasks_and_gives_their_units_to_the_target(plan, personas, clock):
    t1, t2, t3 = plan.tasks  # t1: 商务厅 leads, 海关 and 各市县 support; t2: 海关 leads

    change = merge_tasks(
        tasks=[t2, t3],
        into=t1,
        measure="建设单一窗口并推进通关便利化。",
        due_on=DUE,
        effective=plan.periods[(2021, 5)],
        reason="联席会议决定合并",
        actor=personas.office,
    )

    assert _numbers(plan, 2021, 4) == [1, 2, 3]
    assert _numbers(plan, 2021, 5) == [1]
    assert _units(plan, t1, 2021, 4) == [
        ("各市县", SUPPORT),
        ("海口海关", SUPPORT),
        ("省商务厅", LEAD),
    ]
    # 海关 supported t1 and led t2: it leads from May; 财政厅 comes with t3.
    assert _units(plan, t1, 2021, 5) == [
        ("各市县", SUPPORT),
        ("海口海关", LEAD),
        ("省商务厅", LEAD),
        ("省财政厅", LEAD),
    ]
    for task in (t2, t3):
        task = Task.all_periods.get(pk=task.pk)
        assert (task.merged_into, task.valid_until) == (t1, plan.periods[(2021, 5)])
        assert _units(plan, task, 2021, 5) == []
    t1.refresh_from_db()
    assert task_text_as_of(task=t1, period=plan.periods[(2021, 4)])[0] == "建设单一窗口。"
    assert t1.measure == "建设单一窗口并推进通关便利化。"
    assert change.kind == PlanChangeKind.TASKS_MERGED
    assert change.detail.startswith("任务 2、3 并入任务 1（牵头：省商务厅；")
    assert set(AuditEvent.objects.values_list("task__number", flat=True)) == {1, 2, 3}


def _part(plan, **changes):
    part = {"measure": "举措。", "due_on": DUE, "leads": [plan.commerce], "supports": []}
    part.update(changes)
    return part


def test_bad_lifecycle_changes_are_refused_with_a_reason(plan, personas, clock):
    t1, t2, t3 = plan.tasks
    may, office = plan.periods[(2021, 5)], personas.office
    other = ProgrammeFactory(code="other")
    elsewhere = generate_periods(programme=other)[0]

    def split(*parts):
        return lambda: split_task(
            task=t1, parts=list(parts), effective=may, reason="r", actor=office
        )

    def merge(tasks, measure):
        return lambda: merge_tasks(
            tasks=tasks,
            into=t1,
            measure=measure,
            due_on=DUE,
            effective=may,
            reason="r",
            actor=office,
        )

    cases = [
        (
            lambda: retire_task(task=t1, effective=elsewhere, reason="r", actor=office),
            "生效期次不属于该任务所在的方案",
        ),
        (merge([t1], "m"), "不能把任务并入它自己"),
        (split(_part(plan)), "拆分至少需要两个部分"),
        (split(_part(plan), _part(plan, measure="  ")), "第2部分：具体举措不能为空"),
        (split(_part(plan), _part(plan, leads=[])), "第2部分：请至少指定一个牵头单位"),
        (
            split(_part(plan, supports=[plan.commerce]), _part(plan)),
            "第1部分：同一单位不能既是牵头单位又是配合单位",
        ),
        (merge([t2], " "), "具体举措不能为空"),
        (
            lambda: retire_task(task=t1, effective=may, reason=" ", actor=office),
            "请填写变更原因",
        ),
    ]
    for call, message in cases:
        with pytest.raises(ValidationError, match=message):
            call()
    with pytest.raises(PermissionDenied):
        retire_task(task=t1, effective=may, reason="r", actor=personas.lead)
    assert PlanChange.objects.count() == 0
    assert Task.objects.count() == 3

    # A retired task, and a task the office confirmed complete, change no more.
    retire_task(task=t3, effective=may, reason="r", actor=office)
    Task.objects.filter(pk=t2.pk).update(
        completion_confirmed_at=datetime.datetime.now(datetime.UTC)
    )
    refused = [
        (lambda: retire_task(task=t3, effective=may, reason="r", actor=office), "已撤销"),
        (
            lambda: merge_tasks(
                tasks=[t3],
                into=t1,
                measure="m",
                due_on=DUE,
                effective=may,
                reason="r",
                actor=office,
            ),
            "任务 3 已撤销（自2021年5月起）",
        ),
        (
            lambda: change_task_units(
                task=t3, leads=[plan.finance], supports=[], effective=may, reason="r", actor=office
            ),
            "不能再调整",
        ),
        (lambda: retire_task(task=t2, effective=may, reason="r", actor=office), "已办结确认"),
        (
            lambda: merge_tasks(
                tasks=[t2],
                into=t1,
                measure="m",
                due_on=DUE,
                effective=may,
                reason="r",
                actor=office,
            ),
            "任务 2 已办结确认",
        ),
    ]
    for call, message in refused:
        with pytest.raises(ValidationError, match=message):
            call()
    assert PlanChange.objects.count() == 1


def test_a_retired_tasks_page_stays_and_names_the_tasks_it_went_to(plan, personas, clients):
    t1, t2, _t3 = plan.tasks
    merge_tasks(
        tasks=[t2],
        into=t1,
        measure="建设单一窗口并推进通关便利化。",
        due_on=DUE,
        effective=plan.periods[(2021, 4)],
        reason="合并",
        actor=personas.office,
    )

    page = clients.member.get(f"/tasks/{t2.pk}/").content.decode()
    assert "已撤销（自2021年4月起）" in page
    assert f'已并入任务 <a href="/tasks/{t1.pk}/">1</a>' in page
    assert "海口海关" in page  # the units it had when it was last in force
    page = clients.member.get(f"/tasks/{t1.pk}/").content.decode()
    assert f'并入本任务的任务：<a href="/tasks/{t2.pk}/">2</a>' in page
    # The task list is the current plan.
    listing = clients.member.get("/tasks/").content.decode()
    assert f'href="/tasks/{t2.pk}/"' not in listing


def test_a_split_off_tasks_page_names_its_origin(plan, personas, clients):
    t1 = plan.tasks[0]
    part = {"measure": "单一窗口。", "due_on": DUE, "leads": [plan.commerce], "supports": []}
    split_task(
        task=t1,
        parts=[part, {**part, "leads": [plan.finance]}],
        effective=plan.periods[(2021, 4)],
        reason="细化",
        actor=personas.office,
    )
    four = Task.objects.get(number=4)

    page = clients.member.get(f"/tasks/{four.pk}/").content.decode()
    assert f'由任务 <a href="/tasks/{t1.pk}/">1</a> 拆分（自2021年4月起）' in page
    page = clients.member.get(f"/tasks/{t1.pk}/").content.decode()
    assert f'拆分出的任务：<a href="/tasks/{four.pk}/">4</a>' in page


def test_filing_for_a_retired_task_is_refused(plan, personas, clients, clock):
    # Retired from March, the open period: March takes no filing (a retirement from a
    # later period leaves the periods before it to be filed: test_filing_plan_in_force).
    from tasks.services import filing

    t2, march = plan.tasks[1], plan.periods[(2021, 3)]
    retire_task(task=t2, effective=march, reason="取消", actor=personas.office)
    t2 = Task.all_periods.get(pk=t2.pk)

    with pytest.raises(ValidationError) as refused:
        filing.create_update(task=t2, period=march, actor=personas.support, data={})
    assert refused.value.message_dict == {"task": ["该任务已自2021年3月起撤销，不再填报。"]}
    page = clients.support.get(f"/tasks/{t2.pk}/periods/{march.pk}/update/")
    assert page.status_code == 200
    assert "该任务已自2021年3月起撤销，不再填报。" in page.content.decode()
    posted = clients.support.post(
        f"/tasks/{t2.pk}/periods/{march.pk}/update/", {"work_done": "已完成调研。"}
    )
    assert posted.status_code == 403
    assert not t2.updates.exists()
