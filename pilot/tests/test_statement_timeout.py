"""A slow query is cut by PostgreSQL's statement_timeout: the user reads a 503 in Chinese
(JSON in the API), never a 500, and the portal answers the next request as usual."""

import copy
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from pilot.statement_timeout import use_statement_timeout

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SLEEP = "SELECT pg_sleep(3)"  # far longer than the 200 ms limit the tests set


@pytest.fixture
def short_timeout():
    """Cut statements after 200 ms on the test database's new connections."""
    saved = copy.deepcopy(connections.settings["default"].get("OPTIONS", {}))
    use_statement_timeout(200)
    yield
    connections.settings["default"]["OPTIONS"] = saved
    connections["default"].settings_dict["OPTIONS"] = saved
    connections.close_all()


def _slow(function):
    """Wrap ``function`` so that it first runs a query that outlasts the limit."""

    def wrapper(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute(SLEEP)
        return function(*args, **kwargs)

    return wrapper


def test_a_page_whose_query_is_cut_answers_503_in_chinese_and_the_next_one_200(
    plan, clients, short_timeout, monkeypatch
):
    from tasks import selectors

    task = plan.tasks[0]
    original = selectors.task_for_page
    monkeypatch.setattr(selectors, "task_for_page", _slow(original))
    started = time.monotonic()
    response = clients.office.get(f"/tasks/{task.pk}/")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "系统繁忙（503）" in response.content.decode()
    assert response["Retry-After"] == "30"
    assert elapsed < 2.5  # cut at 0.2 s, not served after the 3 s sleep
    monkeypatch.setattr(selectors, "task_for_page", original)
    follow_up = clients.office.get(f"/tasks/{task.pk}/")
    assert follow_up.status_code == 200
    assert task.measure in follow_up.content.decode()


def test_an_api_list_whose_query_is_cut_answers_a_json_503(
    plan, clients, short_timeout, monkeypatch
):
    from tasks.api import views

    original = views.selectors.api_updates
    monkeypatch.setattr(views.selectors, "api_updates", _slow(original))
    response = clients.office.get("/api/v1/updates/")
    assert response.status_code == 503
    assert "查询超时" in response.json()["detail"]
    assert response["Retry-After"] == "30"
    monkeypatch.setattr(views.selectors, "api_updates", original)
    assert clients.office.get("/api/v1/updates/").status_code == 200


def test_a_query_cut_in_a_middleware_still_answers_503(plan, personas, short_timeout, monkeypatch):
    """Outside the view, the 500 handler (pilot.views.server_error) answers 503 instead."""
    from pilot.middleware import IdleSessionMiddleware

    monkeypatch.setattr(IdleSessionMiddleware, "__call__", _slow(IdleSessionMiddleware.__call__))
    client = Client(raise_request_exception=False)
    client.force_login(personas.office)
    response = client.get("/tasks/")
    assert response.status_code == 503
    assert "系统繁忙" in response.content.decode()


def test_without_the_limit_the_same_query_runs_to_its_end(plan):
    """The tests' own connection has no limit: the cut above is the setting's doing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.3), 1")
        assert cursor.fetchone()[1] == 1


def _show_statement_timeout(code: str, **environment) -> str:
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    script = code + (
        "\nfrom django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('SHOW statement_timeout')\n"
        "    print(cursor.fetchone()[0])\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "pilot.settings",
        "DEBUG": "1",
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_web_application_sets_the_web_limit_on_its_connections():
    shown = _show_statement_timeout("import pilot.wsgi", PILOT_STATEMENT_TIMEOUT_MS="4321")
    assert shown == "4321ms"


def test_a_celery_worker_sets_the_jobs_longer_limit():
    code = (
        "import django; django.setup()\n"
        "from pilot.celery import app, use_job_statement_timeout\n"
        "from celery.signals import worker_init\n"
        "worker_init.send(sender=None)\n"
    )
    shown = _show_statement_timeout(code, PILOT_JOB_STATEMENT_TIMEOUT_MS="600000")
    assert shown == "10min"


def test_a_management_command_keeps_the_servers_default():
    assert _show_statement_timeout("import django; django.setup()") == "0"
