"""Supervision slips (督办单): each rule with hand-counted dates, issuing, answering, reviewing,
escalation (across a period boundary and a holiday), and the outstanding count per unit.

The shared plan: tasks due 2021-06-30; periods 2021-01 … 2021-06 due on the 25th (or the
next working day); task 1 led by 省商务厅, task 2 by 海口海关, task 3 by 省财政厅 and 省商务厅.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilot.testing.factories import UpdateFactory, stamp
from tasks import supervision
from tasks.models import (
    SlipLevel,
    SlipOrigin,
    SlipRules,
    SlipStatus,
    SupervisionSlip,
    TaskStatus,
    UpdateState,
)
from tasks.services import extensions, slips

pytestmark = pytest.mark.django_db


def accepted(plan, task, department, month, percent, status=TaskStatus.ON_TRACK):
    return UpdateFactory(
        task=task,
        department=department,
        period=plan.periods[(2021, month)],
        state=UpdateState.ACCEPTED,
        percent=percent,
        status=status,
    )


def levels(plan, today):
    found = slips.evaluate(programme=plan.programme, today=today)
    return {(f.task.number, f.department_id): f.level for f in found}


def steady_progress(plan, months=(1, 2, 3, 4, 5, 6)):
    """Every lead unit raises its percent every month (so no stall rule applies); the task
    rows (denormalised) say 90 %."""
    t1, t2, t3 = plan.tasks
    for task in plan.tasks:
        task.percent = 90
        task.save()
    for month in months:
        accepted(plan, t1, plan.commerce, month, 10 * month)
        accepted(plan, t2, plan.customs, month, 10 * month)
        accepted(plan, t3, plan.finance, month, 10 * month)
        accepted(plan, t3, plan.commerce, month, 10 * month)


# --- the rules, one by one ------------------------------------------------------------------


def test_no_rule_applies_to_tasks_progressing_far_from_their_due_date(plan):
    steady_progress(plan, months=(1, 2))
    assert levels(plan, datetime.date(2021, 3, 10)) == {}


def test_two_periods_without_any_accepted_update_is_yellow(plan):
    # On 2021-03-10 the periods past their due date are 2021-01 and 2021-02: nothing came.
    found = slips.evaluate(programme=plan.programme, today=datetime.date(2021, 3, 10))
    assert {(f.task.number, f.level) for f in found} == {
        (1, "yellow"),
        (2, "yellow"),
        (3, "yellow"),
    }
    assert len(found) == 4  # task 3 has two lead units; the collective 各市县 is never one
    assert found[0].reason == "该任务连续2个报送期（2021年1月、2021年2月）无进展。"


def test_progress_in_one_of_the_two_periods_is_not_a_stall(plan):
    t1 = plan.tasks[0]
    accepted(plan, t1, plan.commerce, 1, 20)
    accepted(plan, t1, plan.commerce, 2, 20)  # no rise in February, but January rose
    assert levels(plan, datetime.date(2021, 3, 10)).get((1, plan.commerce.pk)) is None


def test_the_same_percent_for_two_periods_after_the_window_moves_is_yellow(plan):
    t1 = plan.tasks[0]
    for month in (1, 2, 3):
        accepted(plan, t1, plan.commerce, month, 20)
    # 2021-03 is due 2021-03-25: on 2021-04-10 the window is February and March.
    assert levels(plan, datetime.date(2021, 4, 10))[(1, plan.commerce.pk)] == "yellow"


def test_status_behind_is_yellow(plan):
    steady_progress(plan, months=(1, 2))
    t2 = plan.tasks[1]
    t2.status, t2.percent = TaskStatus.BEHIND, 15
    t2.save()
    found = slips.evaluate(programme=plan.programme, today=datetime.date(2021, 3, 10))
    assert [(f.task.number, f.level, f.reason) for f in found] == [
        (2, "yellow", "该任务当前推进状态为“进度滞后”，完成进度15%。")
    ]


def test_blocked_in_two_periods_is_red(plan):
    steady_progress(plan, months=(1, 2))
    t1 = plan.tasks[0]
    t1.updates.all().delete()
    accepted(plan, t1, plan.commerce, 1, 10, TaskStatus.BLOCKED)
    accepted(plan, t1, plan.commerce, 2, 20, TaskStatus.BLOCKED)
    assert levels(plan, datetime.date(2021, 3, 10)) == {(1, plan.commerce.pk): "red"}


def test_blocked_in_only_the_last_period_is_not_red(plan):
    steady_progress(plan, months=(1, 2))
    t1 = plan.tasks[0]
    t1.updates.filter(period=plan.periods[(2021, 2)]).update(status=TaskStatus.BLOCKED)
    assert levels(plan, datetime.date(2021, 3, 10)) == {}


def test_overdue_is_red_from_the_day_after_the_due_date(plan):
    steady_progress(plan)
    assert levels(plan, datetime.date(2021, 6, 30)).get((1, plan.commerce.pk)) != "red"
    assert levels(plan, datetime.date(2021, 7, 1))[(1, plan.commerce.pk)] == "red"


def test_an_approved_extension_moves_the_overdue_rule(plan, personas, clock):
    steady_progress(plan)
    t1 = plan.tasks[0]
    extension = extensions.request_extension(
        task=t1,
        actor=personas.lead,
        requested_due_on=datetime.date(2021, 9, 30),
        reason="需等待上级批复。",
    )
    extensions.approve_extension(
        extension=extension, actor=personas.office, approved_due_on=datetime.date(2021, 9, 30)
    )
    assert (1, plan.commerce.pk) not in levels(plan, datetime.date(2021, 7, 1))


def test_blue_within_ten_working_days_below_eighty_percent(plan):
    # Back from 2021-06-30 (Wed), with the Dragon Boat holiday on Monday 2021-06-14, the
    # working days are 30, 29, 28, 25, 24, 23, 22, 21, 18, 17: ten from 2021-06-17.
    steady_progress(plan)
    assert levels(plan, datetime.date(2021, 6, 16)) == {}
    t1, _t2, _t3 = plan.tasks
    t1.percent = 60
    t1.save()
    found = slips.evaluate(programme=plan.programme, today=datetime.date(2021, 6, 17))
    assert [(f.task.number, f.level) for f in found] == [(1, "blue")]
    assert found[0].reason == (
        "该任务完成期限为2021年6月30日，距完成期限还剩10个工作日，当前完成进度60%，低于80%。"
    )


def test_blue_is_not_issued_at_the_threshold_percent(plan):
    steady_progress(plan)
    t1 = plan.tasks[0]
    t1.percent = 80
    t1.save()
    assert levels(plan, datetime.date(2021, 6, 17)) == {}


def test_blue_counts_the_national_day_holiday_and_the_swapped_saturday(plan):
    # Due Monday 2021-10-11, three working days: 10-08 (Fri), 10-09 (Sat, 调休) and 10-11.
    # On 2021-09-30 the days are 09-30, 10-08, 10-09, 10-11: four (10-01 … 10-07 are off).
    steady_progress(plan)
    for task in plan.tasks:
        task.due_on = datetime.date(2021, 10, 11)
        task.save()
    t1 = plan.tasks[0]
    t1.percent = 50
    t1.save()
    SlipRules.objects.create(programme=plan.programme, blue_working_days=3)
    assert levels(plan, datetime.date(2021, 9, 30)) == {}
    assert levels(plan, datetime.date(2021, 10, 8)) == {(1, plan.commerce.pk): "blue"}


def test_office_edited_thresholds_apply(plan):
    steady_progress(plan)
    SlipRules.objects.create(programme=plan.programme, blue_working_days=20, blue_percent=70)
    t1 = plan.tasks[0]
    t1.percent = 65
    t1.save()
    # 20 working days back from 2021-06-30 reach 2021-06-02.
    assert levels(plan, datetime.date(2021, 6, 2)) == {(1, plan.commerce.pk): "blue"}
    assert levels(plan, datetime.date(2021, 6, 1)) == {}


def test_completed_and_confirmed_tasks_get_no_slip(plan):
    t1 = plan.tasks[0]
    t1.status = TaskStatus.COMPLETED
    t1.save()
    assert all(
        f.task.pk != t1.pk
        for f in slips.evaluate(programme=plan.programme, today=datetime.date(2021, 7, 2))
    )


# --- issuing by rule -----------------------------------------------------------------------


def test_rules_issue_numbered_slips_once_however_often_they_run(plan, clock):
    first = slips.run_slip_rules(programme=plan.programme, today=datetime.date(2021, 3, 10))
    again = slips.run_slip_rules(programme=plan.programme, today=datetime.date(2021, 3, 11))
    assert again == []
    assert sorted(slip.number for slip in first) == [1, 2, 3, 4]
    assert {slip.code for slip in first} >= {"督办〔2021〕1号", "督办〔2021〕4号"}
    assert all(slip.origin == SlipOrigin.RULE for slip in first)
    # Yellow: three working days to answer from Wednesday 2021-03-10 (11, 12, 15).
    assert {slip.response_due for slip in first} == {datetime.date(2021, 3, 15)}


def test_a_higher_level_replaces_the_outstanding_slip(plan, clock):
    (slip,) = [
        s
        for s in slips.run_slip_rules(programme=plan.programme, today=datetime.date(2021, 3, 10))
        if s.task == plan.tasks[0]
    ]
    t1 = plan.tasks[0]
    t1.due_on = datetime.date(2021, 3, 10)
    t1.save()
    new = slips.run_slip_rules(programme=plan.programme, today=datetime.date(2021, 3, 11))
    assert [(s.task.number, s.level, s.escalated_from) for s in new] == [(1, "red", slip)]
    slip.refresh_from_db()
    assert slip.status == SlipStatus.ESCALATED


def test_rules_are_off_when_the_office_disables_them(plan):
    SlipRules.objects.create(programme=plan.programme, enabled=False)
    assert slips.run_slip_rules(programme=plan.programme, today=datetime.date(2021, 3, 10)) == []


# --- by hand, answer, review ----------------------------------------------------------------


def issue_blue(plan, personas, task=None, department=None):
    return slips.issue_slip(
        task=task or plan.tasks[0],
        department_id=(department or plan.commerce).pk,
        level=SlipLevel.BLUE,
        reason="请加快推进。",
        actor=personas.office,
    )


def test_only_the_office_issues_by_hand_and_only_to_a_lead_unit(plan, personas, clock):
    with pytest.raises(PermissionDenied):
        slips.issue_slip(
            task=plan.tasks[0],
            department_id=plan.commerce.pk,
            level=SlipLevel.RED,
            reason="x",
            actor=personas.lead,
        )
    with pytest.raises(ValidationError, match="牵头单位"):
        issue_blue(plan, personas, department=plan.customs)  # supports task 1


def test_the_unit_answers_and_the_office_returns_then_accepts(plan, personas, clock):
    slip = issue_blue(plan, personas)
    assert slip.response_due == datetime.date(2021, 3, 17)  # 11, 12, 15, 16, 17
    with pytest.raises(PermissionDenied):
        slips.respond_slip(
            slip=slip,
            actor=personas.support,
            measures="x",
            fix_by=datetime.date(2021, 4, 30),
            version=slip.version,
        )
    slip = slips.respond_slip(
        slip=slip,
        actor=personas.lead,
        measures="成立专班，每周调度。",
        fix_by=datetime.date(2021, 4, 30),
        version=slip.version,
    )
    assert slip.status == SlipStatus.ANSWERED
    clock.move_to(stamp(2021, 3, 16))
    with pytest.raises(ValidationError, match="审核意见"):
        slips.review_slip(
            slip=slip, actor=personas.office, accept=False, comment="", version=slip.version
        )
    slip = slips.review_slip(
        slip=slip, actor=personas.office, accept=False, comment="措施不具体。", version=slip.version
    )
    # Returned on Tuesday 2021-03-16: five working days again (17, 18, 19, 22, 23).
    assert (slip.status, slip.response_due) == (SlipStatus.ISSUED, datetime.date(2021, 3, 23))
    slip = slips.respond_slip(
        slip=slip,
        actor=personas.lead,
        measures="明确到周的计划。",
        fix_by=datetime.date(2021, 4, 30),
        version=slip.version,
    )
    slip = slips.review_slip(
        slip=slip, actor=personas.office, accept=True, comment="", version=slip.version
    )
    assert slip.status == SlipStatus.ACCEPTED and slip.closed_at is not None


def test_a_second_slip_of_the_same_level_is_refused_while_one_is_outstanding(plan, personas, clock):
    issue_blue(plan, personas)
    with pytest.raises(ValidationError, match="尚未办结"):
        issue_blue(plan, personas)


# --- escalation --------------------------------------------------------------------------


def test_an_unanswered_slip_escalates_across_the_period_boundary_and_a_holiday(
    plan, personas, clock
):
    clock.move_to(stamp(2021, 3, 24))
    blue = issue_blue(plan, personas)
    # Five working days from Wednesday 2021-03-24: 25, 26, 29, 30, 31.
    assert blue.response_due == datetime.date(2021, 3, 31)
    assert slips.escalate_overdue_slips(today=datetime.date(2021, 3, 31)) == []
    (yellow,) = slips.escalate_overdue_slips(today=datetime.date(2021, 4, 1))
    blue.refresh_from_db()
    assert blue.status == SlipStatus.ESCALATED
    assert (yellow.level, yellow.issued_on, yellow.escalated_from) == (
        "yellow",
        datetime.date(2021, 4, 1),
        blue,
    )
    assert yellow.origin == SlipOrigin.ESCALATION
    # Three working days from Thursday 2021-04-01 over Qingming (04-03 … 04-05 off): 2, 6, 7.
    assert yellow.response_due == datetime.date(2021, 4, 7)
    assert slips.escalate_overdue_slips(today=datetime.date(2021, 4, 7)) == []
    (red,) = slips.escalate_overdue_slips(today=datetime.date(2021, 4, 8))
    assert red.level == "red"
    # A red slip stays outstanding: nothing above it.
    assert slips.escalate_overdue_slips(today=datetime.date(2021, 5, 8)) == []
    assert SupervisionSlip.objects.get(pk=red.pk).status == SlipStatus.ISSUED


def test_an_answered_slip_does_not_escalate(plan, personas, clock):
    blue = issue_blue(plan, personas)
    slips.respond_slip(
        slip=blue,
        actor=personas.lead,
        measures="加快推进。",
        fix_by=datetime.date(2021, 4, 30),
        version=blue.version,
    )
    assert slips.escalate_overdue_slips(today=datetime.date(2021, 4, 30)) == []


def test_after_an_accepted_answer_the_rule_issues_again_only_in_the_next_period(
    plan, personas, clock
):
    (slip,) = [
        s
        for s in slips.run_slip_rules(programme=plan.programme, today=datetime.date(2021, 3, 10))
        if s.task == plan.tasks[0]
    ]
    slip = slips.respond_slip(
        slip=slip,
        actor=personas.lead,
        measures="加快推进。",
        fix_by=datetime.date(2021, 4, 30),
        version=slip.version,
    )
    slips.review_slip(
        slip=slip, actor=personas.office, accept=True, comment="", version=slip.version
    )
    march = slips.run_slip_rules(programme=plan.programme, today=datetime.date(2021, 3, 31))
    assert plan.tasks[0] not in [s.task for s in march]
    april = slips.run_slip_rules(programme=plan.programme, today=datetime.date(2021, 4, 1))
    assert plan.tasks[0] in [s.task for s in april]


# --- outstanding, for the scoring ----------------------------------------------------------


def test_outstanding_by_department_as_of_a_date(plan, personas, clock):
    clock.move_to(stamp(2021, 3, 24))
    issue_blue(plan, personas)  # 省商务厅, task 1
    issue_blue(plan, personas, task=plan.tasks[1], department=plan.customs)
    clock.move_to(stamp(2021, 4, 1))
    slips.escalate_overdue_slips()  # both: blue -> yellow
    customs_slip = SupervisionSlip.objects.get(department=plan.customs, status=SlipStatus.ISSUED)
    clock.move_to(stamp(2021, 4, 2))
    answered = slips.respond_slip(
        slip=customs_slip,
        actor=personas.support,
        measures="加快推进。",
        fix_by=datetime.date(2021, 4, 30),
        version=customs_slip.version,
    )
    slips.review_slip(
        slip=answered, actor=personas.office, accept=True, comment="", version=answered.version
    )
    assert supervision.outstanding_by_department(plan.programme, datetime.date(2021, 3, 23)) == {}
    expected_march = {plan.commerce.pk: 1, plan.customs.pk: 1}
    assert supervision.outstanding_by_department(plan.programme, datetime.date(2021, 3, 31)) == (
        expected_march
    )
    # 2021-04-01: the blue slips were escalated, the yellow ones are outstanding.
    assert supervision.outstanding_by_department(plan.programme, datetime.date(2021, 4, 1)) == (
        expected_march
    )
    # Accepted on 2021-04-02: 海口海关 has none left from that day.
    assert supervision.outstanding_by_department(plan.programme, datetime.date(2021, 4, 2)) == {
        plan.commerce.pk: 1
    }


def test_an_unanswered_slip_on_a_task_confirmed_meanwhile_is_closed_not_escalated(
    plan, personas, clock
):
    blue = issue_blue(plan, personas)  # response due 2021-03-17
    Task = type(plan.tasks[0])
    Task.objects.filter(pk=plan.tasks[0].pk).update(completion_confirmed_at=stamp(2021, 3, 16))
    assert slips.escalate_overdue_slips(today=datetime.date(2021, 3, 18)) == []
    blue.refresh_from_db()
    assert blue.status == SlipStatus.CLOSED
