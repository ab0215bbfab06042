"""A joint meeting in a real browser: the office builds the agenda, records a decision, the
owner unit reports it done, and the next meeting's page shows it 已办结. Also the scores page.

No pinned clock (see tasks/tests/test_loop_browser.py): the browser keeps real time.
Set PILOT_SCREENSHOTS=dir to keep 1366 px and 390 px screenshots of the pages.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from tasks.models import Decision, Task, TaskStatus
from tasks.services import reporting, review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("PILOT_SCREENSHOTS")


def _shoot(page, name: str) -> None:
    if not SHOTS:
        return
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        # No page scrolls sideways at either width.
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (name, width, scroll)
    page.set_viewport_size({"width": 1366, "height": 900})


def _log_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("domcontentloaded")


def test_meeting_built_decided_and_its_decision_tracked_to_done(page, plan, personas):
    blocked, coordination = plan.tasks[1], plan.tasks[2]
    Task.objects.filter(pk=blocked.pk).update(status=TaskStatus.BLOCKED)
    Task.objects.filter(pk=coordination.pk).update(needs_coordination=True)

    browser_login(page, "office")
    page.get_by_role("link", name="联席会议").click()
    # Both tasks needing coordination are proposed, ticked.
    expect(page.locator("input[name=tasks]:checked")).to_have_count(2)
    page.uncheck(f"input[name=tasks][value='{coordination.pk}']")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("第1次联席会议")
    expect(page.locator("#follow-ups + p")).to_contain_text("本次为首次会议")

    page.get_by_text("记录议定事项").click()
    page.fill("textarea[name$=-text]", "海口海关牵头，一个月内打通查验数据共享。")
    page.select_option("select[name$=-owner]", label="海口海关")
    page.fill("input[name$=-due_on]", "2099-12-31")
    page.get_by_role("button", name="保存议定事项").click()
    expect(page.locator(".messages")).to_contain_text("已记录议定事项，跟踪任务为第4项")
    _shoot(page, "meeting")
    decision = Decision.objects.get()
    task = decision.tracking_task
    assert [a.department_id for a in task.assignments.all()] == [plan.customs.pk]

    # The owner unit reports on it like on any task; the office accepts and confirms it.
    period = plan.periods[(2021, 6)]
    update = reporting.start_update(task=task, period=period, actor=personas.support)
    data = {
        "status": "completed",
        "percent": 100,
        "work_done": "查验数据已共享。",
        "next_steps": "",
        "problems": "",
        "needs_coordination": False,
    }
    update = reporting.file_update(
        update=update, actor=personas.support, data=data, expected_version=1, submit=True
    )
    review.accept_update(update=update, actor=personas.office)
    task.refresh_from_db()
    page.goto(f"/tasks/{task.pk}/")
    page.get_by_role("button", name="办结确认").click()
    page.wait_for_load_state("domcontentloaded")

    # The next meeting shows what became of the decision.
    page.get_by_role("link", name="联席会议").click()
    page.check(f"input[name=tasks][value='{blocked.pk}']")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("第2次联席会议")
    row = page.locator("#follow-ups + .table-wrap tbody tr")
    expect(row).to_contain_text("海口海关牵头，一个月内打通查验数据共享。")
    expect(row.locator(".follow-up-outcome")).to_have_text("已办结")
    _shoot(page, "meeting-next")
    page.get_by_role("link", name="联席会议").first.click()
    _shoot(page, "meetings")


def test_scores_page_in_the_browser(page, plan, personas):
    browser_login(page, "office")
    page.get_by_role("link", name="单位考核").click()
    page.select_option("select[name=period]", label="2021年2月")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#score-table tbody tr")).to_have_count(3)
    page.locator("#score-table details").first.click()
    expect(page.locator("#score-table .score-breakdown").first).to_contain_text("按时报送 0/")
    page.fill("input[name=on_time]", "50")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator(".messages")).to_contain_text("计分公式已保存为第 1 版")
    _shoot(page, "scores")
    page.get_by_role("button", name="发布本月考核结果").click()
    expect(page.locator("#score-state")).to_contain_text("已发布")
    page.get_by_role("link", name="编辑并生成本月考核通报（Word）").click()
    expect(page.locator("h1")).to_contain_text("关于2021年2月试点任务推进考核情况的通报")
    # Nothing was filed in the test plan's February: every unit is named, none praised.
    expect(page.locator("input[name=criticised]:checked")).to_have_count(3)
    _shoot(page, "bulletin")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("通报草稿已保存")
