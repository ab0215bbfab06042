"""The second plan imported through the browser: upload the workbook, read the preview,
settle a near match, fill in the programme, confirm; its periods exist and a reporter of
a unit the import created files an update."""

import os
import re

import pytest
from django.db.models import Max
from playwright.sync_api import expect

from conftest import browser_login
from departments.models import Department, DepartmentKind, Role
from pilot.testing.factories import make_user
from tasks.models import PlanImport, ProgressUpdate, ReportingPeriod, TaskStatus, UpdateState
from tasks.plan_import import services
from tasks.tests.plan_import_helpers import SECOND, load_directory_departments, second_plan_meta

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# "() => the page does not scroll sideways"
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _unit_row(page, name: str):
    return page.locator("table.import-units tr").filter(
        has=page.locator("strong", has_text=re.compile(f"^{name}$"))
    )


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("PILOT_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)
        for part in ("import-units", "import-rows"):
            page.locator(f"table.{part}").scroll_into_view_if_needed()
            page.screenshot(path=os.path.join(folder, f"{part}-{name}"))


def test_second_plan_is_imported_through_the_browser_and_its_reporters_file(page):
    load_directory_departments()
    office = make_user("office", Role.OFFICE)

    # Upload the workbook.
    browser_login(page, "office")
    page.get_by_role("link", name="导入方案").click()
    page.set_input_files("input[name=file]", str(SECOND / "plan.xlsx"))
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("方案导入预览")
    expect(page.locator(".import-blockers")).to_contain_text("单位“省大数据局”尚未确认")

    # The preview: 20 rows, 省发改委 known as an alias, 省大数据局 a near match with its reason.
    expect(page.locator("table.import-rows tbody tr")).to_have_count(20)
    expect(_unit_row(page, "省发展改革委")).to_contain_text("已知写法")
    near = _unit_row(page, "省大数据局")
    expect(near).to_contain_text("相近")
    expect(near).to_contain_text("与“省大数据管理局”相似（相似度 83%）")
    for width, name in (
        (1366, "plan-import-preview-desktop.png"),
        (390, "plan-import-preview-phone.png"),
    ):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(FITS), f"the preview scrolls sideways at {width} px"
        _screenshot(page, name)
    page.set_viewport_size({"width": 1366, "height": 900})

    # Settle the near match: 省大数据局 is 省大数据管理局 (the suggestion is preselected).
    near.get_by_role("button", name="确认").click()
    expect(page.locator(".messages")).to_contain_text("已确认单位“省大数据局”")
    expect(_unit_row(page, "省大数据局")).to_contain_text("已确认：即“省大数据管理局”")
    # 三沙 is not 三亚: the office rejects that suggestion and creates the city.
    sansha = _unit_row(page, "三沙市政府")
    sansha.get_by_label("新建单位").check()
    sansha.get_by_label("“三沙市政府”的单位类型").select_option(DepartmentKind.CITY)
    sansha.get_by_role("button", name="确认").click()
    expect(_unit_row(page, "三沙市政府")).to_contain_text("已确认：新建单位")

    # The other new units are settled the same way (here through the service, for brevity).
    plan_import = PlanImport.objects.get()
    tax = Department.objects.get(name="海南省税务局")
    services.decide_import_unit(
        plan_import=plan_import, name="省税务局", department=tax, actor=office
    )
    for name, kind in (
        ("省农业农村厅", "provincial"),
        ("海南电网公司", "other"),
        ("省统计局", "provincial"),
    ):
        services.decide_import_unit(plan_import=plan_import, name=name, kind=kind, actor=office)
    page.reload()

    # The programme's details, typed into the form.
    meta = second_plan_meta()
    for field, value in meta.items():
        page.fill(f"form.import-meta [name={field}]", value)
    page.get_by_role("button", name="保存方案信息").click()
    expect(page.locator(".messages")).to_contain_text("已保存方案信息")
    expect(page.locator(".import-ready")).to_contain_text("没有待解决的问题")

    page.click("button[name=confirm]")
    expect(page.locator(".messages")).to_contain_text(
        "已导入《海南省数字经济创新发展试点实施方案》：20 项任务，报送期次已生成。"
    )

    # Its periods exist: April 2024 to March 2026.
    periods = ReportingPeriod.objects.filter(programme__code=meta["code"])
    assert periods.count() == 24
    last = periods.order_by("-starts_on").first()
    assert (last.year, last.month) == (2026, 3)

    # A reporter of 三沙市政府, a unit the import created, files task 5 (it leads it).
    sansha = Department.objects.get(name="三沙市政府")
    make_user("sansha", Role.REPORTER, sansha)
    task = sansha.assignments.get().task
    assert task.number == 5
    page.click("text=退出")
    browser_login(page, "sansha")
    page.goto(f"/tasks/{task.pk}/periods/{last.pk}/update/")
    page.select_option("select[name=status]", TaskStatus.ON_TRACK)
    page.fill("input[name=percent]", "30")
    page.fill("textarea[name=work_done]", "完成永兴岛基站选址。")
    page.fill("textarea[name=next_steps]", "启动基站建设。")
    page.click("button[name=action][value=submit]")
    expect(page.locator(".messages")).to_contain_text("已提交联席会议办公室")
    update = ProgressUpdate.objects.get(task=task, period=last, department=sansha)
    assert update.state == UpdateState.SUBMITTED
    assert Department.objects.aggregate(top=Max("sort_order"))["top"] == 57 + 4
