"""The 待办 on the homes (reports.todo): each item appears with its situation, links to where
the work is done, and leaves once the work is done through the service.

The clock is pinned to Wednesday 2021-03-10; period 2021-03 is due Thursday 2021-03-25.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilot.testing.factories import stamp
from reports import todo
from reports.models import FileKind, ReportFile, ReportKind, ReportRun, RunState
from tasks.models import ReturnReason
from tasks.services import reporting, review
from tasks.tests.test_loop_query_counts import FILLED, _background

BEHIND = {**FILLED, "status": "behind", "percent": 20}
DONE = {**FILLED, "status": "completed", "percent": 100}


def _file(task, period, actor, data=FILLED, drawn_from=None):
    update = reporting.start_update(task=task, period=period, actor=actor)
    return reporting.file_update(
        update=update,
        actor=actor,
        data=data,
        expected_version=update.version,
        submit=True,
        drawn_from=drawn_from,
    )


def _groups(client) -> dict:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {group.kind: group for group in response.context["todo"]}


def _texts(group) -> list[str]:
    return [entry.text for entry in group.entries]


# --- working days ------------------------------------------------------------------------


def test_working_days_count_today_and_the_due_date():
    left = todo.working_days_left(today=datetime.date(2021, 3, 10), due=datetime.date(2021, 3, 25))
    assert left == 12


def test_working_days_late_count_the_working_days_after_the_due_date():
    # Due Thursday 25th; on Monday 29th the Friday and the Monday are late.
    late = todo.working_days_left(today=datetime.date(2021, 3, 29), due=datetime.date(2021, 3, 25))
    assert late == -2


def test_working_days_skip_the_spring_festival_holiday():
    # 2021-02-11..17 are public holidays: Wednesday 10th, Thursday 18th and Friday 19th remain.
    left = todo.working_days_left(today=datetime.date(2021, 2, 10), due=datetime.date(2021, 2, 19))
    assert left == 3


def test_due_text_reads_in_working_days():
    assert todo.due_text(3) == ("还剩3个工作日", "warning")
    assert todo.due_text(-2) == ("已逾期2个工作日", "danger")


# --- reporter ----------------------------------------------------------------------------


def test_reporter_sees_the_tasks_to_file_with_working_days_left_until_filed(
    plan, personas, clients, clock
):
    march = plan.periods[(2021, 3)]
    group = _groups(clients.lead)["to-file"]
    assert group.count == 3
    assert _texts(group) == ["1. 建设单一窗口。", "2. 通关便利化。", "3. 财政支持政策。"]
    assert group.entries[0].due == "还剩12个工作日"
    assert group.entries[0].url == f"/tasks/{plan.tasks[0].pk}/periods/{march.pk}/update/"

    _file(plan.tasks[0], march, personas.lead)

    group = _groups(clients.lead)["to-file"]
    assert group.count == 2
    assert "1. 建设单一窗口。" not in _texts(group)


def test_reporter_sees_overdue_working_days_after_the_due_date(plan, clients, clock):
    clock.move_to(stamp(2021, 3, 29))
    assert _groups(clients.lead)["to-file"].entries[0].due == "已逾期2个工作日"


def test_reporter_sees_a_returned_update_with_the_offices_reasons_until_refiled(
    plan, personas, clients, clock
):
    march = plan.periods[(2021, 3)]
    update = _file(plan.tasks[0], march, personas.lead)
    reason = ReturnReason.objects.create(text="数据不全")
    review.return_update(update=update, actor=personas.office, reasons=[reason], comment="请补充")

    group = _groups(clients.lead)["returned"]
    assert _texts(group) == ["1. 建设单一窗口。"]
    assert group.entries[0].detail == "退回原因：数据不全；请补充"

    update.refresh_from_db()
    reporting.file_update(
        update=update,
        actor=personas.lead,
        data=FILLED,
        expected_version=update.version,
        submit=True,
    )
    assert "returned" not in _groups(clients.lead)


def test_lead_sees_submitted_supporting_input_until_it_draws_on_it(plan, personas, clients, clock):
    march = plan.periods[(2021, 3)]
    task = plan.tasks[0]
    # A saved draft is the supporting unit's own business: not shown to the lead.
    draft = reporting.start_update(task=task, period=march, actor=personas.support)
    assert "inputs" not in _groups(clients.lead)

    submitted = reporting.file_update(
        update=draft, actor=personas.support, data=FILLED, expected_version=1, submit=True
    )
    group = _groups(clients.lead)["inputs"]
    assert _texts(group) == ["1. 建设单一窗口。"]
    assert group.entries[0].detail == "海口海关已提交配合材料"
    assert group.entries[0].url == reverse("update-form", args=[task.pk, march.pk])

    _file(task, march, personas.lead, drawn_from=[submitted])
    assert "inputs" not in _groups(clients.lead)


def test_a_period_not_yet_open_says_when_it_opens(plan, clients, clock):
    clock.move_to(stamp(2020, 12, 20))
    groups = _groups(clients.lead)
    assert list(groups) == ["not-open"]
    assert groups["not-open"].note == "2021年1月报送将于2020年12月27日开放填报。"


# --- office ------------------------------------------------------------------------------


def test_office_sees_submissions_to_review_oldest_first_and_never_drafts(
    plan, personas, clients, clock
):
    march = plan.periods[(2021, 3)]
    first = _file(plan.tasks[0], march, personas.lead)
    clock.move_to(stamp(2021, 3, 11))
    _file(plan.tasks[1], march, personas.support)
    reporting.start_update(task=plan.tasks[2], period=march, actor=personas.finance)  # a draft

    group = _groups(clients.office)["review"]
    assert group.count == 2
    assert _texts(group) == ["1. 建设单一窗口。", "2. 通关便利化。"]
    assert group.entries[0].url == reverse("review-update", args=[first.pk])

    review.accept_update(update=first, actor=personas.office)
    assert _groups(clients.office)["review"].count == 1


def test_office_sees_units_late_after_the_due_date_until_they_file(plan, personas, clients, clock):
    march = plan.periods[(2021, 3)]
    assert "late-units" not in _groups(clients.office)  # before the due date

    clock.move_to(stamp(2021, 3, 29))
    group = _groups(clients.office)["late-units"]
    assert sorted(_texts(group)) == sorted(["省商务厅", "海口海关", "省财政厅"])
    assert group.url == reverse("report-runs")

    _file(plan.tasks[0], march, personas.support)
    _file(plan.tasks[1], march, personas.support)
    assert sorted(_texts(_groups(clients.office)["late-units"])) == sorted(["省商务厅", "省财政厅"])


def test_office_sees_a_behind_task_without_coordination_until_one_is_asked(
    plan, personas, clients, clock
):
    task = plan.tasks[1]
    february = _file(task, plan.periods[(2021, 2)], personas.support, data=BEHIND)
    review.accept_update(update=february, actor=personas.office)

    group = _groups(clients.office)["uncoordinated"]
    assert _texts(group) == ["2. 通关便利化。"]
    assert group.entries[0].detail == "进度滞后"
    assert group.entries[0].url == reverse("task-detail", args=[task.pk])

    asked = {**BEHIND, "needs_coordination": True, "problems": "需要协调查验场地。"}
    march = _file(task, plan.periods[(2021, 3)], personas.support, data=asked)
    review.accept_update(update=march, actor=personas.office)
    assert "uncoordinated" not in _groups(clients.office)


def test_office_sees_a_completed_task_until_it_confirms_it(plan, personas, clients, clock):
    task = plan.tasks[0]
    update = _file(task, plan.periods[(2021, 3)], personas.lead, data=DONE)
    review.accept_update(update=update, actor=personas.office)

    group = _groups(clients.office)["confirm"]
    assert _texts(group) == ["1. 建设单一窗口。"]
    assert group.entries[0].url == reverse("task-detail", args=[task.pk])

    task.refresh_from_db()
    review.confirm_completion(task=task, actor=personas.office)
    assert "confirm" not in _groups(clients.office)


def _run(plan, state, finished_at, version=1):
    return ReportRun.objects.create(
        kind=ReportKind.MONTHLY,
        programme=plan.programme,
        period=plan.periods[(2021, 2)],
        scope="2021-02",
        as_of=datetime.date(2021, 2, 25),
        version=version,
        state=state,
        created_at=finished_at,
        finished_at=finished_at,
    )


def test_office_sees_report_runs_finished_or_failed_since_yesterday(plan, clients, clock):
    done = _run(plan, RunState.DONE, stamp(2021, 3, 9, 8), version=1)
    failed = _run(plan, RunState.FAILED, stamp(2021, 3, 10, 9), version=2)
    _run(plan, RunState.DONE, stamp(2021, 3, 8, 23), version=3)  # before yesterday

    group = _groups(clients.office)["runs"]
    assert [entry.url for entry in group.entries] == [
        reverse("report-run", args=[failed.pk]),
        reverse("report-run", args=[done.pk]),
    ]
    assert [entry.detail for entry in group.entries] == ["失败", "已完成"]

    clock.move_to(stamp(2021, 3, 12))
    assert "runs" not in _groups(clients.office)


def test_office_home_says_when_nothing_waits(plan, clients, clock):
    response = clients.office.get(reverse("home"))
    assert response.context["todo"] == []
    assert "暂无待办事项。" in response.content.decode()


# --- member ------------------------------------------------------------------------------


def test_member_sees_the_latest_report_with_links_to_its_files(plan, clients, clock):
    assert "尚未生成报告。" in clients.member.get(reverse("home")).content.decode()
    run = _run(plan, RunState.DONE, stamp(2021, 3, 9))
    file = ReportFile.objects.create(
        run=run, kind=FileKind.DOCX, name="2021年2月月报.docx", file="x.docx", size=10, sha256="0"
    )

    page = clients.member.get(reverse("home")).content.decode()
    assert f'href="{reverse("report-file", args=[file.pk])}"' in page
    assert f'href="{reverse("report-run", args=[run.pk])}"' in page


def test_member_sees_the_dashboards_headline_figures(plan, personas, clients, clock):
    update = _file(plan.tasks[0], plan.periods[(2021, 3)], personas.lead, data=DONE)
    review.accept_update(update=update, actor=personas.office)

    home = clients.member.get(reverse("home")).context["member"].figures
    dashboard = clients.member.get(reverse("dashboard")).context["figures"]
    assert home.period == dashboard.period == plan.periods[(2021, 3)]
    assert home.tasks == dashboard.tasks
    assert home.reporting == dashboard.reporting
    assert home.tasks.by_status["completed"] == 1


# --- query counts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "day"), [("office", 10), ("office", 29), ("member", 10), ("lead", 10), ("lead", 29)]
)
def test_home_runs_the_same_queries_with_10_and_1000_updates(
    plan, personas, clients, clock, persona, day
):
    client = getattr(clients, persona)
    # Every group holds something at both sizes (an empty list skips its prefetches).
    march = plan.periods[(2021, 3)]
    _file(plan.tasks[0], march, personas.support)
    _file(plan.tasks[0], march, personas.lead)
    clock.move_to(stamp(2021, 3, day))  # on the 29th the due date has passed: late units

    def count():
        client.get(reverse("home"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    _background(plan, 10, "small")
    for version in range(1, 3):
        _run(plan, RunState.DONE, stamp(2021, 3, 9), version=version)
    small = count()
    _background(plan, 1000, "large")
    for version in range(3, 40):
        _run(plan, RunState.DONE, stamp(2021, 3, 9), version=version)
    large = count()
    assert small == large <= 30, (small, large)


def test_every_office_link_opens_for_the_office(plan, personas, clients, clock):
    feb, march = plan.periods[(2021, 2)], plan.periods[(2021, 3)]
    behind = _file(plan.tasks[1], feb, personas.support, data=BEHIND)
    review.accept_update(update=behind, actor=personas.office)
    done = _file(plan.tasks[0], march, personas.lead, data=DONE)
    review.accept_update(update=done, actor=personas.office)
    _file(plan.tasks[2], march, personas.finance)
    _run(plan, RunState.FAILED, stamp(2021, 3, 28))
    clock.move_to(stamp(2021, 3, 29))

    groups = _groups(clients.office)
    assert set(groups) == {"review", "late-units", "uncoordinated", "confirm", "runs"}
    late = next(entry for entry in groups["late-units"].entries if entry.text == "省商务厅")
    page = clients.office.get(late.url)
    assert page.status_code == 200
    # 省商务厅 filed task 1 and owes tasks 2 and 3 (海口海关's missing task 1 is not its).
    assert "财政支持政策" in page.content.decode()
    assert "建设单一窗口" not in page.content.decode()
    for group in groups.values():
        for url in [group.url, *(entry.url for entry in group.entries)]:
            if url:
                assert clients.office.get(url).status_code == 200, url
