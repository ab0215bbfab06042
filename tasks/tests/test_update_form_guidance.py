"""What the update form shows to help the reporter: the previous period's accepted text
with 引用上期, the required fields, status/percent warnings, and the other lead units'
progress on a task with several leads.

The clock is pinned at 2021-03-10 (period 2021-03). Task 1 is led by 省商务厅 (``lead``),
supported by 海口海关 (``support``); task 3 is led by 省财政厅 (``finance``) and 省商务厅.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import browser_login
from pilot.testing.factories import stamp
from tasks.models import ProgressUpdate, TaskStatus, UpdateState
from tasks.services import reporting, review

pytestmark = pytest.mark.django_db

FILLED = {
    "status": TaskStatus.ON_TRACK,
    "percent": 40,
    "work_done": "完成需求调研。",
    "next_steps": "启动开发。",
    "problems": "",
    "needs_coordination": False,
}


def _submitted(task, period, user, data=FILLED):
    update = reporting.start_update(task=task, period=period, actor=user)
    update = reporting.save_update(
        update=update, actor=user, data=data, expected_version=update.version
    )
    return reporting.submit_update(update=update, actor=user, expected_version=update.version)


def _accepted(task, period, user, office, data=FILLED):
    return review.accept_update(update=_submitted(task, period, user, data), actor=office)


def _url(task, period):
    return reverse("update-form", args=[task.pk, period.pk])


def _page(client, plan, task_index=0):
    return client.get(_url(plan.tasks[task_index], plan.periods[(2021, 3)])).content.decode()


# --- the previous period's text --------------------------------------------------------


def test_form_shows_last_periods_accepted_text_with_a_quote_button(plan, personas, clients, clock):
    feb = {**FILLED, "work_done": "二月完成需求调研。", "next_steps": "三月启动开发。"}
    _accepted(plan.tasks[0], plan.periods[(2021, 2)], personas.lead, personas.office, feb)

    page = _page(clients.lead, plan)

    assert "2021年2月已采纳的内容" in page
    assert 'data-quote-into="id_work_done" data-text="二月完成需求调研。"' in page
    assert 'data-quote-into="id_next_steps" data-text="三月启动开发。"' in page
    # An empty field of last period gets no button.
    assert 'data-quote-into="id_problems"' not in page


def test_a_returned_report_is_not_offered_the_last_accepted_one_is(plan, personas, clients, clock):
    jan = {**FILLED, "work_done": "一月的进展。"}
    _accepted(plan.tasks[0], plan.periods[(2021, 1)], personas.lead, personas.office, jan)
    returned = _submitted(
        plan.tasks[0], plan.periods[(2021, 2)], personas.lead, {**FILLED, "work_done": "二月"}
    )
    review.return_update(update=returned, actor=personas.office, reasons=[], comment="补充")

    page = _page(clients.lead, plan)

    assert 'data-text="一月的进展。"' in page
    assert "2021年1月已采纳的内容" in page
    assert 'data-text="二月"' not in page


def test_another_departments_accepted_text_is_not_offered(plan, personas, clients, clock):
    feb = {**FILLED, "work_done": "财政厅二月进展。"}
    _accepted(plan.tasks[2], plan.periods[(2021, 2)], personas.finance, personas.office, feb)

    page = _page(clients.lead, plan, task_index=2)

    assert "引用上期" not in page


def test_supporting_unit_is_offered_the_input_it_sent_last_period(plan, personas, clients, clock):
    feb = {**FILLED, "work_done": "海关二月配合进展。"}
    _submitted(plan.tasks[0], plan.periods[(2021, 2)], personas.support, feb)

    page = _page(clients.support, plan)

    assert "2021年2月已报送牵头单位的内容" in page
    assert 'data-text="海关二月配合进展。"' in page


def test_previous_text_is_escaped_in_the_page(plan, personas, clients, clock):
    hostile = {**FILLED, "work_done": '<script>alert(1)</script>" onclick="x'}
    _accepted(plan.tasks[0], plan.periods[(2021, 2)], personas.lead, personas.office, hostile)

    page = _page(clients.lead, plan)

    assert "<script>alert(1)" not in page
    assert 'data-text="&lt;script&gt;alert(1)&lt;/script&gt;&quot; onclick=&quot;x"' in page


def test_submitted_update_offers_no_quote(plan, personas, clients, clock):
    _accepted(plan.tasks[0], plan.periods[(2021, 2)], personas.lead, personas.office)
    _submitted(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)

    assert "引用上期" not in _page(clients.lead, plan)


def test_the_script_is_loaded_from_our_origin_without_inline_handlers(
    plan, personas, clients, clock
):
    _accepted(plan.tasks[0], plan.periods[(2021, 2)], personas.lead, personas.office)

    page = _page(clients.lead, plan)

    assert '<script src="/static/js/quote_previous.js"' in page
    assert not re.search(r"\son(click|change|input)=", page)


# --- required fields -------------------------------------------------------------------


def test_required_fields_carry_a_visible_mark_and_an_accessible_text(plan, clients, clock):
    page = _page(clients.lead, plan)

    marks = re.findall(
        r'<span class="required-mark"><span aria-hidden="true">\*</span>'
        r'<span class="visually-hidden">（必填）</span></span>',
        page,
    )
    # 推进状态, 完成进度, 本期工作进展, 下步工作计划 (problems only with 需协调解决).
    assert len(marks) == 4
    assert "标 * 的为提交时必填项" in page


# --- status and percent ----------------------------------------------------------------


def _post(client, plan, *, action, **fields):
    data = {**FILLED, "version": 0, "action": action, **fields}
    data["needs_coordination"] = ""
    return client.post(_url(plan.tasks[0], plan.periods[(2021, 3)]), data, follow=True)


def test_not_started_with_progress_saves_the_draft_with_a_warning(plan, clients, clock):
    response = _post(clients.lead, plan, action="save", status="not_started", percent=50)

    page = response.content.decode()
    assert "草稿已保存" in page
    assert "推进状态为“未启动”，但完成进度为 50%" in page
    update = ProgressUpdate.objects.get(department=plan.commerce, task=plan.tasks[0])
    assert (update.state, update.status, update.percent) == (UpdateState.DRAFT, "not_started", 50)


def test_not_started_with_progress_is_still_submitted_with_the_warning(plan, clients, clock):
    response = _post(clients.lead, plan, action="submit", status="not_started", percent=50)

    page = response.content.decode()
    assert "已提交联席会议办公室" in page
    assert "推进状态为“未启动”，但完成进度为 50%" in page


def test_not_started_at_zero_saves_without_a_warning(plan, clients, clock):
    response = _post(clients.lead, plan, action="save", status="not_started", percent=0)

    assert "核对推进状态" not in response.content.decode()


def test_completed_below_100_percent_is_refused_as_before_and_keeps_the_typing(
    plan, clients, clock
):
    response = _post(clients.lead, plan, action="save", status="completed", percent=80)

    page = response.content.decode()
    assert "推进状态为“已完成”时，完成进度应为 100%。" in page
    assert "完成需求调研。" in page
    assert not ProgressUpdate.objects.exists()


# --- the other lead units --------------------------------------------------------------


def test_multi_lead_form_shows_the_other_leads_latest_accepted_progress(
    plan, personas, clients, clock
):
    jan = {**FILLED, "status": TaskStatus.BLOCKED, "percent": 20}
    feb = {**FILLED, "status": TaskStatus.BEHIND, "percent": 35}
    _accepted(plan.tasks[2], plan.periods[(2021, 1)], personas.finance, personas.office, jan)
    _accepted(plan.tasks[2], plan.periods[(2021, 2)], personas.finance, personas.office, feb)

    page = _page(clients.lead, plan, task_index=2)

    section = page.split('class="card other-leads"')[1].split("</section>")[0]
    assert "省财政厅" in section
    assert "进度滞后" in section
    assert "35%" in section
    assert "2021年2月" in section
    assert "2021-03-10" in section  # accepted on the pinned day
    assert "20%" not in section
    assert "省商务厅" not in section  # not the reporter's own unit


def test_other_lead_without_an_accepted_report_is_listed_as_such(plan, clients, clock):
    page = _page(clients.lead, plan, task_index=2)

    section = page.split('class="card other-leads"')[1].split("</section>")[0]
    assert "省财政厅" in section
    assert "暂无已采纳的报送" in section


def test_single_lead_form_shows_no_other_leads(plan, clients, clock):
    assert "other-leads" not in _page(clients.lead, plan)


def test_other_leads_cost_the_same_queries_with_one_or_five_accepted_periods(
    plan, personas, clients, clock
):
    clock.move_to(stamp(2021, 6, 10))
    url = _url(plan.tasks[2], plan.periods[(2021, 6)])
    _accepted(plan.tasks[2], plan.periods[(2021, 1)], personas.finance, personas.office)
    clients.lead.get(url)  # warm the session

    with CaptureQueriesContext(connection) as one:
        clients.lead.get(url)
    for month in (2, 3, 4, 5):
        _accepted(plan.tasks[2], plan.periods[(2021, month)], personas.finance, personas.office)
    with CaptureQueriesContext(connection) as five:
        response = clients.lead.get(url)

    assert len(one) == len(five)
    section = response.content.decode().split('class="card other-leads"')[1]
    assert "2021年5月" in section.split("</section>")[0]


# --- in the browser --------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quote_previous_button_copies_last_periods_text_into_the_field(page, plan, personas, clock):
    feb = {**FILLED, "work_done": "二月完成需求调研。"}
    _accepted(plan.tasks[0], plan.periods[(2021, 2)], personas.lead, personas.office, feb)
    browser_login(page, "lead")
    page.goto(_url(plan.tasks[0], plan.periods[(2021, 3)]))
    assert page.input_value("#id_work_done") == ""

    page.click("#previous-work_done button.quote-previous")

    assert page.input_value("#id_work_done") == "二月完成需求调研。"
    # Clicking again does not paste it twice; typing is kept and the text goes below it.
    page.click("#previous-work_done button.quote-previous")
    assert page.input_value("#id_work_done") == "二月完成需求调研。"
    page.fill("#id_next_steps", "已写的计划")
    page.click("#previous-next_steps button.quote-previous")
    assert page.input_value("#id_next_steps") == "已写的计划\n启动开发。"
