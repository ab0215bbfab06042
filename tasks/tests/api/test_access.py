"""Every endpoint as every persona: allowed calls succeed, refused ones change nothing.

Refusals: 401 for anonymous clients, 404 for rows the persona may not see, 403 for rows
it sees but may not act on (or endpoints its role may not use).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from knox.models import AuthToken

from reports.models import ReportFile
from reports.services.runs import request_report
from tasks.tests.api.conftest import PDF, pdf_upload, snapshot

PERSONAS = ("office", "lead", "support", "outsider", "member", "anonymous")
READ_ALL = {"office": 200, "lead": 200, "support": 200, "outsider": 200, "member": 200}


@dataclass
class Call:
    name: str
    method: str
    url: Callable
    expected: dict  # persona -> status; anonymous is always 401
    body: Callable | None = None
    multipart: bool = False

    @property
    def writes(self) -> bool:
        return self.method != "get"


def _version(update):
    update.refresh_from_db()
    return update.version


CALLS = [
    Call("programmes", "get", lambda p, f: "/api/v1/programmes/", READ_ALL),
    Call("programme", "get", lambda p, f: f"/api/v1/programmes/{p.programme.pk}/", READ_ALL),
    Call("categories", "get", lambda p, f: "/api/v1/categories/", READ_ALL),
    Call("departments", "get", lambda p, f: "/api/v1/departments/", READ_ALL),
    Call("department", "get", lambda p, f: f"/api/v1/departments/{p.cyber.pk}/", READ_ALL),
    Call("tasks", "get", lambda p, f: "/api/v1/tasks/", READ_ALL),
    Call("task", "get", lambda p, f: f"/api/v1/tasks/{p.tasks[0].pk}/", READ_ALL),
    Call("periods", "get", lambda p, f: "/api/v1/periods/", READ_ALL),
    Call("period", "get", lambda p, f: f"/api/v1/periods/{f.march.pk}/", READ_ALL),
    Call("current period", "get", lambda p, f: "/api/v1/periods/current/", READ_ALL),
    Call("return reasons", "get", lambda p, f: "/api/v1/return-reasons/", READ_ALL),
    Call("updates", "get", lambda p, f: "/api/v1/updates/", READ_ALL),
    Call(
        "a lead draft",
        "get",
        lambda p, f: f"/api/v1/updates/{f.lead_draft.pk}/",
        {"office": 404, "lead": 200, "support": 404, "outsider": 404, "member": 404},
    ),
    Call(
        "a supporting input",
        "get",
        lambda p, f: f"/api/v1/updates/{f.support_submitted.pk}/",
        {"office": 200, "lead": 200, "support": 200, "outsider": 404, "member": 404},
    ),
    Call(
        "an accepted update",
        "get",
        lambda p, f: f"/api/v1/updates/{f.accepted.pk}/",
        READ_ALL,
    ),
    Call(
        "create on task 2",
        "post",
        lambda p, f: "/api/v1/updates/",
        {"office": 403, "lead": 201, "support": 201, "outsider": 400, "member": 403},
        body=lambda p, f: {"task": p.tasks[1].pk, "period": f.march.pk, "percent": 10},
    ),
    Call(
        "patch the lead draft",
        "patch",
        lambda p, f: f"/api/v1/updates/{f.lead_draft.pk}/",
        {"office": 404, "lead": 200, "support": 404, "outsider": 404, "member": 404},
        body=lambda p, f: {"version": _version(f.lead_draft), "percent": 60},
    ),
    Call(
        "put the lead draft",
        "put",
        lambda p, f: f"/api/v1/updates/{f.lead_draft.pk}/",
        {"office": 404, "lead": 200, "support": 404, "outsider": 404, "member": 404},
        body=lambda p, f: {
            "version": _version(f.lead_draft),
            "status": "behind",
            "percent": 30,
            "work_done": "调研。",
            "next_steps": "开发。",
            "problems": "资金未到位。",
            "needs_coordination": True,
        },
    ),
    Call(
        "submit the lead draft",
        "post",
        lambda p, f: f"/api/v1/updates/{f.lead_draft.pk}/submit/",
        {"office": 404, "lead": 200, "support": 404, "outsider": 404, "member": 404},
        body=lambda p, f: {"version": _version(f.lead_draft)},
    ),
    Call(
        "withdraw a lead submission",
        "post",
        lambda p, f: f"/api/v1/updates/{f.lead_submitted.pk}/withdraw/",
        {"office": 403, "lead": 200, "support": 404, "outsider": 404, "member": 404},
        body=lambda p, f: {"version": _version(f.lead_submitted)},
    ),
    Call(
        "withdraw a supporting input",
        "post",
        lambda p, f: f"/api/v1/updates/{f.support_submitted.pk}/withdraw/",
        {"office": 403, "lead": 403, "support": 200, "outsider": 404, "member": 404},
        body=lambda p, f: {"version": _version(f.support_submitted)},
    ),
    Call(
        "accept a lead submission",
        "post",
        lambda p, f: f"/api/v1/updates/{f.lead_submitted.pk}/accept/",
        {"office": 200, "lead": 403, "support": 404, "outsider": 404, "member": 404},
        body=lambda p, f: {},
    ),
    Call(
        "return a lead submission",
        "post",
        lambda p, f: f"/api/v1/updates/{f.lead_submitted.pk}/return/",
        {"office": 200, "lead": 403, "support": 404, "outsider": 404, "member": 404},
        body=lambda p, f: {"comment": "请补充数据。"},
    ),
    Call(
        "return a supporting input",
        "post",
        lambda p, f: f"/api/v1/updates/{f.support_submitted.pk}/return/",
        {"office": 403, "lead": 200, "support": 403, "outsider": 404, "member": 404},
        body=lambda p, f: {"comment": "请补充海关数据。"},
    ),
    Call(
        "upload evidence",
        "post",
        lambda p, f: f"/api/v1/updates/{f.lead_draft.pk}/evidence/",
        {"office": 404, "lead": 201, "support": 404, "outsider": 404, "member": 404},
        # Not the draft's own file: an identical one would be answered 200 (kept once).
        body=lambda p, f: {"file": pdf_upload(content=PDF + b"%another\n")},
        multipart=True,
    ),
    Call(
        "download evidence",
        "get",
        lambda p, f: f"/api/v1/evidence/{f.evidence.pk}/download/",
        {"office": 404, "lead": 200, "support": 404, "outsider": 404, "member": 404},
    ),
    Call(
        "delete evidence",
        "delete",
        lambda p, f: f"/api/v1/evidence/{f.evidence.pk}/",
        {"office": 404, "lead": 204, "support": 404, "outsider": 404, "member": 404},
    ),
    Call(
        "figures",
        "get",
        lambda p, f: f"/api/v1/programmes/{p.programme.pk}/figures/?period={f.march.pk}",
        READ_ALL,
    ),
    Call(
        "report runs",
        "get",
        lambda p, f: "/api/v1/report-runs/",
        {"office": 200, "lead": 403, "support": 403, "outsider": 403, "member": 200},
    ),
    Call(
        "a report run",
        "get",
        lambda p, f: f"/api/v1/report-runs/{f.run.pk}/",
        {"office": 200, "lead": 403, "support": 403, "outsider": 403, "member": 200},
    ),
    Call(
        "request a report run",
        "post",
        lambda p, f: "/api/v1/report-runs/",
        {"office": 202, "lead": 403, "support": 403, "outsider": 403, "member": 403},
        body=lambda p, f: {"kind": "monthly", "programme": p.programme.pk, "period": f.march.pk},
    ),
    Call(
        "download a report file",
        "get",
        lambda p, f: f"/api/v1/report-files/{f.report_file.pk}/download/",
        {"office": 200, "lead": 403, "support": 403, "outsider": 403, "member": 200},
    ),
    Call("list own tokens", "get", lambda p, f: "/api/v1/tokens/", READ_ALL),
    Call(
        "issue an own token",
        "post",
        lambda p, f: "/api/v1/tokens/",
        {"office": 201, "lead": 201, "support": 201, "outsider": 201, "member": 201},
        body=lambda p, f: {},
    ),
    Call(
        "issue a token for another account",
        "post",
        lambda p, f: "/api/v1/tokens/",
        {"office": 400, "lead": 400, "support": 400, "outsider": 400, "member": 400},
        body=lambda p, f: {"user": f.system_account.pk},
    ),
    Call(
        "revoke another account's token",
        "delete",
        lambda p, f: f"/api/v1/tokens/{f.system_token.token_key}/",
        {"office": 404, "lead": 404, "support": 404, "outsider": 404, "member": 404},
    ),
]
CASES = [
    pytest.param(call, persona, id=f"{call.name}-{persona}")
    for call in CALLS
    for persona in PERSONAS
]


@pytest.fixture
def world(filed, plan, personas):
    from departments.models import Role
    from pilot.testing.factories import make_user

    filed.system_account = make_user("dept-system", Role.REPORTER, filed.lead_draft.department)
    filed.system_token, _key = AuthToken.objects.create(user=filed.system_account)
    filed.run = request_report(
        kind="monthly", programme=plan.programme, period=filed.february, actor=personas.office
    )
    filed.report_file = ReportFile(
        run=filed.run, kind="xlsx", name="月报.xlsx", size=4, sha256="0" * 64
    )
    filed.report_file.file.save("monthly.xlsx", ContentFile(b"PK.."), save=True)
    return filed


def _send(client, call, plan, world):
    url = call.url(plan, world)
    body = call.body(plan, world) if call.body else None
    if call.method == "get":
        return client.get(url)
    if call.multipart:
        return client.post(url, body)
    return getattr(client, call.method)(
        url, json.dumps(body) if body is not None else None, content_type="application/json"
    )


@pytest.mark.parametrize(("call", "persona"), CASES)
def test_endpoint_answers_each_persona_as_the_rules_say(call, persona, plan, world, clients):
    expected = 401 if persona == "anonymous" else call.expected[persona]
    before = snapshot()
    response = _send(getattr(clients, persona), call, plan, world)
    assert response.status_code == expected, response.content[:300]
    if expected >= 400 or not call.writes:
        assert snapshot() == before
    else:
        assert snapshot() != before
