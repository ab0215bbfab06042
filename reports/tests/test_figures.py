"""Figures of reports.figures against a small history counted by hand.

The history (built by ``history`` on top of the conftest ``plan``; today is 2021-03-10):
  task 1 (cat 1, 省商务厅 leads; 海口海关, 各市县 support): 正常推进 40 %, due 2021-06-30
  task 2 (cat 1, 海口海关 leads; 省商务厅 supports): 已完成 100 %, confirmed 2021-02-15
  task 3 (cat 2, 省财政厅 and 省商务厅 lead): 受阻 20 %, due 2021-03-01 (overdue), 需协调
  task 4 (cat 2, 省财政厅 leads): 正常推进 10 %, due 2021-06-30 (trails the straight line)
Reporter accounts exist for 省商务厅, 海口海关, 省财政厅 and 省委网信办 (the personas).
Updates:
  2021-01  task 2 / 海口海关 lead: accepted, 已完成, on time
  2021-02  task 1 / 省商务厅 lead: accepted, 正常推进, on time
           task 1 / 海口海关 support: submitted late
           task 2 / 海口海关 lead: draft (missing)
           task 3 / 省财政厅 lead: returned on 2021-02-26, first submitted on time
           task 3 / 省商务厅 lead: accepted, 受阻, on time
  2021-03  task 1 / 省商务厅 lead: returned on 2021-03-06, resubmitted, first on time
"""

import datetime
import io

import pytest

from departments.models import Department
from pilot.testing.factories import (
    AssignmentFactory,
    ProgrammeFactory,
    TaskFactory,
    UpdateFactory,
    stamp,
)
from reports import figures
from tasks.models import (
    AssignmentRole,
    ProgressUpdate,
    Review,
    ReviewAction,
    Task,
    TaskStatus,
    UpdateState,
)
from tasks.services.periods import generate_periods
from tasks.services.review import accept_update
from tasks.warning import warning_colour

ON_TRACK, BEHIND, BLOCKED = TaskStatus.ON_TRACK, TaskStatus.BEHIND, TaskStatus.BLOCKED
COMPLETED, NOT_STARTED = TaskStatus.COMPLETED, TaskStatus.NOT_STARTED


def _submitted(*, plan, task, month, department, role, state, day, late=False, **fields):
    return UpdateFactory(
        task=task,
        period=plan.periods[(2021, month)],
        department=department,
        role=role,
        state=state,
        first_submitted_at=stamp(2021, month, day),
        submitted_at=stamp(2021, month, day),
        is_late=late,
        **fields,
    )


def _return(update, *, on, by):
    # As tasks.services.review.return_update does: a Review row and one more return_count.
    update.return_count += 1
    update.save(update_fields=["return_count"])
    Review.objects.create(
        update=update,
        action=ReviewAction.RETURN,
        department=update.department,
        created_at=on,
        created_by=by,
    )


@pytest.fixture
def history(plan, personas, clock):
    t1, t2, t3 = plan.tasks
    t4 = TaskFactory(
        programme=plan.programme, category=plan.categories[1], number=4, measure="人才引进。"
    )
    AssignmentFactory(task=t4, department=plan.finance, role=AssignmentRole.LEAD)
    Task.objects.filter(pk=t1.pk).update(status=ON_TRACK, percent=40)
    Task.objects.filter(pk=t2.pk).update(
        status=COMPLETED, percent=100, completion_confirmed_at=stamp(2021, 2, 15)
    )
    Task.objects.filter(pk=t3.pk).update(
        status=BLOCKED, percent=20, due_on=datetime.date(2021, 3, 1), needs_coordination=True
    )
    Task.objects.filter(pk=t4.pk).update(status=ON_TRACK, percent=10)
    lead, support = AssignmentRole.LEAD, AssignmentRole.SUPPORT
    accepted, submitted = UpdateState.ACCEPTED, UpdateState.SUBMITTED
    _submitted(
        plan=plan, task=t2, month=1, department=plan.customs, role=lead, state=accepted,
        day=20, status=COMPLETED, percent=100,
    )  # fmt: skip
    _submitted(
        plan=plan, task=t1, month=2, department=plan.commerce, role=lead, state=accepted,
        day=20, status=ON_TRACK, percent=40,
    )  # fmt: skip
    _submitted(
        plan=plan, task=t1, month=2, department=plan.customs, role=support, state=submitted,
        day=27, late=True,
    )  # fmt: skip
    UpdateFactory(
        task=t2, period=plan.periods[(2021, 2)], department=plan.customs, role=lead
    )  # a draft, never submitted
    returned = _submitted(
        plan=plan, task=t3, month=2, department=plan.finance, role=lead,
        state=UpdateState.RETURNED, day=24,
    )  # fmt: skip
    _return(returned, on=stamp(2021, 2, 26), by=personas.office)
    _submitted(
        plan=plan, task=t3, month=2, department=plan.commerce, role=lead, state=accepted,
        day=21, status=BLOCKED, percent=20,
    )  # fmt: skip
    march = _submitted(
        plan=plan, task=t1, month=3, department=plan.commerce, role=lead, state=submitted,
        day=5, status=ON_TRACK, percent=45,
    )  # fmt: skip
    _return(march, on=stamp(2021, 3, 6), by=personas.office)
    return plan


def _feb(plan):
    return plan.periods[(2021, 2)]


def _mar(plan):
    return plan.periods[(2021, 3)]


def _by_name(rows):
    return {row.department.name: row for row in rows}


def test_task_counts_follow_the_status_rule_as_of_the_period(history):
    tasks = figures.period_figures(programme=history.programme, period=_mar(history)).tasks

    # Not the rows the fixture wrote, but the accepted updates: task 1 正常推进 40 %, task 2
    # confirmed (已完成 100 %), task 3 受阻 at (20 + 0) // 2 = 10 % (省财政厅's update was
    # returned), task 4 未启动 0 % (nothing accepted).
    assert tasks.total == 4
    assert tasks.by_status == {
        NOT_STARTED: 1,
        ON_TRACK: 1,
        BEHIND: 0,
        BLOCKED: 1,
        COMPLETED: 1,
    }
    assert tasks.completed_confirmed == 1
    assert tasks.progress_rate == 25.0
    assert tasks.mean_percent == 37.5
    assert tasks.overdue == 1
    assert tasks.needs_coordination == 0


def test_warning_colours_are_red_for_overdue_and_yellow_for_trailing_the_straight_line(history):
    tasks = figures.period_figures(programme=history.programme, period=_mar(history)).tasks

    # Task 4: 10 % + 25 < 68/180 of the way = 37.8 %, so yellow; task 1 (40 %) is green.
    assert tasks.by_colour == {"green": 2, "yellow": 1, "red": 1}


def test_warning_colour_expression_filters_tasks_in_sql(history):
    colours = dict(
        Task.objects.filter(programme=history.programme)
        .annotate(colour=warning_colour())
        .values_list("number", "colour")
    )

    assert colours == {1: "green", 2: "green", 3: "red", 4: "yellow"}


def test_reporting_of_february_counts_on_time_late_and_missing(history):
    reporting = figures.period_figures(programme=history.programme, period=_feb(history)).reporting

    # Expected: task 1 ×2 (the collective 各市县 owes nothing), task 2 ×2, task 3 ×2, task 4 ×1.
    assert reporting == figures.ReportingCounts(
        expected=7, on_time=3, late=1, missing=3, on_time_rate=42.9
    )


def test_a_task_confirmed_before_the_period_owes_no_submission(history):
    reporting = figures.period_figures(programme=history.programme, period=_mar(history)).reporting

    assert reporting == figures.ReportingCounts(
        expected=5, on_time=1, late=0, missing=4, on_time_rate=20.0
    )


def test_a_department_without_an_active_reporter_owes_no_submission(history, personas):
    personas.finance.is_active = False
    personas.finance.save(update_fields=["is_active"])

    reporting = figures.period_figures(programme=history.programme, period=_mar(history)).reporting

    assert reporting.expected == 3


def test_categories_count_their_tasks_by_status(history):
    rows = figures.period_figures(programme=history.programme, period=_mar(history)).categories

    assert [(row.category.number, row.total, row.completed_confirmed) for row in rows] == [
        (1, 2, 1),
        (2, 2, 0),
    ]
    assert rows[0].by_status[ON_TRACK] == 1
    assert rows[0].by_status[COMPLETED] == 1
    assert rows[1].by_status[BLOCKED] == 1
    assert rows[1].by_status[NOT_STARTED] == 1


def test_department_rows_of_february(history):
    rows = _by_name(
        figures.period_figures(programme=history.programme, period=_feb(history)).departments
    )

    assert set(rows) == {"省商务厅", "海口海关", "省财政厅", "各市县"}
    commerce = rows["省商务厅"]
    # Task 3 (due 2021-03-01) was not yet overdue on February's due date.
    assert _feb(history).due_on <= datetime.date(2021, 3, 1)
    assert (commerce.led, commerce.supported, commerce.completed, commerce.overdue) == (2, 1, 1, 0)
    assert (commerce.expected, commerce.on_time, commerce.late, commerce.missing) == (3, 2, 0, 1)
    assert (commerce.returned, commerce.on_time_rate) == (0, 66.7)
    customs = rows["海口海关"]
    assert (customs.led, customs.supported, customs.completed, customs.overdue) == (1, 1, 1, 0)
    assert (customs.expected, customs.on_time, customs.late, customs.missing) == (2, 0, 1, 1)
    assert customs.on_time_rate == 0.0
    finance = rows["省财政厅"]
    assert (finance.led, finance.expected, finance.on_time, finance.missing) == (2, 2, 1, 1)
    assert (finance.returned, finance.overdue) == (1, 0)
    cities = rows["各市县"]
    assert (cities.supported, cities.expected, cities.on_time_rate) == (1, 0, None)


def test_returns_count_up_to_the_end_of_the_period(history):
    feb = _by_name(
        figures.period_figures(programme=history.programme, period=_feb(history)).departments
    )
    mar = _by_name(
        figures.period_figures(programme=history.programme, period=_mar(history)).departments
    )

    assert feb["省商务厅"].returned == 0
    assert mar["省商务厅"].returned == 1
    assert mar["省财政厅"].returned == 1


def test_department_figures_cover_only_its_own_tasks(history):
    result = figures.department_figures(
        programme=history.programme, period=_mar(history), department=history.commerce
    )

    assert (result.tasks.total, result.led, result.supported) == (3, 2, 1)
    assert result.tasks.mean_percent == 53.3
    assert result.tasks.overdue == 1
    assert result.tasks.by_colour == {"green": 2, "yellow": 0, "red": 1}
    assert result.reporting == figures.ReportingCounts(
        expected=2, on_time=1, late=0, missing=1, on_time_rate=50.0
    )
    assert result.returned == 1
    assert [row.category.number for row in result.categories] == [1, 2]


def test_department_record_lists_each_started_period(history):
    rows = figures.department_record(programme=history.programme, department=history.finance)

    assert [
        (str(row.period), row.expected, row.on_time, row.late, row.missing, row.returned)
        for row in rows
    ] == [
        ("2021年1月", 2, 0, 0, 2, 0),
        ("2021年2月", 2, 1, 0, 1, 1),
        ("2021年3月", 2, 0, 0, 2, 0),
    ]


def test_department_record_stops_owing_after_confirmation(history):
    rows = figures.department_record(programme=history.programme, department=history.commerce)

    assert [(row.expected, row.on_time, row.missing, row.returned) for row in rows] == [
        (3, 0, 3, 0),
        (3, 2, 1, 0),
        (2, 1, 1, 1),
    ]


def test_status_trend_carries_the_last_accepted_status(history):
    points = figures.status_trend(programme=history.programme)

    assert [str(point.period) for point in points] == ["2021年1月", "2021年2月", "2021年3月"]
    assert [
        (point.by_status[NOT_STARTED], point.by_status[ON_TRACK], point.by_status[BLOCKED],
         point.by_status[COMPLETED])
        for point in points
    ] == [(3, 0, 0, 1), (1, 1, 1, 1), (1, 1, 1, 1)]  # fmt: skip
    assert points[0].total == 4


def test_status_trend_needs_every_lead_unit_to_report_completed(history, personas):
    t3 = history.tasks[2]
    _submitted(
        plan=history, task=t3, month=3, department=history.commerce, role=AssignmentRole.LEAD,
        state=UpdateState.ACCEPTED, day=8, status=COMPLETED, percent=100,
    )  # fmt: skip

    march = figures.status_trend(programme=history.programme)[-1]

    assert march.by_status[COMPLETED] == 1  # only task 2: 省财政厅 has not reported 已完成
    assert march.by_status[ON_TRACK] == 2


def test_accepting_an_update_changes_the_trend_on_the_next_read(history, personas):
    before = figures.status_trend(programme=history.programme)[-1]
    march = ProgressUpdate.objects.get(
        task=history.tasks[0], period=_mar(history), department=history.commerce
    )
    ProgressUpdate.objects.filter(pk=march.pk).update(status=BEHIND, percent=42)
    march.refresh_from_db()

    accept_update(update=march, actor=personas.office)

    after = figures.status_trend(programme=history.programme)[-1]
    assert (before.by_status[ON_TRACK], before.by_status[BEHIND]) == (1, 0)
    assert (after.by_status[ON_TRACK], after.by_status[BEHIND]) == (0, 1)


def test_accepting_a_past_periods_update_late_changes_only_the_periods_after_it(history, personas):
    figures.status_trend(programme=history.programme)
    late_report = _submitted(
        plan=history, task=Task.objects.get(number=4), month=1, department=history.finance,
        role=AssignmentRole.LEAD, state=UpdateState.SUBMITTED, day=20, status=BEHIND,
        percent=5,
    )  # fmt: skip

    accept_update(update=late_report, actor=personas.office)

    # Accepted on 2021-03-10, after January's and February's cut-offs: it counts from
    # March on, and the reports on January and February stay as they were.
    points = figures.status_trend(programme=history.programme)
    assert [point.by_status[BEHIND] for point in points] == [0, 0, 1]
    assert [point.by_status[NOT_STARTED] for point in points] == [3, 1, 0]


def test_a_new_lead_unit_changes_the_trend_without_an_acceptance(history):
    figures.status_trend(programme=history.programme)
    AssignmentFactory(task=history.tasks[1], department=history.finance, role=AssignmentRole.LEAD)

    points = figures.status_trend(programme=history.programme)

    # Task 2's 已完成 now needs 省财政厅 too, so it is 正常推进 in January; its confirmation
    # (2021-02-15) makes it 已完成 from February on whatever the leads said.
    assert [point.by_status[COMPLETED] for point in points] == [0, 1, 1]
    assert [point.by_status[ON_TRACK] for point in points] == [1, 1, 1]


def test_a_deleted_task_leaves_the_trend(history):
    figures.status_trend(programme=history.programme)
    Task.objects.filter(number=4).delete()

    points = figures.status_trend(programme=history.programme)

    assert [point.total for point in points] == [3, 3, 3]
    assert [point.by_status[NOT_STARTED] for point in points] == [2, 0, 0]


def test_a_new_period_is_carried_forward_from_the_stored_ones(history, clock):
    figures.status_trend(programme=history.programme)
    clock.move_to(datetime.datetime(2021, 4, 10, 10, tzinfo=datetime.UTC))

    points = figures.status_trend(programme=history.programme)

    assert [str(point.period) for point in points][-1] == "2021年4月"
    assert [
        (point.by_status[NOT_STARTED], point.by_status[ON_TRACK], point.by_status[BLOCKED],
         point.by_status[COMPLETED])
        for point in points
    ] == [(3, 0, 0, 1), (1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1)]  # fmt: skip


def _period_pks(plan):
    return {key: period.pk for key, period in plan.periods.items()}


def test_programmes_overview_gives_each_programme_its_current_period(history):
    other = ProgrammeFactory(code="other", title="另一方案")
    generate_periods(programme=other)
    task = TaskFactory(programme=other, category__programme=other, number=1)
    AssignmentFactory(task=task, department=history.commerce, role=AssignmentRole.LEAD)

    rows = {row.programme.code: row for row in figures.programmes_overview()}

    assert str(rows["test-plan"].period) == "2021年3月"
    assert (rows["test-plan"].tasks.total, rows["test-plan"].tasks.overdue) == (4, 1)
    assert rows["test-plan"].reporting == figures.ReportingCounts(
        expected=5, on_time=1, late=0, missing=4, on_time_rate=20.0
    )
    assert (rows["other"].tasks.total, rows["other"].tasks.by_colour["yellow"]) == (1, 1)
    assert rows["other"].reporting.expected == 1


# --- bounded queries -----------------------------------------------------------------


def _more_data(plan, personas, *, tasks: int):
    """Add ``tasks`` tasks, each led by a new department with a reporter and updates."""
    from pilot.testing.factories import make_user

    for n in range(tasks):
        task = TaskFactory(
            programme=plan.programme, category=plan.categories[n % 2], number=100 + n
        )
        department = Department.objects.create(name=f"加测单位{n}")
        make_user(f"extra{n}", "reporter", department)
        AssignmentFactory(task=task, department=department, role=AssignmentRole.LEAD)
        AssignmentFactory(task=task, department=plan.customs, role=AssignmentRole.SUPPORT)
        for month in (1, 2):
            _submitted(
                plan=plan, task=task, month=month, department=department,
                role=AssignmentRole.LEAD, state=UpdateState.ACCEPTED, day=20,
                status=BEHIND, percent=30,
            )  # fmt: skip


@pytest.mark.parametrize("extra", [0, 30])
def test_period_figures_run_a_fixed_number_of_queries(
    history, personas, django_assert_num_queries, extra
):
    _more_data(history, personas, tasks=extra)
    # Periods, tasks, lead units and accepted updates (the status rule as of the period),
    # tasks by category, categories, the department rows' three and the coordination count.
    with django_assert_num_queries(10):
        figures.period_figures(programme=history.programme, period=_mar(history))


@pytest.mark.parametrize("extra", [0, 30])
def test_department_views_run_a_fixed_number_of_queries(
    history, personas, django_assert_num_queries, extra
):
    _more_data(history, personas, tasks=extra)
    with django_assert_num_queries(8):
        figures.department_figures(
            programme=history.programme, period=_mar(history), department=history.customs
        )
        figures.department_record(programme=history.programme, department=history.customs)


@pytest.mark.parametrize("extra", [0, 30])
def test_trend_and_overview_run_a_fixed_number_of_queries(
    history, personas, django_assert_num_queries, extra
):
    _more_data(history, personas, tasks=extra)
    with django_assert_num_queries(12):  # the trend's four, the overview's eight
        figures.status_trend(programme=history.programme)
        figures.programmes_overview()


# --- the demo history ----------------------------------------------------------------


def test_demo_history_labels_every_update_and_feeds_the_figures(plan, personas, clock):
    from django.core.management import call_command

    call_command("fill_demo_history", "--programme", "test-plan", stdout=io.StringIO())

    updates = ProgressUpdate.objects.filter(task__programme=plan.programme)
    assert updates.exists()
    assert not updates.exclude(work_done__startswith="【演示数据】").exists()
    january = figures.period_figures(programme=plan.programme, period=plan.periods[(2021, 1)])
    assert january.reporting.expected == 6  # three tasks, two reporting units each
    assert january.reporting.on_time + january.reporting.late > 0


def test_demo_history_refuses_when_real_updates_exist(history):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("fill_demo_history", "--programme", "test-plan", stdout=io.StringIO())


def test_demo_history_is_deterministic_for_a_seed(plan, personas, clock):
    from django.core.management import call_command

    def states():
        call_command("fill_demo_history", "--seed", "7", stdout=io.StringIO())
        return list(
            ProgressUpdate.objects.order_by(
                "task__number", "period__starts_on", "department"
            ).values_list("state", "status", "percent", "is_late")
        )

    assert states() == states()
