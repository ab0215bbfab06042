"""The dashboards' versioned cache (issue 15, item 1): a write shows on the next read, a
read with nothing changed computes nothing, and no user's page carries another's bits.

Each test reads a page once (filling the cache), writes the way the portal does (a service,
or a model save as the admin does), and reads again: the second read must show the write.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Department
from pilot.testing.factories import AssignmentFactory, TaskFactory, UpdateFactory, stamp
from tasks import data_version
from tasks.models import AssignmentRole, TaskStatus, UpdateState
from tasks.services import periods, reporting, review
from tasks.services.plan_history import merge_departments

pytestmark = pytest.mark.usefixtures("clock")

S = TaskStatus


def _overview(client, **params) -> str:
    response = client.get("/dashboard/", params)
    assert response.status_code == 200
    return response.content.decode()


def _status_count(html: str, label: str) -> int:
    """The status table's count for ``label`` (the only table whose counts are links)."""
    found = re.search(
        rf'<th scope="row">{label}</th><td class="num"><a href="[^"]*">(\d+)</a>', html
    )
    return int(found.group(1))


def _card(html: str, label: str) -> str:
    """The headline card's figure above ``label``."""
    found = re.search(
        rf'<div class="stat">([^<]*)(?:<small>[^<]*</small>)?</div><div class="stat-label">{label}',
        html,
    )
    return found.group(1)


def _reporting_count(html: str, label: str) -> int:
    return int(re.search(rf"{label} (\d+)</a>", html).group(1))


def _filed(task, period, user, *, status=S.ON_TRACK, submit=True):
    data = {
        "status": status,
        "percent": 100 if status == S.COMPLETED else 30,
        "work_done": "推进。",
        "next_steps": "继续。",
        "problems": "",
        "needs_coordination": False,
    }
    update = reporting.start_update(task=task, period=period, actor=user)
    update = reporting.save_update(
        update=update, actor=user, data=data, expected_version=update.version
    )
    if not submit:
        return update
    return reporting.submit_update(update=update, actor=user, expected_version=update.version)


# --- every kind of write shows on the next read --------------------------------------------


def test_a_submission_shows_on_the_next_read(clients, plan, personas):
    before = _overview(clients.office)
    _filed(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)

    after = _overview(clients.office)

    assert _reporting_count(before, "按时") == 0
    assert _reporting_count(after, "按时") == 1


def test_an_acceptance_shows_on_the_next_read(clients, plan, personas):
    update = _filed(plan.tasks[1], plan.periods[(2021, 3)], personas.support)
    before = _overview(clients.office)

    review.accept_update(update=update, actor=personas.office)

    after = _overview(clients.office)
    assert (_status_count(before, "未启动"), _status_count(before, "正常推进")) == (3, 0)
    assert (_status_count(after, "未启动"), _status_count(after, "正常推进")) == (2, 1)


def test_a_return_shows_on_the_next_read(clients, plan, personas):
    update = _filed(plan.tasks[1], plan.periods[(2021, 3)], personas.support)
    url = f"/dashboard/departments/{plan.customs.pk}/"
    before = clients.office.get(url).content.decode()

    review.return_update(update=update, actor=personas.office, reasons=[], comment="请补充。")

    after = clients.office.get(url).content.decode()
    assert "累计被退回 0 次" in before
    assert "累计被退回 1 次" in after


def test_a_withdrawal_gives_the_programme_a_new_version(plan, personas):
    update = _filed(plan.tasks[1], plan.periods[(2021, 3)], personas.support)
    before = data_version.current(programme_id=plan.programme.pk)

    reporting.withdraw_update(
        update=update, actor=personas.support, expected_version=update.version
    )

    assert data_version.current(programme_id=plan.programme.pk) != before


def test_a_completion_confirmation_shows_on_the_next_read(clients, plan, personas):
    update = _filed(plan.tasks[1], plan.periods[(2021, 3)], personas.support, status=S.COMPLETED)
    review.accept_update(update=update, actor=personas.office)
    before = _overview(clients.office)

    update.task.refresh_from_db()
    review.confirm_completion(task=update.task, actor=personas.office)

    after = _overview(clients.office)
    assert _card(before, "已办结") == "0"
    assert _card(after, "已办结") == "1"


def test_a_task_added_to_the_plan_shows_on_the_next_read(clients, plan):
    before = _overview(clients.office)

    task = TaskFactory(programme=plan.programme, category=plan.categories[1], number=4)
    AssignmentFactory(task=task, department=plan.finance, role=AssignmentRole.LEAD)

    after = _overview(clients.office)
    assert (_card(before, "任务总数"), _card(after, "任务总数")) == ("3", "4")


def test_a_due_date_moved_in_the_admin_shows_on_the_next_read(clients, plan):
    task = plan.tasks[0]
    before = _overview(clients.office)

    task.due_on = stamp(2021, 3, 1).date()  # before today, 2021-03-10: now overdue
    task.save()

    after = _overview(clients.office)
    assert (_card(before, "逾期未办结任务"), _card(after, "逾期未办结任务")) == ("0", "1")


def test_a_periods_due_date_edit_shows_on_the_next_read(clients, plan):
    march = plan.periods[(2021, 3)]
    before = _overview(clients.office)

    march.due_on = stamp(2021, 3, 5).date()
    march.save()

    after = _overview(clients.office)
    assert "统计日期：2021年3月10日" in before
    assert "统计日期：2021年3月5日" in after


def test_closing_a_period_gives_the_programme_a_new_version(plan, personas):
    before = data_version.current(programme_id=plan.programme.pk)

    periods.close_period(period=plan.periods[(2021, 3)], actor=personas.office)

    assert data_version.current(programme_id=plan.programme.pk) != before


def test_a_department_renamed_shows_on_every_dashboard(clients, plan):
    before = _overview(clients.office)

    finance = Department.objects.get(pk=plan.finance.pk)
    finance.name = "省财政厅（更名）"
    finance.save()

    after = _overview(clients.office)
    assert "省财政厅（更名）" not in before
    assert "省财政厅（更名）" in after


def test_a_reporter_account_switched_off_shows_in_what_is_expected(clients, plan, personas):
    before = _overview(clients.office)

    personas.finance.is_active = False
    personas.finance.save(update_fields=["is_active"])

    after = _overview(clients.office)
    # Expected in March: 省商务厅 (tasks 1, 2, 3), 海口海关 (1, 2), 省财政厅 (3); without an
    # active account 省财政厅 owes nothing.
    assert (_reporting_count(before, "应报"), _reporting_count(after, "应报")) == (6, 5)


def test_the_all_programmes_page_shows_a_write_on_the_next_read(clients, plan, personas):
    def expected(html):
        row = re.search(r"<tr>.*?</tr>", html.split("<tbody>")[1], re.S).group(0)
        return re.findall(r'<td class="num">(\d+)</td>', row)[0]

    before = clients.office.get("/dashboard/programmes/").content.decode()
    personas.finance.is_active = False
    personas.finance.save(update_fields=["is_active"])

    after = clients.office.get("/dashboard/programmes/").content.decode()
    assert (expected(before), expected(after)) == ("6", "5")


def test_the_next_day_is_computed_afresh(clients, plan, personas, clock):
    task = plan.tasks[0]
    task.due_on = stamp(2021, 3, 10).date()  # due today
    task.save()
    before = _overview(clients.office)

    clock.move_to(stamp(2021, 3, 11))  # nothing written, but task 1 is now overdue
    clients.office.force_login(personas.office)  # a day idle ends a session

    after = _overview(clients.office)
    assert (_card(before, "逾期未办结任务"), _card(after, "逾期未办结任务")) == ("0", "1")


# --- nothing changed: nothing computed ----------------------------------------------------

# Every figure query reads one of these (the session, account and profile queries do not).
FIGURE_TABLES = ("tasks_progressupdate", "tasks_assignment", "tasks_task")


def test_a_second_read_with_nothing_changed_runs_no_figure_query(clients, plan, personas):
    _filed(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)
    first = _overview(clients.office)

    with CaptureQueriesContext(connection) as queries:
        second = _overview(clients.office)

    assert second == first.replace(_csrf(first), _csrf(second))
    touched = [q["sql"] for q in queries if any(table in q["sql"] for table in FIGURE_TABLES)]
    assert touched == []
    # The session, the account with its profile, the programme, its periods, the data
    # version, the menu's unread notifications.
    assert len(queries) == 6


def test_a_second_department_view_and_all_programmes_page_run_no_figure_query(clients, plan):
    for url in (f"/dashboard/departments/{plan.commerce.pk}/", "/dashboard/programmes/"):
        clients.member.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert clients.member.get(url).status_code == 200
        touched = [q["sql"] for q in queries if any(table in q["sql"] for table in FIGURE_TABLES)]
        assert touched == [], url


def test_a_draft_neither_counts_nor_invalidates(clients, plan, personas):
    _overview(clients.office)
    version = data_version.current(programme_id=plan.programme.pk)

    _filed(plan.tasks[0], plan.periods[(2021, 3)], personas.lead, status=S.BLOCKED, submit=False)

    assert data_version.current(programme_id=plan.programme.pk) == version
    for client in (clients.office, clients.lead, clients.outsider):
        assert _status_count(_overview(client), "受阻") == 0


# --- what is shared and what is not ------------------------------------------------------


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_page_from_the_cache_carries_the_readers_own_name_and_token(clients, plan):
    filled = _overview(clients.lead)  # fills the entry reporters share

    served = _overview(clients.outsider)

    assert '<span class="who">outsider' in served
    assert '<span class="who">lead' not in served
    assert _csrf(served) != _csrf(filled)


def test_each_language_has_its_own_entry(clients, plan):
    chinese = _overview(clients.office)
    clients.office.cookies["django_language"] = "en"

    english = _overview(clients.office)

    assert "任务总数" in chinese
    assert "Total tasks" in english and "任务总数" not in english


def test_the_sort_links_name_the_page_not_the_request(clients, plan):
    html = _overview(clients.office, sort="-led", extra="<b>")

    # (The language form outside <main> sends the reader back to the very URL they asked.)
    assert "extra" not in html.split('<main class="content"')[1]
    assert (
        f'href="?programme=test-plan&amp;period={plan.periods[(2021, 3)].pk}&amp;sort=led"' in html
    )


# --- the work per page does not grow with the data ----------------------------------------


def _grow(plan, *, tasks: int):
    for n in range(tasks):
        task = TaskFactory(
            programme=plan.programme, category=plan.categories[n % 2], number=200 + n
        )
        AssignmentFactory(task=task, department=plan.finance, role=AssignmentRole.LEAD)
        AssignmentFactory(task=task, department=plan.customs, role=AssignmentRole.SUPPORT)
        for month in (2, 3):
            UpdateFactory(
                task=task,
                period=plan.periods[(2021, month)],
                department=plan.finance,
                state=UpdateState.ACCEPTED,
                first_submitted_at=stamp(2021, month, 20),
                reviewed_at=stamp(2021, month, 21),
            )


def _cold_queries(client, url) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/dashboard/?period=PERIOD",
        "/dashboard/departments/UNIT/",
        "/dashboard/programmes/",
    ],
)
def test_a_cold_page_runs_as_many_queries_at_ten_times_the_data(clients, plan, url):
    url = url.replace("PERIOD", str(plan.periods[(2021, 2)].pk)).replace(
        "UNIT", str(plan.finance.pk)
    )
    small = _cold_queries(clients.office, url)

    _grow(plan, tasks=27)  # 3 tasks become 30

    assert _cold_queries(clients.office, url) == small


# --- smaller pages ------------------------------------------------------------------------


def test_dashboards_are_sent_compressed_to_browsers_that_ask(clients, plan):
    import gzip

    plain = clients.office.get("/dashboard/")
    packed = clients.office.get("/dashboard/", headers={"accept-encoding": "gzip, br"})

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert _card(page, "任务总数") == "3"


def test_a_zero_in_the_department_table_links_nowhere(clients, plan):
    html = _overview(clients.office)

    row = re.search(r"<tr><th scope=\"row\"><a [^>]*>各市县</a></th>.*?</tr>", html).group(0)
    # 各市县 supports task 1 only: one linked count, every other number a plain zero.
    assert re.findall(r"<a href=\"[^\"]*role=support\">(\d+)</a>", row) == ["1"]
    assert row.count("<a ") == 2  # its name and that count


def test_a_department_merge_shows_on_the_next_read(clients, plan, personas):
    # 省委网信办 holds no task but has a reporter; the new unit supports task 3 without one.
    reformed = Department.objects.create(name="省委网信和数据局")
    AssignmentFactory(task=plan.tasks[2], department=reformed, role=AssignmentRole.SUPPORT)
    before = _overview(clients.office)

    # The merge moves the reporter account with a QuerySet.update() (no signal).
    merge_departments(
        source=plan.cyber,
        target=reformed,
        effective_on=datetime.date(2021, 3, 1),
        reason="机构改革",
        actor=personas.office,
    )

    after = _overview(clients.office)
    # Expected in March: 省商务厅 3, 海口海关 2, 省财政厅 1; with the account the new unit
    # owes its support of task 3 too.
    assert (_reporting_count(before, "应报"), _reporting_count(after, "应报")) == (6, 7)
