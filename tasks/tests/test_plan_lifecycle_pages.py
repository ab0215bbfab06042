"""The office's pages for retiring, splitting and merging a task (撤销、拆分、合并任务):
who opens them, what each post changes, and bad input shown in Chinese with what was typed
kept.

The small plan (conftest): task 1 is led by 省商务厅 and supported by 海口海关 and 各市县;
task 2 is led by 海口海关 and supported by 省商务厅; task 3 is led by 省财政厅 and 省商务厅.
The clock stands on 2021-03-10, so the current period is 2021年3月; the programme's periods
run from 2021年1月 to 2021年6月.
"""

import datetime

import pytest
from django.urls import reverse

from pilot.testing.factories import ProgrammeFactory, TaskFactory
from tasks.models import Assignment, PlanChange, PlanChangeKind, Task
from tasks.services.plan_lifecycle import retire_task

pytestmark = pytest.mark.django_db

PAGES = ["plan-task-retire", "plan-task-split", "plan-task-merge"]
REASON = "第三次联席会议决定"


def _rows(task_id):
    """Every assignment of the task as (unit, role, from, until), periods as YYYY-MM."""

    def month(period):
        return f"{period.year}-{period.month:02d}" if period else None

    return sorted(
        (a.department.name, a.role, month(a.valid_from), month(a.valid_until))
        for a in Assignment.all_periods.filter(task_id=task_id).select_related(
            "department", "valid_from", "valid_until"
        )
    )


def _task(number):
    return Task.all_periods.select_related("valid_from", "valid_until").get(number=number)


def _month(period):
    return f"{period.year}-{period.month:02d}" if period else None


# --- who opens the pages ----------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_the_office_opens_each_page(plan, clients, clock, name):
    response = clients.office.get(reverse(name, args=[plan.tasks[1].pk]))
    assert response.status_code == 200
    assert 'name="effective" value="2021-03"' in response.content.decode()


@pytest.mark.parametrize("persona", ["lead", "support", "outsider", "member"])
@pytest.mark.parametrize("name", PAGES)
def test_reporters_and_members_are_refused(plan, clients, clock, name, persona):
    client = getattr(clients, persona)
    url = reverse(name, args=[plan.tasks[1].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"effective": "2021-04", "reason": "x"}).status_code == 403
    assert PlanChange.objects.count() == 0


@pytest.mark.parametrize("name", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(plan, clients, name):
    url = reverse(name, args=[plan.tasks[1].pk])
    for response in (clients.anonymous.get(url), clients.anonymous.post(url, {})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", PAGES)
def test_an_unknown_task_is_a_404(clients, name):
    assert clients.office.get(reverse(name, args=[999999])).status_code == 404


def test_the_task_page_offers_the_three_to_the_office(plan, clients, clock):
    t2 = plan.tasks[1]
    html = clients.office.get(reverse("task-detail", args=[t2.pk])).content.decode()
    for name, label in zip(PAGES, ["撤销任务", "拆分任务", "合并任务"], strict=True):
        assert f'href="{reverse(name, args=[t2.pk])}">{label}</a>' in html
    html = clients.member.get(reverse("task-detail", args=[t2.pk])).content.decode()
    assert "拆分任务" not in html and "/split/" not in html


def test_a_retired_tasks_page_offers_no_plan_change(plan, personas, clients, clock):
    t2 = plan.tasks[1]
    retire_task(task=t2, effective=plan.periods[(2021, 4)], reason="取消", actor=personas.office)

    html = clients.office.get(reverse("task-detail", args=[t2.pk])).content.decode()

    assert "已撤销（自2021年4月起）" in html
    assert "调整方案" not in html and "/split/" not in html
    page = clients.office.get(reverse("plan-task-split", args=[t2.pk])).content.decode()
    assert "任务 2 已自2021年4月起撤销，不能再撤销、拆分或合并。" in page
    assert "保存拆分" not in page


# --- 撤销任务 -----------------------------------------------------------------------------


def test_the_retire_page_says_what_retiring_means(plan, clients, clock):
    html = clients.office.get(reverse("plan-task-retire", args=[plan.tasks[1].pk])).content
    html = html.decode()
    assert (
        "自生效月份的报送期次起，该任务不再列入现行方案，不再统计，各责任单位也不再报送。" in html
    )
    assert "此前各期的报送、统计和报告保持原样" in html


def test_retiring_ends_the_task_and_its_units_from_the_month(plan, clients, clock):
    t2 = plan.tasks[1]
    response = clients.office.post(
        reverse("plan-task-retire", args=[t2.pk]), {"effective": "2021-04", "reason": REASON}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("task-detail", args=[t2.pk])
    retired = _task(2)
    assert (_month(retired.valid_until), retired.merged_into_id) == ("2021-04", None)
    assert list(Task.objects.values_list("number", flat=True)) == [1, 3]
    assert _rows(t2.pk) == [
        ("海口海关", "lead", None, "2021-04"),
        ("省商务厅", "support", None, "2021-04"),
    ]
    change = PlanChange.objects.get()
    assert (change.kind, change.detail, change.reason) == (
        PlanChangeKind.TASK_RETIRED,
        "撤销任务 2",
        REASON,
    )
    page = clients.office.get(response["Location"]).content.decode()
    assert "已撤销任务 2：自2021年4月起不再统计和报送。" in page
    assert "已撤销（自2021年4月起）" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"effective": "2021-04", "reason": "  "}, "请填写变更原因。"),
        ({"effective": "2021年4月", "reason": REASON}, "请按“2022-05”的格式填写生效月份。"),
        (
            {"effective": "2021-09", "reason": REASON},
            "2021-09不是该方案的报送期次（2021年1月至2021年6月）。",
        ),
    ],
)
def test_a_bad_retire_post_shows_why_and_keeps_what_was_typed(plan, clients, clock, data, message):
    response = clients.office.post(reverse("plan-task-retire", args=[plan.tasks[1].pk]), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'name="effective" value="{data["effective"]}"' in html
    if data["reason"].strip():
        assert f"{REASON}</textarea>" in html
    assert PlanChange.objects.count() == 0
    assert _task(2).valid_until is None


def test_retiring_a_retired_task_is_refused(plan, personas, clients, clock):
    t2 = plan.tasks[1]
    retire_task(task=t2, effective=plan.periods[(2021, 4)], reason="取消", actor=personas.office)

    response = clients.office.post(
        reverse("plan-task-retire", args=[t2.pk]), {"effective": "2021-05", "reason": REASON}
    )

    assert response.status_code == 400
    assert "任务 2 已自2021年4月起撤销" in response.content.decode()
    assert PlanChange.objects.count() == 1
    assert _month(_task(2).valid_until) == "2021-04"


# --- 拆分任务 -----------------------------------------------------------------------------


def _part(number, measure, due, leads, supports=()):
    prefix = f"part{number}-"
    return {
        f"{prefix}measure": measure,
        f"{prefix}due_on": due,
        f"{prefix}leads": [d.pk for d in leads],
        f"{prefix}supports": [d.pk for d in supports],
    }


def _split_data(plan, count=2, **extra):
    data = {"count": str(count), "effective": "2021-04", "reason": REASON}
    data.update(_part(1, "建设单一窗口。", "2021-06-30", [plan.commerce], [plan.cities]))
    data.update(_part(2, "单一窗口通关模块。", "2021-05-31", [plan.customs], [plan.commerce]))
    data.update(extra)
    return data


def test_the_split_form_proposes_the_tasks_text_and_units_for_part_one(plan, clients, clock):
    t1 = plan.tasks[0]
    response = clients.office.get(reverse("plan-task-split", args=[t1.pk]))
    form = response.context["form"]

    assert len(form.parts) == 2
    first, second = form.parts
    assert first["measure"].value() == "建设单一窗口。"
    assert first["leads"].value() == [plan.commerce.pk]
    assert sorted(first["supports"].value()) == sorted([plan.customs.pk, plan.cities.pk])
    assert second["measure"].value() is None and second["leads"].value() is None
    html = response.content.decode()
    assert "任务 1 现行内容" in html
    assert 'name="count" value="2"' in html


def test_splitting_in_two_makes_task_4_from_the_month(plan, clients, clock):
    t1 = plan.tasks[0]
    response = clients.office.post(reverse("plan-task-split", args=[t1.pk]), _split_data(plan))

    assert response.status_code == 302
    assert response["Location"] == reverse("task-detail", args=[t1.pk])
    assert list(Task.all_periods.order_by("number").values_list("number", flat=True)) == [
        1,
        2,
        3,
        4,
    ]
    four = _task(4)
    assert (four.split_from_id, _month(four.valid_from), four.valid_until) == (
        t1.pk,
        "2021-04",
        None,
    )
    assert (four.measure, four.due_on) == ("单一窗口通关模块。", datetime.date(2021, 5, 31))
    assert _rows(four.pk) == [
        ("海口海关", "lead", "2021-04", None),
        ("省商务厅", "support", "2021-04", None),
    ]
    assert _rows(t1.pk) == [
        ("各市县", "support", None, None),
        ("海口海关", "support", None, "2021-04"),
        ("省商务厅", "lead", None, None),
    ]
    assert _task(1).valid_until is None
    assert PlanChange.objects.get().detail == "任务 1 拆分为任务 1、4"
    page = clients.office.get(response["Location"]).content.decode()
    assert "已拆分：任务 1 拆分为任务 1、4。" in page
    assert f'拆分出的任务：<a href="/tasks/{four.pk}/">4</a>' in page


def test_a_split_in_three_numbers_the_parts_after_the_highest_and_skips_an_empty_one(
    plan, clients, clock
):
    data = _split_data(plan, count=4)
    data.update(_part(3, "单一窗口财政支付模块。", "2021-06-30", [plan.finance]))
    data.update(_part(4, "", "", []))  # added, then left empty

    response = clients.office.post(reverse("plan-task-split", args=[plan.tasks[1].pk]), data)

    assert response.status_code == 302
    assert PlanChange.objects.get().detail == "任务 2 拆分为任务 2、4、5"
    assert _rows(_task(5).pk) == [("省财政厅", "lead", "2021-04", None)]
    assert _task(5).split_from_id == plan.tasks[1].pk


def test_adding_a_part_keeps_everything_typed_and_writes_nothing(plan, clients, clock):
    data = _split_data(plan, reason="   ", add_part="1")
    data["part2-measure"] = "通关模块（草稿）"

    response = clients.office.post(reverse("plan-task-split", args=[plan.tasks[0].pk]), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.context["form"].parts) == 3
    assert 'name="count" value="3"' in html
    assert "通关模块（草稿）</textarea>" in html
    assert 'name="part2-due_on" value="2021-05-31"' in html
    assert f'<option value="{plan.customs.pk}" selected>' in html
    assert 'name="effective" value="2021-04"' in html
    assert 'name="part3-measure"' in html
    assert "请更正以下问题" not in html  # adding a part checks nothing yet
    assert PlanChange.objects.count() == 0

    # The round trip: the three parts come back and the split goes through.
    form = response.context["form"]
    resent = {"count": "3", "effective": "2021-04", "reason": REASON}
    for part in form.parts:
        for name in part.fields:
            value = part[name].value()
            resent[part.add_prefix(name)] = "" if value is None else value
    resent.update(_part(3, "单一窗口财政支付模块。", "2021-06-30", [plan.finance]))
    response = clients.office.post(reverse("plan-task-split", args=[plan.tasks[0].pk]), resent)
    assert response.status_code == 302
    assert PlanChange.objects.get().detail == "任务 1 拆分为任务 1、4、5"
    assert _task(4).measure == "通关模块（草稿）"


def test_no_more_than_ten_parts(plan, clients, clock):
    data = _split_data(plan, count=10, add_part="1")

    response = clients.office.post(reverse("plan-task-split", args=[plan.tasks[0].pk]), data)

    assert len(response.context["form"].parts) == 10
    assert "增加一项" not in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": ""}, "变更原因：请填写变更原因。"),
        (
            {"part2-measure": "", "part2-due_on": "", "part2-leads": [], "part2-supports": []},
            "拆分至少需要两个部分：请填写第2部分。",
        ),
        ({"count": "1"}, "拆分至少需要两个部分：请填写第2部分。"),
        ({"part2-leads": []}, "第2部分 · 牵头单位：请至少指定一个牵头单位。"),
        ({"part2-due_on": ""}, "第2部分 · 完成期限：请填写完成期限。"),
        ({"part1-measure": "  "}, "第1部分 · 具体举措：具体举措不能为空。"),
        ("overlap", "第2部分 · 配合单位：同一单位不能既是牵头单位又是配合单位。"),
    ],
)
def test_a_bad_split_shows_why_and_keeps_what_was_typed(plan, clients, clock, change, message):
    data = _split_data(plan)
    if change == "overlap":
        change = {"part2-supports": [plan.customs.pk]}
    if change.get("count") == "1":
        data = {k: v for k, v in data.items() if not k.startswith("part2-")}
    data.update(change)

    response = clients.office.post(reverse("plan-task-split", args=[plan.tasks[0].pk]), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'name="effective" value="2021-04"' in html
    if data["reason"]:
        assert f"{REASON}</textarea>" in html
    if data.get("part2-measure"):
        assert "单一窗口通关模块。</textarea>" in html
    assert PlanChange.objects.count() == 0
    assert Task.all_periods.count() == 3


def test_a_refusal_of_the_service_is_shown_on_the_form(plan, clients, clock):
    Task.objects.filter(pk=plan.tasks[0].pk).update(
        completion_confirmed_at=datetime.datetime(2021, 3, 1, tzinfo=datetime.UTC)
    )

    response = clients.office.post(
        reverse("plan-task-split", args=[plan.tasks[0].pk]), _split_data(plan)
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "任务 1 已办结确认，不能撤销、拆分或合并。" in html
    assert "单一窗口通关模块。</textarea>" in html
    assert Task.all_periods.count() == 3


# --- 合并任务 -----------------------------------------------------------------------------


def _merge_data(**extra):
    data = {
        "numbers": "2、3",
        "measure": "建设单一窗口并推进通关便利化。",
        "due_on": "2021-12-31",
        "effective": "2021-05",
        "reason": REASON,
    }
    data.update(extra)
    return data


def test_the_merge_form_proposes_the_tasks_text_and_lists_the_others(plan, clients, clock):
    response = clients.office.get(reverse("plan-task-merge", args=[plan.tasks[0].pk]))

    form = response.context["form"]
    assert (form["measure"].value(), form["due_on"].value()) == (
        "建设单一窗口。",
        datetime.date(2021, 6, 30),
    )
    html = response.content.decode()
    assert f'<a href="/tasks/{plan.tasks[1].pk}/">2</a>. 通关便利化。' in html
    assert f'<a href="/tasks/{plan.tasks[0].pk}/">1</a>. ' not in html


def test_merging_retires_the_tasks_into_this_one(plan, clients, clock):
    t1, t2, t3 = plan.tasks

    response = clients.office.post(reverse("plan-task-merge", args=[t1.pk]), _merge_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("task-detail", args=[t1.pk])
    for number in (2, 3):
        merged = _task(number)
        assert (_month(merged.valid_until), merged.merged_into_id) == ("2021-05", t1.pk)
    kept = _task(1)
    assert (kept.valid_until, kept.measure, kept.due_on) == (
        None,
        "建设单一窗口并推进通关便利化。",
        datetime.date(2021, 12, 31),
    )
    assert _rows(t1.pk) == [
        ("各市县", "support", None, None),
        ("海口海关", "lead", "2021-05", None),
        ("海口海关", "support", None, "2021-05"),
        ("省商务厅", "lead", None, None),
        ("省财政厅", "lead", "2021-05", None),
    ]
    assert _rows(t3.pk) == [
        ("省商务厅", "lead", None, "2021-05"),
        ("省财政厅", "lead", None, "2021-05"),
    ]
    assert list(Task.objects.values_list("number", flat=True)) == [1]
    assert PlanChange.objects.get().kind == PlanChangeKind.TASKS_MERGED
    page = clients.office.get(response["Location"]).content.decode()
    assert "已合并：任务 2、3 并入任务 1" in page
    assert f'并入本任务的任务：<a href="/tasks/{t2.pk}/">2</a>' in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": ""}, "请填写变更原因。"),
        ({"numbers": ""}, "请填写要并入的任务序号。"),
        ({"numbers": "二、三"}, "请只填写任务序号，如“3、5”。"),
        ({"numbers": "1、2"}, "不能把任务并入它自己。"),
        ({"numbers": "2, 4"}, "本方案中没有任务 4。"),
        ({"numbers": "3", "measure": ""}, "具体举措不能为空。"),
        ({"numbers": "3", "due_on": "明年"}, "请按“2022-06-30”的格式填写完成期限。"),
    ],
)
def test_a_bad_merge_shows_why_and_keeps_what_was_typed(plan, clients, clock, change, message):
    # Task 4 exists, but in another programme.
    other = ProgrammeFactory(code="other-plan", title="另一方案")
    TaskFactory(programme=other, number=4, measure="另一方案的任务。")
    data = _merge_data(**change)

    response = clients.office.post(reverse("plan-task-merge", args=[plan.tasks[0].pk]), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'name="numbers" value="{data["numbers"]}"' in html or not data["numbers"]
    if data["measure"]:
        assert "建设单一窗口并推进通关便利化。</textarea>" in html
    assert PlanChange.objects.count() == 0
    assert list(Task.objects.filter(programme=plan.programme).values_list("number", flat=True)) == [
        1,
        2,
        3,
    ]


def test_a_retired_task_cannot_be_merged(plan, personas, clients, clock):
    retire_task(
        task=plan.tasks[2], effective=plan.periods[(2021, 4)], reason="取消", actor=personas.office
    )

    response = clients.office.post(
        reverse("plan-task-merge", args=[plan.tasks[0].pk]), _merge_data(numbers="2、3")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "任务 3 已撤销（自2021年4月起），不能再并入。" in html
    assert "建设单一窗口并推进通关便利化。</textarea>" in html
    assert _task(2).valid_until is None
