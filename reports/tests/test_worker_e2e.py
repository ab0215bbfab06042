"""End to end with a real Celery worker: Redis queue, PostgreSQL, files on disk, SMTP.

Needs DATABASE_URL (PostgreSQL) and REDIS_URL; CI sets both and fails on any skip.
The worker runs as a subprocess on a queue of its own, against the test database, and is
stopped before the test ends so that the test database can be dropped.
"""

import datetime
import email
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from pilot.celery import app as celery_app
from pilot.testing.february import build_february
from reports.models import (
    DistributionList,
    DistributionListKind,
    DistributionListMember,
    ReportKind,
    ReportRun,
    RunState,
)
from reports.services import runs as run_services

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"
TIMEOUT = 90

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _require_services():
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        pytest.skip(f"needs {' and '.join(missing)} (PostgreSQL and Redis) for a real worker")
    if connection.vendor != "postgresql":
        pytest.skip("the worker test runs on PostgreSQL only")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def _test_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def queue():
    """Route this test's jobs to a queue no other worker listens on."""
    name = f"e2e-{uuid.uuid4().hex[:12]}"
    saved = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = name
    yield name
    celery_app.conf.task_default_queue = saved


def _start_worker(queue: str, log_path: Path, *, command: list[str], smtp_port: int = 25):
    _require_services()
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_QUEUE": queue,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "CONN_MAX_AGE": "0",
    }
    options = [
        "-Q",
        queue,
        "--pool=solo",
        "-n",
        f"{queue}@%h",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]
    log = log_path.open("w")
    process = subprocess.Popen(
        [*command, *options], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    return process, log


def _stop(process, log) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    log.close()


@pytest.fixture
def worker(queue, inbox, tmp_path):
    _handler, smtp_port = inbox
    celery = [str(CELERY)] if CELERY.exists() else [sys.executable, "-m", "celery"]
    command = [*celery, "-A", "pilot", "worker"]
    process, log = _start_worker(
        queue, tmp_path / "worker.log", command=command, smtp_port=smtp_port
    )
    yield process
    _stop(process, log)


@pytest.fixture
def hanging_worker(queue, tmp_path):
    """A real worker whose report build never finishes (see hanging_worker.py)."""
    command = [sys.executable, "-m", "reports.tests.hanging_worker"]
    process, log = _start_worker(queue, tmp_path / "worker.log", command=command)
    yield process
    _stop(process, log)


def _wait_for(predicate, what: str, process, log: Path):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            break
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-4000:]}")


def test_a_real_worker_compiles_the_monthly_report_and_mails_both_files(
    plan, personas, clock, worker, inbox, tmp_path
):
    handler, _port = inbox
    period = build_february(plan)
    members = DistributionList.objects.create(name="成员", kind=DistributionListKind.MEMBERS)
    DistributionListMember.objects.create(distribution_list=members, email="leader@gov.test")
    log = tmp_path / "worker.log"

    run = run_services.request_report(
        kind=ReportKind.MONTHLY,
        programme=plan.programme,
        period=period,
        actor=personas.office,
        distribution_list=members,
    )

    assert run.state == RunState.QUEUED
    assert run.celery_task_id
    _wait_for(
        lambda: ReportRun.objects.get(pk=run.pk).state in (RunState.DONE, RunState.FAILED),
        "the run to finish",
        worker,
        log,
    )
    run.refresh_from_db()
    assert run.state == RunState.DONE, run.error
    assert run.started_at is not None and run.finished_at >= run.started_at
    files = list(run.files.all())
    assert sorted(item.kind for item in files) == ["docx", "xlsx"]
    assert all(Path(item.file.path).stat().st_size == item.size for item in files)
    _wait_for(lambda: handler.messages, "the e-mail", worker, log)
    [message] = handler.messages
    assert message["To"] == "leader@gov.test"
    names = sorted(part.get_filename() for part in message.walk() if part.get_filename())
    assert names == ["2021年2月工作月报.docx", "2021年2月工作月报.xlsx"]


def test_a_worker_killed_mid_run_leaves_no_run_running_forever(
    plan, personas, clock, hanging_worker, tmp_path
):
    period = build_february(plan)
    run = run_services.request_report(
        kind=ReportKind.MONTHLY, programme=plan.programme, period=period, actor=personas.office
    )
    _wait_for(
        lambda: ReportRun.objects.get(pk=run.pk).state == RunState.RUNNING,
        "the worker to start the run",
        hanging_worker,
        tmp_path / "worker.log",
    )

    hanging_worker.kill()  # SIGKILL mid-build: the worker can record nothing
    hanging_worker.wait(timeout=10)
    run.refresh_from_db()
    assert run.state == RunState.RUNNING

    # The periodic reaper, once the time limit and its grace have passed.
    limit = datetime.timedelta(seconds=run_services.COMPILE_TIME_LIMIT) + run_services.STALE_GRACE
    clock.move_to(run.started_at + limit + datetime.timedelta(minutes=1))
    assert run_services.reap_stale_runs() == 1
    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert run.error == str(run_services.STALE_MESSAGE)
