"""The office's 待办 in a real browser: a submitted update waits, is reviewed, leaves.

No pinned clock (see tasks/tests/test_loop_browser.py): the March 2021 update is filed late.
"""

import re

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from tasks.models import ProgressUpdate, UpdateState
from tasks.services import reporting
from tasks.tests.test_loop_query_counts import FILLED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_reviews_a_submission_from_its_todo(page, plan, personas):
    task, march = plan.tasks[0], plan.periods[(2021, 3)]
    update = reporting.start_update(task=task, period=march, actor=personas.lead)
    reporting.file_update(
        update=update, actor=personas.lead, data=FILLED, expected_version=1, submit=True
    )

    browser_login(page, "office")
    review = page.locator("[data-todo=review]")
    expect(review).to_contain_text("待审核的报送")
    expect(review.locator(".todo-count")).to_have_text("1")
    review.get_by_role("link", name=re.compile(r"^1\. 建设单一窗口")).click()
    page.get_by_role("button", name="采纳").click()
    expect(page.locator(".messages")).to_contain_text("已采纳")
    assert ProgressUpdate.objects.get(pk=update.pk).state == UpdateState.ACCEPTED

    page.get_by_role("link", name="试点任务管理平台").first.click()
    expect(page.locator("#todo-title")).to_be_visible()
    expect(page.locator("[data-todo=review]")).to_have_count(0)
