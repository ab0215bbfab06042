import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilot.testing.helpers import FILLED, file_and_submit
from tasks.models import AuditEvent, TaskStatus, UpdateState
from tasks.periods import default_due_date
from tasks.selectors import current_period
from tasks.services import reporting, review
from tasks.services.periods import generate_periods

pytestmark = pytest.mark.django_db


def test_programme_2020_gets_36_monthly_periods_from_august_to_july(plan):
    plan.programme.starts_on = datetime.date(2020, 8, 2)
    plan.programme.ends_on = datetime.date(2023, 8, 1)
    periods = generate_periods(programme=plan.programme)
    assert len(periods) == 36
    assert (periods[0].year, periods[0].month) == (2020, 8)
    assert (periods[-1].year, periods[-1].month) == (2023, 7)


def test_due_date_moves_past_the_national_day_holiday():
    # 2020-10-25 is a Sunday; the 26th is a working day.
    assert default_due_date(2020, 10) == datetime.date(2020, 10, 26)


def test_due_date_moves_to_a_swapped_working_sunday_not_to_monday():
    # 2021-09-25 is a Saturday; Sunday 2021-09-26 was a working day (调休 for National Day).
    assert default_due_date(2021, 9) == datetime.date(2021, 9, 26)


def test_current_period_holds_today(plan, clock):
    assert current_period(programme=plan.programme) == plan.periods[(2021, 3)]


def test_current_period_is_the_last_once_the_programme_has_ended(plan, clock):
    clock.move_to(datetime.datetime(2026, 11, 27, 10, tzinfo=datetime.UTC))
    assert current_period(programme=plan.programme) == plan.periods[(2021, 6)]


def test_submission_before_the_due_date_is_on_time(plan, personas, clock):
    update = file_and_submit(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)
    assert update.state == UpdateState.SUBMITTED
    assert update.is_late is False


def test_first_submission_after_the_due_date_is_late_and_stays_late(plan, personas, clock):
    clock.move_to(datetime.datetime(2021, 3, 26, 9, tzinfo=datetime.UTC))
    update = file_and_submit(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)
    assert update.is_late is True


def test_stale_version_is_refused_and_nothing_is_overwritten(plan, personas, clock):
    update = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    reporting.save_update(update=update, actor=personas.lead, data=FILLED, expected_version=1)
    with pytest.raises(reporting.StaleVersionError):
        reporting.save_update(
            update=update,
            actor=personas.lead,
            data={**FILLED, "work_done": "另一人的内容"},
            expected_version=1,
        )
    update.refresh_from_db()
    assert update.work_done == FILLED["work_done"]
    assert update.version == 2


def test_submit_requires_work_done(plan, personas, clock):
    update = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    with pytest.raises(ValidationError) as error:
        reporting.submit_update(update=update, actor=personas.lead, expected_version=1)
    assert "work_done" in error.value.message_dict


def test_outsider_cannot_start_an_update_on_a_task_it_does_not_hold(plan, personas, clock):
    with pytest.raises(PermissionDenied):
        reporting.start_update(
            task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.outsider
        )


def test_lead_update_names_the_supporting_units_that_sent_nothing(plan, personas, clock):
    update = file_and_submit(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)
    # 海口海关 holds an account-able assignment; 各市县 is a collective and is not expected.
    assert update.missing_inputs == "未收到海口海关的报送。"


def test_lead_update_records_the_inputs_it_drew_on(plan, personas, clock):
    period = plan.periods[(2021, 3)]
    supporting = file_and_submit(plan.tasks[0], period, personas.support)
    update = reporting.start_update(task=plan.tasks[0], period=period, actor=personas.lead)
    update = reporting.save_update(
        update=update, actor=personas.lead, data=FILLED, expected_version=1
    )
    update = reporting.submit_update(
        update=update, actor=personas.lead, expected_version=2, drawn_from=[supporting]
    )
    assert list(update.drawn_from.all()) == [supporting]
    assert update.missing_inputs == ""


def test_copy_of_previous_period_is_flagged_but_accepted(plan, personas, clock):
    file_and_submit(plan.tasks[0], plan.periods[(2021, 2)], personas.lead)
    update = file_and_submit(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)
    assert update.copied_from_previous is True
    assert update.state == UpdateState.SUBMITTED


def test_return_then_resubmit_then_accept_sets_task_status(plan, personas, clock):
    task, period = plan.tasks[0], plan.periods[(2021, 3)]
    update = file_and_submit(task, period, personas.lead)
    review.return_update(update=update, actor=personas.office, reasons=[], comment="请补充数据")
    update.refresh_from_db()
    assert update.state == UpdateState.RETURNED
    assert update.return_count == 1
    update = reporting.save_update(
        update=update,
        actor=personas.lead,
        data={**FILLED, "percent": 60},
        expected_version=update.version,
    )
    update = reporting.submit_update(
        update=update, actor=personas.lead, expected_version=update.version
    )
    review.accept_update(update=update, actor=personas.office)
    task.refresh_from_db()
    assert (task.status, task.percent) == (TaskStatus.ON_TRACK, 60)
    verbs = list(AuditEvent.objects.filter(task=task).values_list("verb", flat=True))
    assert verbs[-4:] == ["returned", "changed", "submitted", "accepted"]


def test_several_leads_combine_worst_status_and_mean_percent(plan, personas, clock):
    task, period = plan.tasks[2], plan.periods[(2021, 3)]
    blocked = {**FILLED, "status": TaskStatus.BLOCKED, "percent": 30, "problems": "缺资金"}
    review.accept_update(update=file_and_submit(task, period, personas.lead), actor=personas.office)
    review.accept_update(
        update=file_and_submit(task, period, personas.finance, blocked), actor=personas.office
    )
    task.refresh_from_db()
    assert (task.status, task.percent) == (TaskStatus.BLOCKED, 35)


def test_office_cannot_review_a_supporting_input(plan, personas, clock):
    update = file_and_submit(plan.tasks[0], plan.periods[(2021, 3)], personas.support)
    with pytest.raises(PermissionDenied):
        review.accept_update(update=update, actor=personas.office)


def test_completion_can_be_confirmed_only_when_the_lead_reports_completed(plan, personas, clock):
    task, period = plan.tasks[0], plan.periods[(2021, 3)]
    with pytest.raises(PermissionDenied):
        review.confirm_completion(task=task, actor=personas.office)
    done = {**FILLED, "status": TaskStatus.COMPLETED, "percent": 100}
    review.accept_update(
        update=file_and_submit(task, period, personas.lead, done), actor=personas.office
    )
    task.refresh_from_db()
    review.confirm_completion(task=task, actor=personas.office)
    assert task.completion_confirmed_by == personas.office
