"""Every admin list and the task page load for a superuser in a bounded number of queries.

The real plan (57 departments, 117 tasks, 374 assignments) is loaded so that a list
page that fetched a related row per line would blow far past the bound.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from departments.models import Department, DepartmentContact, Role
from pilot.testing.factories import PeriodFactory, UpdateFactory, make_user
from tasks.models import (
    AuditEvent,
    AuditVerb,
    Evidence,
    ReturnReason,
    Review,
    ReviewAction,
    Task,
    UpdateRevision,
)

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "plan.json"

CHANGELISTS = [
    "departments_department",
    "departments_departmentalias",
    "departments_departmentcontact",
    "departments_profile",
    "tasks_programme",
    "tasks_category",
    "tasks_task",
    "tasks_assignment",
    "tasks_reportingperiod",
    "tasks_progressupdate",
    "tasks_evidence",
    "tasks_returnreason",
    "tasks_review",
    "tasks_updaterevision",
    "tasks_auditevent",
]

# Session, user, count(s), list filters, the page: 5 to 7 measured; a per-row lookup would
# add 100.
MAX_QUERIES = 10


@pytest.fixture
def portal_data(db):
    """The real plan plus a few rows of every reporting model, on the first five tasks."""
    call_command("loaddata", str(FIXTURE), verbosity=0)
    office = make_user("office-admin-test", Role.OFFICE)
    reason = ReturnReason.objects.create(text="佐证材料不足")
    tasks = Task.objects.select_related("programme").order_by("number")[:5]
    period = PeriodFactory(programme=tasks[0].programme, year=2021, month=3)
    now = timezone.now()
    for task in tasks:
        lead = task.assignments.filter(role="lead").first().department
        make_user(f"reporter-{task.number}", Role.REPORTER, lead)
        DepartmentContact.objects.get_or_create(department=lead, email=f"t{task.number}@example.cn")
        update = UpdateFactory(task=task, period=period, department=lead, state="returned")
        revision = UpdateRevision.objects.create(
            update=update, number=1, snapshot={}, created_at=now, created_by=office
        )
        review = Review.objects.create(
            update=update,
            action=ReviewAction.RETURN,
            revision=revision,
            department=lead,
            created_at=now,
            created_by=office,
        )
        review.reasons.add(reason)
        Evidence.objects.create(
            update=update,
            file=f"evidence/2021/00/{task.number:064d}",
            original_name=f"材料{task.number}.pdf",
            content_type="application/pdf",
            size=100,
            sha256=f"{task.number:064d}",
            uploaded_at=now,
            uploaded_by=office,
        )
        AuditEvent.objects.create(
            task=task, update=update, verb=AuditVerb.RETURNED, actor=office, at=now
        )


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelist_loads_in_bounded_queries(
    name, portal_data, admin_client, django_assert_max_num_queries
):
    url = reverse(f"admin:{name}_changelist")

    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(url)

    assert response.status_code == 200


def test_task_change_page_loads_with_its_assignments(
    portal_data, admin_client, django_assert_max_num_queries
):
    # Task 3 has 8 assignments; each row's autocomplete widget looks up its selected
    # department (one query a row), everything else is fixed (15 measured).
    task = Task.objects.get(number=3)

    with django_assert_max_num_queries(16):
        response = admin_client.get(reverse("admin:tasks_task_change", args=[task.pk]))

    assert response.status_code == 200
    assert "省住建厅" in response.content.decode()


def test_department_change_page_loads_with_aliases(portal_data, admin_client):
    department = Department.objects.get(name="省自然资源规划厅")

    response = admin_client.get(
        reverse("admin:departments_department_change", args=[department.pk])
    )

    assert response.status_code == 200
    assert "省资规厅" in response.content.decode()


def test_department_search_finds_a_body_by_an_alias(portal_data, admin_client):
    response = admin_client.get(
        reverse("admin:departments_department_changelist"), {"q": "省资规厅"}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].queryset.values_list("name", flat=True)) == [
        "省自然资源规划厅"
    ]


def test_task_search_by_number(portal_data, admin_client):
    response = admin_client.get(reverse("admin:tasks_task_changelist"), {"q": "23"})

    numbers = list(response.context["cl"].queryset.values_list("number", flat=True))
    assert 23 in numbers
