"""The task list: filters, search, drill-down targets, paging, export, bounded queries."""

import io

import pytest
from openpyxl import load_workbook

from pilot.testing.factories import AssignmentFactory, TaskFactory, UpdateFactory, stamp
from tasks.models import AssignmentRole, Task, TaskStatus, UpdateState

pytestmark = pytest.mark.usefixtures("clock")


def _numbers(response):
    return [task.number for task in response.context["page"]]


def _list(client, **params):
    return client.get("/tasks/", params)


def test_every_role_sees_the_whole_list(clients):
    assert _numbers(_list(clients.member)) == [1, 2, 3]
    assert _numbers(_list(clients.outsider)) == [1, 2, 3]


def test_anonymous_visitors_must_log_in(clients):
    assert _list(clients.anonymous).status_code == 302


def test_search_finds_a_chinese_substring_of_the_measure(clients):
    assert _numbers(_list(clients.office, q="单一窗口")) == [1]


def test_filter_by_category(clients, plan):
    assert _numbers(_list(clients.office, category=plan.categories[1].pk)) == [3]


def test_filter_by_department_and_role(clients, plan):
    assert _numbers(_list(clients.office, department=plan.commerce.pk)) == [1, 2, 3]
    assert _numbers(_list(clients.office, department=plan.commerce.pk, role="lead")) == [1, 3]
    assert _numbers(_list(clients.office, department=plan.commerce.pk, role="support")) == [2]


def test_filter_by_status_coordination_and_overdue(clients, plan):
    _t1, t2, t3 = plan.tasks
    Task.objects.filter(pk=t2.pk).update(status=TaskStatus.BLOCKED, needs_coordination=True)
    Task.objects.filter(pk=t3.pk).update(due_on="2021-03-01")

    assert _numbers(_list(clients.office, status="blocked")) == [2]
    assert _numbers(_list(clients.office, coordination="1")) == [2]
    assert _numbers(_list(clients.office, overdue="1")) == [3]


def test_filter_by_warning_colour(clients, plan):
    t1, t2, t3 = plan.tasks
    Task.objects.filter(pk=t1.pk).update(status=TaskStatus.ON_TRACK, percent=50)
    Task.objects.filter(pk=t2.pk).update(status=TaskStatus.BEHIND, percent=50)
    Task.objects.filter(pk=t3.pk).update(status=TaskStatus.BLOCKED)

    assert _numbers(_list(clients.office, colour="green")) == [1]
    assert _numbers(_list(clients.office, colour="yellow")) == [2]
    assert _numbers(_list(clients.office, colour="red")) == [3]


def test_filter_by_missing_submissions_of_a_department(clients, plan):
    march = plan.periods[(2021, 3)]
    UpdateFactory(
        task=plan.tasks[0],
        period=march,
        department=plan.commerce,
        state=UpdateState.SUBMITTED,
        first_submitted_at=stamp(2021, 3, 5),
    )
    params = {"department": plan.commerce.pk, "period": march.pk}

    assert _numbers(_list(clients.office, reporting="on_time", **params)) == [1]
    assert _numbers(_list(clients.office, reporting="missing", **params)) == [2, 3]
    assert _numbers(_list(clients.office, reporting="expected", **params)) == [1, 2, 3]


def test_a_reporting_filter_without_a_period_is_refused_in_chinese(clients):
    response = _list(clients.office, reporting="missing")

    assert response.status_code == 400
    assert "请选择期次" in response.content.decode()


def test_an_unknown_department_is_a_400_not_a_500(clients):
    assert _list(clients.office, department="999999").status_code == 400


def test_an_unknown_programme_is_a_404(clients):
    assert _list(clients.office, programme="nope").status_code == 404


def test_the_list_is_paged_by_fifty(clients, plan):
    for n in range(60):
        TaskFactory(programme=plan.programme, category=plan.categories[0], number=10 + n)

    first = _list(clients.office)
    second = _list(clients.office, page=2)

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 13


def test_the_filtered_list_exports_to_xlsx(clients, plan):
    response = _list(clients.office, department=plan.commerce.pk, role="lead", format="xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(min_row=2, values_only=True))  # under the title
    assert [row[0] for row in rows[1:]] == [1, 3]
    assert rows[2][3] == "省财政厅、省商务厅"
    assert rows[1][4] == "海口海关、各市县"


def _grow(plan, *, tasks: int):
    for n in range(tasks):
        task = TaskFactory(programme=plan.programme, category=plan.categories[0], number=10 + n)
        AssignmentFactory(task=task, department=plan.finance, role=AssignmentRole.LEAD)
        AssignmentFactory(task=task, department=plan.customs, role=AssignmentRole.SUPPORT)


@pytest.mark.parametrize("extra", [0, 80])
def test_the_list_runs_a_bounded_number_of_queries(
    clients, plan, django_assert_max_num_queries, extra
):
    _grow(plan, tasks=extra)
    with django_assert_max_num_queries(12):
        response = _list(clients.office, colour="green", department=plan.finance.pk)
        assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 80])
def test_the_export_runs_a_bounded_number_of_queries(
    clients, plan, django_assert_max_num_queries, extra
):
    _grow(plan, tasks=extra)
    with django_assert_max_num_queries(10):
        response = _list(clients.office, format="xlsx")
        assert response.status_code == 200
