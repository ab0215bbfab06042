"""Report runs: requesting, compiling once, versions, the reaper, the schedule and pages."""

import datetime
import hashlib
import socket
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from departments.models import DepartmentContact
from pilot.celery import app as celery_app
from pilot.testing.factories import AssignmentFactory, TaskFactory, stamp
from reports import selectors
from reports.models import DistributionList, EmailDelivery, ReportKind, ReportRun, RunState
from reports.services import reminders as reminder_services
from reports.services import runs as run_services
from reports.services import schedule as schedule_services

pytestmark = pytest.mark.django_db


def _request(plan, period, actor, kind=ReportKind.MONTHLY):
    return run_services.request_report(
        kind=kind, programme=plan.programme, period=period, actor=actor
    )


def test_requesting_a_report_queues_a_first_version_and_enqueues_it_on_commit(
    plan, personas, february, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        run = _request(plan, february, personas.office)

    assert (run.state, run.version, run.scope) == (RunState.QUEUED, 1, "2021-02")
    assert run.requested_by == personas.office
    assert len(callbacks) == 1


def test_asking_twice_while_queued_returns_the_same_run(plan, personas, february):
    first = _request(plan, february, personas.office)

    second = _request(plan, february, personas.office)

    assert second.pk == first.pk
    assert ReportRun.objects.count() == 1


def test_a_member_cannot_request_a_report(plan, personas, february):
    with pytest.raises(PermissionDenied):
        _request(plan, february, personas.member)


def test_compiling_stores_both_files_with_their_hashes_and_marks_the_run_done(
    plan, personas, february
):
    run = _request(plan, february, personas.office)

    run = run_services.compile_report(run_id=run.pk)

    assert run.state == RunState.DONE
    assert run.progress_percent == 100
    files = {item.kind: item for item in run.files.all()}
    assert sorted(files) == ["docx", "xlsx"]
    assert files["xlsx"].name == "2021年2月工作月报.xlsx"
    content = files["docx"].file.read()
    assert files["docx"].sha256 == hashlib.sha256(content).hexdigest()
    assert files["docx"].size == len(content)
    assert ["按期报送率", "50.0%"] in run.headline["items"]


def test_compiling_a_done_run_again_changes_nothing(plan, personas, february):
    run = run_services.compile_report(run_id=_request(plan, february, personas.office).pk)
    finished = run.finished_at

    again = run_services.compile_report(run_id=run.pk)

    assert again.finished_at == finished
    assert again.files.count() == 2


def test_asking_again_after_a_done_run_makes_the_next_version(plan, personas, february):
    run_services.compile_report(run_id=_request(plan, february, personas.office).pk)

    run = _request(plan, february, personas.office)

    assert (run.version, run.state) == (2, RunState.QUEUED)


def test_a_build_error_fails_the_run_with_the_error(plan, personas, february, monkeypatch):
    def explode(*, run):
        raise RuntimeError("disk full")

    monkeypatch.setattr(run_services, "build_files", explode)
    run = _request(plan, february, personas.office)

    run = run_services.compile_report(run_id=run.pk)

    assert run.state == RunState.FAILED
    assert "disk full" in run.error
    assert run.files.count() == 0


def test_a_run_left_running_by_a_killed_worker_is_reaped_as_failed(plan, personas, february, clock):
    run = _request(plan, february, personas.office)
    ReportRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, started_at=stamp(2021, 3, 10)
    )
    clock.move_to(stamp(2021, 3, 10, 10, 5))
    assert run_services.reap_stale_runs() == 0

    clock.move_to(stamp(2021, 3, 10, 10, 15))
    assert run_services.reap_stale_runs() == 1

    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert run.error == "生成超时或后台进程意外中断，请重新生成。"
    assert _request(plan, february, personas.office).version == 2


def test_a_redelivered_job_completes_a_run_whose_worker_died(plan, personas, february, clock):
    run = _request(plan, february, personas.office)
    ReportRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, started_at=stamp(2021, 3, 10)
    )
    clock.move_to(stamp(2021, 3, 10, 10, 30))

    run = run_services.compile_report(run_id=run.pk)

    assert run.state == RunState.DONE


def test_a_job_delivered_while_another_worker_runs_it_does_nothing(plan, personas, february):
    run = _request(plan, february, personas.office)
    ReportRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, started_at=stamp(2021, 3, 10)
    )

    run = run_services.compile_report(run_id=run.pk)

    assert run.state == RunState.RUNNING
    assert run.files.count() == 0


# --- the calendar ----------------------------------------------------------------------


def test_reminders_go_out_five_working_days_before_the_due_date(plan, personas):
    # 2021-03-25 (Thursday) is due; five working days earlier is Thursday 2021-03-18.
    assert reminder_services.working_days_before(datetime.date(2021, 3, 25), 5) == datetime.date(
        2021, 3, 18
    )


def test_each_contact_gets_one_digest_of_its_departments_outstanding_tasks(plan, personas):
    DepartmentContact.objects.create(department=plan.commerce, email="a@commerce.test")
    DepartmentContact.objects.create(department=plan.commerce, email="b@commerce.test")
    DepartmentContact.objects.create(department=plan.customs, email="c@customs.test")

    sent = reminder_services.send_reminders(
        programme=plan.programme, on_date=datetime.date(2021, 3, 18)
    )

    assert sorted(d.to for d in sent) == ["a@commerce.test", "b@commerce.test", "c@customs.test"]
    commerce = next(d for d in sent if d.to == "a@commerce.test")
    assert "3项任务" in commerce.subject
    assert "财政支持政策" in commerce.body_text


def test_reminders_are_sent_once_per_contact_and_day(plan, personas):
    DepartmentContact.objects.create(department=plan.customs, email="c@customs.test")
    day = datetime.date(2021, 3, 25)
    reminder_services.send_reminders(programme=plan.programme, on_date=day)

    again = reminder_services.send_reminders(programme=plan.programme, on_date=day)

    assert again == []
    assert EmailDelivery.objects.count() == 1


def test_no_reminders_go_out_on_other_days(plan, personas):
    DepartmentContact.objects.create(department=plan.customs, email="c@customs.test")

    assert (
        reminder_services.send_reminders(
            programme=plan.programme, on_date=datetime.date(2021, 3, 19)
        )
        == []
    )


def test_the_day_after_the_due_date_queues_the_monthly_report_and_the_late_list_once(
    plan, personas, february
):
    # February is due Thursday 2021-02-25; its report goes out on Friday 2021-02-26.
    day = datetime.date(2021, 2, 26)

    first = schedule_services.run_daily_schedule(on_date=day)
    second = schedule_services.run_daily_schedule(on_date=day)

    assert (first["monthly"], first["late_list"]) == (1, 1)
    assert (second["monthly"], second["late_list"]) == (0, 0)
    kinds = sorted(ReportRun.objects.values_list("kind", flat=True))
    assert kinds == [ReportKind.LATE_LIST, ReportKind.MONTHLY]
    assert ReportRun.objects.filter(requested_by=None).count() == 2


def test_setup_schedules_is_idempotent():
    call_command("setup_schedules", stdout=StringIO())
    call_command("setup_schedules", stdout=StringIO())

    tasks = sorted(PeriodicTask.objects.values_list("task", flat=True))
    assert tasks == [
        "reports.tasks.reap_stale_runs_task",
        "reports.tasks.run_daily_schedule_task",
        "reports.tasks.run_slip_schedule_task",
    ]
    assert sorted(DistributionList.objects.values_list("kind", flat=True)) == ["members", "office"]


def test_the_admin_lists_runs_and_distribution_lists(client, admin_user, plan, personas, february):
    run_services.compile_report(run_id=_request(plan, february, personas.office).pk)
    client.force_login(admin_user)

    for name in ("reportrun", "distributionlist", "emaildelivery"):
        assert client.get(reverse(f"admin:reports_{name}_changelist")).status_code == 200
    run = ReportRun.objects.get()
    assert client.get(reverse("admin:reports_reportrun_change", args=[run.pk])).status_code == 200


# --- pages -----------------------------------------------------------------------------


def test_office_sees_the_run_list_with_the_request_button(clients, plan, february):
    response = clients.office.get(reverse("report-runs"))

    assert response.status_code == 200
    assert "生成月报" in response.content.decode()


def test_a_member_sees_the_run_list_without_the_request_button(clients, plan, february):
    response = clients.member.get(reverse("report-runs"))

    assert response.status_code == 200
    assert "生成月报" not in response.content.decode()


def test_a_reporter_may_not_open_the_run_list(clients, plan, february):
    assert clients.lead.get(reverse("report-runs")).status_code == 403


def test_the_run_list_takes_the_same_number_of_queries_for_more_runs(
    clients, plan, personas, february, django_assert_max_num_queries
):
    for _ in range(3):
        run_services.compile_report(run_id=_request(plan, february, personas.office).pk)
    with django_assert_max_num_queries(12) as first:
        clients.office.get(reverse("report-runs"))
    for _ in range(5):
        run_services.compile_report(run_id=_request(plan, february, personas.office).pk)

    with django_assert_max_num_queries(len(first.captured_queries)):
        assert clients.office.get(reverse("report-runs")).status_code == 200


def test_pressing_the_button_opens_the_run_page(clients, plan, february):
    response = clients.office.post(
        reverse("report-run-request"), {"kind": ReportKind.MONTHLY, "period": february.pk}
    )

    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("report-run", args=[run.pk])
    page = clients.office.get(response.url)
    assert page.status_code == 200
    status = clients.office.get(reverse("report-run-status", args=[run.pk])).json()
    assert status["state"] in ("queued", "done")


def test_a_member_may_not_press_the_button(clients, plan, february):
    response = clients.member.post(
        reverse("report-run-request"), {"kind": ReportKind.MONTHLY, "period": february.pk}
    )

    assert response.status_code == 403
    assert ReportRun.objects.count() == 0


def test_a_member_downloads_a_report_file(clients, plan, personas, february):
    run = run_services.compile_report(run_id=_request(plan, february, personas.office).pk)
    item = run.files.get(kind="xlsx")

    response = clients.member.get(reverse("report-file", args=[item.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == item.file.open("rb").read()


def test_a_reporter_gets_not_found_for_a_report_file(clients, plan, personas, february):
    run = run_services.compile_report(run_id=_request(plan, february, personas.office).pk)
    item = run.files.get(kind="xlsx")

    assert clients.lead.get(reverse("report-file", args=[item.pk])).status_code == 404
    assert clients.lead.get(reverse("report-run", args=[run.pk])).status_code == 404


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker_down():
    """Point Celery at a port nobody listens on, as if Redis had stopped."""
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(
        task_always_eager=False, broker_url=f"redis://127.0.0.1:{_closed_port()}/0"
    )
    _reset_broker_connections()
    yield
    celery_app.conf.update(saved)
    _reset_broker_connections()


def _reset_broker_connections():
    # Celery caches the connection and producer pools built from the first broker URL.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_pressing_the_button_while_redis_is_down_explains_and_keeps_the_portal_working(
    clients, plan, february, broker_down
):
    response = clients.office.post(
        reverse("report-run-request"),
        {"kind": ReportKind.MONTHLY, "period": february.pk},
        follow=True,
    )

    assert response.status_code == 200
    assert "后台任务服务（Redis）暂时不可用" in response.content.decode()
    run = ReportRun.objects.get()
    assert run.state == RunState.FAILED
    assert run.error.startswith("后台任务服务（Redis）暂时不可用")


def test_more_tasks_do_not_change_the_rows_of_other_programmes(plan, february):
    # Guard for the task-row selector's scope: a task of another plan stays out.
    other = TaskFactory()
    AssignmentFactory(task=other, department=plan.commerce)

    rows = list(selectors.task_rows(programme=plan.programme, period=february))
    assert [row.number for row in rows] == [1, 2, 3]


def test_the_office_can_ask_for_the_cumulative_summary_without_a_period(clients, plan, february):
    response = clients.office.post(reverse("report-run-request"), {"kind": ReportKind.SUMMARY})

    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert (run.kind, run.period, run.scope) == (ReportKind.SUMMARY, None, "as-of-2021-03-10")


def test_a_monthly_request_without_a_period_is_refused_with_a_message(clients, plan, february):
    response = clients.office.post(
        reverse("report-run-request"), {"kind": ReportKind.MONTHLY}, follow=True
    )

    assert response.status_code == 200
    assert "请选择报送期次。" in response.content.decode()
    assert ReportRun.objects.count() == 0
