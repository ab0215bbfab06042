"""Tasks retired, split and merged from May 2022 on the real 117-task plan with its demo
history (clock 2022-06-15): April's 月报 (document text and workbook values) is what it was,
May's figures count the plan as it stood in May (issue 14 part 3).

Task numbers of the real plan used here (all in category （一）, 14 tasks; none confirmed
complete in the demo history):
  4  省住建厅 and 省自然资源规划厅 lead; 有关部门 and 各市县 support
  5  省自然资源规划厅 leads; 有关部门 and 各市县 support
  8  省教育厅 leads; 各市县教育局 supports
  10 省旅文厅 leads; 各市县 supports
"""

import datetime
import json
from io import BytesIO

import openpyxl
import pytest
import time_machine
from docx import Document

from departments.models import Department, Role
from pilot.testing.factories import make_user
from pilot.testing.helpers import load_demo_history
from reports import exports, figures, selectors
from tasks.models import ReportingPeriod, Task
from tasks.plan_asof import units_as_of
from tasks.services import filing
from tasks.services.plan_lifecycle import merge_tasks, retire_task, split_task

pytestmark = pytest.mark.django_db

DEMO_DAY = datetime.datetime(2022, 6, 15, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
LEAD, SUPPORT = "lead", "support"


@pytest.fixture
def demo(db):
    with time_machine.travel(DEMO_DAY, tick=False) as traveller:
        traveller.programme = programme = load_demo_history()
        traveller.office = make_user("demo-office", Role.OFFICE)
        traveller.april = ReportingPeriod.objects.get(programme=programme, year=2022, month=4)
        traveller.may = ReportingPeriod.objects.get(programme=programme, year=2022, month=5)
        traveller.task = {t.number: t for t in Task.objects.filter(number__in=[4, 5, 8, 10])}
        yield traveller


def _text(content: bytes) -> str:
    document = Document(BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _values(content: bytes) -> list:
    book = openpyxl.load_workbook(BytesIO(content))
    return [
        (sheet.title, [tuple(row) for row in sheet.iter_rows(values_only=True)])
        for sheet in book.worksheets
    ]


def _report(demo, period):
    programme = demo.programme
    return (
        _text(exports.build_monthly_document(programme=programme, period=period)),
        _values(exports.build_monthly_workbook(programme=programme, period=period)),
    )


def _numbers(demo, period) -> list[int]:
    rows = selectors.task_rows(programme=demo.programme, period=period)
    return [row.number for row in rows]


def _units(task, period):
    names = dict(Department.objects.values_list("pk", "name"))
    units = units_as_of(task_ids=[task.pk], period=period).get(task.pk, [])
    return sorted((names[pk], role) for pk, role in units)


def _check_totals(result, total: int, first_category: int):
    """The categories add up to the headline, status by status."""
    assert result.tasks.total == total
    assert sum(row.total for row in result.categories) == total
    assert result.categories[0].total == first_category
    for status, count in result.tasks.by_status.items():
        assert sum(row.by_status[status] for row in result.categories) == count
    assert sum(result.tasks.by_status.values()) == total


def test_a_task_retired_from_may_leaves_april_and_may_counts_116(demo):
    task = demo.task[5]
    april_before = _report(demo, demo.april)
    may_before = figures.period_figures(programme=demo.programme, period=demo.may)
    scores_before = {month: _led_open(demo, month) for month in (demo.april, demo.may)}

    retire_task(task=task, effective=demo.may, reason="国家层面已取消该事项", actor=demo.office)

    assert _report(demo, demo.april) == april_before
    _check_totals(figures.period_figures(programme=demo.programme, period=demo.april), 117, 14)
    may = figures.period_figures(programme=demo.programme, period=demo.may)
    _check_totals(may, 116, 13)
    # Task 5 owed one submission a month (省自然资源规划厅's; collectives owe none): May
    # expects one fewer.
    assert may.reporting.expected == may_before.reporting.expected - 1
    assert 5 in _numbers(demo, demo.april)
    assert 5 not in _numbers(demo, demo.may) and len(_numbers(demo, demo.may)) == 116
    text, _workbook = _report(demo, demo.may)
    assert "试点任务共116项" in text
    trend = {p.period.pk: p.total for p in figures.status_trend(programme=demo.programme)}
    assert (trend[demo.april.pk], trend[demo.may.pk]) == (117, 116)
    # 考核: April's as it was; in May 省自然资源规划厅 leads one open task fewer.
    assert _led_open(demo, demo.april) == scores_before[demo.april]
    nmpa = Department.objects.get(name="省自然资源规划厅").pk
    may_scores = _led_open(demo, demo.may)
    assert may_scores[nmpa] == scores_before[demo.may][nmpa] - 1
    assert {k: v for k, v in may_scores.items() if k != nmpa} == {
        k: v for k, v in scores_before[demo.may].items() if k != nmpa
    }


def _led_open(demo, period) -> dict[int, int]:
    from reports.figures import scores

    result = scores.unit_scores(
        programme=demo.programme, period=period, weights=scores.DEFAULT_WEIGHTS
    )
    return {score.department.pk: score.led_open for score in result}


def test_a_split_from_may_adds_a_task_in_may_only(demo):
    task = demo.task[8]
    education, commerce, cities = (
        Department.objects.get(name=name) for name in ("省教育厅", "省商务厅", "各市县教育局")
    )
    april_before = _report(demo, demo.april)

    split_task(
        task=task,
        parts=[
            {
                "measure": task.measure,
                "due_on": task.due_on,
                "leads": [education],
                "supports": [cities],
            },
            {
                "measure": "编制外籍人员子女学校设立服务指南。",
                "due_on": datetime.date(2022, 12, 31),
                "leads": [commerce],
                "supports": [education],
            },
        ],
        effective=demo.may,
        reason="联席会议决定细化任务",
        actor=demo.office,
    )

    assert _report(demo, demo.april) == april_before
    new = Task.objects.get(number=118)
    assert new.split_from == task and new.valid_from == demo.may
    assert 118 not in _numbers(demo, demo.april)
    assert 118 in _numbers(demo, demo.may)
    assert _units(new, demo.april) == []
    assert _units(new, demo.may) == [("省商务厅", LEAD), ("省教育厅", SUPPORT)]
    assert _units(task, demo.may) == [("各市县教育局", SUPPORT), ("省教育厅", LEAD)]
    _check_totals(figures.period_figures(programme=demo.programme, period=demo.may), 118, 15)
    _check_totals(figures.period_figures(programme=demo.programme, period=demo.april), 117, 14)
    row = next(r for r in selectors.task_rows(programme=demo.programme, period=demo.may)
               if r.number == 118)  # fmt: skip
    assert (row.measure, row.leads, row.supports) == (
        "编制外籍人员子女学校设立服务指南。",
        "省商务厅",
        "省教育厅",
    )


def test_a_merge_from_may_gives_the_retired_tasks_units_to_the_target(demo):
    four, ten = demo.task[4], demo.task[10]
    april_before = _report(demo, demo.april)
    old_measure = four.measure

    merge_tasks(
        tasks=[ten],
        into=four,
        measure="深化工程造价改革并推行建筑师负责制。",
        due_on=datetime.date(2023, 6, 30),
        effective=demo.may,
        reason="两项任务内容相近",
        actor=demo.office,
    )

    assert _report(demo, demo.april) == april_before
    # 省旅文厅 comes with task 10 as a lead; 各市县 supported both and stays a supporting unit.
    assert _units(four, demo.may) == [
        ("各市县", SUPPORT),
        ("有关部门", SUPPORT),
        ("省住建厅", LEAD),
        ("省旅文厅", LEAD),
        ("省自然资源规划厅", LEAD),
    ]
    assert _units(four, demo.april) == [
        ("各市县", SUPPORT),
        ("有关部门", SUPPORT),
        ("省住建厅", LEAD),
        ("省自然资源规划厅", LEAD),
    ]
    assert _units(ten, demo.may) == [] and _units(ten, demo.april) == [
        ("各市县", SUPPORT),
        ("省旅文厅", LEAD),
    ]
    _check_totals(figures.period_figures(programme=demo.programme, period=demo.may), 116, 13)
    # The report rows read the text in force in their period.
    rows = {r.number: r for r in selectors.task_rows(programme=demo.programme, period=demo.april)}
    assert rows[4].measure == old_measure and 10 in rows
    rows = {r.number: r for r in selectors.task_rows(programme=demo.programme, period=demo.may)}
    assert rows[4].measure == "深化工程造价改革并推行建筑师负责制。" and 10 not in rows


def test_filing_for_a_retired_task_is_refused_with_its_reason(demo):
    task = demo.task[5]
    reporter = make_user("nrp", Role.REPORTER, Department.objects.get(name="省自然资源规划厅"))
    retire_task(task=task, effective=demo.may, reason="国家层面已取消该事项", actor=demo.office)
    june = ReportingPeriod.objects.get(programme=demo.programme, year=2022, month=6)
    task = Task.all_periods.get(pk=task.pk)  # as the API and the form load it

    with pytest.raises(Exception, match="该任务已自2022年5月起撤销，不再填报") as refused:
        filing.create_update(task=task, period=june, actor=reporter, data={})
    assert refused.value.message_dict == {"task": ["该任务已自2022年5月起撤销，不再填报。"]}
    response = _client(reporter).post(
        "/api/v1/updates/",
        json.dumps({"task": task.pk, "period": june.pk}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["task"] == ["该任务已自2022年5月起撤销，不再填报。"]


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- the small plan ------------------------------------------------------------------------


def _queries(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        call()
    return len(context)


def test_period_figures_cost_the_same_queries_with_retired_and_split_tasks(
    plan, personas, clock, django_assert_num_queries
):
    april, may = plan.periods[(2021, 4)], plan.periods[(2021, 5)]
    programme = plan.programme

    def read():
        figures.period_figures(programme=programme, period=april)
        list(selectors.task_rows(programme=programme, period=april))
        exports.build_monthly_workbook(programme=programme, period=april)
        figures.status_trend(programme=programme)

    before = _queries(read)
    part = {"measure": "通关便利化。", "due_on": datetime.date(2021, 6, 30), "supports": []}
    split_task(
        task=plan.tasks[1],
        parts=[{**part, "leads": [plan.customs]}, {**part, "leads": [plan.finance]}],
        effective=april,
        reason="细化",
        actor=personas.office,
    )
    retire_task(task=plan.tasks[2], effective=april, reason="取消", actor=personas.office)
    merge_tasks(
        tasks=[plan.tasks[0]],
        into=plan.tasks[1],
        measure="通关便利化和单一窗口。",
        due_on=datetime.date(2021, 6, 30),
        effective=may,
        reason="合并",
        actor=personas.office,
    )

    assert _queries(read) == before
    with django_assert_num_queries(10):
        result = figures.period_figures(programme=programme, period=april)
    # April: tasks 1, 2 and the part split off (4); task 3 retired.
    assert result.tasks.total == 3 == sum(row.total for row in result.categories)
    may_figures = figures.period_figures(programme=programme, period=may)
    assert may_figures.tasks.total == 2  # task 1 merged into task 2
    assert [row.total for row in may_figures.categories] == [2, 0]


def test_a_past_periods_overdue_count_uses_the_due_date_in_force_then(plan, personas, clock):
    from tasks.services.plan_history import change_task_text

    april, may = plan.periods[(2021, 4)], plan.periods[(2021, 5)]
    clock.move_to(datetime.datetime(2021, 5, 20, 10, tzinfo=datetime.UTC))
    t1 = plan.tasks[0]  # due 2021-06-30: overdue in no period yet
    assert figures.period_figures(programme=plan.programme, period=april).tasks.overdue == 0

    change_task_text(
        task=t1,
        measure=t1.measure,
        due_on=datetime.date(2021, 4, 10),
        effective=may,
        reason="提前完成时限",
        actor=personas.office,
    )

    april_figures = figures.period_figures(programme=plan.programme, period=april)
    may_figures = figures.period_figures(programme=plan.programme, period=may)
    assert (april_figures.tasks.overdue, may_figures.tasks.overdue) == (0, 1)
    commerce = next(row for row in may_figures.departments if row.department == plan.commerce)
    assert commerce.overdue == 1
    commerce = next(row for row in april_figures.departments if row.department == plan.commerce)
    assert commerce.overdue == 0
    rows = {r.number: r for r in selectors.task_rows(programme=plan.programme, period=april)}
    assert rows[1].measure == "建设单一窗口。"
