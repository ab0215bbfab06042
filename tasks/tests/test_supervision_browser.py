"""Extensions and supervision slips in a real browser, with screenshots at 1366 and 390 px.

The browser keeps real time (a session cookie stamped in 2021 would expire at once), so
the portal's date is pinned the way the demo pins it: ``PILOT_AS_OF_DATE`` = 2021-03-10.
"""

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from departments.models import DepartmentContact
from pilot.celery import app as celery_app
from tasks.models import Extension, ExtensionState, SlipStatus, SupervisionSlip, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SCROLLS = "() => document.documentElement.scrollWidth <= window.innerWidth"
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def as_of(settings):
    settings.PILOT_AS_OF_DATE = datetime.date(2021, 3, 10)
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the slip's e-mail is sent in-process
    yield
    celery_app.conf.task_always_eager = saved


def _shots(page, name: str) -> None:
    """Screenshot the page at both widths (kept when PILOT_SCREENSHOTS names a folder) and
    check that neither scrolls sideways."""
    folder = os.environ.get("PILOT_SCREENSHOTS")
    for label, viewport in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_load_state("domcontentloaded")
        assert page.evaluate(SCROLLS), (name, label)
        if folder:
            page.screenshot(path=str(Path(folder) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def _log_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("domcontentloaded")


def test_a_lead_unit_asks_for_an_extension_and_the_office_approves_it(page, plan, personas, as_of):
    task = plan.tasks[0]
    browser_login(page, "lead")
    page.goto(f"/tasks/{task.pk}/")
    page.click("a.request-extension")
    page.fill("input[name=requested_due_on]", "2021-09-30")
    page.fill("textarea[name=reason]", "需等待海关总署批复，预计8月下旬印发。")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "请示.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    _shots(page, "extension-request")
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("延期申请已提交")
    expect(page.locator(".extension-state")).to_have_text("待审批")
    _log_out(page)

    browser_login(page, "office")
    page.goto("/")
    page.get_by_role("link", name=f"{task.number}. 建设单一窗口。").click()
    expect(page.locator(".requested-due")).to_have_text("2021-09-30")
    page.fill("input[name=approved_due_on]", "2021-08-31")
    page.fill("textarea[name=comment]", "同意延期至8月底。")
    _shots(page, "extension-decision")
    page.click("main form.decision-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已批准延期")

    page.goto(f"/tasks/{task.pk}/")
    expect(page.locator(".task-due")).to_have_text("2021-08-31")
    expect(page.locator("main")).to_contain_text("已批准延期，原定 2021-06-30")
    _shots(page, "task-supervision-panel")
    task = Task.objects.get(pk=task.pk)
    assert (task.due_on, task.original_due_on) == (
        datetime.date(2021, 8, 31),
        datetime.date(2021, 6, 30),
    )
    assert Extension.objects.get().state == ExtensionState.APPROVED
    page.goto("/extensions/")
    expect(page.locator("table.extensions")).to_contain_text("已批准")
    _shots(page, "extension-list")


def test_a_red_slip_is_issued_answered_and_reviewed(page, plan, personas, as_of):
    task = plan.tasks[0]
    DepartmentContact.objects.create(department=plan.commerce, email="ban@commerce.test")
    browser_login(page, "office")
    page.goto(f"/tasks/{task.pk}/")
    page.locator("#supervision summary").click()
    page.select_option("#supervision select[name=department]", str(plan.commerce.pk))
    page.select_option("#supervision select[name=level]", "red")
    page.fill("#supervision textarea[name=reason]", "该任务连续两期报告受阻，请限期整改。")
    page.click("#supervision button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已签发督办单 督办〔2021〕1号")
    expect(page.locator(".response-due")).to_have_text("2021-03-12")
    _log_out(page)

    browser_login(page, "lead")
    page.goto("/")
    page.get_by_role("link", name="督办〔2021〕1号 · 1. 建设单一窗口。").click()
    with page.expect_download() as download:
        page.click("a.slip-document")
    assert download.value.suggested_filename == "督办单督办〔2021〕1号.docx"
    page.fill("textarea[name=measures]", "成立工作专班，每周调度一次，4月底前完成系统联调。")
    page.fill("input[name=fix_by]", "2021-04-30")
    _shots(page, "slip-response")
    page.click("main form.response-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已反馈")
    _log_out(page)

    browser_login(page, "office")
    page.goto("/")
    page.get_by_role("link", name="督办〔2021〕1号 · 1. 建设单一窗口。").click()
    expect(page.locator(".measures")).to_contain_text("成立工作专班")
    page.check("input[name=decision][value=accept]")
    page.fill("form.review-form textarea[name=comment]", "措施可行，请按期完成。")
    _shots(page, "slip-review")
    page.click("main form.review-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已认可反馈")
    page.goto("/slips/")
    _shots(page, "slip-list")
    slip = SupervisionSlip.objects.get()
    assert (slip.level, slip.status) == ("red", SlipStatus.ACCEPTED)
    assert slip.deliveries.get().to == "ban@commerce.test"
