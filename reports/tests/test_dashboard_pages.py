"""The dashboard pages: who may open them, what they show, bounded queries."""

import pytest

from pilot.testing.factories import AssignmentFactory, TaskFactory, UpdateFactory, stamp
from tasks.models import AssignmentRole, Task, TaskStatus, UpdateState

pytestmark = pytest.mark.usefixtures("clock")


def _overview(client, **params):
    return client.get("/dashboard/", params)


def test_office_sees_the_programme_overview_of_the_current_period(clients, plan):
    response = _overview(clients.office)

    assert response.status_code == 200
    assert response.context["period"] == plan.periods[(2021, 3)]
    assert response.context["figures"].tasks.total == 3
    assert "指标口径说明" in response.content.decode()


def test_members_and_reporters_may_open_the_overview(clients):
    assert _overview(clients.member).status_code == 200
    assert _overview(clients.lead).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(clients):
    response = _overview(clients.anonymous)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_period_picker_chooses_another_period(clients, plan):
    february = plan.periods[(2021, 2)]

    response = _overview(clients.office, period=february.pk)

    assert response.context["figures"].period == february


def test_an_unknown_period_is_a_404_with_a_chinese_message(clients):
    response = _overview(clients.office, period="abc")

    assert response.status_code == 404


def test_the_department_table_sorts_on_the_server(clients, plan):
    response = _overview(clients.office, sort="-led")

    table = str(response.context["departments"])
    # 省商务厅 leads tasks 1 and 3, the others one or none; 各市县 leads nothing.
    assert table.index("省商务厅") < table.index("海口海关") < table.index("各市县")


def test_an_unknown_sort_key_falls_back_to_names(clients):
    response = _overview(clients.office, sort="password")

    assert response.status_code == 200


def test_overview_numbers_link_to_the_filtered_task_list(clients, plan):
    Task.objects.filter(pk=plan.tasks[2].pk).update(status=TaskStatus.BLOCKED)

    content = _overview(clients.office).content.decode()

    assert "/tasks/?programme=test-plan&amp;status=blocked" in content
    assert "/tasks/?programme=test-plan&amp;overdue=1" in content


def test_a_units_name_is_escaped_in_the_hand_built_department_table(clients, plan):
    plan.finance.name = '<img src=x onerror="alert(1)">省财政厅&'
    plan.finance.save()

    content = _overview(clients.office).content.decode()

    assert "<img src=x" not in content
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;省财政厅&amp;</a></th>" in content


def test_the_hand_built_programmes_table_escapes_titles_and_links_each_figure(clients, plan):
    plan.programme.title = "<script>alert(1)</script>方案&"
    plan.programme.save()

    content = clients.office.get("/dashboard/programmes/").content.decode()

    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;方案&amp;</a></th>" in content
    assert '<a href="/tasks/?programme=test-plan&amp;overdue=1">' in content
    assert "/tasks/?programme=test-plan&amp;reporting=missing&amp;period=" in content


def test_every_chart_has_a_data_table(clients):
    content = _overview(clients.office).content.decode()

    assert content.count('data-chart="') == 6
    assert content.count("查看数据表") == 6


def test_a_reporter_sees_their_own_department_view(clients, plan):
    response = clients.lead.get(f"/dashboard/departments/{plan.commerce.pk}/")

    assert response.status_code == 200
    assert response.context["figures"].led == 2
    assert [str(row.period) for row in response.context["record"]] == [
        "2021年1月",
        "2021年2月",
        "2021年3月",
    ]


def test_a_reporter_cannot_open_another_departments_view(clients, plan):
    response = clients.outsider.get(f"/dashboard/departments/{plan.commerce.pk}/")

    assert response.status_code == 403


def test_members_open_any_department_view(clients, plan):
    response = clients.member.get(f"/dashboard/departments/{plan.customs.pk}/")

    assert response.status_code == 200


def test_all_programmes_overview_lists_each_programme(clients, plan):
    response = clients.member.get("/dashboard/programmes/")

    assert response.status_code == 200
    assert [row.programme.code for row in response.context["rows"]] == ["test-plan"]


def test_healthz_answers_ok(client):
    assert client.get("/healthz/").content == b"ok"


def _grow(plan, *, tasks: int):
    for n in range(tasks):
        task = TaskFactory(
            programme=plan.programme, category=plan.categories[n % 2], number=200 + n
        )
        AssignmentFactory(task=task, department=plan.finance, role=AssignmentRole.LEAD)
        AssignmentFactory(task=task, department=plan.customs, role=AssignmentRole.SUPPORT)
        UpdateFactory(
            task=task,
            period=plan.periods[(2021, 2)],
            department=plan.finance,
            state=UpdateState.ACCEPTED,
            first_submitted_at=stamp(2021, 2, 20),
        )


@pytest.mark.parametrize("extra", [0, 30])
def test_overview_page_runs_a_bounded_number_of_queries(
    clients, plan, django_assert_max_num_queries, extra
):
    _grow(plan, tasks=extra)
    # 20 for the page, one for the menu's unread notification count, one for the overdue
    # count by the original due date (按原定, reports.figures.due_dates).
    with django_assert_max_num_queries(22):
        assert _overview(clients.office).status_code == 200


@pytest.mark.parametrize("extra", [0, 30])
def test_department_page_runs_a_bounded_number_of_queries(
    clients, plan, django_assert_max_num_queries, extra
):
    _grow(plan, tasks=extra)
    with django_assert_max_num_queries(20):
        response = clients.finance.get(f"/dashboard/departments/{plan.finance.pk}/")
        assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 30])
def test_programmes_page_runs_a_bounded_number_of_queries(
    clients, plan, django_assert_max_num_queries, extra
):
    _grow(plan, tasks=extra)
    # Session, user, profile, the data versions, the overview's eight, the menu's unread
    # notification count.
    with django_assert_max_num_queries(13):
        assert clients.office.get("/dashboard/programmes/").status_code == 200
