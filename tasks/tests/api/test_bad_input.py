"""Bad input gets a 400 with a message on the field at fault, and changes nothing."""

import json

import pytest

from tasks.tests.api.conftest import snapshot


def _patch(client, update, body, **headers):
    return client.patch(
        f"/api/v1/updates/{update.pk}/",
        json.dumps(body),
        content_type="application/json",
        **headers,
    )


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"percent": "sixty"}, "percent", id="percent-not-a-number"),
        pytest.param({"percent": 101}, "percent", id="percent-above-100"),
        pytest.param({"percent": -1}, "percent", id="percent-below-0"),
        pytest.param({"status": "finished"}, "status", id="unknown-status"),
        pytest.param({"needs_coordination": "maybe"}, "needs_coordination", id="not-a-boolean"),
        pytest.param({"work_done": ["a", "b"]}, "work_done", id="text-as-a-list"),
        pytest.param({"colour": "red"}, "colour", id="unknown-field"),
        pytest.param({"state": "accepted"}, "state", id="read-only-field"),
        pytest.param({"status": "completed", "percent": 80}, "percent", id="completed-not-100"),
    ],
)
def test_patch_with_a_bad_value_names_the_field_and_changes_nothing(body, field, filed, clients):
    before = snapshot()
    response = _patch(clients.lead, filed.lead_draft, {"version": 2, **body})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert snapshot() == before


def test_patch_without_a_version_is_refused_on_the_version_field(filed, clients):
    before = snapshot()
    response = _patch(clients.lead, filed.lead_draft, {"percent": 60})
    assert response.status_code == 400
    assert response.json() == {"version": ["该字段是必填项。"]}
    assert snapshot() == before


def test_patch_against_a_stale_version_is_refused_on_the_version_field(filed, clients):
    before = snapshot()
    response = _patch(clients.lead, filed.lead_draft, {"version": 1, "percent": 60})
    assert response.status_code == 400
    [message] = response.json()["version"]
    assert message.startswith("保存失败：lead 已在 2021-03-10 10:00 修改了这份报送")
    assert snapshot() == before


def test_a_body_that_is_not_an_object_is_refused(filed, clients):
    before = snapshot()
    response = _patch(clients.lead, filed.lead_draft, [1, 2])
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert snapshot() == before


def test_creating_for_a_task_the_department_does_not_hold_is_refused_on_task(plan, filed, clients):
    before = snapshot()
    body = {"task": plan.tasks[1].pk, "period": filed.march.pk}
    response = _post(clients.finance, "/api/v1/updates/", body)
    assert response.status_code == 400
    assert response.json() == {"task": ["您的单位不承担该任务。"]}
    assert snapshot() == before


def test_creating_a_second_update_for_the_same_task_and_period_is_refused(plan, filed, clients):
    before = snapshot()
    body = {"task": plan.tasks[0].pk, "period": filed.march.pk, "percent": 90}
    response = _post(clients.lead, "/api/v1/updates/", body)
    assert response.status_code == 409
    draft = filed.lead_draft
    assert response.json() == {
        "task": [
            f"本单位已有该任务本期的报送（编号 {draft.pk}，版本 {draft.version}，lead 于 "
            "2021-03-10 10:00 保存），您的内容尚未保存。请刷新页面，在该报送上修改。"
        ],
        "existing": {"id": draft.pk, "version": draft.version},
    }
    assert snapshot() == before


def test_creating_with_a_contradiction_leaves_no_draft_behind(plan, filed, clients):
    before = snapshot()
    body = {"task": plan.tasks[1].pk, "period": filed.march.pk, "status": "completed"}
    response = _post(clients.lead, "/api/v1/updates/", body)
    assert response.status_code == 400
    assert response.json() == {"percent": ["推进状态为“已完成”时，完成进度应为 100%。"]}
    assert snapshot() == before


def test_creating_for_a_task_that_does_not_exist_is_refused_on_task(filed, clients):
    before = snapshot()
    response = _post(clients.lead, "/api/v1/updates/", {"task": 999, "period": filed.march.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["task"]
    assert snapshot() == before


def test_submitting_without_the_work_done_names_the_missing_field(plan, filed, clients):
    created = _post(
        clients.lead, "/api/v1/updates/", {"task": plan.tasks[1].pk, "period": filed.march.pk}
    ).json()
    before = snapshot()
    response = _post(
        clients.lead,
        f"/api/v1/updates/{created['id']}/submit/",
        {"version": created["version"]},
    )
    assert response.status_code == 400
    assert response.json() == {
        "work_done": ["提交前请填写本期工作进展。"],
        "next_steps": ["提交前请填写下步工作计划。"],
    }
    assert snapshot() == before


def test_submitting_with_drawn_from_not_a_list_of_ids_is_refused(filed, clients):
    before = snapshot()
    response = _post(
        clients.lead,
        f"/api/v1/updates/{filed.lead_draft.pk}/submit/",
        {"version": 2, "drawn_from": "all"},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["drawn_from"]
    assert snapshot() == before


def test_returning_without_reason_or_comment_is_refused_on_comment(filed, clients):
    before = snapshot()
    response = _post(clients.office, f"/api/v1/updates/{filed.lead_submitted.pk}/return/", {})
    assert response.status_code == 400
    assert response.json() == {"comment": ["退回时请选择退回原因或填写意见。"]}
    assert snapshot() == before


def test_evidence_that_is_not_what_its_name_says_is_refused_on_file(filed, clients):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = snapshot()
    fake = SimpleUploadedFile("报告.pdf", b"just text, not a PDF", content_type="application/pdf")
    response = clients.lead.post(f"/api/v1/updates/{filed.lead_draft.pk}/evidence/", {"file": fake})
    assert response.status_code == 400
    [message] = response.json()["file"]
    assert message.startswith("文件“报告.pdf”的内容与扩展名不符")
    assert snapshot() == before


def test_an_administrator_cannot_issue_itself_a_token(filed):
    from django.contrib.auth import get_user_model
    from django.test import Client

    admin = get_user_model().objects.create_superuser("root", password="pass-word-123")
    client = Client()
    client.force_login(admin)
    before = snapshot()
    response = _post(client, "/api/v1/tokens/", {})
    assert response.status_code == 403
    assert snapshot() == before


def test_naming_another_account_when_issuing_a_token_is_refused_on_user(filed, personas, clients):
    before = snapshot()
    response = _post(clients.office, "/api/v1/tokens/", {"user": personas.lead.pk})
    assert response.status_code == 400
    assert response.json() == {"user": ["不支持该字段。"]}
    assert snapshot() == before


# --- language ------------------------------------------------------------------------


def test_messages_are_chinese_by_default(filed, clients):
    response = _patch(clients.lead, filed.lead_draft, {"version": 2, "percent": "sixty"})
    assert response.json() == {"percent": ["请填写合法的整数值。"]}


def test_messages_are_english_when_the_client_asks_for_english(filed, clients):
    response = _patch(
        clients.lead,
        filed.lead_draft,
        {"version": 2, "percent": 101},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json() == {"percent": ["Ensure this value is less than or equal to 100."]}


def test_an_anonymous_client_is_told_in_english_when_it_asks(clients):
    response = clients.anonymous.get("/api/v1/tasks/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_programme_that_is_not_a_number_is_refused_on_programme(plan, clients):
    response = clients.member.get("/api/v1/periods/current/?programme=²")
    assert response.status_code == 400
    assert list(response.json()) == ["programme"]


def test_a_current_period_of_an_unknown_programme_is_a_404(plan, clients):
    assert clients.member.get("/api/v1/periods/current/?programme=999").status_code == 404
