"""Reports describe their period and are reproducible (issue 9, items 1-2).

The demo history (the real 117-task plan, ``fill_demo_history``) with the clock on
2022-06-15: the April and May 2022 reports. Each report's figures are recomputed here from
the database with a deliberately naive, per-task reading of the status rule, and compared
with the report, the dashboard trend and a regeneration a month later.
"""

import datetime
import re
from collections import Counter
from io import BytesIO

import pytest
import time_machine
from docx import Document

from departments.models import DepartmentKind, Role
from pilot.testing.factories import make_user, stamp
from pilot.testing.helpers import load_demo_history
from reports import exports, figures, selectors
from tasks.models import (
    AssignmentRole,
    ProgressUpdate,
    ReportingPeriod,
    Task,
    TaskStatus,
    UpdateState,
)
from tasks.periods import due_end
from tasks.services import reporting, review

pytestmark = pytest.mark.django_db

DEMO_DAY = datetime.datetime(2022, 6, 15, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
LATER = datetime.datetime(2022, 7, 20, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
S = TaskStatus


# --- a naive recomputation from the database ------------------------------------------


def recount(period: ReportingPeriod) -> dict:
    """Return {task id: (status, percent, confirmed)} as of ``period``, one task at a time."""
    cut = due_end(period)
    result = {}
    for task in Task.objects.filter(programme=period.programme):
        confirmed = task.completion_confirmed_at is not None and task.completion_confirmed_at < cut
        leads = [
            a.department_id
            for a in task.assignments.filter(role=AssignmentRole.LEAD)
            if a.department.kind != DepartmentKind.COLLECTIVE
        ]
        reports = []
        for department_id in leads:
            latest = (
                ProgressUpdate.objects.filter(
                    task=task,
                    department_id=department_id,
                    state=UpdateState.ACCEPTED,
                    period__starts_on__lte=period.starts_on,
                    reviewed_at__lte=cut,
                )
                .order_by("-period__starts_on")
                .first()
            )
            reports.append((latest.status, latest.percent) if latest else (S.NOT_STARTED, 0))
        statuses = [status for status, _percent in reports]
        if confirmed:
            result[task.pk] = (S.COMPLETED, 100, True)
            continue
        if S.BLOCKED in statuses:
            status = S.BLOCKED
        elif S.BEHIND in statuses:
            status = S.BEHIND
        elif statuses and all(s == S.COMPLETED for s in statuses):
            status = S.COMPLETED
        elif all(s == S.NOT_STARTED for s in statuses):
            status = S.NOT_STARTED
        else:
            status = S.ON_TRACK
        percent = sum(p for _s, p in reports) // len(reports) if reports else 0
        result[task.pk] = (status, percent, False)
    return result


def document_text(content: bytes) -> str:
    document = Document(BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# An item of a report's list: 1.“具体举措…”（第12项，牵头单位…）：…
ITEM = r"^\d+\.“[^”]*”（第(\d+)项"


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


# --- the demo history --------------------------------------------------------------------


@pytest.fixture
def demo(db):
    with time_machine.travel(DEMO_DAY, tick=False) as traveller:
        traveller.programme = load_demo_history()
        yield traveller


def _period(programme, month):
    return ReportingPeriod.objects.get(programme=programme, year=2022, month=month)


@pytest.mark.parametrize("month", [4, 5])
def test_demo_report_equals_the_trend_and_the_database(demo, month):
    period = _period(demo.programme, month)
    expected = recount(period)
    by_status = Counter(status for status, _p, _c in expected.values())
    confirmed = sum(1 for _s, _p, c in expected.values() if c)

    result = figures.period_figures(programme=demo.programme, period=period)
    trend = {p.period.pk: p for p in figures.status_trend(programme=demo.programme)}
    text = document_text(exports.build_monthly_document(programme=demo.programme, period=period))

    assert result.tasks.total == len(expected) == 117
    assert result.tasks.by_status == {status: by_status.get(status, 0) for status in S.values}
    assert trend[period.pk].by_status == result.tasks.by_status
    assert result.tasks.completed_confirmed == confirmed
    assert confirmed <= by_status[S.COMPLETED]
    assert sum(row.total for row in result.categories) == 117
    for status in S.values:
        assert sum(row.by_status[status] for row in result.categories) == by_status.get(status, 0)
    assert "试点任务共117项" in text
    assert f"已完成{by_status[S.COMPLETED]}项" in text
    assert f"其中已办结确认{confirmed}项" in text
    for status in (S.ON_TRACK, S.BEHIND, S.BLOCKED, S.NOT_STARTED):
        assert f"{S(status).label}{by_status.get(status, 0)}项" in text
    # The reporting table adds up to the headline.
    units = selectors.reporting_by_unit(programme=demo.programme, period=period)
    assert sum(len(u.on_time) for u in units) == result.reporting.on_time
    assert sum(len(u.late) for u in units) == result.reporting.late
    assert sum(len(u.missing) for u in units) == result.reporting.missing
    assert "联席会议办公室" not in {u.department.short_name for u in units}
    # 四 lists exactly the lagging tasks, never a completed one.
    lagging = section(text, "四、滞后和受阻任务", "五、需协调解决的问题")
    listed = {int(n) for n in re.findall(ITEM, lagging, flags=re.M)}
    numbers = dict(Task.objects.filter(programme=demo.programme).values_list("pk", "number"))
    assert listed == {
        numbers[pk] for pk, (s, _p, _c) in expected.items() if s in (S.BEHIND, S.BLOCKED)
    }
    # 五 lists the period's accepted updates asking for coordination; the headline agrees.
    coordination = section(text, "五、需协调解决的问题", "六、报送情况")
    flagged = set(re.findall(ITEM, coordination, flags=re.M))
    assert f"本期有{len(flagged)}项任务提出需协调解决的问题" in text


@pytest.mark.parametrize("month", [4, 5])
def test_regenerating_the_demo_report_later_gives_the_same_figures(demo, personas_demo, month):
    period = _period(demo.programme, month)
    before = exports.build_monthly_document(programme=demo.programme, period=period)
    rows = list(selectors.task_rows(programme=demo.programme, period=period))

    demo.move_to(LATER)
    waiting = ProgressUpdate.objects.filter(
        task__programme=demo.programme, role=AssignmentRole.LEAD, state=UpdateState.SUBMITTED
    )
    assert waiting.exists()
    for update in waiting[:40]:
        review.accept_update(update=update, actor=personas_demo)

    after = exports.build_monthly_document(programme=demo.programme, period=period)
    assert document_text(after) == document_text(before)
    assert list(selectors.task_rows(programme=demo.programme, period=period)) == rows


@pytest.fixture
def personas_demo(demo):
    return make_user("demo-office", Role.OFFICE)


def test_demo_reviews_mostly_land_by_the_due_date(demo):
    accepted = ProgressUpdate.objects.filter(
        task__programme=demo.programme, state=UpdateState.ACCEPTED, is_late=False
    ).select_related("period")
    in_time = sum(1 for u in accepted if u.reviewed_at < due_end(u.period))
    assert in_time / accepted.count() > 0.9


# --- a named unit with a collective as leads ----------------------------------------------


def test_a_task_led_by_a_unit_and_a_collective_completes_when_the_unit_does(plan, personas, clock):
    task = plan.tasks[0]  # 省商务厅 leads; make 各市县 a lead too, as task 106 has 有关部门
    task.assignments.filter(department=plan.cities).update(role=AssignmentRole.LEAD)
    period = plan.periods[(2021, 3)]
    update = reporting.start_update(task=task, period=period, actor=personas.lead)
    data = {"status": S.COMPLETED, "percent": 100, "work_done": "全部完成。", "next_steps": "",
            "problems": "", "needs_coordination": False}  # fmt: skip
    update = reporting.save_update(update=update, actor=personas.lead, data=data,
                                   expected_version=update.version)  # fmt: skip
    update = reporting.submit_update(update=update, actor=personas.lead,
                                     expected_version=update.version)  # fmt: skip

    review.accept_update(update=update, actor=personas.office)
    task.refresh_from_db()
    assert (task.status, task.percent) == (S.COMPLETED, 100)

    review.confirm_completion(task=task, actor=personas.office)
    clock.move_to(stamp(2021, 3, 30))  # after March's due date
    states = figures.states_as_of(programme=plan.programme, period=period)
    assert states[task.pk].completed and states[task.pk].confirmed
    text = document_text(exports.build_monthly_document(programme=plan.programme, period=period))
    assert "第1项" not in section(text, "四、滞后和受阻任务", "五、需协调解决的问题")
    summary = exports.build_summary_document(
        programme=plan.programme, as_of=datetime.date(2021, 3, 30)
    )
    table = next(t for t in Document(BytesIO(summary)).tables if t.cell(0, 2).text == "任务序号")
    unfinished = {n for row in table.rows[1:] for n in row.cells[2].text.split("、\u200b")}
    assert unfinished and "1" not in unfinished


def test_an_interim_report_says_so_and_quotes_only_what_was_accepted(plan, personas, clock):
    period = plan.periods[(2021, 3)]  # due 2021-03-25; the clock is on 2021-03-10
    text = document_text(exports.build_monthly_document(programme=plan.programme, period=period))

    assert "（中期·未截止）" in text
    assert "早于2021年3月报送截止日（2021年3月25日）" in text


def test_a_highlight_marked_when_accepting_leads_the_months_progress(
    plan, personas, clients, clock
):
    period = plan.periods[(2021, 3)]
    update = reporting.start_update(task=plan.tasks[1], period=period, actor=personas.support)
    data = {"status": S.ON_TRACK, "percent": 30, "work_done": "首创“两步申报”模式。",
            "next_steps": "推广。", "problems": "", "needs_coordination": False}  # fmt: skip
    update = reporting.save_update(update=update, actor=personas.support, data=data,
                                   expected_version=update.version)  # fmt: skip
    update = reporting.submit_update(update=update, actor=personas.support,
                                     expected_version=update.version)  # fmt: skip

    response = clients.office.post(
        f"/review/{update.pk}/accept/".replace("//", "/"), {"highlight": "on"}
    )

    update.refresh_from_db()
    assert response.status_code == 302
    assert (update.state, update.is_highlight) == (UpdateState.ACCEPTED, True)
    text = document_text(exports.build_monthly_document(programme=plan.programme, period=period))
    progress = section(text, "三、本月主要进展", "四、滞后和受阻任务")
    assert "1.“通关便利化”（第2项，海口海关）：首创“两步申报”模式。" in progress


def test_bulk_accept_reports_updates_someone_else_took(plan, personas, clock):
    period = plan.periods[(2021, 3)]
    updates = []
    for task, user in ((plan.tasks[0], personas.lead), (plan.tasks[1], personas.support)):
        update = reporting.start_update(task=task, period=period, actor=user)
        data = {"status": S.ON_TRACK, "percent": 30, "work_done": "推进。", "next_steps": "继续。",
                "problems": "", "needs_coordination": False}  # fmt: skip
        update = reporting.save_update(update=update, actor=user, data=data,
                                       expected_version=update.version)  # fmt: skip
        update = reporting.submit_update(update=update, actor=user,
                                         expected_version=update.version)  # fmt: skip
        updates.append(update)
    review.accept_update(update=ProgressUpdate.objects.get(pk=updates[0].pk), actor=personas.office)

    result = review.bulk_accept(updates=updates, actor=personas.office)

    assert [u.pk for u in result.accepted] == [updates[1].pk]
    assert [u.pk for u in result.taken] == [updates[0].pk]


def test_the_review_page_offers_the_highlight_mark(plan, personas, clients, clock):
    update = _submitted(plan.tasks[1], plan.periods[(2021, 3)], personas.support)

    html = clients.office.get(f"/review/{update.pk}/").content.decode()

    assert 'name="highlight"' in html
    assert "列为亮点/典型做法" in html


def test_a_task_led_only_by_a_collective_follows_the_body_named_for_it(plan, personas, clock):
    from tasks.services.plan import name_body_for_collective

    task = plan.tasks[0]
    task.assignments.filter(department=plan.commerce).delete()
    task.assignments.filter(department=plan.cities).update(role=AssignmentRole.LEAD)
    name_body_for_collective(
        task=task, collective=plan.cities, department=plan.commerce, actor=personas.office
    )
    update = _submitted(task, plan.periods[(2021, 3)], personas.lead, status=S.COMPLETED)

    review.accept_update(update=update, actor=personas.office)

    task.refresh_from_db()
    assert (task.status, task.percent) == (S.COMPLETED, 100)


def _submitted(task, period, user, status=S.ON_TRACK):
    data = {
        "status": status,
        "percent": 100 if status == S.COMPLETED else 30,
        "work_done": "推进。",
        "next_steps": "继续。",
        "problems": "",
        "needs_coordination": False,
    }
    update = reporting.start_update(task=task, period=period, actor=user)
    update = reporting.save_update(
        update=update, actor=user, data=data, expected_version=update.version
    )
    return reporting.submit_update(update=update, actor=user, expected_version=update.version)
