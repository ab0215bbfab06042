"""The office changes a task's lead unit from the task page in a real browser and sees the
new unit in the task's 沿革 panel; the forms and the change log are screenshot at 1366 and
390 px (kept when PILOT_SCREENSHOTS names a folder) and must not scroll sideways.

The browser keeps real time, so the portal's date is pinned the way the demo pins it:
``PILOT_AS_OF_DATE`` = 2021-03-10 (the current period is 2021年3月).
"""

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from tasks.models import Assignment, PlanChange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SCROLLS = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def as_of(settings):
    settings.PILOT_AS_OF_DATE = datetime.date(2021, 3, 10)


def _shots(page, name: str) -> None:
    folder = os.environ.get("PILOT_SCREENSHOTS")
    for label, viewport in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_load_state("domcontentloaded")
        assert page.evaluate(SCROLLS), (name, label)
        if folder:
            page.screenshot(path=str(Path(folder) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_the_office_changes_a_lead_unit_from_the_task_page(page, plan, personas, as_of):
    t2 = plan.tasks[1]  # 海口海关 leads, 省商务厅 supports
    browser_login(page, "office")
    page.goto(f"/tasks/{t2.pk}/")
    expect(page.locator(".plan-history")).to_have_count(0)

    page.get_by_text("调整方案", exact=True).click()
    page.get_by_role("link", name="调整责任单位").click()
    expect(page.locator("h1")).to_have_text("调整责任单位")
    expect(page.get_by_label("生效期次")).to_have_value(str(plan.periods[(2021, 3)].pk))
    _shots(page, "plan-units-form")

    # A first try with a blank reason (spaces pass the browser's own check): the message,
    # and the choices stay as chosen.
    page.get_by_label("牵头单位").select_option(label="省财政厅")
    page.get_by_label("生效期次").select_option(label="2021年4月")
    page.get_by_label("变更原因").fill("   ")
    page.get_by_role("button", name="保存调整").click()
    expect(page.locator(".error-summary")).to_contain_text("请填写变更原因。")
    expect(page.get_by_label("牵头单位")).to_have_values([str(plan.finance.pk)])
    _shots(page, "plan-units-error")

    page.get_by_label("变更原因").fill("省政府办公厅通知调整分工")
    page.get_by_role("button", name="保存调整").click()
    expect(page.locator(".messages")).to_contain_text("已调整责任单位。")
    expect(page.locator(".lead-units")).to_contain_text("省财政厅")
    panel = page.locator(".plan-history .units-history li")
    expect(panel).to_have_count(2)
    expect(panel.nth(0)).to_contain_text("2021年1月起 牵头：海口海关；配合：省商务厅")
    expect(panel.nth(1)).to_contain_text("2021年4月起 牵头：省财政厅；配合：省商务厅")
    _shots(page, "plan-task-page")
    assert PlanChange.objects.get().reason == "省政府办公厅通知调整分工"
    assert Assignment.objects.get(task=t2, role="lead").department == plan.finance

    page.get_by_text("调整方案", exact=True).click()
    page.get_by_role("link", name="调整举措或完成期限").click()
    _shots(page, "plan-text-form")
    page.get_by_role("link", name="方案变更", exact=True).click()
    expect(page.locator("table.plan-changes tbody tr")).to_have_count(1)
    _shots(page, "plan-change-log")
    page.get_by_role("link", name="机构改革：单位合并或更名").click()
    _shots(page, "plan-departments")
    page.get_by_label("被合并单位").select_option(label="海口海关")
    page.get_by_label("并入单位").select_option(label="省商务厅")
    page.get_by_label("生效月份").fill("2021-05")
    page.get_by_label("变更原因").first.fill("机构改革")
    page.get_by_role("button", name="预览合并").click()
    expect(page.locator(".merge-tasks")).to_contain_text("任务 1")
    _shots(page, "plan-merge-preview")
    assert PlanChange.objects.count() == 1  # the preview wrote nothing
