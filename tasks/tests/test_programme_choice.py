"""?programme=CODE chooses the programme on every page that shows one, the same way."""

import datetime

import pytest
from django.urls import reverse

from pilot.testing.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

PAGES = ["review-queue", "report-runs", "task-list", "dashboard", "plan-export", "home"]


@pytest.fixture
def second(plan):
    """A second programme, older than the test plan (so never the default)."""
    return ProgrammeFactory(
        code="second-plan",
        title="第二个试点方案",
        starts_on=datetime.date(2019, 1, 1),
        ends_on=datetime.date(2020, 1, 1),
        tasks_due_on=datetime.date(2019, 12, 31),
    )


@pytest.mark.parametrize("name", PAGES)
def test_an_unknown_programme_code_is_not_found_on_every_page(clients, clock, name):
    response = clients.office.get(reverse(name), {"programme": "no-such-plan"})
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["review-queue", "report-runs"])
def test_the_review_queue_and_report_runs_show_the_chosen_programme(clients, clock, second, name):
    response = clients.office.get(reverse(name), {"programme": "second-plan"})
    assert response.status_code == 200
    assert "第二个试点方案" in response.content.decode()


def test_the_report_runs_page_shows_the_most_recent_programme_when_none_is_chosen(
    clients, clock, second
):
    page = clients.office.get(reverse("report-runs")).content.decode()
    assert "测试试点方案" in page
    assert "第二个试点方案" not in page
