"""Schemathesis against the live test server: no 5xx, and every answer matches the schema.

Bounded: 10 examples per operation, as office staff and as a lead unit's reporter (each
with a token). The clock is not pinned here (time-machine would also stop the clocks the
HTTP client and Hypothesis rely on); the plan's 2021 periods stay open, so filing works.
"""

from types import SimpleNamespace

import pytest
import schemathesis
from django.core.files.base import ContentFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from reports.models import ReportFile, ReportRun
from tasks.models import ReturnReason
from tasks.services import reporting
from tasks.tests.api.conftest import draft, pdf_upload, submitted

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
FUZZ = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def fuzz_world(plan, personas, settings):
    """Updates, evidence, a return reason, a report run with a file, and the ids of these
    rows by resource, so that half of the generated cases hit an existing row."""
    t1, _t2, t3 = plan.tasks
    march = plan.periods[(2021, 3)]
    updates = [
        draft(t1, march, personas.lead),
        submitted(t1, march, personas.support),
        submitted(t3, march, personas.lead),
    ]
    evidence = reporting.add_evidence(update=updates[0], actor=personas.lead, upload=pdf_upload())
    run = ReportRun.objects.create(
        kind="monthly",
        programme=plan.programme,
        period=march,
        scope="2021-03",
        as_of=march.ends_on,
        version=1,
        state="done",
        created_at=updates[0].created_at,
    )
    report_file = ReportFile(run=run, kind="xlsx", name="月报.xlsx", size=4, sha256="0" * 64)
    report_file.file.save("monthly.xlsx", ContentFile(b"PK.."), save=True)
    known = {
        "updates": [update.pk for update in updates],
        "programmes": [plan.programme.pk],
        "tasks": [task.pk for task in plan.tasks],
        "categories": [category.pk for category in plan.categories],
        "departments": [plan.commerce.pk, plan.cities.pk],
        "periods": [march.pk],
        "return-reasons": [ReturnReason.objects.create(text="数据不完整").pk],
        "evidence": [evidence.pk],
        "report-runs": [run.pk],
        "report-files": [report_file.pk],
    }
    # Hundreds of calls a minute from one account: not what the throttle is tested on.
    settings.API_THROTTLE_RATES = {"anon": None, "user": None}
    member_token, _key = AuthToken.objects.create(user=personas.member)
    tokens = {
        "office": AuthToken.objects.create(user=personas.office),
        "lead": AuthToken.objects.create(user=personas.lead),
    }
    # Another account's token and the caller's own (a generated DELETE may revoke it).
    own = [token.token_key for token, _key in tokens.values()]
    known["tokens"] = [member_token.token_key, *own]
    return SimpleNamespace(known=known, tokens=tokens)


def _cases(operation, known):
    """Valid and invalid cases, and as many again with the path's id set to an existing row."""
    strategy = st.one_of(
        operation.as_strategy(), operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    )
    ids = known.get(operation.path.split("/")[3])
    if "{" not in operation.path or not ids:
        return strategy
    name = "token_key" if "{token_key}" in operation.path else "id"

    def pointed(case, pk):
        case.path_parameters = {**(case.path_parameters or {}), name: pk}
        return case

    return st.one_of(strategy, st.builds(pointed, strategy, st.sampled_from(ids)))


def _keep(token: AuthToken) -> None:
    # A generated DELETE /tokens/{token_key}/ may revoke the caller's own token.
    AuthToken.objects.get_or_create(
        digest=token.digest,
        defaults={"token_key": token.token_key, "user_id": token.user_id, "expiry": token.expiry},
    )


def _fuzz(base_url: str, issued: tuple[AuthToken, str], known: dict) -> dict:
    """Run every operation of the schema; return {operation: failure} for those that fail."""
    token, key = issued
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/?format=json", headers=headers)
    failures = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=_cases(operation, known))
        def run(case):
            _keep(token)
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as failure:
            failures[operation.label] = str(failure)[:2000]
    return failures


# schemathesis.pytest.from_fixture(...).parametrize() fails under pytest 9.2 (it sets
# Function._nodeid, which pytest no longer has), so each test drives Hypothesis itself.
@pytest.mark.django_db(transaction=True)
def test_the_api_keeps_its_schema_for_office_staff(live_server, fuzz_world):
    assert _fuzz(live_server.url, fuzz_world.tokens["office"], fuzz_world.known) == {}


@pytest.mark.django_db(transaction=True)
def test_the_api_keeps_its_schema_for_a_reporter(live_server, fuzz_world):
    assert _fuzz(live_server.url, fuzz_world.tokens["lead"], fuzz_world.known) == {}
