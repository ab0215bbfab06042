"""Text people type: line breaks normalised, control characters refused with a message,
the same limits in the form, the API and the admin, and what was typed shown back."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import Department, Role
from departments.services import create_account
from pilot.text_input import normalise_text, refuse_control_characters
from tasks.models import ProgressUpdate, ReturnReason
from tasks.services import reporting

pytestmark = pytest.mark.django_db

ESC_MESSAGE = "内容含有不可见的控制字符（U+001B），请删除后重新提交。"


# --- the rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("第一行\r\n第二行", "第一行\n第二行"),
        ("第一行\r第二行", "第一行\n第二行"),
        ("Word 换行\x0b下一行", "Word 换行\n下一行"),
        ("分页\x0c下一页", "分页\n下一页"),
        ("制表\t保留", "制表\t保留"),
        ("表情 🎉 保留", "表情 🎉 保留"),
    ],
)
def test_line_break_spellings_become_newlines_and_the_rest_is_kept(typed, stored):
    assert normalise_text(typed) == stored


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("\x1b[31m红", "U+001B"),
        ("空\x00字符", "U+0000"),
        ("退格\x08", "U+0008"),
        ("\x7f", "U+007F"),
    ],
)
def test_other_control_characters_are_refused_naming_the_character(text, code):
    with pytest.raises(ValidationError) as refused:
        refuse_control_characters(text)
    assert refused.value.messages == [f"内容含有不可见的控制字符（{code}），请删除后重新提交。"]


# --- the update form --------------------------------------------------------------------


def _form_post(client, task, period, **fields):
    data = {
        "status": "on_track",
        "percent": "60",
        "work_done": "上线单一窗口二期。",
        "next_steps": "推广到全部口岸。",
        "problems": "",
        "version": "1",
        "action": "save",
        **fields,
    }
    return client.post(reverse("update-form", args=[task.pk, period.pk]), data)


def _draft(plan):
    return ProgressUpdate.objects.get(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], department=plan.commerce
    )


def test_the_form_refuses_an_escape_and_shows_the_typed_text_back(clients, plan, clock):
    task, period = plan.tasks[0], plan.periods[(2021, 3)]
    clients.lead.get(reverse("update-form", args=[task.pk, period.pk]))

    response = _form_post(clients.lead, task, period, work_done="完成调研\x1b[0m。")

    assert response.status_code == 200
    assert response.context["form"].errors["work_done"] == [ESC_MESSAGE]
    assert "完成调研" in response.content.decode()
    assert not ProgressUpdate.objects.filter(task=task, period=period).exists()


def test_the_form_stores_word_line_breaks_as_newlines(clients, plan, clock):
    task, period = plan.tasks[0], plan.periods[(2021, 3)]
    clients.lead.get(reverse("update-form", args=[task.pk, period.pk]))

    _form_post(clients.lead, task, period, work_done="一、调研\x0b二、开发\r\n三、上线")

    assert _draft(plan).work_done == "一、调研\n二、开发\n三、上线"


def test_the_form_and_the_api_share_the_length_limit(clients, plan, personas, clock):
    task, period = plan.tasks[0], plan.periods[(2021, 3)]
    too_long = "长" * 20_001

    form = _form_post(clients.lead, task, period, work_done=too_long).context["form"]
    reporting.start_update(task=task, period=period, actor=personas.lead)
    api = clients.lead.patch(
        f"/api/v1/updates/{_draft(plan).pk}/",
        json.dumps({"version": 1, "work_done": too_long}),
        content_type="application/json",
    )

    assert "20000" in form.errors["work_done"][0]
    assert api.status_code == 400
    assert "20000" in api.json()["work_done"][0]
    assert _draft(plan).work_done == ""


def test_crlf_counts_as_one_character_against_the_limit(clients, plan, clock):
    # A browser counts a line break as one character; the server must agree.
    task, period = plan.tasks[0], plan.periods[(2021, 3)]
    clients.lead.get(reverse("update-form", args=[task.pk, period.pk]))
    text = "长\r\n" * 9_000 + "长" * 2_000  # 20,000 once normalised, 29,000 as sent

    _form_post(clients.lead, task, period, work_done=text)

    assert len(_draft(plan).work_done) == 20_000


# --- the API ----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["work_done", "next_steps", "problems"])
def test_the_api_refuses_an_escape_on_the_field_and_changes_nothing(
    clients, plan, personas, clock, field
):
    update = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    response = clients.lead.patch(
        f"/api/v1/updates/{update.pk}/",
        json.dumps({"version": 1, field: "内容\x1b"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {field: [ESC_MESSAGE]}
    update.refresh_from_db()
    assert update.version == 1


def test_the_api_refuses_nul_in_chinese(clients, plan, personas, clock):
    update = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    response = clients.lead.patch(
        f"/api/v1/updates/{update.pk}/",
        json.dumps({"version": 1, "problems": "空\x00"}),
        content_type="application/json",
    )
    assert response.json() == {
        "problems": ["内容含有不可见的控制字符（U+0000），请删除后重新提交。"]
    }


def test_the_api_stores_a_vertical_tab_as_a_newline(clients, plan, personas, clock):
    update = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    response = clients.lead.patch(
        f"/api/v1/updates/{update.pk}/",
        json.dumps({"version": 1, "work_done": "甲\x0b乙\r\n丙"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    update.refresh_from_db()
    assert update.work_done == "甲\n乙\n丙"


def test_the_api_return_comment_has_the_forms_limit(clients, plan, personas, clock):
    update = reporting.start_update(
        task=plan.tasks[2], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    filled = {"status": "on_track", "percent": 40, "work_done": "甲", "next_steps": "乙"}
    update = reporting.save_update(
        update=update, actor=personas.lead, data=filled, expected_version=1
    )
    update = reporting.submit_update(update=update, actor=personas.lead, expected_version=2)
    response = clients.office.post(
        f"/api/v1/updates/{update.pk}/return/",
        json.dumps({"comment": "意" * 2_001}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "2000" in response.json()["comment"][0]


# --- the admin --------------------------------------------------------------------------


@pytest.fixture
def office_admin(plan, client):
    user, _password = create_account(username="office-admin", role=Role.OFFICE)
    client.force_login(user)
    return client


def test_the_admin_refuses_an_escape_in_a_department_name(office_admin, plan):
    response = office_admin.post(
        f"/admin/departments/department/{plan.finance.pk}/change/",
        {
            "name": "省财政厅\x1b",
            "short_name": "",
            "kind": plan.finance.kind,
            "sort_order": "0",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert ESC_MESSAGE in response.content.decode()
    assert Department.objects.get(pk=plan.finance.pk).name == "省财政厅"


def test_the_admin_stores_a_word_line_break_in_a_return_reason_as_a_newline(office_admin):
    response = office_admin.post(
        "/admin/tasks/returnreason/add/",
        {"text": "材料不全\x0b请补充", "is_active": "on", "order": "1"},
    )
    assert response.status_code == 302
    assert ReturnReason.objects.get(order=1).text == "材料不全\n请补充"


def test_the_review_form_refuses_an_escape_in_the_comment_and_shows_it_back(
    clients, plan, personas, clock
):
    update = reporting.start_update(
        task=plan.tasks[2], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    filled = {"status": "on_track", "percent": 40, "work_done": "甲", "next_steps": "乙"}
    update = reporting.save_update(
        update=update, actor=personas.lead, data=filled, expected_version=1
    )
    update = reporting.submit_update(update=update, actor=personas.lead, expected_version=2)

    response = clients.office.post(
        reverse("review-return", args=[update.pk]), {"comment": "请补充\x1b数据"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["comment"] == [ESC_MESSAGE]
    assert "请补充" in response.content.decode()
    update.refresh_from_db()
    assert update.state == "submitted"


def test_the_admin_gives_update_texts_the_forms_limit(client, plan, personas, clock):
    root = get_user_model().objects.create_superuser("root", password="pass-word-123")
    client.force_login(root)
    update = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )

    form = client.get(f"/admin/tasks/progressupdate/{update.pk}/change/").context["adminform"]

    assert form.form.fields["work_done"].max_length == 20_000
    assert form.form.fields["problems"].max_length == 20_000
