"""按原定 / 按调整后: tasks counted against the plan's due date and the one in force after an
approved extension, as of a moment (an approval after a report's cut-off does not count)."""

import datetime

import pytest
from django.urls import reverse

from pilot.testing.factories import stamp
from reports.figures.due_dates import due_basis_counts, extension_sentence
from tasks.models import Task
from tasks.services import extensions

pytestmark = pytest.mark.django_db


def _extend(plan, personas, task, day):
    request = extensions.request_extension(
        task=task, actor=personas.lead, requested_due_on=day, reason="批复未下达。"
    )
    return extensions.approve_extension(
        extension=request, actor=personas.office, approved_due_on=day
    )


def test_counts_both_ways_after_an_approved_extension(plan, personas, clock):
    # Task 1 moved from 2021-06-30 to 2021-08-31 on 2021-03-10; tasks 2 and 3 keep 06-30.
    _extend(plan, personas, plan.tasks[0], datetime.date(2021, 8, 31))
    tasks = Task.objects.filter(programme=plan.programme)
    counts = due_basis_counts(tasks=tasks, at=stamp(2021, 7, 5), today=datetime.date(2021, 7, 5))
    assert (counts.extended, counts.overdue_adjusted, counts.overdue_original) == (1, 2, 3)
    assert extension_sentence(counts) == (
        "经批准延期的任务1项；按调整后的完成期限逾期未完成2项，按原定完成期限逾期未完成3项。"
    )


def test_an_approval_after_the_moment_does_not_count(plan, personas, clock):
    _extend(plan, personas, plan.tasks[0], datetime.date(2021, 8, 31))  # approved 2021-03-10
    tasks = Task.objects.filter(programme=plan.programme)
    before = due_basis_counts(tasks=tasks, at=stamp(2021, 3, 9), today=datetime.date(2021, 7, 5))
    assert (before.extended, before.overdue_adjusted, before.overdue_original) == (0, 3, 3)


def test_no_sentence_without_extensions(plan, clock):
    tasks = Task.objects.filter(programme=plan.programme)
    counts = due_basis_counts(tasks=tasks, at=stamp(2021, 3, 10), today=datetime.date(2021, 3, 10))
    assert extension_sentence(counts) == ""


def test_the_dashboard_shows_the_count_by_the_original_date(plan, personas, clients, clock):
    # All three tasks due 2021-05-31; task 1 moved to 2021-08-31. On 2021-06-10 (period
    # 2021-06, due 06-25) three are past the plan's date and two past the date in force.
    Task.objects.filter(programme=plan.programme).update(due_on=datetime.date(2021, 5, 31))
    _extend(plan, personas, Task.objects.get(pk=plan.tasks[0].pk), datetime.date(2021, 8, 31))
    clock.move_to(stamp(2021, 6, 10))
    page = clients.office.get(reverse("dashboard")).content.decode()
    assert "按原定期限 3 项 · 已批准延期 1 项" in page
