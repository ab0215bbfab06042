"""The dashboards in a real browser: charts drawn, drill-down to the filtered task list."""

import pytest

from conftest import browser_login
from tasks.models import Task, TaskStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _blocked_task_3(plan):
    Task.objects.filter(pk=plan.tasks[2].pk).update(status=TaskStatus.BLOCKED, percent=20)


def test_overview_draws_its_charts_and_drills_down_to_the_blocked_tasks(page, plan, personas):
    _blocked_task_3(plan)
    browser_login(page, "office")

    page.goto("/dashboard/")
    page.wait_for_selector("#chart-status[data-drawn=true] svg path")

    assert page.locator(".chart[data-drawn=true]").count() == 6
    assert page.locator("#chart-trend svg path").count() > 0
    page.click("a[href*='status=blocked']")
    page.wait_for_url("**/tasks/**status=blocked**")
    assert page.locator(".task-table tbody tr").count() == 1
    assert "财政支持政策" in page.locator(".task-table tbody").inner_text()


def test_department_view_draws_its_record_for_its_own_reporter(page, plan, personas):
    browser_login(page, "lead")

    page.goto(f"/dashboard/departments/{plan.commerce.pk}/")
    page.wait_for_selector("#chart-record[data-drawn=true] svg")

    assert page.locator(".chart[data-drawn=true]").count() == 6
    assert page.locator(".record-table tbody tr").count() >= 1
    march = plan.periods[(2021, 3)]
    page.click(f".record-table a[href*='reporting=missing&period={march.pk}']")
    page.wait_for_url("**/tasks/**reporting=missing**")
    assert page.locator(".task-table tbody tr").count() == 3  # nothing filed yet for 3 tasks
