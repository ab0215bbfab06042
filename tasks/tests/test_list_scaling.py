"""Every list (API endpoint, admin changelist, the office's and the task's pages) runs the
same number of queries with ten times the data: no query per row, per programme or per
period.

``grow`` adds copies of one unit of data: a programme with its periods, a category, a
department (with an alias and a reporter) leading a task that 海口海关 supports, the lead's
submitted or accepted update with evidence, a review with reasons, a revision and audit
events, the department's private draft on a second task, a token, a report run with a
file and a notification. A list is read once at one unit and once at ten.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from departments.models import DepartmentAlias, Notification, NotificationVerb, Role
from departments.services import grant_office_admin
from pilot.testing.factories import (
    AssignmentFactory,
    CategoryFactory,
    DepartmentFactory,
    ProgrammeFactory,
    TaskFactory,
    UpdateFactory,
    UserFactory,
    make_user,
)
from reports.models import ReportFile, ReportRun
from tasks.models import (
    AssignmentRole,
    AuditEvent,
    AuditVerb,
    Evidence,
    ReturnReason,
    Review,
    UpdateRevision,
    UpdateState,
)
from tasks.services.periods import generate_periods

pytestmark = pytest.mark.django_db


class Grower:
    """Add units of data; ``units`` counts those added so far."""

    def __init__(self, plan, personas):
        self.plan, self.personas, self.units = plan, personas, 0
        self.reasons = [ReturnReason.objects.create(text=f"原因{n}", order=n) for n in range(3)]

    def grow_to(self, units: int) -> None:
        while self.units < units:
            self.units += 1
            self._unit(self.units)

    def _unit(self, n: int) -> None:
        office, now = self.personas.office, timezone.now()
        programme = ProgrammeFactory(code=f"grown-{n}")
        periods = generate_periods(programme=programme)
        category = CategoryFactory(programme=programme, number=1)
        led, drafted = (TaskFactory(programme=programme, category=category) for _ in range(2))
        department = DepartmentFactory(name=f"增设厅{n}")
        DepartmentAlias.objects.create(department=department, name=f"增设厅{n}（别名）")
        reporter = make_user(f"grown{n}", Role.REPORTER, department)
        for task in (led, drafted):
            AssignmentFactory(task=task, department=department, role=AssignmentRole.LEAD)
            AssignmentFactory(task=task, department=self.plan.customs, role="support")
        state = UpdateState.ACCEPTED if n % 2 else UpdateState.SUBMITTED
        update = UpdateFactory(
            task=led, period=periods[1], department=department, state=state, submitted_at=now
        )
        UpdateFactory(task=drafted, period=periods[1], department=department)  # a draft
        Evidence.objects.create(
            update=update,
            file="evidence/x",
            original_name=f"说明{n}.pdf",
            content_type="application/pdf",
            size=1,
            sha256=f"{n:064d}",
            uploaded_at=now,
            uploaded_by=reporter,
        )
        revision = UpdateRevision.objects.create(
            update=update, number=1, snapshot={"percent": 50}, created_at=now, created_by=reporter
        )
        review = Review.objects.create(
            update=update,
            action="return",
            revision=revision,
            department=department,
            created_at=now,
            created_by=office,
        )
        review.reasons.set(self.reasons)
        for verb, about in ((AuditVerb.SUBMITTED, update), (AuditVerb.ASSIGNMENT_ADDED, None)):
            AuditEvent.objects.create(task=led, update=about, verb=verb, actor=reporter, at=now)
        # History on the task whose page is read: it grows with the data too.
        AuditEvent.objects.create(
            task=self.plan.tasks[0], verb=AuditVerb.CHANGED, actor=office, at=now, detail=f"{n}"
        )
        AuthToken.objects.create(user=reporter)
        run = ReportRun.objects.create(
            kind="monthly",
            programme=programme,
            period=periods[1],
            scope=f"grown-{n}",
            as_of=periods[1].starts_on,
            version=1,
            state="done",
            created_at=now,
        )
        ReportFile.objects.create(
            run=run, kind="xlsx", name="a.xlsx", file="r/x", size=1, sha256="0"
        )
        Notification.objects.create(
            recipient=office, verb=NotificationVerb.REPORT_DONE, text=f"通知{n}", created_at=now
        )
        UserFactory(username=f"extra{n}")


@pytest.fixture
def grower(plan, personas, clock):
    return Grower(plan, personas)


def _queries(client, url) -> int:
    client.get(url)  # fill the per-process caches (content types, permissions) first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _same_at_one_and_ten(grower, client, url) -> None:
    grower.grow_to(1)
    once = _queries(client, url)
    grower.grow_to(10)
    assert _queries(client, url) == once


API_LISTS = [
    ("/api/v1/programmes/", "member"),
    ("/api/v1/categories/", "member"),
    ("/api/v1/departments/", "member"),
    ("/api/v1/tasks/", "member"),
    ("/api/v1/tasks/?role=lead", "member"),
    ("/api/v1/periods/", "member"),
    ("/api/v1/return-reasons/", "lead"),
    ("/api/v1/updates/", "office"),
    ("/api/v1/updates/?ordering=id&role=lead", "office"),
    ("/api/v1/updates/", "lead"),
    ("/api/v1/updates/", "member"),
    ("/api/v1/tokens/", "office"),
    ("/api/v1/report-runs/", "member"),
    ("/api/schema/", "member"),
]


@pytest.mark.parametrize(("url", "persona"), API_LISTS)
def test_an_api_list_runs_as_many_queries_with_ten_times_the_data(url, persona, grower, clients):
    _same_at_one_and_ten(grower, getattr(clients, persona), url)


def test_the_review_queue_of_all_periods_and_states_runs_as_many_queries_at_ten_times(
    grower, clients, plan
):
    # The queue shows the most recent programme: the small plan's, whose lead updates
    # grow with each unit's task held by 省商务厅 too.
    def grow_queue(units):
        grower.grow_to(units)
        for task in plan.tasks[:1]:
            for number in range(units):
                UpdateFactory(
                    task=task,
                    period=list(plan.periods.values())[number % 6],
                    department=DepartmentFactory(name=f"队列厅{units}-{number}"),
                    state=UpdateState.SUBMITTED,
                )

    url = "/review/?period=&state="
    grow_queue(1)
    once = _queries(clients.office, url)
    grow_queue(10)
    assert _queries(clients.office, url) == once


def test_a_task_page_runs_as_many_queries_with_ten_times_its_history(grower, clients, plan):
    _same_at_one_and_ten(grower, clients.office, f"/tasks/{plan.tasks[0].pk}/")


def _changelists():
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    )


@pytest.mark.parametrize("url", _changelists())
def test_an_admin_changelist_runs_as_many_queries_with_ten_times_the_data(url, grower):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(superuser)
    _same_at_one_and_ten(grower, client, url)


@pytest.mark.parametrize(
    "model", ["progressupdate", "auditevent", "evidence", "review", "updaterevision"]
)
def test_the_offices_changelists_run_as_many_queries_with_ten_times_the_data(
    model, grower, personas
):
    grant_office_admin(user=personas.office)
    client = Client()
    client.force_login(personas.office)
    url = reverse(f"admin:tasks_{model}_changelist")
    searched = f"{url}?q=1"  # task number 1: the small plan's and every unit's first task
    grower.grow_to(1)
    once = (_queries(client, url), _queries(client, searched))
    grower.grow_to(10)
    assert (_queries(client, url), _queries(client, searched)) == once
