"""The group robot push (企业微信/钉钉 webhook), against a local HTTP server this test starts.

Celery runs eagerly here (the robot fixture makes it so, also where REDIS_URL is set): a
retry runs at once (the backoff countdown is not waited for).
"""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from departments.models import WebhookPush, WebhookResult
from departments.tasks import webhook_backoff
from pilot.celery import app as celery_app
from pilot.clock import now as clock_now
from tasks.models import ReturnReason
from tasks.services import reporting, review
from tasks.tests.test_loop_query_counts import FILLED

pytestmark = pytest.mark.django_db


class Robot:
    """A local stand-in for the group robot: records bodies, answers the statuses queued."""

    def __init__(self, statuses):
        self.bodies = []
        self.statuses = list(statuses)
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                robot.bodies.append(json.loads(self.rfile.read(length)))
                status = robot.statuses.pop(0) if robot.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=k"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def robot_factory(plan):
    robots = []
    # Task.apply() runs retries in-process; an eager Retry must not propagate to the test.
    # Eager also where REDIS_URL is set (CI's PostgreSQL run has no worker on this queue).
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=False)

    def start(statuses=()):
        robot = Robot(statuses)
        robots.append(robot)
        plan.commerce.webhook_url = robot.url
        plan.commerce.save(update_fields=["webhook_url"])
        return robot

    yield start
    celery_app.conf.update(saved)
    for robot in robots:
        robot.close()


def _return_an_update(plan, personas, django_capture_on_commit_callbacks):
    reason = ReturnReason.objects.create(text="未提供佐证材料")
    update = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    update = reporting.file_update(
        update=update, actor=personas.lead, data=FILLED, expected_version=1, submit=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        review.return_update(update=update, actor=personas.office, reasons=[reason], comment="")


def test_a_return_is_pushed_to_the_units_robot_as_a_text_message(
    plan, personas, clock, robot_factory, django_capture_on_commit_callbacks
):
    robot = robot_factory()

    _return_an_update(plan, personas, django_capture_on_commit_callbacks)

    assert robot.bodies == [
        {
            "msgtype": "text",
            "text": {"content": "1. 建设单一窗口。（2021年3月）的报送被退回：未提供佐证材料"},
        }
    ]
    push = WebhookPush.objects.get()
    assert (push.department, push.result, push.attempts) == (plan.commerce, "sent", 1)


def test_a_failing_robot_is_tried_again_and_the_push_then_succeeds(
    plan, personas, clock, robot_factory, django_capture_on_commit_callbacks
):
    robot = robot_factory(statuses=[500, 502])

    _return_an_update(plan, personas, django_capture_on_commit_callbacks)

    assert len(robot.bodies) == 3
    push = WebhookPush.objects.get()
    assert (push.result, push.attempts) == (WebhookResult.SENT, 3)


def test_after_three_retries_the_failure_is_recorded_and_logged(
    plan, personas, clock, robot_factory, django_capture_on_commit_callbacks, caplog
):
    robot = robot_factory(statuses=[500] * 10)

    with caplog.at_level(logging.WARNING, logger="departments.webhooks"):
        _return_an_update(plan, personas, django_capture_on_commit_callbacks)

    assert len(robot.bodies) == 4  # the first try and three retries
    push = WebhookPush.objects.get()
    assert (push.result, push.attempts) == (WebhookResult.FAILED, 4)
    assert "500" in push.error
    assert f"Webhook push {push.pk} failed" in caplog.text
    assert "key=k" not in caplog.text  # the robot's key stays out of the logs


def test_a_unit_without_a_robot_gets_no_push(
    plan, personas, clock, django_capture_on_commit_callbacks
):
    _return_an_update(plan, personas, django_capture_on_commit_callbacks)
    assert not WebhookPush.objects.exists()


def test_the_retries_back_off():
    assert [webhook_backoff(n) for n in range(3)] == [10, 20, 40]


def test_the_webhook_address_is_edited_on_the_departments_admin_page(plan, admin_client):
    page = admin_client.get(f"/admin/departments/department/{plan.commerce.pk}/change/")
    assert 'name="webhook_url"' in page.content.decode()


def test_the_admin_lists_pushes_read_only(plan, admin_client, clock):
    WebhookPush.objects.create(department=plan.commerce, text="推送内容", created_at=clock_now())
    page = admin_client.get("/admin/departments/webhookpush/").content.decode()
    assert "推送内容" in page
    assert admin_client.get("/admin/departments/webhookpush/add/").status_code == 403
