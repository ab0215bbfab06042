"""The office splits a task in two from the task page in a real browser (增加一项 and back
included) and opens the new task's page; the retire, split and merge forms are screenshot
at 1366 and 390 px (kept when PILOT_SCREENSHOTS names a folder) and must not scroll
sideways.

The portal's date is pinned the way the demo pins it: ``PILOT_AS_OF_DATE`` = 2021-03-10.
"""

import datetime

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from tasks.models import Assignment, PlanChange, Task
from tasks.tests.test_plan_changes_browser import _shots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def as_of(settings):
    settings.PILOT_AS_OF_DATE = datetime.date(2021, 3, 10)


def test_the_office_splits_a_task_in_two_and_opens_the_new_one(page, plan, personas, as_of):
    t1 = plan.tasks[0]  # 省商务厅 leads; 海口海关 and 各市县 support
    browser_login(page, "office")
    page.goto(f"/tasks/{t1.pk}/")

    page.get_by_text("调整方案", exact=True).click()
    page.get_by_role("link", name="拆分任务").click()
    expect(page.locator("h1")).to_have_text("拆分任务")
    expect(page.locator("#id_part1-measure")).to_have_value("建设单一窗口。")
    expect(page.get_by_label("生效月份")).to_have_value("2021-03")
    _shots(page, "plan-split-form")

    page.locator("#id_part1-supports").select_option(label="各市县")
    page.locator("#id_part2-measure").fill("单一窗口通关模块。")
    page.locator("#id_part2-due_on").fill("2021-05-31")
    page.locator("#id_part2-leads").select_option(label="海口海关")
    page.get_by_label("生效月份").fill("2021-04")
    # 增加一项 comes back with a third, empty part and everything typed still there.
    page.get_by_role("button", name="增加一项").click()
    expect(page.locator("fieldset.split-part")).to_have_count(3)
    expect(page.locator("#id_part2-measure")).to_have_value("单一窗口通关模块。")
    expect(page.locator("#id_part2-leads")).to_have_values([str(plan.customs.pk)])
    expect(page.get_by_label("生效月份")).to_have_value("2021-04")

    page.get_by_label("变更原因").fill("联席会议决定细化任务")
    page.get_by_role("button", name="保存拆分").click()
    expect(page.locator(".messages")).to_contain_text("已拆分：任务 1 拆分为任务 1、4。")
    page.locator(".plan-lineage").get_by_role("link", name="4", exact=True).click()
    expect(page.locator("h1")).to_have_text("4. 单一窗口通关模块。")
    expect(page.locator(".plan-lineage")).to_contain_text("由任务 1 拆分（自2021年4月起）")
    expect(page.locator(".lead-units")).to_contain_text("海口海关")

    four = Task.objects.get(number=4)
    assert four.split_from_id == t1.pk
    assert list(Assignment.objects.filter(task=four).values_list("department__name", "role")) == [
        ("海口海关", "lead")
    ]
    assert PlanChange.objects.get().reason == "联席会议决定细化任务"


def test_the_retire_and_merge_forms_fit_desktop_and_phone(page, plan, personas, as_of):
    browser_login(page, "office")
    page.goto(f"/plan/tasks/{plan.tasks[1].pk}/retire/")
    expect(page.locator(".retire-warning")).to_contain_text("不再统计")
    _shots(page, "plan-retire-form")
    page.goto(f"/plan/tasks/{plan.tasks[0].pk}/merge/")
    page.get_by_label("并入本任务的任务序号").fill("1")
    page.get_by_label("变更原因").fill("合并")
    page.get_by_role("button", name="保存合并").click()
    expect(page.locator(".error-summary")).to_contain_text("不能把任务并入它自己。")
    expect(page.get_by_label("并入本任务的任务序号")).to_have_value("1")
    page.locator("details.current-tasks summary").click()
    _shots(page, "plan-merge-form")
    assert PlanChange.objects.count() == 0
