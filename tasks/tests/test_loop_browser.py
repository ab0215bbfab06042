"""The whole reporting loop in a real browser: file, return, fix, resubmit, accept.

No pinned clock here: the browser keeps real time, and a session cookie stamped in 2021
would expire the moment it was set. The March 2021 period is simply filed late.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from conftest import browser_login
from tasks.models import ProgressUpdate, ReturnReason, TaskStatus, UpdateState
from tasks.services import reporting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A small but well-formed one-page PDF.
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
REASON = "未提供佐证材料或佐证材料不完整"
# Django's stock error pages (no 403.html/404.html yet) or a Chinese one, if one is added.
REFUSAL = re.compile(r"403|404|Forbidden|Not Found|找不到|无权|不承担")


def _log_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("domcontentloaded")


def test_update_is_filed_returned_fixed_and_accepted_through_the_browser(page, plan, personas):
    ReturnReason.objects.create(text=REASON, order=1)
    task, march = plan.tasks[0], plan.periods[(2021, 3)]
    form_url = f"/tasks/{task.pk}/periods/{march.pk}/update/"
    page.on("dialog", lambda dialog: dialog.accept())  # an "unsaved changes" guard, if any

    # The lead unit's reporter files March's update with a PDF and submits it.
    browser_login(page, "lead")
    page.goto(form_url)
    page.select_option("select[name=status]", TaskStatus.ON_TRACK)
    page.fill("input[name=percent]", "40")
    page.fill("textarea[name=work_done]", "完成单一窗口需求调研。")
    page.fill("textarea[name=next_steps]", "启动系统开发。")
    page.set_input_files(
        "input[name=evidence]",
        files=[{"name": "调研报告.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click("button[name=action][value=submit]")
    expect(page.locator(".messages")).to_contain_text("已提交联席会议办公室")
    update = ProgressUpdate.objects.get(task=task, period=march, department=plan.commerce)
    assert update.state == UpdateState.SUBMITTED
    _log_out(page)

    # The office finds it in the queue and returns it with a reason and a comment.
    browser_login(page, "office")
    page.goto(f"/review/?period={march.pk}")
    page.get_by_role("link", name=re.compile(r"^1\. 建设单一窗口")).click()
    expect(page.locator(".evidence")).to_contain_text("调研报告.pdf")
    page.get_by_label(REASON).check()
    page.fill("textarea[name=comment]", "请补充方案设计进展。")
    page.click("button[name=return]")
    expect(page.locator(".messages")).to_contain_text("已退回")
    _log_out(page)

    # The reporter reads the comment, fixes the text and resubmits.
    browser_login(page, "lead")
    page.goto(form_url)
    expect(page.locator(".return-reasons")).to_contain_text("请补充方案设计进展。")
    expect(page.locator(".return-reasons")).to_contain_text(REASON)
    page.fill("input[name=percent]", "45")
    page.fill("textarea[name=work_done]", "完成单一窗口需求调研和方案设计。")
    page.click("button[name=action][value=submit]")
    expect(page.locator(".messages")).to_contain_text("已提交联席会议办公室")
    _log_out(page)

    # The office sees what changed and accepts.
    browser_login(page, "office")
    page.goto(f"/review/{update.pk}/")
    expect(page.locator("table.diff ins", has_text="和方案设计")).to_have_count(1)
    expect(page.locator("table.diff")).to_contain_text("4045")  # <del>40</del><ins>45</ins>
    page.click("button[name=accept]")
    expect(page.locator(".messages")).to_contain_text("已采纳")

    # The task page shows the new status and the history of the loop.
    page.goto(f"/tasks/{task.pk}/")
    expect(page.locator(".task-status")).to_have_text("正常推进")
    expect(page.locator(".task-percent")).to_have_text("45%")
    audit = page.locator("table.audit")
    expect(audit).to_contain_text("上传材料")
    expect(audit).to_contain_text("调研报告.pdf")
    expect(audit).to_contain_text("请补充方案设计进展。")
    expect(audit).to_contain_text("第 2 版")
    verbs = audit.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert [verb.split(" · ")[0] for verb in verbs] == [
        "创建",
        "修改",
        "上传材料",
        "提交",
        "退回",
        "修改",
        "提交",
        "采纳",
    ]


def test_outsider_cannot_open_the_lead_units_draft_form_or_its_evidence(page, plan, personas):
    task, march = plan.tasks[0], plan.periods[(2021, 3)]
    update = reporting.start_update(task=task, period=march, actor=personas.lead)
    data = {
        "status": TaskStatus.ON_TRACK,
        "percent": 20,
        "work_done": "尚未提交的内部草稿",
        "next_steps": "",
        "problems": "",
        "needs_coordination": False,
    }
    update = reporting.save_update(
        update=update, actor=personas.lead, data=data, expected_version=1
    )

    upload = SimpleUploadedFile("内部材料.pdf", PDF, content_type="application/pdf")
    evidence = reporting.add_evidence(update=update, actor=personas.lead, upload=upload)

    browser_login(page, "outsider")
    response = page.goto(f"/tasks/{task.pk}/periods/{march.pk}/update/")
    assert response.status in (403, 404)
    assert "尚未提交的内部草稿" not in page.content()
    assert REFUSAL.search(page.content())

    response = page.goto(f"/evidence/{evidence.pk}/")
    assert response.status == 404
    assert "%PDF" not in page.content()
    assert REFUSAL.search(page.content())
