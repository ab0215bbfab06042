"""The joint meeting: its agenda from the tasks needing coordination, decisions that become
tracked tasks, the next meeting's follow-up, the pages and the pack.

The small plan (root conftest): task 2 (海口海关 leads) is 受阻; task 3 (省财政厅 and
省商务厅 lead) asks for coordination; task 1 is 正常推进. The clock is on 2021-03-10.
"""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from pilot.testing.factories import UpdateFactory, stamp
from reports.exports.meeting_pack import build_meeting_pack
from tasks.models import (
    AgendaSource,
    AssignmentRole,
    AuditEvent,
    Task,
    TaskStatus,
    UpdateState,
)
from tasks.services import meetings, reporting, review

pytestmark = pytest.mark.django_db
MARCH_20 = datetime.date(2021, 3, 20)


@pytest.fixture
def troubled(plan, personas, clock):
    _t1, t2, t3 = plan.tasks
    Task.objects.filter(pk=t2.pk).update(status=TaskStatus.BLOCKED)
    Task.objects.filter(pk=t3.pk).update(status=TaskStatus.BEHIND, needs_coordination=True)
    UpdateFactory(
        task=t3, period=plan.periods[(2021, 2)], department=plan.finance, role=AssignmentRole.LEAD,
        state=UpdateState.ACCEPTED, problems="跨部门资金拨付流程不畅。", needs_coordination=True,
    )  # fmt: skip
    UpdateFactory(
        task=t3, period=plan.periods[(2021, 3)], department=plan.commerce, role=AssignmentRole.LEAD,
        state=UpdateState.SUBMITTED, problems="尚未审核的文字不得外传。",
    )  # fmt: skip
    for task in plan.tasks:
        task.refresh_from_db()
    return plan


def test_agenda_candidates_are_blocked_and_coordination_tasks_with_their_leads(troubled):
    candidates = meetings.agenda_candidates(programme=troubled.programme)

    assert [(c.task.number, c.sources) for c in candidates] == [
        (2, (AgendaSource.BLOCKED,)),
        (3, (AgendaSource.COORDINATION,)),
    ]
    leads = [sorted(a.department.name for a in c.task.lead_assignments) for c in candidates]
    assert leads == [["海口海关"], ["省商务厅", "省财政厅"]]


def test_a_confirmed_task_is_never_a_candidate(troubled):
    Task.objects.filter(pk=troubled.tasks[1].pk).update(completion_confirmed_at=stamp(2021, 3, 1))
    numbers = [c.task.number for c in meetings.agenda_candidates(programme=troubled.programme)]
    assert numbers == [3]


def test_meetings_are_numbered_and_items_keep_their_source(troubled, personas):
    t1, t2, t3 = troubled.tasks
    first = meetings.create_meeting(
        programme=troubled.programme, held_on=MARCH_20, tasks=[t3, t2, t1], actor=personas.office
    )
    second = meetings.create_meeting(
        programme=troubled.programme, held_on=MARCH_20, tasks=[t2], actor=personas.office
    )

    items = [(i.order, i.task.number, i.source) for i in meetings.meeting_items(meeting=first)]
    assert (first.number, second.number, str(second)) == (1, 2, "第2次联席会议")
    assert items == [(1, 1, "office"), (2, 2, "blocked"), (3, 3, "coordination")]


def test_only_the_office_builds_meetings_and_an_empty_agenda_is_refused(troubled, personas):
    with pytest.raises(PermissionDenied):
        meetings.create_meeting(
            programme=troubled.programme, held_on=MARCH_20, tasks=[troubled.tasks[1]],
            actor=personas.member,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="至少选择一项"):
        meetings.create_meeting(
            programme=troubled.programme, held_on=MARCH_20, tasks=[], actor=personas.office
        )


@pytest.fixture
def meeting(troubled, personas):
    return meetings.create_meeting(
        programme=troubled.programme,
        held_on=MARCH_20,
        tasks=[troubled.tasks[1], troubled.tasks[2]],
        actor=personas.office,
    )


def _decide(
    meeting, personas, owner, text="海口海关牵头协调口岸查验流程。", due=datetime.date(2021, 5, 31)
):
    item = meeting.items.get(order=1)
    return meetings.record_decision(
        item=item, text=text, owner=owner, due_on=due, actor=personas.office
    )


def test_a_decision_becomes_a_task_led_by_its_owner(troubled, personas, meeting):
    decision = _decide(meeting, personas, troubled.customs)

    task = decision.tracking_task
    assert (task.number, task.due_on, task.category_id) == (
        4,
        datetime.date(2021, 5, 31),
        troubled.categories[0].pk,
    )
    assert task.measure == "【联席会议议定】海口海关牵头协调口岸查验流程。"
    assert [(a.department.name, a.role) for a in task.assignments.all()] == [("海口海关", "lead")]
    verbs = AuditEvent.objects.filter(verb="decision_recorded").values_list(
        "task__number", flat=True
    )
    assert sorted(verbs) == [2, 4]


def test_a_decision_reports_like_any_task_and_is_done_when_confirmed(
    troubled, personas, meeting, clock
):
    decision = _decide(meeting, personas, troubled.customs)
    task = decision.tracking_task
    next_meeting = meetings.create_meeting(
        programme=troubled.programme, held_on=datetime.date(2021, 4, 20), tasks=[troubled.tasks[1]],
        actor=personas.office,
    )  # fmt: skip
    assert [
        f.outcome
        for f in meetings.follow_ups(meeting=meetings.previous_meeting(meeting=next_meeting))
    ] == ["推进中（未启动，0%）"]

    update = reporting.start_update(
        task=task, period=troubled.periods[(2021, 3)], actor=personas.support
    )
    data = {
        "status": "completed",
        "percent": 100,
        "work_done": "已完成流程再造。",
        "next_steps": "",
        "problems": "",
        "needs_coordination": False,
    }
    update = reporting.file_update(
        update=update, actor=personas.support, data=data, expected_version=1, submit=True
    )
    review.accept_update(update=update, actor=personas.office)
    task.refresh_from_db()
    review.confirm_completion(task=task, actor=personas.office)

    assert [f.outcome for f in meetings.follow_ups(meeting=meeting)] == ["已办结"]


def test_an_overdue_decision_says_so(troubled, personas, meeting, clock):
    _decide(meeting, personas, troubled.customs, due=datetime.date(2021, 3, 31))
    clock.move_to(stamp(2021, 4, 2))
    assert [f.outcome for f in meetings.follow_ups(meeting=meeting)] == ["已逾期（未启动，0%）"]


def test_decision_rules(troubled, personas, meeting):
    with pytest.raises(ValidationError) as refused:
        _decide(meeting, personas, troubled.cities, text="  ", due=datetime.date(2021, 3, 1))
    assert set(refused.value.message_dict) == {"text", "owner", "due_on"}
    with pytest.raises(PermissionDenied):
        meetings.record_decision(
            item=meeting.items.first(), text="x", owner=troubled.customs, due_on=MARCH_20,
            actor=personas.lead,
        )  # fmt: skip
    assert Task.objects.count() == 3


def test_problems_are_quoted_from_accepted_updates_only(troubled):
    problems = meetings.latest_problems(tasks=list(troubled.tasks))
    assert problems == {troubled.tasks[2].pk: [("省财政厅", "跨部门资金拨付流程不畅。")]}


# --- pages and the pack -------------------------------------------------------------------


def test_office_builds_a_meeting_from_the_page(troubled, clients):
    page = clients.office.get("/dashboard/meetings/")
    assert page.status_code == 200 and "建立议程" in page.content.decode()

    t2, t3 = troubled.tasks[1], troubled.tasks[2]
    response = clients.office.post(
        f"/dashboard/meetings/new/?programme={troubled.programme.code}",
        {"held_on": "2021-03-20", "tasks": [t2.pk, t3.pk]},
    )

    assert response.status_code == 302
    detail = clients.office.get(response["Location"]).content.decode()
    assert "第1次联席会议" in detail and "跨部门资金拨付流程不畅" in detail
    assert "尚未审核的文字不得外传" not in detail


def test_a_bad_meeting_form_keeps_the_choice_and_says_why(troubled, clients):
    response = clients.office.post(
        f"/dashboard/meetings/new/?programme={troubled.programme.code}",
        {"held_on": "20-03", "tasks": ["999999"]},
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "请按 2022-06-15 的格式填写日期" in text and "所选任务不存在" in text


def test_office_records_a_decision_from_the_page(troubled, clients, meeting):
    item = meeting.items.get(order=1)
    url = f"/dashboard/meetings/{meeting.pk}/items/{item.pk}/decisions/"
    prefix = f"item{item.pk}"

    fields = {f"{prefix}-owner": troubled.customs.pk, f"{prefix}-due_on": "2021-05-31"}
    bad = clients.office.post(url, {**fields, f"{prefix}-text": "协调\x1b查验"})
    good = clients.office.post(url, {**fields, f"{prefix}-text": "协调查验流程。"})

    assert bad.status_code == 400 and "U+001B" in bad.content.decode()
    assert good.status_code == 302
    assert item.decisions.get().tracking_task.number == 4


@pytest.mark.parametrize(
    ("persona", "status"), [("member", 200), ("lead", 403), ("anonymous", 302)]
)
def test_who_reads_meetings_and_packs(troubled, clients, meeting, persona, status):
    client = getattr(clients, persona)
    assert client.get(f"/dashboard/meetings/{meeting.pk}/").status_code == status
    assert client.get(f"/dashboard/meetings/{meeting.pk}/pack.docx").status_code == status


def test_member_cannot_build_or_decide(troubled, clients, meeting):
    item = meeting.items.first()
    assert (
        clients.member.post("/dashboard/meetings/new/", {"held_on": "2021-03-20"}).status_code
        == 403
    )
    url = f"/dashboard/meetings/{meeting.pk}/items/{item.pk}/decisions/"
    assert clients.member.post(url, {}).status_code == 403


def test_meeting_page_query_count_is_bounded(
    troubled, personas, clients, meeting, django_assert_max_num_queries
):
    _decide(meeting, personas, troubled.customs)
    later = meetings.create_meeting(
        programme=troubled.programme, held_on=datetime.date(2021, 4, 20),
        tasks=list(troubled.tasks), actor=personas.office,
    )  # fmt: skip
    with django_assert_max_num_queries(20):
        response = clients.office.get(f"/dashboard/meetings/{later.pk}/")
    assert "推进中（未启动，0%）" in response.content.decode()


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_pack_has_the_agenda_briefs_and_the_last_decisions(troubled, personas, meeting):
    _decide(meeting, personas, troubled.customs)
    later = meetings.create_meeting(
        programme=troubled.programme, held_on=datetime.date(2021, 4, 20), tasks=[troubled.tasks[2]],
        actor=personas.office,
    )  # fmt: skip

    first, second = (
        _text(build_meeting_pack(meeting=meeting)),
        _text(build_meeting_pack(meeting=later)),
    )

    assert "第1次联席会议会议材料" in first and "本次为首次会议" in first
    assert "一、会议议程" in first and "海口海关" in first and "受阻" in first
    assert "存在问题（省财政厅）：跨部门资金拨付流程不畅。" in first
    assert "海口海关牵头协调口岸查验流程。（责任单位：海口海关；完成时限：2021年5月31日）" in first
    assert "第1次联席会议议定事项1项，已办结0项。" in second and "推进中（未启动，0%）" in second
