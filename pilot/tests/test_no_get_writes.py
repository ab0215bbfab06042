"""A GET never writes: every page of the portal, as every persona, records no INSERT,
UPDATE or DELETE.

The URL list is built from the URL conf (every named route, reversed with the ids of the
test plan's objects: tasks, periods, updates in each state, evidence, report runs, files and
deliveries), plus the admin's pages for every registered model. The clock is pinned, so
the idle-session middleware (pilot.middleware, a save at most once a minute) does not fire:
no session write is excluded, except on the one route below that writes by design.
"""

import datetime
import itertools
import re

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from pilot.testing.factories import stamp
from reports.models import (
    DeliveryResult,
    EmailDelivery,
    EmailKind,
    FileKind,
    ReportFile,
    ReportKind,
    ReportRun,
    RunState,
)
from tasks.models import Extension, ReturnReason, SupervisionSlip
from tasks.plan_import.services import start_plan_import
from tasks.services import meetings, reporting, review
from tasks.tests.test_loop_query_counts import FILLED

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)

PERSONAS = ["office", "lead", "support", "member", "anonymous"]

# Django's reset-confirm view moves a valid token from the URL into the session (so the
# token never leaks through a Referer header) and redirects: a session write by design.
SESSION_WRITE_ALLOWED = {"password_reset_confirm"}

# Routes whose GET answers 405 or only redirects in any case are still crawled: a refusal
# must not write either.


def _named_routes(patterns=None, namespace="", prefix_params=()):
    """Yield (name, parameter names) for every named route of the URL conf."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin is crawled from its registry (below)
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            params = prefix_params + tuple(entry.pattern.regex.groupindex)
            yield from _named_routes(entry.url_patterns, inner, params)
        elif isinstance(entry, URLPattern) and entry.name:
            params = prefix_params + tuple(entry.pattern.regex.groupindex)
            yield f"{namespace}{entry.name}", params


def _admin_urls(objects) -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        base = f"admin:{meta.app_label}_{meta.model_name}"
        urls += [reverse(f"{base}_changelist"), reverse(f"{base}_add")]
        urls.append(reverse("admin:app_list", args=[meta.app_label]))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            for view in ("change", "history", "delete"):
                urls.append(reverse(f"{base}_{view}", args=[first.pk]))
    return sorted(set(urls))


@pytest.fixture
def objects(plan, personas, clock):
    """Updates in every state, evidence, runs in two states, a file and a delivery."""
    t1, t2, t3 = plan.tasks
    march = plan.periods[(2021, 3)]
    reason = ReturnReason.objects.create(text="未提供佐证材料")

    def filed(task, actor):
        update = reporting.start_update(task=task, period=march, actor=actor)
        return reporting.file_update(
            update=update, actor=actor, data=FILLED, expected_version=1, submit=True
        )

    submitted = filed(t1, personas.lead)
    supporting = filed(t1, personas.support)
    returned = review.return_update(
        update=filed(t2, personas.support), actor=personas.office, reasons=[reason], comment=""
    )
    accepted = review.accept_update(update=filed(t3, personas.lead), actor=personas.office)
    draft = reporting.start_update(task=t3, period=march, actor=personas.finance)
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    upload = SimpleUploadedFile("说明.pdf", body, content_type="application/pdf")
    evidence = reporting.add_evidence(update=draft, actor=personas.finance, upload=upload)
    runs = [
        ReportRun.objects.create(
            kind=ReportKind.MONTHLY,
            programme=plan.programme,
            period=plan.periods[(2021, 2)],
            scope="2021-02",
            as_of="2021-02-25",
            version=version,
            state=state,
            created_at=stamp(2021, 3, 9),
            finished_at=stamp(2021, 3, 9),
        )
        for version, state in enumerate([RunState.DONE, RunState.FAILED], start=1)
    ]
    file = ReportFile.objects.create(
        run=runs[0], kind=FileKind.DOCX, name="月报.docx", file="x.docx", size=1, sha256="0"
    )
    delivery = EmailDelivery.objects.create(
        key="crawl-1",
        run=runs[0],
        kind=EmailKind.choices[0][0],
        to="a@example.com",
        subject="月报",
        body_text="x",
        created_at=stamp(2021, 3, 9),
        result=DeliveryResult.choices[0][0],
    )
    updates = [submitted, supporting, returned, accepted, draft]
    table = "序号,试点任务,具体举措,责任分工\n1,（一）甲,建设平台。,省商务厅牵头，省新设局配合。\n"
    plan_import = start_plan_import(
        upload=SimpleUploadedFile("方案.csv", table.encode()), actor=personas.office
    )
    meeting = meetings.create_meeting(
        programme=plan.programme, held_on=march.due_on, tasks=[t1], actor=personas.office
    )
    extension = Extension.objects.create(
        task=t1,
        department=plan.commerce,
        current_due_on=t1.due_on,
        requested_due_on=datetime.date(2021, 9, 30),
        reason="需等待上级批复。",
        requested_at=stamp(2021, 3, 9),
        requested_by=personas.lead,
    )
    slip = SupervisionSlip.objects.create(
        task=t1,
        department=plan.commerce,
        level="red",
        year=2021,
        number=1,
        origin="hand",
        reason="该任务连续两期受阻。",
        issued_on=datetime.date(2021, 3, 9),
        issued_at=stamp(2021, 3, 9),
        response_due=datetime.date(2021, 3, 12),
    )
    return {
        "import_id": [plan_import.pk],
        "index": [0],
        "meeting_id": [meeting.pk],
        "extension_id": [extension.pk],
        "slip_id": [slip.pk],
        "item_id": list(meeting.items.values_list("pk", flat=True)),
        "task_id": [t.pk for t in plan.tasks],
        "period_id": [march.pk, plan.periods[(2021, 2)].pk],
        "update_id": [u.pk for u in updates],
        "evidence_id": [evidence.pk],
        "run_id": [run.pk for run in runs],
        "file_id": [file.pk],
        "delivery_id": [delivery.pk],
        "department_id": [plan.commerce.pk, plan.cities.pk],
        "topic": ["office", "reporter", "member"],
        "uidb64": [urlsafe_base64_encode(force_bytes(personas.lead.pk))],
        "token": [default_token_generator.make_token(personas.lead)],
    }


# The API's router basenames and the ids their ``pk`` takes (detail routes and actions).
API_PK = {
    "programme": "programme",
    "category": "category",
    "department": "department",
    "task": "task_id",
    "period": "period_id",
    "update": "update_id",
    "evidence": "evidence_id",
    "report-run": "run_id",
    "report-file": "file_id",
    "return-reason": "reason",
}


def _api_ids(name: str) -> str:
    basename = max((b for b in API_PK if name.startswith(f"api:{b}-")), key=len)
    return API_PK[basename]


def _crawl_list(plan, objects) -> list[tuple[str, str]]:
    """(route name, URL) for every named route with every combination of test ids."""
    values = {
        **objects,
        "programme": [plan.programme.pk],
        "category": [c.pk for c in plan.categories],
        "department": [plan.commerce.pk],
        "reason": list(ReturnReason.objects.values_list("pk", flat=True)),
        "token_key": ["0123abcd"],  # a token prefix (none issued: the lookup misses)
    }
    urls = []
    for name, params in _named_routes():
        if "format" in params:
            continue  # DRF's ".json" suffix twins of the routes below
        if params == ("pk",):
            for pk in values[_api_ids(name)]:
                urls.append((name, reverse(name, kwargs={"pk": pk})))
            continue
        if any(param not in values for param in params):
            raise AssertionError(f"no test ids for {name} {params}: add them to the crawl")
        for combo in itertools.product(*(values[param] for param in params)):
            urls.append((name, reverse(name, kwargs=dict(zip(params, combo, strict=True)))))
    return urls


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_get_request_writes_to_the_database(plan, personas, objects, clock, persona):
    client = Client()
    user = getattr(personas, persona, None)
    if user is not None:
        client.force_login(user)  # at the pinned time: the idle clock starts now
    urls = _crawl_list(plan, objects)
    if persona == "office":
        urls += [("admin", url) for url in _admin_urls(objects)]
    assert len(urls) > 60  # the route walk found the portal

    writes = []
    for name, url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        for query in captured.captured_queries:
            sql = query["sql"]
            if not WRITE.match(sql):
                continue
            if name in SESSION_WRITE_ALLOWED and "django_session" in sql:
                continue
            writes.append((url, response.status_code, sql[:200]))
    assert writes == []
