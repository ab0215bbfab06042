"""The office's plan-change pages: a task's units and text from a period, 机构改革 (merge
previewed before it is saved, rename), the change log, and the task page's 沿革 panel.

The small plan (conftest): task 2 is led by 海口海关 and supported by 省商务厅; the clock
stands on 2021-03-10, so the current period is 2021年3月.
"""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from departments.models import Department, DepartmentAlias, DepartmentKind, Profile
from pilot.testing.factories import ProgrammeFactory
from tasks.models import (
    Assignment,
    AuditEvent,
    DataVersion,
    PlanChange,
    PlanChangeKind,
    TaskRevision,
)
from tasks.plan_import.matching import ALIAS, load_known, match_units
from tasks.services.periods import generate_periods
from tasks.services.plan_history import change_task_units, rename_department

pytestmark = pytest.mark.django_db


def _rows(task):
    """Every assignment of ``task`` as (unit, role, from, until), periods as YYYY-MM."""

    def month(period):
        return f"{period.year}-{period.month:02d}" if period else None

    return sorted(
        (a.department.name, a.role, month(a.valid_from), month(a.valid_until))
        for a in Assignment.all_periods.filter(task=task).select_related(
            "department", "valid_from", "valid_until"
        )
    )


def _page_urls(plan):
    t2 = plan.tasks[1]
    return [
        reverse("plan-task-units", args=[t2.pk]),
        reverse("plan-task-text", args=[t2.pk]),
        reverse("plan-departments"),
    ]


# --- who opens the pages ----------------------------------------------------------------


def test_the_office_opens_every_plan_change_page(plan, clients, clock):
    for url in [*_page_urls(plan), reverse("plan-change-log")]:
        assert clients.office.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["lead", "support", "outsider", "member"])
def test_only_the_office_opens_the_change_forms(plan, clients, clock, persona):
    client = getattr(clients, persona)
    for url in _page_urls(plan):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("plan-department-rename"), {}).status_code == 403


@pytest.mark.parametrize(
    ("persona", "status"),
    [("office", 200), ("member", 200), ("lead", 403), ("support", 403), ("outsider", 403)],
)
def test_the_change_log_is_for_the_office_and_the_members(clients, persona, status):
    assert getattr(clients, persona).get(reverse("plan-change-log")).status_code == status


def test_an_anonymous_visitor_is_sent_to_the_login_page(plan, clients):
    for url in [*_page_urls(plan), reverse("plan-change-log")]:
        response = clients.anonymous.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_task_page_offers_plan_changes_to_the_office_only(plan, clients, clock):
    url = reverse("task-detail", args=[plan.tasks[1].pk])
    units = reverse("plan-task-units", args=[plan.tasks[1].pk])
    assert "调整方案" in clients.office.get(url).content.decode()
    assert units in clients.office.get(url).content.decode()
    for client in (clients.lead, clients.member):
        html = client.get(url).content.decode()
        assert "调整方案" not in html and units not in html


def test_an_unknown_task_is_a_404_for_the_office(clients):
    assert clients.office.get(reverse("plan-task-units", args=[999999])).status_code == 404


# --- 调整责任单位 ---------------------------------------------------------------------------


def test_the_units_form_preselects_the_current_units_and_the_current_period(plan, clients, clock):
    form = clients.office.get(reverse("plan-task-units", args=[plan.tasks[1].pk])).context["form"]
    assert form["leads"].value() == [plan.customs.pk]
    assert form["supports"].value() == [plan.commerce.pk]
    assert form["effective"].value() == plan.periods[(2021, 3)].pk


def test_a_merged_department_is_not_offered(plan, clients, clock):
    plan.cyber.merged_into = plan.finance
    plan.cyber.save(update_fields=["merged_into"])
    form = clients.office.get(reverse("plan-task-units", args=[plan.tasks[1].pk])).context["form"]
    names = [d.name for d in form.fields["leads"].queryset]
    assert "省委网信办" not in names and "省财政厅" in names


def test_posting_new_units_ends_the_old_lead_from_the_period(plan, personas, clients, clock):
    t2 = plan.tasks[1]
    response = clients.office.post(
        reverse("plan-task-units", args=[t2.pk]),
        {
            "leads": [plan.finance.pk],
            "supports": [plan.commerce.pk],
            "effective": plan.periods[(2021, 4)].pk,
            "reason": "省政府办公厅通知调整分工",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("task-detail", args=[t2.pk])
    assert _rows(t2) == [
        ("海口海关", "lead", None, "2021-04"),
        ("省商务厅", "support", None, None),
        ("省财政厅", "lead", "2021-04", None),
    ]
    change = PlanChange.objects.get()
    assert (change.kind, change.task, change.effective, change.actor) == (
        PlanChangeKind.UNITS_CHANGED,
        t2,
        plan.periods[(2021, 4)],
        personas.office,
    )
    assert change.reason == "省政府办公厅通知调整分工"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": ""}, "请填写变更原因。"),
        ({"reason": "   "}, "请填写变更原因。"),
        ({"supports": "lead"}, "同一单位不能既是牵头单位又是配合单位。"),
        ({"leads": []}, "请至少指定一个牵头单位。"),
        ({"effective": "other"}, "生效期次不属于该任务所在的方案。"),
    ],
)
def test_a_bad_units_post_shows_why_and_keeps_what_was_typed(plan, clients, clock, change, message):
    other = ProgrammeFactory(code="other-plan", title="另一方案")
    other_period = generate_periods(programme=other)[3]
    data = {
        "leads": [plan.finance.pk],
        "supports": [plan.commerce.pk],
        "effective": plan.periods[(2021, 4)].pk,
        "reason": "依据第三次联席会议纪要",
    }
    data.update(change)
    if data["supports"] == "lead":
        data["supports"] = [plan.finance.pk]
    if data["effective"] == "other":
        data["effective"] = other_period.pk
    t2 = plan.tasks[1]

    response = clients.office.post(reverse("plan-task-units", args=[t2.pk]), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if data["reason"].strip():
        assert "依据第三次联席会议纪要</textarea>" in html
    assert f'<option value="{plan.finance.pk}" selected>' in html or not data["leads"]
    assert PlanChange.objects.count() == 0
    assert _rows(t2) == [("海口海关", "lead", None, None), ("省商务厅", "support", None, None)]


def test_a_reporter_cannot_post_a_units_change(plan, clients, clock):
    response = clients.lead.post(
        reverse("plan-task-units", args=[plan.tasks[1].pk]),
        {"leads": [plan.commerce.pk], "effective": plan.periods[(2021, 4)].pk, "reason": "x"},
    )
    assert response.status_code == 403
    assert PlanChange.objects.count() == 0


# --- 调整举措或完成期限 ---------------------------------------------------------------------


def test_posting_a_new_due_date_keeps_the_old_text_as_a_revision(plan, clients, clock):
    t1 = plan.tasks[0]
    old_measure, old_due = t1.measure, t1.due_on
    response = clients.office.post(
        reverse("plan-task-text", args=[t1.pk]),
        {
            "measure": "建设国际贸易单一窗口服务贸易专区。",
            "due_on": "2021-12-31",
            "effective": plan.periods[(2021, 5)].pk,
            "reason": "联席会议第三次会议决定延期",
        },
    )
    assert response.status_code == 302
    t1.refresh_from_db()
    assert (t1.measure, t1.due_on) == (
        "建设国际贸易单一窗口服务贸易专区。",
        datetime.date(2021, 12, 31),
    )
    revision = TaskRevision.objects.get()
    assert (revision.measure, revision.due_on, revision.valid_until) == (
        old_measure,
        old_due,
        plan.periods[(2021, 5)],
    )
    assert PlanChange.objects.get().kind == PlanChangeKind.TEXT_CHANGED


def test_an_unchanged_text_is_refused_with_the_reason_kept(plan, clients, clock):
    t1 = plan.tasks[0]
    response = clients.office.post(
        reverse("plan-task-text", args=[t1.pk]),
        {
            "measure": t1.measure,
            "due_on": t1.due_on.isoformat(),
            "effective": plan.periods[(2021, 5)].pk,
            "reason": "核对后无需调整",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "没有任何修改。" in html
    assert "核对后无需调整</textarea>" in html
    assert TaskRevision.objects.count() == 0


# --- 机构改革 ----------------------------------------------------------------------------


def _merge_query(plan, target, **extra):
    return {
        "source": plan.commerce.pk,
        "target": target.pk,
        "effective_on": "2021-04",
        "reason": "机构改革：省商务厅与省委外办合并",
        **extra,
    }


def _counts():
    return (
        Assignment.all_periods.count(),
        PlanChange.objects.count(),
        AuditEvent.objects.count(),
        DepartmentAlias.objects.count(),
        DataVersion.objects.count(),
        list(Profile.objects.order_by("pk").values_list("department_id", flat=True)),
        list(Department.objects.order_by("pk").values_list("merged_into_id", flat=True)),
    )


def test_the_merge_preview_lists_what_moves_and_writes_nothing(plan, personas, clients, clock):
    reformed = Department.objects.create(name="省商务和外事厅", kind=DepartmentKind.PROVINCIAL)
    DepartmentAlias.objects.create(department=plan.commerce, name="海南省商务厅")
    before = _counts()

    response = clients.office.get(reverse("plan-department-merge"), _merge_query(plan, reformed))

    assert response.status_code == 200
    assert _counts() == before
    preview = response.context["preview"]
    assert [(p.programme.title, p.task_numbers) for p in preview.programmes] == [
        ("测试试点方案", [1, 2, 3])
    ]
    assert preview.programmes[0].effective == plan.periods[(2021, 4)]
    assert preview.accounts == ["lead"]
    assert preview.aliases == ["海南省商务厅", "省商务厅"]
    html = response.content.decode()
    assert "自2021年4月起，“省商务厅”并入“省商务和外事厅”。" in html
    assert 'name="reason" value="机构改革：省商务厅与省委外办合并"' in html


def test_confirming_the_merge_moves_the_tasks_and_the_accounts(plan, personas, clients, clock):
    reformed = Department.objects.create(name="省商务和外事厅", kind=DepartmentKind.PROVINCIAL)

    response = clients.office.post(reverse("plan-department-merge"), _merge_query(plan, reformed))

    assert response.status_code == 302
    assert response["Location"] == reverse("plan-change-log")
    assert _rows(plan.tasks[1]) == [
        ("海口海关", "lead", None, None),
        ("省商务厅", "support", None, "2021-04"),
        ("省商务和外事厅", "support", "2021-04", None),
    ]
    personas.lead.profile.refresh_from_db()
    assert personas.lead.profile.department == reformed
    assert PlanChange.objects.get().kind == PlanChangeKind.DEPARTMENTS_MERGED


def test_merging_a_department_into_itself_is_refused_on_the_form(plan, clients, clock):
    before = _counts()
    response = clients.office.get(
        reverse("plan-department-merge"), _merge_query(plan, plan.commerce)
    )
    assert response.status_code == 400
    assert "不能把单位并入它自己。" in response.content.decode()
    assert _counts() == before


def test_a_month_in_another_format_is_refused_with_the_reason_kept(plan, clients, clock):
    query = _merge_query(plan, plan.finance, effective_on="2021年4月")
    response = clients.office.get(reverse("plan-department-merge"), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "请按“2022-05”的格式填写生效月份。" in html
    assert "机构改革：省商务厅与省委外办合并</textarea>" in html


def test_the_merge_form_proposes_the_current_month(clients, clock):
    html = clients.office.get(reverse("plan-departments")).content.decode()
    assert 'name="effective_on" value="2021-03"' in html


def test_the_merge_page_without_a_choice_goes_back_to_the_form(clients):
    response = clients.office.get(reverse("plan-department-merge"))
    assert response["Location"] == reverse("plan-departments")


def test_a_reporter_cannot_preview_or_merge(plan, clients, clock):
    query = _merge_query(plan, plan.finance)
    assert clients.lead.get(reverse("plan-department-merge"), query).status_code == 403
    assert clients.member.post(reverse("plan-department-merge"), query).status_code == 403
    plan.commerce.refresh_from_db()
    assert plan.commerce.merged_into is None


def test_renaming_keeps_the_old_name_as_a_spelling_the_matcher_still_reads(
    plan, personas, clients, clock
):
    response = clients.office.post(
        reverse("plan-department-rename"),
        {"department": plan.finance.pk, "name": "省财政和税务厅", "reason": "机构改革更名"},
    )

    assert response.status_code == 302
    plan.finance.refresh_from_db()
    assert plan.finance.name == "省财政和税务厅"
    assert DepartmentAlias.objects.get(name="省财政厅").department == plan.finance
    # A plan that still writes the old name is read as the renamed department.
    known = load_known()
    assert known.by_spelling["省财政厅"] == plan.finance.pk
    [match] = match_units(["省财政厅"], {}, known, {})
    assert (match.status, match.department) == (ALIAS, plan.finance)
    # Audited: the admin's change log and the history of the task it leads (task 3).
    entry = LogEntry.objects.get(object_id=str(plan.finance.pk))
    assert entry.change_message == "单位更名：省财政厅 → 省财政和税务厅。原因：机构改革更名"
    events = AuditEvent.objects.filter(verb="changed")
    assert [e.task.number for e in events] == [3]


def test_renaming_bumps_every_programmes_data_version(plan, personas, clock):
    DataVersion.objects.all().delete()
    rename_department(
        department=plan.finance, name="省财政和税务厅", reason="更名", actor=personas.office
    )
    assert DataVersion.objects.filter(scope="global").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("省商务厅", "已有名为“省商务厅”的单位。"),
        ("海南省商务厅", "“海南省商务厅”是“省商务厅”的写法，不能用作新名称。"),
        ("省财政厅", "新名称与现名称相同。"),
    ],
)
def test_a_taken_or_unchanged_name_is_refused_with_the_reason_kept(
    plan, clients, clock, name, message
):
    DepartmentAlias.objects.create(department=plan.commerce, name="海南省商务厅")
    response = clients.office.post(
        reverse("plan-department-rename"),
        {"department": plan.finance.pk, "name": name, "reason": "机构改革更名"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "机构改革更名</textarea>" in html
    plan.finance.refresh_from_db()
    assert plan.finance.name == "省财政厅"


# --- 方案变更记录 --------------------------------------------------------------------------


def _many_changes(plan, personas, clock, count):
    """``count`` unit changes of task 2, one a minute, alternating its lead."""
    t2 = plan.tasks[1]
    for index in range(count):
        clock.shift(datetime.timedelta(minutes=1))
        lead = plan.finance if index % 2 == 0 else plan.customs
        change_task_units(
            task=t2,
            leads=[lead],
            supports=[],
            effective=plan.periods[(2021, 1)],
            reason=f"第{index + 1}次调整",
            actor=personas.office,
        )


def test_the_log_lists_the_changes_newest_first_with_their_details(plan, personas, clients, clock):
    _many_changes(plan, personas, clock, 2)
    response = clients.member.get(reverse("plan-change-log"))
    assert [c.reason for c in response.context["page"]] == ["第2次调整", "第1次调整"]
    html = response.content.decode()
    assert f'<a href="{reverse("task-detail", args=[plan.tasks[1].pk])}">2</a>' in html
    assert "牵头：省财政厅；配合：— → 牵头：海口海关；配合：—" in html


def test_the_log_filters_by_kind_and_task_number(plan, personas, clients, clock):
    _many_changes(plan, personas, clock, 1)
    change_task_units(
        task=plan.tasks[0],
        leads=[plan.finance],
        supports=[],
        effective=plan.periods[(2021, 4)],
        reason="任务1调整",
        actor=personas.office,
    )
    url = reverse("plan-change-log")

    def reasons(query):
        return [c.reason for c in clients.office.get(url, query).context["page"]]

    assert reasons({"task": "1"}) == ["任务1调整"]
    assert reasons({"task": "2", "kind": "units_changed"}) == ["第1次调整"]
    assert reasons({"kind": "text_changed"}) == []
    assert reasons({"task": "abc"}) == ["任务1调整", "第1次调整"]  # a bad filter: all


@pytest.mark.parametrize("count", [3, 30])
def test_the_log_query_count_does_not_grow_with_the_rows(
    plan, personas, clients, clock, count, django_assert_max_num_queries
):
    _many_changes(plan, personas, clock, count)
    with django_assert_max_num_queries(8):
        response = clients.office.get(reverse("plan-change-log"))
    assert len(response.context["page"]) == count


# --- the task page's 沿革 panel ----------------------------------------------------------


def test_the_history_panel_shows_the_units_per_period_to_everyone(plan, personas, clients, clock):
    t2 = plan.tasks[1]
    url = reverse("task-detail", args=[t2.pk])
    assert "责任单位沿革" not in clients.outsider.get(url).content.decode()
    change_task_units(
        task=t2,
        leads=[plan.finance],
        supports=[plan.commerce],
        effective=plan.periods[(2021, 4)],
        reason="调整分工",
        actor=personas.office,
    )
    for client in (clients.outsider, clients.member, clients.office):
        response = client.get(url)
        spans = [(s.label, s.leads, s.supports) for s in response.context["history"].units]
        assert spans == [
            ("2021年1月", ["海口海关"], ["省商务厅"]),
            ("2021年4月", ["省财政厅"], ["省商务厅"]),
        ]
        html = response.content.decode()
        assert "责任单位沿革" in html
        assert "<strong>2021年4月起</strong>\n      牵头：省财政厅；配合：省商务厅" in html


def test_the_history_panel_shows_the_earlier_texts_with_their_months(
    plan, personas, clients, clock
):
    t1 = plan.tasks[0]
    clients.office.post(
        reverse("plan-task-text", args=[t1.pk]),
        {
            "measure": "建设单一窗口（二期）。",
            "due_on": "2021-12-31",
            "effective": plan.periods[(2021, 5)].pk,
            "reason": "延期",
        },
    )
    response = clients.lead.get(reverse("task-detail", args=[t1.pk]))
    texts = [(s.label, s.measure, s.due_on) for s in response.context["history"].texts]
    assert texts == [
        ("2021年1月至2021年4月", "建设单一窗口。", t1.due_on),
        ("2021年5月起（现行）", "建设单一窗口（二期）。", datetime.date(2021, 12, 31)),
    ]
