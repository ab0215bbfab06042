"""List endpoints run the same number of queries whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from departments.models import DepartmentAlias, Role
from pilot.testing.factories import (
    AssignmentFactory,
    CategoryFactory,
    DepartmentFactory,
    TaskFactory,
    UpdateFactory,
    make_user,
)
from reports.models import ReportFile, ReportRun
from tasks.models import AssignmentRole, Evidence, ReturnReason, Review, UpdateState

MAX_QUERIES = 12


@pytest.fixture
def many(plan, personas, filed):
    """30 more tasks, each with a lead and a supporting unit (with aliases) and a submitted
    lead update carrying evidence and a review; 8 return reasons, tokens and report runs."""
    reasons = [ReturnReason.objects.create(text=f"原因{n}", order=n) for n in range(8)]
    for n in range(30):
        category = CategoryFactory(programme=plan.programme, number=10 + n)
        task = TaskFactory(programme=plan.programme, category=category, number=100 + n)
        lead = DepartmentFactory(name=f"牵头厅{n}")
        DepartmentAlias.objects.create(department=lead, name=f"牵头厅{n}（别名）")
        AssignmentFactory(task=task, department=lead, role=AssignmentRole.LEAD)
        AssignmentFactory(task=task, department=plan.customs, role=AssignmentRole.SUPPORT)
        state = UpdateState.ACCEPTED if n % 2 else UpdateState.SUBMITTED
        update = UpdateFactory(task=task, period=filed.march, department=lead, state=state)
        Evidence.objects.create(
            update=update,
            file="evidence/x",
            original_name="a.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_at=update.created_at,
            uploaded_by=personas.lead,
        )
        review = Review.objects.create(
            update=update,
            action="return",
            department=lead,
            created_at=update.created_at,
            created_by=personas.office,
        )
        review.reasons.set(reasons[:2])
        make_user(f"system{n}", Role.REPORTER, lead)
        AuthToken.objects.create(user=personas.office)
        run = ReportRun.objects.create(
            kind="monthly",
            programme=plan.programme,
            period=filed.march,
            scope=f"2021-03-{n}",
            as_of=filed.march.starts_on,
            version=1,
            state="done",
            created_at=update.created_at,
        )
        ReportFile.objects.create(
            run=run, kind="xlsx", name="a.xlsx", file="r/x", size=1, sha256="0"
        )


def _queries(client, url, rows) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:200]
    assert len(response.json()["results"]) == rows
    return len(captured)


@pytest.mark.parametrize(
    ("path", "persona", "count"),
    [
        ("/api/v1/tasks/", "lead", 33),
        ("/api/v1/departments/", "member", 35),
        ("/api/v1/categories/", "member", 32),
        ("/api/v1/periods/", "member", 6),
        ("/api/v1/return-reasons/", "lead", 8),
        ("/api/v1/updates/", "office", 33),  # every row but the lead unit's draft
        ("/api/v1/updates/", "lead", 19),
        ("/api/v1/tokens/", "office", 30),
        ("/api/v1/report-runs/", "member", 30),
    ],
)
def test_a_list_runs_as_many_queries_for_5_rows_as_for_100(path, persona, count, many, clients):
    client = getattr(clients, persona)
    small = _queries(client, f"{path}?page_size=5", rows=5)
    large = _queries(client, f"{path}?page_size=100", rows=count)
    assert small == large
    assert large <= MAX_QUERIES
