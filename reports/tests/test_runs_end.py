"""Runs that always end: the queue timeout, cancel and retry, interim runs and the schedule.

A lost queue message or a dead worker is simulated by setting the run's state and
timestamps; the clock is pinned to 2021-03-10 10:00 (conftest.py), March is due 2021-03-25.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from pilot import permissions
from pilot.testing.factories import stamp
from pilot.testing.february import build_february
from pilot.tests.threads import run_at_once
from reports.models import (
    DistributionList,
    DistributionListKind,
    DistributionListMember,
    ReportKind,
    ReportRun,
    RunState,
)
from reports.services import mail as mail_services
from reports.services import runs as run_services
from reports.services import schedule as schedule_services
from tasks.periods import is_interim

pytestmark = pytest.mark.django_db

INTERIM_MARCH = (
    "本期报送尚未截止（截止日期2021年3月25日），生成的报告将标注为中期/未截止，确定继续？"
)


def _request(plan, period, actor, **extra):
    return run_services.request_report(
        kind=extra.pop("kind", ReportKind.MONTHLY),
        programme=plan.programme,
        period=period,
        actor=actor,
        **extra,
    )


# --- a queued run whose message was lost ------------------------------------------------


def test_a_queued_run_never_picked_up_is_failed_by_the_reaper_after_the_timeout(
    plan, personas, february, clock, settings
):
    settings.PILOT_RUN_QUEUE_TIMEOUT_MINUTES = 10
    run = _request(plan, february, personas.office)  # queued at 10:00, message lost
    clock.move_to(stamp(2021, 3, 10, 10, 9))
    assert run_services.reap_stale_runs() == 0

    clock.move_to(stamp(2021, 3, 10, 10, 11))
    assert run_services.reap_stale_runs() == 1

    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert run.error == "排队超时，后台任务服务未处理该申请，请重新生成。"


def test_the_queue_timeout_is_read_from_the_settings(plan, personas, february, clock, settings):
    settings.PILOT_RUN_QUEUE_TIMEOUT_MINUTES = 30
    run = _request(plan, february, personas.office)
    clock.move_to(stamp(2021, 3, 10, 10, 20))

    assert run_services.reap_stale_runs() == 0
    assert ReportRun.objects.get(pk=run.pk).state == RunState.QUEUED


def test_asking_again_for_a_stuck_queued_run_fails_it_and_queues_a_new_version(
    plan, personas, february, clock, settings
):
    settings.PILOT_RUN_QUEUE_TIMEOUT_MINUTES = 10
    stuck = _request(plan, february, personas.office)
    clock.move_to(stamp(2021, 3, 10, 10, 15))

    fresh = _request(plan, february, personas.office)

    assert fresh.pk != stuck.pk
    assert (fresh.version, fresh.state) == (2, RunState.QUEUED)
    stuck.refresh_from_db()
    assert stuck.state == RunState.FAILED
    assert stuck.error == "排队超时，后台任务服务未处理该申请，请重新生成。"


def test_asking_again_within_the_timeout_still_returns_the_queued_run(
    plan, personas, february, clock, settings
):
    settings.PILOT_RUN_QUEUE_TIMEOUT_MINUTES = 10
    first = _request(plan, february, personas.office)
    clock.move_to(stamp(2021, 3, 10, 10, 5))

    assert _request(plan, february, personas.office).pk == first.pk


def test_asking_again_for_a_run_whose_worker_died_fails_it_and_queues_a_new_version(
    plan, personas, february, clock
):
    dead = _request(plan, february, personas.office)
    ReportRun.objects.filter(pk=dead.pk).update(
        state=RunState.RUNNING, started_at=stamp(2021, 3, 10)
    )
    clock.move_to(stamp(2021, 3, 10, 10, 15))

    fresh = _request(plan, february, personas.office)

    assert fresh.version == 2
    dead.refresh_from_db()
    assert (dead.state, dead.error) == (
        RunState.FAILED,
        "生成超时或后台进程意外中断，请重新生成。",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_offices_asking_again_at_once_for_a_stuck_run_all_get_the_same_new_run(
    plan, personas, clock, monkeypatch
):
    monkeypatch.setattr(run_services, "enqueue_run", lambda *, run_id: None)
    period = build_february(plan)
    stuck = _request(plan, period, personas.office)
    clock.move_to(stamp(2021, 3, 10, 10, 30))
    results = run_at_once(*[lambda: _request(plan, period, personas.office).pk] * 4)
    errors = [result for result in results if isinstance(result, Exception)]
    got = [result for result in results if not isinstance(result, Exception)]

    assert errors == []
    assert len(got) == 4 and len(set(got)) == 1
    assert got[0] != stuck.pk
    states = dict(ReportRun.objects.values_list("version", "state"))
    assert states == {1: RunState.FAILED, 2: RunState.QUEUED}


def test_a_lost_message_delivered_after_the_run_was_failed_builds_nothing(
    plan, personas, february, clock
):
    run = _request(plan, february, personas.office)
    clock.move_to(stamp(2021, 3, 10, 11))
    run_services.reap_stale_runs()

    run_services.compile_report(run_id=run.pk)

    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert run.files.count() == 0


# --- cancel and retry -----------------------------------------------------------------


def test_the_office_cancels_a_queued_run_and_its_job_then_builds_nothing(plan, personas, february):
    run = _request(plan, february, personas.office)

    run_services.cancel_run(run=run, actor=personas.office)
    run_services.compile_report(run_id=run.pk)

    run.refresh_from_db()
    assert run.state == RunState.CANCELLED
    assert run.cancelled_by == personas.office
    assert run.files.count() == 0


def test_a_run_cancelled_while_a_worker_builds_it_stores_no_files(
    plan, personas, february, monkeypatch
):
    run = _request(plan, february, personas.office)
    build = run_services.build_files

    def cancel_meanwhile(*, run):
        built = build(run=run)
        run_services.cancel_run(run=run, actor=personas.office)
        return built

    monkeypatch.setattr(run_services, "build_files", cancel_meanwhile)

    run = run_services.compile_report(run_id=run.pk)

    assert run.state == RunState.CANCELLED
    assert run.files.count() == 0


def test_a_done_run_cannot_be_cancelled(plan, personas, february):
    run = run_services.compile_report(run_id=_request(plan, february, personas.office).pk)

    with pytest.raises(ValidationError, match="该报告已结束，不能取消。"):
        run_services.cancel_run(run=run, actor=personas.office)


def test_a_member_cannot_cancel_a_run(plan, personas, february):
    run = _request(plan, february, personas.office)

    with pytest.raises(PermissionDenied):
        run_services.cancel_run(run=run, actor=personas.member)
    assert ReportRun.objects.get(pk=run.pk).state == RunState.QUEUED


def test_retrying_a_failed_run_queues_the_next_version_of_the_same_report(
    plan, personas, february, clock
):
    failed = _request(plan, february, personas.office)
    clock.move_to(stamp(2021, 3, 10, 11))
    run_services.reap_stale_runs()
    failed.refresh_from_db()

    fresh = run_services.retry_run(run=failed, actor=personas.office)

    assert (fresh.kind, fresh.period, fresh.version) == (ReportKind.MONTHLY, february, 2)
    assert fresh.requested_by == personas.office
    assert fresh.state == RunState.QUEUED


def test_retrying_a_cancelled_summary_keeps_its_as_of_date(plan, personas, february, clock):
    summary = _request(plan, None, personas.office, kind=ReportKind.SUMMARY)
    run_services.cancel_run(run=summary, actor=personas.office)
    clock.move_to(stamp(2021, 3, 12))
    summary.refresh_from_db()

    fresh = run_services.retry_run(run=summary, actor=personas.office)

    assert fresh.scope == "as-of-2021-03-10"
    assert fresh.version == 2


def test_a_queued_run_cannot_be_retried(plan, personas, february):
    run = _request(plan, february, personas.office)

    with pytest.raises(ValidationError, match="只有失败或已取消的报告可以重试。"):
        run_services.retry_run(run=run, actor=personas.office)


@pytest.mark.parametrize(
    ("persona", "state", "cancel", "retry"),
    [
        ("office", RunState.QUEUED, True, False),
        ("office", RunState.RUNNING, True, False),
        ("office", RunState.DONE, False, False),
        ("office", RunState.FAILED, False, True),
        ("office", RunState.CANCELLED, False, True),
        ("member", RunState.QUEUED, False, False),
        ("member", RunState.FAILED, False, False),
        ("lead", RunState.FAILED, False, False),
    ],
)
def test_only_the_office_cancels_live_runs_and_retries_ended_ones(
    personas, persona, state, cancel, retry
):
    run = ReportRun(state=state)
    user = getattr(personas, persona)

    assert permissions.can_cancel_run(user, run) is cancel
    assert permissions.can_retry_run(user, run) is retry


def test_the_office_cancels_and_retries_from_the_run_pages(clients, plan, personas, february):
    run = _request(plan, february, personas.office)
    assert "取消生成" in clients.office.get(reverse("report-run", args=[run.pk])).content.decode()

    response = clients.office.post(reverse("report-run-cancel", args=[run.pk]))

    assert response.status_code == 302
    assert ReportRun.objects.get(pk=run.pk).state == RunState.CANCELLED
    listing = clients.office.get(reverse("report-runs")).content.decode()
    assert reverse("report-run-retry", args=[run.pk]) in listing

    response = clients.office.post(reverse("report-run-retry", args=[run.pk]))

    fresh = ReportRun.objects.exclude(pk=run.pk).get()
    assert response.url == reverse("report-run", args=[fresh.pk])
    assert fresh.version == 2


def test_cancel_and_retry_are_post_only_and_office_only(clients, plan, personas, february):
    run = _request(plan, february, personas.office)

    assert clients.office.get(reverse("report-run-cancel", args=[run.pk])).status_code == 405
    assert clients.member.post(reverse("report-run-cancel", args=[run.pk])).status_code == 403
    assert clients.lead.post(reverse("report-run-cancel", args=[run.pk])).status_code == 404
    assert ReportRun.objects.get(pk=run.pk).state == RunState.QUEUED
    page = clients.member.get(reverse("report-run", args=[run.pk])).content.decode()
    assert "取消生成" not in page


# --- interim runs (before the period's due date) ----------------------------------------


def test_a_monthly_report_before_the_due_date_needs_confirmation(plan, personas, clock):
    march = plan.periods[(2021, 3)]

    with pytest.raises(run_services.InterimNotConfirmed) as warning:
        _request(plan, march, personas.office)

    assert warning.value.messages == [INTERIM_MARCH]
    assert ReportRun.objects.count() == 0


def test_a_confirmed_report_before_the_due_date_is_marked_interim(plan, personas, clock):
    march = plan.periods[(2021, 3)]

    run = _request(plan, march, personas.office, confirm_interim=True)

    assert run.is_interim is True
    assert run.cutoff == stamp(2021, 3, 10)
    run = run_services.compile_report(run_id=run.pk)
    assert sorted(run.files.values_list("name", flat=True)) == [
        "2021年3月工作月报（中期/未截止）.docx",
        "2021年3月工作月报（中期/未截止）.xlsx",
    ]


def test_an_interim_reports_mail_says_so_in_its_subject(plan, personas, clock):
    run = _request(plan, plan.periods[(2021, 3)], personas.office, confirm_interim=True)
    run = run_services.compile_report(run_id=run.pk)
    members = DistributionList.objects.create(name="成员", kind=DistributionListKind.MEMBERS)
    DistributionListMember.objects.create(distribution_list=members, email="a@gov.test")

    [delivery] = mail_services.send_report(run=run, distribution_list=members)

    assert delivery.subject == "【月报】测试试点方案 2021年3月（中期/未截止）"


def test_on_the_due_date_itself_the_report_is_still_interim(plan, personas, clock):
    clock.move_to(stamp(2021, 3, 25, 23, 59))

    assert is_interim(plan.periods[(2021, 3)]) is True


def test_after_the_due_date_the_report_is_final_and_its_cutoff_is_the_end_of_that_day(
    plan, personas, clock
):
    clock.move_to(stamp(2021, 3, 26, 0, 1))

    run = _request(plan, plan.periods[(2021, 3)], personas.office)

    assert run.is_interim is False
    assert run.cutoff == stamp(2021, 3, 26, 0, 0)


def test_an_urging_notice_before_the_due_date_needs_confirmation(plan, personas, clock):
    with pytest.raises(run_services.InterimNotConfirmed):
        _request(
            plan,
            plan.periods[(2021, 3)],
            personas.office,
            kind=ReportKind.URGING,
            department=plan.commerce,
        )


def test_the_runs_page_asks_for_confirmation_then_makes_an_interim_run(clients, plan, clock):
    march = plan.periods[(2021, 3)]

    response = clients.office.post(
        reverse("report-run-request"), {"kind": ReportKind.MONTHLY, "period": march.pk}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert INTERIM_MARCH in page
    assert 'name="confirm_interim" value="1"' in page
    assert ReportRun.objects.count() == 0

    response = clients.office.post(
        reverse("report-run-request"),
        {"kind": ReportKind.MONTHLY, "period": march.pk, "confirm_interim": "1"},
    )

    run = ReportRun.objects.get()
    assert response.url == reverse("report-run", args=[run.pk])
    assert run.is_interim is True
    assert "中期/未截止" in clients.office.get(response.url).content.decode()


def test_the_scheduler_never_makes_an_interim_run(plan, personas, clock):
    with pytest.raises(ValidationError, match="定时任务只在本期报送截止后生成报告。"):
        _request(plan, plan.periods[(2021, 3)], None)


# --- the schedule -------------------------------------------------------------------------


def test_a_schedule_firing_before_the_due_date_reports_the_last_period_past_its_cutoff(
    plan, personas, february
):
    # 2021-03-01: March is still open; February (due 02-25, report day 02-26) was missed.
    done = schedule_services.run_daily_schedule(on_date=datetime.date(2021, 3, 1))

    assert done["monthly"] == 1
    run = ReportRun.objects.get(kind=ReportKind.MONTHLY)
    assert (run.period, run.is_interim, run.requested_by) == (february, False, None)


def test_a_schedule_before_the_report_day_makes_nothing(plan, personas, february):
    # 2021-02-25 is February's due date: nothing is past its cut-off yet.
    done = schedule_services.run_daily_schedule(on_date=datetime.date(2021, 2, 25))

    assert (done["monthly"], done["late_list"]) == (0, 0)
    assert ReportRun.objects.count() == 0


def test_a_scheduled_run_that_failed_is_not_repeated_on_catch_up_days(plan, personas, february):
    schedule_services.run_daily_schedule(on_date=datetime.date(2021, 2, 26))
    ReportRun.objects.update(state=RunState.FAILED)

    done = schedule_services.run_daily_schedule(on_date=datetime.date(2021, 3, 1))

    assert (done["monthly"], done["late_list"]) == (0, 0)
    assert ReportRun.objects.count() == 2
