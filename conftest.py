"""Test personas and a small hand-built programme shared by every app's tests.

The small plan (see ``plan``):
  task 1 (category 1): 省商务厅 leads; 海口海关 and the collective 各市县 support
  task 2 (category 1): 海口海关 leads; 省商务厅 supports
  task 3 (category 2): 省财政厅 and 省商务厅 lead
Personas: office staff, a lead unit's reporter (省商务厅), a supporting unit's reporter
(海口海关), an outsider department's reporter (省委网信办), a read-only member, anonymous.
The clock is pinned to 2021-03-10 10:00 in Asia/Shanghai; period 2021-03 is due 2021-03-25.
"""

import datetime
import os
from types import SimpleNamespace

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client

from departments.models import DepartmentKind, Role
from pilot.testing.factories import (
    AssignmentFactory,
    CategoryFactory,
    DepartmentFactory,
    ProgrammeFactory,
    TaskFactory,
    make_user,
    stamp,
)
from tasks.models import AssignmentRole
from tasks.services.periods import generate_periods

# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PINNED_NOW = stamp(2021, 3, 10)


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Tests marked ``postgres`` race real threads: SQLite cannot (CI runs them on PostgreSQL
    and fails on any skip)."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("real-thread races need PostgreSQL (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The API throttles count in the cache: each test starts with none spent.
    cache.clear()


@pytest.fixture
def clock():
    """Pin the clock (the real date must never matter); ``clock.move_to(...)`` moves it."""
    with time_machine.travel(PINNED_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(db):
    programme = ProgrammeFactory(
        code="test-plan",
        title="测试试点方案",
        starts_on=datetime.date(2021, 1, 1),
        ends_on=datetime.date(2021, 7, 1),
        tasks_due_on=datetime.date(2021, 6, 30),
    )
    cat1 = CategoryFactory(programme=programme, number=1, label="（一）", title="完善管理体制")
    cat2 = CategoryFactory(programme=programme, number=2, label="（二）", title="扩大对外开放")
    commerce = DepartmentFactory(name="省商务厅")
    customs = DepartmentFactory(name="海口海关", kind=DepartmentKind.CENTRAL)
    finance = DepartmentFactory(name="省财政厅")
    cyber = DepartmentFactory(name="省委网信办", kind=DepartmentKind.PARTY)
    cities = DepartmentFactory(name="各市县", kind=DepartmentKind.COLLECTIVE)
    t1 = TaskFactory(programme=programme, category=cat1, number=1, measure="建设单一窗口。")
    t2 = TaskFactory(programme=programme, category=cat1, number=2, measure="通关便利化。")
    t3 = TaskFactory(programme=programme, category=cat2, number=3, measure="财政支持政策。")
    lead, support = AssignmentRole.LEAD, AssignmentRole.SUPPORT
    for order, (task, department, role) in enumerate(
        [
            (t1, commerce, lead),
            (t1, customs, support),
            (t1, cities, support),
            (t2, customs, lead),
            (t2, commerce, support),
            (t3, finance, lead),
            (t3, commerce, lead),
        ]
    ):
        AssignmentFactory(task=task, department=department, role=role, order=order)
    periods = generate_periods(programme=programme)
    return SimpleNamespace(
        programme=programme,
        categories=(cat1, cat2),
        tasks=(t1, t2, t3),
        commerce=commerce,
        customs=customs,
        finance=finance,
        cyber=cyber,
        cities=cities,
        periods={(p.year, p.month): p for p in periods},
    )


@pytest.fixture
def personas(plan):
    return SimpleNamespace(
        office=make_user("office", Role.OFFICE),
        lead=make_user("lead", Role.REPORTER, plan.commerce),
        support=make_user("support", Role.REPORTER, plan.customs),
        outsider=make_user("outsider", Role.REPORTER, plan.cyber),
        member=make_user("member", Role.MEMBER),
        finance=make_user("finance", Role.REPORTER, plan.finance),
    )


def _client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def clients(personas):
    """A logged-in test client per persona, plus ``anonymous``."""
    return SimpleNamespace(
        office=_client_for(personas.office),
        lead=_client_for(personas.lead),
        support=_client_for(personas.support),
        outsider=_client_for(personas.outsider),
        member=_client_for(personas.member),
        finance=_client_for(personas.finance),
        anonymous=_client_for(None),
    )


# --- browser tests -------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; CI sets PILOT_REQUIRE_BROWSER=1 so a
    missing browser fails the run instead of skipping the browser tests."""
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("PILOT_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab whose relative URLs go to the live test server."""
    context = chromium.new_context(locale="zh-CN", base_url=live_server.url)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def browser_login(page, username: str, password: str = "pass-word-123") -> None:
    """Log in through the real login form."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")  # the header's language form has one too
    page.wait_for_load_state("domcontentloaded")
