"""The reporter's and the member's 待办 in a real browser.

No pinned clock (see tasks/tests/test_loop_browser.py): the programme has ended, so the
current period is its last one (2021-06), still open for filing.
"""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from conftest import browser_login
from pilot.testing.factories import stamp
from reports.models import FileKind, ReportFile, ReportKind, ReportRun, RunState
from tasks.models import ProgressUpdate, ReturnReason, UpdateState
from tasks.services import reporting, review
from tasks.tests.test_loop_query_counts import FILLED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reporter_refiles_a_returned_update_from_its_todo(page, plan, personas):
    task, june = plan.tasks[0], plan.periods[(2021, 6)]
    reason = ReturnReason.objects.create(text="未提供佐证材料", order=1)
    update = reporting.start_update(task=task, period=june, actor=personas.lead)
    update = reporting.file_update(
        update=update, actor=personas.lead, data=FILLED, expected_version=1, submit=True
    )
    review.return_update(update=update, actor=personas.office, reasons=[reason], comment="")

    browser_login(page, "lead")
    returned = page.locator("[data-todo=returned]")
    expect(returned.locator(".todo-count")).to_have_text("1")
    expect(returned).to_contain_text("退回原因：未提供佐证材料")
    returned.get_by_role("link", name=re.compile(r"^1\. 建设单一窗口")).click()
    page.fill("textarea[name=work_done]", "补充了佐证材料说明。")
    page.click("button[name=action][value=submit]")
    expect(page.locator(".messages")).to_contain_text("已提交联席会议办公室")
    assert ProgressUpdate.objects.get(pk=update.pk).state == UpdateState.SUBMITTED

    page.get_by_role("link", name="试点任务管理平台").first.click()
    expect(page.locator("#todo-title")).to_be_visible()
    expect(page.locator("[data-todo=returned]")).to_have_count(0)


def test_member_opens_the_finished_report_from_the_home(page, plan, personas):
    run = ReportRun.objects.create(
        kind=ReportKind.MONTHLY,
        programme=plan.programme,
        period=plan.periods[(2021, 5)],
        scope="2021-05",
        as_of="2021-05-25",
        version=1,
        state=RunState.DONE,
        created_at=stamp(2021, 6, 1),
        finished_at=stamp(2021, 6, 1),
    )
    body = b"PK-not-really-a-docx"
    file = ReportFile(run=run, kind=FileKind.DOCX, name="2021年5月月报.docx", size=len(body))
    file.file.save("monthly.docx", ContentFile(body), save=False)
    file.sha256 = "0"
    file.save()

    browser_login(page, "member")
    latest = page.locator("[data-todo=latest-report]")
    expect(latest).to_contain_text("2021年5月月报.docx")
    latest.get_by_role("link", name=re.compile("2021年5月")).first.click()
    expect(page).to_have_url(re.compile(rf"/reports/runs/{run.pk}/$"))
    link = page.get_by_role("link", name=re.compile("2021年5月月报"))
    with page.expect_download() as download:
        link.first.click()
    assert download.value.suggested_filename == "2021年5月月报.docx"
    with open(download.value.path(), "rb") as handle:
        assert handle.read() == body
