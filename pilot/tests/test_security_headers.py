"""Content-Security-Policy on every page, and the session's idle timeout."""

import datetime
import re
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import ReportRun

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


def test_every_page_carries_a_policy_of_our_own_origin_only(clock, clients):
    policy = _policy(clients.lead.get("/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # a nonce only where a page uses one
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_login_page_and_the_api_docs_carry_the_policy_too(clock, clients):
    assert (
        "default-src 'self'" in clients.anonymous.get("/accounts/login/")["Content-Security-Policy"]
    )
    assert "default-src 'self'" in clients.member.get("/api/docs/")["Content-Security-Policy"]


def test_an_inline_script_runs_only_with_the_pages_nonce(clock, plan, personas, clients):
    run = ReportRun.objects.create(
        kind="monthly",
        programme=plan.programme,
        period=plan.periods[(2021, 3)],
        scope="2021-03",
        as_of=datetime.date(2021, 3, 10),
        version=1,
        state="running",
        created_at=datetime.datetime(2021, 3, 10, 2, tzinfo=datetime.UTC),
    )
    response = clients.office.get(f"/reports/runs/{run.pk}/")
    [own, nonce] = _policy(response)["script-src"]
    assert own == "'self'"
    nonce = nonce.removeprefix("'nonce-").removesuffix("'")
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
    assert inline == [f' nonce="{nonce}"']


def test_no_template_has_an_inline_event_handler_or_a_script_without_a_nonce():
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    bare_script = re.compile(r"<script(?![^>]*\b(?:src|nonce)=)[^>]*>", re.IGNORECASE)
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "email" not in path.parts
        and (handler.search(path.read_text()) or bare_script.search(path.read_text()))
    ]
    assert offenders == []


# --- the idle timeout ---------------------------------------------------------------


def test_a_session_ends_after_30_idle_minutes(clock, clients):
    assert clients.lead.get("/").status_code == 200
    clock.shift(datetime.timedelta(minutes=29))
    assert clients.lead.get("/").status_code == 200
    clock.shift(datetime.timedelta(minutes=29))
    assert clients.lead.get("/").status_code == 200  # still active: the clock restarted
    clock.shift(datetime.timedelta(minutes=31))
    response = clients.lead.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_reading_pages_within_a_minute_does_not_write_the_session(clock, clients):
    clients.lead.get("/")
    clock.shift(datetime.timedelta(seconds=50))
    with CaptureQueriesContext(connection) as captured:
        clients.lead.get("/")
    writes = [
        q["sql"] for q in captured if "django_session" in q["sql"] and "SELECT" not in q["sql"]
    ]
    assert writes == []


def test_a_request_after_a_minute_pushes_the_session_expiry_forward(clock, clients):
    clients.lead.get("/")
    before = clients.lead.session.get_expiry_date()
    clock.shift(datetime.timedelta(minutes=2))
    clients.lead.get("/")
    from django.contrib.sessions.models import Session

    stored = Session.objects.get(session_key=clients.lead.session.session_key).expire_date
    assert stored - before >= datetime.timedelta(minutes=2)
