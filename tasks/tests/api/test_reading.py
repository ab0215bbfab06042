"""What the read endpoints say, token authentication, and filing an update end to end."""

import json

import pytest
from django.test import Client
from knox.models import AuthToken

from tasks.models import UpdateState


def _token_client(key):
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _numbers(response):
    return [row["number"] for row in response.json()["results"]]


def test_a_token_a_member_issued_for_itself_reads_the_tasks(plan, clients):
    issued = clients.member.post("/api/v1/tokens/", "{}", "application/json").json()
    response = _token_client(issued["key"]).get("/api/v1/tasks/")
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_a_revoked_token_no_longer_works(plan, personas, clients):
    token, key = AuthToken.objects.create(user=personas.member)
    response = clients.member.delete(f"/api/v1/tokens/{token.token_key}/")
    assert response.status_code == 204
    assert _token_client(key).get("/api/v1/tasks/").status_code == 401


def test_issuing_again_replaces_the_old_token(plan, personas, clients):
    _token, old = AuthToken.objects.create(user=personas.member)
    clients.member.post("/api/v1/tokens/", "{}", "application/json")
    assert _token_client(old).get("/api/v1/tasks/").status_code == 401


def test_a_task_lists_its_lead_and_supporting_departments_in_plan_order(plan, clients):
    task = clients.member.get(f"/api/v1/tasks/{plan.tasks[0].pk}/").json()
    assert [d["name"] for d in task["lead_departments"]] == ["省商务厅"]
    assert [d["name"] for d in task["supporting_departments"]] == ["海口海关", "各市县"]
    assert task["status"] == "not_started"
    assert task["completion_confirmed"] is False


def test_tasks_filter_by_department_and_role(plan, clients):
    url = f"/api/v1/tasks/?department={plan.commerce.pk}&role=lead"
    assert _numbers(clients.member.get(url)) == [1, 3]


def test_tasks_filter_by_role_alone_means_the_reporters_own_department(plan, clients):
    assert _numbers(clients.lead.get("/api/v1/tasks/?role=support")) == [2]


def test_tasks_filter_by_category_and_order_by_number_descending(plan, clients):
    url = f"/api/v1/tasks/?category={plan.categories[0].pk}&ordering=-number"
    assert _numbers(clients.member.get(url)) == [2, 1]


def test_an_unknown_filter_value_is_a_400(plan, clients):
    response = clients.member.get("/api/v1/tasks/?status=finished")
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_the_current_period_is_march_2021(plan, clients, clock):
    period = clients.member.get("/api/v1/periods/current/").json()
    assert (period["year"], period["month"], period["due_on"]) == (2021, 3, "2021-03-25")
    assert period["current"] is True


def test_only_march_is_flagged_current_in_the_period_list(plan, clients, clock):
    rows = clients.member.get("/api/v1/periods/").json()["results"]
    assert [row["month"] for row in rows if row["current"]] == [3]


def test_departments_carry_their_kind_and_aliases(plan, clients):
    from departments.models import DepartmentAlias

    DepartmentAlias.objects.create(department=plan.customs, name="海关")
    department = clients.member.get(f"/api/v1/departments/{plan.customs.pk}/").json()
    assert department["kind"] == "central"
    assert department["aliases"] == ["海关"]


def test_a_member_sees_only_accepted_updates(filed, clients):
    rows = clients.member.get("/api/v1/updates/").json()["results"]
    assert [row["id"] for row in rows] == [filed.accepted.pk]


def test_updates_filter_by_state(filed, clients):
    rows = clients.office.get("/api/v1/updates/?state=submitted").json()["results"]
    assert sorted(row["id"] for row in rows) == [
        filed.support_submitted.pk,
        filed.lead_submitted.pk,
    ]


def test_page_size_chooses_the_rows_per_page(plan, clients):
    response = clients.member.get("/api/v1/tasks/?page_size=2")
    assert _numbers(response) == [1, 2]
    assert response.json()["count"] == 3


def test_a_page_size_above_the_cap_gets_the_cap(plan, clients, monkeypatch):
    from tasks.api.pagination import PortalPagination

    assert PortalPagination.max_page_size == 200
    monkeypatch.setattr(PortalPagination, "max_page_size", 2)
    assert _numbers(clients.member.get("/api/v1/tasks/?page_size=1000")) == [1, 2]


def test_figures_of_march_count_the_plan(plan, filed, clients, clock):
    url = f"/api/v1/programmes/{plan.programme.pk}/figures/?period={filed.march.pk}"
    figures = clients.member.get(url).json()
    assert figures["period"] == filed.march.pk
    assert figures["tasks"]["total"] == 3
    assert [row["label"] for row in figures["categories"]] == ["（一）", "（二）"]


def test_figures_of_a_period_of_another_programme_are_a_404(plan, clients):
    response = clients.member.get(f"/api/v1/programmes/{plan.programme.pk}/figures/?period=999")
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["lead", "support"])
def test_a_reporter_files_an_update_create_patch_submit(persona, plan, filed, clients):
    client = getattr(clients, persona)
    body = {"task": plan.tasks[1].pk, "period": filed.march.pk, "percent": 20}
    created = client.post("/api/v1/updates/", json.dumps(body), "application/json").json()
    patch = {"version": created["version"], "work_done": "完成调研。", "next_steps": "开发。"}
    patched = client.patch(
        f"/api/v1/updates/{created['id']}/", json.dumps(patch), "application/json"
    ).json()
    response = client.post(
        f"/api/v1/updates/{created['id']}/submit/",
        json.dumps({"version": patched["version"]}),
        "application/json",
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["percent"]) == (UpdateState.SUBMITTED, 20)


def test_a_lead_submission_records_the_supporting_input_it_drew_on(plan, filed, clients):
    body = {"version": 2, "drawn_from": [filed.support_submitted.pk, filed.accepted.pk]}
    response = clients.lead.post(
        f"/api/v1/updates/{filed.lead_draft.pk}/submit/", json.dumps(body), "application/json"
    )
    assert response.json()["drawn_from"] == [filed.support_submitted.pk]


def test_the_office_returns_with_a_standard_reason(filed, clients):
    from tasks.models import ReturnReason

    reason = ReturnReason.objects.create(text="数据不完整")
    body = {"reasons": [reason.pk], "comment": ""}
    response = clients.office.post(
        f"/api/v1/updates/{filed.lead_submitted.pk}/return/", json.dumps(body), "application/json"
    )
    assert response.json()["state"] == "returned"
    assert response.json()["reviews"][-1]["reasons"] == ["数据不完整"]


def test_evidence_downloads_with_its_original_name(filed, clients):
    response = clients.lead.get(f"/api/v1/evidence/{filed.evidence.pk}/download/")
    assert response["Content-Type"] == "application/pdf"
    assert (
        "filename*=utf-8''%E8%BF%9B%E5%B1%95%E8%AF%B4%E6%98%8E.pdf"
        in response["Content-Disposition"]
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
