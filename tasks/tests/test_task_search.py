"""Search on the task list: several words, all required, over the measure, the responsible
units (names and aliases) and accepted update text; matches marked, user text escaped."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from departments.models import DepartmentAlias, Role
from pilot.testing.factories import UpdateFactory, make_user
from tasks.models import Task, UpdateState
from tasks.views.task_list import highlight

pytestmark = pytest.mark.usefixtures("clock")

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "plan.json"


def _search(client, q, **params):
    return client.get("/tasks/", {"q": q, **params})


def _numbers(response):
    assert response.status_code == 200
    return [task.number for task in response.context["page"]]


def _accepted(plan, task, text, *, state=UpdateState.ACCEPTED):
    UpdateFactory(
        task=task,
        period=plan.periods[(2021, 3)],
        department=plan.commerce,
        state=state,
        work_done=text,
    )


def test_every_word_must_match_somewhere(clients):
    assert _numbers(_search(clients.office, "单一窗口 商务")) == [1]
    assert _numbers(_search(clients.office, "单一窗口 财政")) == []


def test_a_full_width_space_separates_words_too(clients):
    assert _numbers(_search(clients.office, "单一窗口\u3000商务")) == [1]


def test_a_unit_name_finds_the_tasks_it_leads_or_supports(clients):
    assert _numbers(_search(clients.office, "海关")) == [1, 2]


def test_a_unit_alias_finds_its_tasks(clients, plan):
    DepartmentAlias.objects.create(department=plan.finance, name="财政部门")

    assert _numbers(_search(clients.office, "财政部门")) == [3]


def test_accepted_update_text_is_searched(clients, plan):
    _accepted(plan, plan.tasks[2], "完成了跨境结算试点。")

    assert _numbers(_search(clients.office, "跨境结算")) == [3]


@pytest.mark.parametrize("state", [UpdateState.DRAFT, UpdateState.SUBMITTED, UpdateState.RETURNED])
def test_drafts_and_unreviewed_text_are_never_searched(clients, plan, state):
    _accepted(plan, plan.tasks[2], "内部草稿提到跨境结算。", state=state)

    assert _numbers(_search(clients.office, "跨境结算")) == []
    assert _numbers(_search(clients.lead, "跨境结算")) == []


def test_matches_are_marked_in_the_results(clients):
    html = _search(clients.office, "窗口 海关").content.decode()

    assert "建设单一<mark>窗口</mark>。" in html
    assert "<mark>海关</mark>" in html


def test_a_match_outside_the_row_is_explained(clients, plan):
    _accepted(plan, plan.tasks[2], "完成了跨境结算试点。")

    html = _search(clients.office, "跨境结算").content.decode()

    assert "已采纳的报送内容中匹配" in html


def test_hostile_task_text_is_escaped_around_the_marks(clients, plan):
    Task.objects.filter(pk=plan.tasks[0].pk).update(measure="<script>alert(1)</script>窗口&")

    html = _search(clients.office, "窗口").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>窗口</mark>&amp;" in html
    assert "<script>alert(1)" not in html


def test_a_hostile_search_word_is_escaped():
    assert highlight("a<b>c", ("<b>",)) == "a<mark>&lt;b&gt;</mark>c"
    assert highlight("x & y", ()) == "x &amp; y"


def test_marking_ignores_case_and_prefers_the_longer_word():
    assert highlight("Pilot FTP", ("ftp", "ft")) == "Pilot <mark>FTP</mark>"


def test_words_past_the_limits_are_ignored_with_a_note(clients):
    eleven = " ".join(["窗口"] * 10 + ["不存在的词"])

    response = _search(clients.office, eleven)

    assert _numbers(response) == [1]  # the eleventh word was dropped
    assert "其余部分已忽略" in response.content.decode()


def test_a_word_is_cut_to_fifty_characters(clients, plan):
    Task.objects.filter(pk=plan.tasks[0].pk).update(measure="甲" * 50)

    response = _search(clients.office, "甲" * 50 + "乙")

    assert _numbers(response) == [1]
    assert "其余部分已忽略" in response.content.decode()


def test_a_short_query_has_no_note(clients):
    assert "其余部分已忽略" not in _search(clients.office, "窗口").content.decode()


def test_search_keeps_the_page_queries_bounded(clients, plan, django_assert_max_num_queries):
    _accepted(plan, plan.tasks[2], "完成了跨境结算试点。")
    with django_assert_max_num_queries(12):
        assert _search(clients.office, " ".join(["海关", "窗口", "跨境"] * 3)).status_code == 200


def test_the_export_uses_the_same_search(clients):
    response = _search(clients.office, "海关", format="xlsx")

    assert response.status_code == 200


# --- the real plan ----------------------------------------------------------------------


@pytest.fixture
def office_on_real_plan(db):
    """An office client on fixtures/plan.json alone (not beside the small test plan)."""
    call_command("loaddata", str(FIXTURE), verbosity=0)
    client = Client()
    client.force_login(make_user("office", Role.OFFICE))
    return client


def test_two_words_find_task_72_of_the_real_plan(office_on_real_plan):
    found = _numbers(_search(office_on_real_plan, "数据 跨境"))

    # 72, 78 and 105 hold both words in the measure; 91 holds 跨境 and is led by 省大数据管理局.
    assert found == [72, 78, 91, 105]


def test_customs_finds_every_task_haikou_customs_holds(office_on_real_plan):
    # 海口海关 leads 9, 14, 41, 83 and 89 in the plan (and supports none); only 9's measure
    # names 海关, which is all the one-phrase search found.
    assert _numbers(_search(office_on_real_plan, "海关")) == [9, 14, 41, 83, 89]
