"""Monthly unit scores (考核): each rule with hand-counted figures, versioned weights, and
every demo month recomputed from scratch.

The small plan (root conftest) in 2021-02 (due 2021-02-25; the clock is on 2021-03-10):
  task 1 (省商务厅 leads, 海口海关 supports): due 2021-02-20, confirmed 2021-02-18
  task 2 (海口海关 leads, 省商务厅 supports): due 2021-02-10, accepted 受阻, not confirmed
  task 3 (省财政厅 and 省商务厅 lead): finance's 正常推进 accepted in time; commerce's filed late
    and accepted on 2021-03-01 (after the cut-off: it counts from March on)
Reporting of February: 省商务厅 task 1 and task 2 on time, task 3 late (2 of 3 on time);
海口海关 task 2 on time, task 1 missing (1 of 2); 省财政厅 task 3 on time (1 of 1).
省商务厅's task 1 update was returned once on 2021-02-21 and accepted as a 亮点 on
2021-02-22; a return on 2021-03-02 belongs to March.
"""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from departments.models import Role
from pilot.testing.factories import (
    AssignmentFactory,
    DepartmentFactory,
    TaskFactory,
    UpdateFactory,
    make_user,
    stamp,
)
from pilot.testing.helpers import load_demo_history
from reports.figures import score_table, scores
from reports.models_scores import ScoreSheet
from reports.services import runs as run_services
from reports.services import scores as score_services
from tasks.models import (
    AssignmentRole,
    ReportingPeriod,
    Review,
    ReviewAction,
    SupervisionSlip,
    Task,
    TaskStatus,
    UpdateState,
)

pytestmark = pytest.mark.django_db
D = Decimal
DEFAULTS = scores.DEFAULT_WEIGHTS


def _update(plan, task, department, role, *, submitted, late=False, **fields):
    return UpdateFactory(
        task=task,
        period=plan.periods[(2021, 2)],
        department=department,
        role=role,
        state=fields.pop("state", UpdateState.SUBMITTED),
        first_submitted_at=submitted,
        submitted_at=submitted,
        is_late=late,
        **fields,
    )


def _return(update, at, actor):
    Review.objects.create(
        update=update,
        action=ReviewAction.RETURN,
        department=update.department,
        created_at=at,
        created_by=actor,
        comment="请补充材料。",
    )


@pytest.fixture
def february(plan, personas, clock):
    t1, t2, t3 = plan.tasks
    lead, support = AssignmentRole.LEAD, AssignmentRole.SUPPORT
    accepted = UpdateState.ACCEPTED
    Task.objects.filter(pk=t1.pk).update(
        due_on=datetime.date(2021, 2, 20), completion_confirmed_at=stamp(2021, 2, 18)
    )
    Task.objects.filter(pk=t2.pk).update(due_on=datetime.date(2021, 2, 10))
    t1_lead = _update(
        plan,
        t1,
        plan.commerce,
        lead,
        submitted=stamp(2021, 2, 20),
        state=accepted,
        reviewed_at=stamp(2021, 2, 22),
        status=TaskStatus.COMPLETED,
        percent=100,
        is_highlight=True,
    )
    _return(t1_lead, stamp(2021, 2, 21), personas.office)
    _return(t1_lead, stamp(2021, 3, 2), personas.office)
    _update(plan, t2, plan.commerce, support, submitted=stamp(2021, 2, 19))
    _update(plan, t3, plan.commerce, lead, submitted=stamp(2021, 2, 27), late=True, state=accepted,
            reviewed_at=stamp(2021, 3, 1), status=TaskStatus.BEHIND)  # fmt: skip
    _update(plan, t2, plan.customs, lead, submitted=stamp(2021, 2, 20), state=accepted,
            reviewed_at=stamp(2021, 2, 23), status=TaskStatus.BLOCKED)  # fmt: skip
    _update(plan, t3, plan.finance, lead, submitted=stamp(2021, 2, 24), state=accepted,
            reviewed_at=stamp(2021, 2, 24), status=TaskStatus.ON_TRACK)  # fmt: skip
    return plan.periods[(2021, 2)]


def _by_name(items):
    return {item.department.name: item for item in items}


def test_february_counts_per_unit_by_hand(plan, february):
    result = _by_name(
        scores.unit_scores(programme=plan.programme, period=february, weights=DEFAULTS)
    )

    assert set(result) == {"省商务厅", "海口海关", "省财政厅"}  # 各市县 is a collective
    commerce = result["省商务厅"]
    assert (commerce.expected, commerce.on_time) == (3, 2)
    assert (commerce.led_open, commerce.on_schedule) == (2, 2)
    assert (commerce.due, commerce.completed_on_time) == (1, 1)
    assert (commerce.returns, commerce.slips, commerce.highlights) == (1, 0, 1)
    customs = result["海口海关"]
    assert (customs.expected, customs.on_time, customs.led_open, customs.on_schedule) == (
        2,
        1,
        1,
        0,
    )
    assert (customs.due, customs.completed_on_time, customs.returns) == (1, 0, 0)
    finance = result["省财政厅"]
    assert (finance.expected, finance.on_time, finance.led_open, finance.on_schedule) == (
        1,
        1,
        1,
        1,
    )
    assert finance.due == 0


def test_february_scores_by_hand(plan, february):
    result = _by_name(
        scores.unit_scores(programme=plan.programme, period=february, weights=DEFAULTS)
    )

    # 100 × (40 × 2/3 + 30 × 1 + 30 × 1) / 100 − 10 × 1/3 + 2 × 1 = 85.333…
    assert result["省商务厅"].score == D("85.3")
    assert result["省商务厅"].points == {
        "on_time": D("26.7"),
        "on_schedule": D("30.0"),
        "completion": D("30.0"),
        "returns": D("-3.3"),
        "slips": D("0.0"),
        "highlights": D("2.0"),
    }
    # 100 × (40 × 1/2 + 30 × 0 + 30 × 0) / 100
    assert result["海口海关"].score == D("20.0")
    # No task due by February: 100 × (40 × 1 + 30 × 1) / 70
    assert result["省财政厅"].score == D("100.0")


def test_ranking_puts_equal_scores_together_and_unscored_units_last():
    unit = lambda name, score: scores.UnitScore(name, 0, 0, 0, 0, 0, 0, 0, 0, 0, {}, score)  # noqa: E731
    items = [unit("a", D("80")), unit("b", None), unit("c", D("90")), unit("d", D("80"))]

    ranked = [(rank, item.department) for rank, item in scores.ranked(items)]

    assert ranked == [(1, "c"), (2, "a"), (2, "d"), (None, "b")]


def test_a_unit_whose_only_task_was_done_before_the_month_has_no_score(plan, personas, february):
    ports = DepartmentFactory(name="洋浦经济开发区")
    make_user("ports", Role.REPORTER, ports)
    done = TaskFactory(programme=plan.programme, category=plan.categories[0], number=4,
                       completion_confirmed_at=stamp(2021, 1, 20))  # fmt: skip
    AssignmentFactory(task=done, department=ports, role=AssignmentRole.SUPPORT)

    result = scores.unit_scores(programme=plan.programme, period=february, weights=DEFAULTS)
    ranked = scores.ranked(result)

    item = _by_name(result)["洋浦经济开发区"]
    assert (item.expected, item.led_open, item.due, item.score, item.points) == (0, 0, 0, None, {})
    assert ranked[-1] == (None, item)


def test_a_unit_with_no_task_in_the_programme_is_not_listed(plan, february):
    names = {s.department.name for s in scores.unit_scores(
        programme=plan.programme, period=february, weights=DEFAULTS)}  # fmt: skip

    assert "省委网信办" not in names


def test_a_unit_without_reporters_is_scored_on_its_tasks_alone(plan, personas, february):
    personas.finance.is_active = False
    personas.finance.save(update_fields=["is_active"])

    item = _by_name(
        scores.unit_scores(programme=plan.programme, period=february, weights=DEFAULTS)
    )["省财政厅"]

    assert (item.expected, item.score, item.points["on_schedule"]) == (0, D("100.0"), D("100.0"))


def test_deductions_never_take_a_score_below_zero(plan, february):
    weights = {**DEFAULTS, "returns": D("100")}
    # 海口海关: 20.0 before; give it two returns in February: 20 − 100 × 2/2 < 0
    update = plan.tasks[1].updates.get(department=plan.customs)
    office = update.reviewed_by or make_user("office2", Role.OFFICE)
    _return(update, stamp(2021, 2, 21), office)
    _return(update, stamp(2021, 2, 22), office)

    item = _by_name(scores.unit_scores(programme=plan.programme, period=february, weights=weights))[
        "海口海关"
    ]

    assert (item.returns, item.score) == (2, D("0.0"))


def test_a_zero_weight_leaves_its_term_out_of_the_mean(plan, february):
    weights = {**DEFAULTS, "on_time": D("0")}

    item = _by_name(scores.unit_scores(programme=plan.programme, period=february, weights=weights))[
        "省商务厅"
    ]

    # 100 × (0 × 2/3 + 30 + 30) / 60 − 3.333 + 2 = 98.666…
    assert item.score == D("98.7")


def test_slips_outstanding_reads_zero_until_slips_exist(plan, february):
    assert scores.slips_outstanding(programme=plan.programme, at=stamp(2021, 2, 26)) == {}


def test_slips_outstanding_at_the_cut_off_are_counted_per_unit(plan, february):
    # February's cut-off is 2021-02-26 00:00 (due 2021-02-25). Three slips to 省商务厅: one
    # issued before and still open, one issued before and closed before the cut-off, one
    # issued after it; and one to 海口海关 closed after the cut-off (open at it).
    def slip(number, department, issued, closed=None):
        return SupervisionSlip.objects.create(
            task=plan.tasks[number % 3],
            status="issued" if closed is None else "closed",
            department=department,
            level="blue",
            year=2021,
            number=number,
            origin="hand",
            reason="测试。",
            issued_on=issued.date(),
            issued_at=issued,
            response_due=datetime.date(2021, 3, 5),
            closed_at=closed,
        )

    slip(1, plan.commerce, stamp(2021, 2, 10))
    slip(2, plan.commerce, stamp(2021, 2, 11), closed=stamp(2021, 2, 20))
    slip(3, plan.commerce, stamp(2021, 2, 27))
    slip(4, plan.customs, stamp(2021, 2, 12), closed=stamp(2021, 3, 1))

    at = stamp(2021, 2, 26, 0)
    counted = scores.slips_outstanding(programme=plan.programme, at=at)
    assert counted == {plan.commerce.pk: 1, plan.customs.pk: 1}
    by_name = _by_name(
        scores.unit_scores(programme=plan.programme, period=february, weights=DEFAULTS)
    )
    assert (by_name["省商务厅"].slips, by_name["海口海关"].slips, by_name["省财政厅"].slips) == (
        1,
        1,
        0,
    )


def test_returns_are_counted_in_the_month_they_were_made(plan, february):
    march = plan.periods[(2021, 3)]

    with time_machine.travel(stamp(2021, 4, 10), tick=False):
        item = _by_name(
            scores.unit_scores(programme=plan.programme, period=march, weights=DEFAULTS)
        )["省商务厅"]

    assert item.returns == 1  # the return of 2021-03-02


def test_records_made_after_the_cut_off_change_no_past_month(plan, personas, february):
    before = [s.breakdown() for s in scores.unit_scores(
        programme=plan.programme, period=february, weights=DEFAULTS)]  # fmt: skip
    # Later: 海口海关 files its missing February input late, a return is made, a task is
    # confirmed complete and an update accepted as a highlight.
    _update(plan, plan.tasks[0], plan.customs, AssignmentRole.SUPPORT,
            submitted=stamp(2021, 3, 5), late=True)  # fmt: skip
    _return(plan.tasks[2].updates.get(department=plan.finance), stamp(2021, 3, 6), personas.office)
    Task.objects.filter(pk=plan.tasks[1].pk).update(completion_confirmed_at=stamp(2021, 3, 7))

    with time_machine.travel(stamp(2021, 9, 1), tick=False):
        after = [s.breakdown() for s in scores.unit_scores(
            programme=plan.programme, period=february, weights=DEFAULTS)]  # fmt: skip

    assert after == before


# --- versions and publishing ---------------------------------------------------------


def test_publishing_keeps_the_formula_used_when_weights_change(plan, personas, february):
    sheet = score_services.publish_scores(
        programme=plan.programme, period=february, actor=personas.office
    )
    score_services.save_formula(
        programme=plan.programme, weights={**DEFAULTS, "on_time": D("80")}, actor=personas.office
    )

    month = score_table.month_scores(programme=plan.programme, period=february)

    assert (sheet.formula.version, month.formula.version, month.published) == (1, 1, True)
    assert _by_name(month.scores)["省商务厅"].score == D("85.3")
    current = score_table.current_formula(programme=plan.programme)
    assert (current.version, current.on_time) == (2, D("80"))


def test_a_month_cannot_be_published_twice_or_before_its_due_date(plan, personas, february):
    score_services.publish_scores(programme=plan.programme, period=february, actor=personas.office)

    with pytest.raises(ValidationError, match="已发布"):
        score_services.publish_scores(
            programme=plan.programme, period=february, actor=personas.office
        )
    with pytest.raises(ValidationError, match="尚未过去"):
        score_services.publish_scores(
            programme=plan.programme, period=plan.periods[(2021, 3)], actor=personas.office
        )
    assert ScoreSheet.objects.count() == 1


def test_only_the_office_saves_weights_and_publishes(plan, personas, february):
    for user in (personas.member, personas.lead):
        with pytest.raises(PermissionDenied):
            score_services.save_formula(programme=plan.programme, weights=DEFAULTS, actor=user)
        with pytest.raises(PermissionDenied):
            score_services.publish_scores(programme=plan.programme, period=february, actor=user)


def test_weights_out_of_range_or_all_rates_zero_are_refused(plan, personas):
    zero = {**DEFAULTS, "on_time": D(0), "on_schedule": D(0), "completion": D(0)}
    with pytest.raises(ValidationError) as refused:
        score_services.save_formula(programme=plan.programme, weights=zero, actor=personas.office)
    assert "不能都为 0" in str(refused.value)
    with pytest.raises(ValidationError):
        score_services.save_formula(
            programme=plan.programme, weights={**DEFAULTS, "slips": D(101)}, actor=personas.office
        )


def test_saving_the_same_weights_makes_no_new_version(plan, personas):
    first = score_services.save_formula(
        programme=plan.programme, weights=DEFAULTS, actor=personas.office
    )
    again = score_services.save_formula(
        programme=plan.programme, weights=DEFAULTS, actor=personas.office
    )
    assert (first.version, again.pk) == (1, first.pk)


def test_month_on_month_change(plan, february):
    _month, _last, lines = score_table.score_table(programme=plan.programme, period=february)

    commerce = next(line for line in lines if line.item.department.name == "省商务厅")
    # January: nothing filed (0 of 3), both led tasks on schedule, none due:
    # 100 × (40 × 0 + 30 × 1) / 70 = 42.857…
    assert (commerce.previous, commerce.change, commerce.rank) == (D("42.9"), D("42.4"), 2)


# --- pages ----------------------------------------------------------------------------


def _page(client, plan, period):
    return client.get("/dashboard/scores/", {"programme": plan.programme.code, "period": period.pk})


def test_office_page_shows_the_ranking_the_formula_and_its_form(
    plan, clients, february, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40):
        response = _page(clients.office, plan, february)
    text = response.content.decode()

    assert response.status_code == 200
    assert text.index("省财政厅") < text.index("省商务厅") < text.index("海口海关")
    assert "85.3" in text and "+42.4" in text and "按时报送 2/3" in text
    assert "得分 = 100 ×（40 × 按时报送率" in text
    assert "保存为新版本" in text and "发布本月考核结果" in text


def test_a_reporter_sees_only_its_own_units_line(plan, clients, february):
    text = _page(clients.lead, plan, february).content.decode()

    assert "省商务厅" in text and "85.3" in text
    assert "海口海关" not in text and "保存为新版本" not in text and "导出考核得分" not in text


def test_member_reads_all_without_the_form(plan, clients, february):
    text = _page(clients.member, plan, february).content.decode()
    assert "海口海关" in text and "保存为新版本" not in text and "发布本月考核结果" not in text


def test_anonymous_is_sent_to_login(plan, clients, february):
    assert _page(clients.anonymous, plan, february).status_code == 302


def test_office_saves_weights_through_the_form(plan, clients, february):
    data = {"on_time": "50", "on_schedule": "25", "completion": "25", "returns": "5",
            "slips": "1", "highlights": "1"}  # fmt: skip
    url = f"/dashboard/scores/formula/?programme={plan.programme.code}&period={february.pk}"

    response = clients.office.post(url, data)

    assert response.status_code == 302
    current = score_table.current_formula(programme=plan.programme)
    assert (current.version, current.on_time, current.returns) == (1, D("50"), D("5"))


def test_bad_weights_are_shown_back_with_a_message(plan, clients, february):
    data = {"on_time": "abc", "on_schedule": "0", "completion": "0", "returns": "-1",
            "slips": "1", "highlights": "1"}  # fmt: skip
    url = f"/dashboard/scores/formula/?programme={plan.programme.code}&period={february.pk}"

    response = clients.office.post(url, data)

    text = response.content.decode()
    assert response.status_code == 400
    assert "请输入数字" in text and 'value="abc"' in text
    assert not score_table.current_formula(programme=plan.programme).pk


def test_member_cannot_post_weights_or_publish(plan, clients, february):
    url = f"/dashboard/scores/formula/?programme={plan.programme.code}&period={february.pk}"
    assert clients.member.post(url, {"on_time": "1"}).status_code == 403
    assert clients.lead.post(f"/dashboard/scores/{february.pk}/publish/").status_code == 403
    assert not ScoreSheet.objects.exists()


def test_office_publishes_from_the_page(plan, clients, february):
    response = clients.office.post(f"/dashboard/scores/{february.pk}/publish/")
    assert response.status_code == 302
    text = _page(clients.office, plan, february).content.decode()
    assert "已发布" in text and "发布本月考核结果" not in text


def test_export_workbook_for_the_assessment_office(plan, clients, february):
    response = clients.member.get(
        "/dashboard/scores/export.xlsx", {"programme": plan.programme.code, "period": february.pk}
    )
    assert clients.lead.get("/dashboard/scores/export.xlsx").status_code == 403

    sheet = load_workbook(io.BytesIO(response.content))["考核得分"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows.index(next(row for row in rows if row[0] == "排名"))
    body = {row[1]: row for row in rows[header + 1 :]}
    assert body["省财政厅"][:3] == [1, "省财政厅", 100]
    assert body["省商务厅"][2] == 85.3 and body["省商务厅"][4] == 42.4
    assert body["海口海关"][12] == 0 and body["省商务厅"][12] == 1  # returns


# --- the demo: every published month recomputes identically ------------------------

DEMO_DAY = stamp(2022, 6, 15)


@pytest.fixture
def demo(db):
    with time_machine.travel(DEMO_DAY, tick=False) as traveller:
        traveller.programme = load_demo_history()
        yield traveller


def test_every_demo_month_recomputes_identically_from_scratch(demo):
    office = make_user("office", Role.OFFICE)
    periods = [
        period
        for period in ReportingPeriod.objects.filter(programme=demo.programme).order_by("starts_on")
        if period.due_on < DEMO_DAY.date()
    ]
    for period in periods:
        score_services.publish_scores(programme=demo.programme, period=period, actor=office)
    demo.move_to(stamp(2023, 3, 1))  # later: the same months must give the same numbers

    compared = 0
    for sheet in ScoreSheet.objects.select_related("period", "formula").prefetch_related("rows"):
        fresh = scores.unit_scores(
            programme=demo.programme, period=sheet.period, weights=sheet.formula.weights()
        )
        stored = {row.department_id: row.breakdown for row in sheet.rows.all()}
        assert {item.department.pk: item.breakdown() for item in fresh} == stored
        compared += len(stored)
    assert len(periods) == 22  # 2020-08 … 2022-05
    assert compared > 22 * 20
    scored = [row.breakdown for sheet in ScoreSheet.objects.all() for row in sheet.rows.all()]
    assert any(item["returns"] for item in scored) and any(item["score"] for item in scored)


# --- the 通报 ------------------------------------------------------------------------------


def _evidence(update, at, actor):
    from tasks.models import Evidence

    return Evidence.objects.create(
        update=update, file="evidence/x.pdf", original_name="佐证.pdf",
        content_type="application/pdf", size=10, sha256="0" * 64, uploaded_at=at, uploaded_by=actor,
    )  # fmt: skip


@pytest.fixture
def published(plan, personas, february):
    finance_update = plan.tasks[2].updates.get(department=plan.finance)
    _evidence(finance_update, stamp(2021, 2, 24), personas.finance)
    # 海口海关's only on-time report has evidence too, but it missed another report.
    _evidence(
        plan.tasks[1].updates.get(department=plan.customs), stamp(2021, 2, 20), personas.support
    )
    score_services.publish_scores(programme=plan.programme, period=february, actor=personas.office)
    return february


def _names(units):
    return [u.department.name for u in units]


def test_bulletin_praises_full_on_time_evidenced_units_and_names_late_ones(plan, published):
    from reports.exports.bulletin import bulletin_lists

    lists = bulletin_lists(period=published)

    assert _names(lists.praised) == ["省财政厅"]
    assert [(u.department.name, u.reasons) for u in lists.criticised] == [
        ("省商务厅", ["1项进展未按时报送（逾期或未报）"]),
        ("海口海关", ["1项进展未按时报送（逾期或未报）"]),
    ]


def test_evidence_uploaded_after_the_cut_off_does_not_earn_praise(plan, personas, february):
    from reports.exports.bulletin import bulletin_lists

    _evidence(
        plan.tasks[2].updates.get(department=plan.finance), stamp(2021, 2, 27), personas.finance
    )
    score_services.publish_scores(programme=plan.programme, period=february, actor=personas.office)

    assert bulletin_lists(period=february).praised == []


def test_two_returns_in_the_month_get_a_unit_named(plan, personas, february):
    from reports.exports.bulletin import bulletin_lists

    update = plan.tasks[2].updates.get(department=plan.finance)
    _return(update, stamp(2021, 2, 10), personas.office)
    _return(update, stamp(2021, 2, 12), personas.office)
    score_services.publish_scores(programme=plan.programme, period=february, actor=personas.office)

    named = {u.department.name: u.reasons for u in bulletin_lists(period=february).criticised}
    assert named["省财政厅"] == ["报送被退回2次"]


def test_no_bulletin_before_the_scores_are_published(plan, personas, february, clients):
    from reports.services import runs as run_services

    with pytest.raises(ValidationError, match="尚未发布"):
        run_services.request_report(
            kind="bulletin", programme=plan.programme, period=february, actor=personas.office
        )
    assert clients.office.get(f"/dashboard/scores/{february.pk}/bulletin/").status_code == 404


def _document_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_office_edits_the_bulletin_and_generates_it_through_a_run(plan, clients, published):
    from reports.models import ReportRun

    page = clients.office.get(f"/dashboard/scores/{published.pk}/bulletin/")
    assert page.status_code == 200 and "省财政厅" in page.content.decode()
    response = clients.office.post(
        f"/dashboard/scores/{published.pk}/bulletin/save/",
        {"opening": "现将2月考核情况通报如下。", "closing": "请各单位按时报送。",
         "praised": [plan.finance.pk], "criticised": [plan.customs.pk], "action": "generate"},
    )  # fmt: skip

    run = ReportRun.objects.get(kind="bulletin")
    assert response.status_code == 302 and response["Location"] == f"/reports/runs/{run.pk}/"
    run = run_services.compile_report(run_id=run.pk)
    assert run.state == "done"
    item = run.files.get()
    assert item.name == "2021年2月考核通报.docx"
    text = _document_text(item.file.read())
    assert "关于2021年2月试点任务推进考核情况的通报" in text.replace("\n", "")  # a balanced title
    assert "现将2月考核情况通报如下。" in text and "请各单位按时报送。" in text
    assert "予以表扬：省财政厅。" in text
    assert "以下1个单位报送不及时或多次被退回" in text and "省商务厅：" not in text
    assert "应报进展6项，按时报送4项，按时报送率66.7%。表扬1个单位，通报1个单位。" in text
    assert "平均得分68.4分" in text  # (100.0 + 85.3 + 20.0) / 3 = 68.43…


def test_member_cannot_edit_the_bulletin(plan, clients, published):
    assert clients.member.get(f"/dashboard/scores/{published.pk}/bulletin/").status_code == 403
    url = f"/dashboard/scores/{published.pk}/bulletin/save/"
    assert clients.member.post(url, {"opening": "x", "closing": "y"}).status_code == 403


def _by_hand(counts: dict, w: dict):
    """The formula as the README states it, written again independently (Fractions)."""
    from fractions import Fraction as F

    rates = [
        (w["on_time"], F(counts["on_time"], counts["expected"]) if counts["expected"] else None),
        (
            w["on_schedule"],
            F(counts["on_schedule"], counts["led_open"]) if counts["led_open"] else None,
        ),
        (w["completion"], F(counts["completed_on_time"], counts["due"]) if counts["due"] else None),
    ]
    used = [(F(weight), value) for weight, value in rates if value is not None]
    if not used:
        return None
    base = 100 * sum(weight * value for weight, value in used) / sum(weight for weight, _v in used)
    total = (
        base
        - F(w["returns"]) * F(counts["returns"], max(counts["expected"], 1))
        - F(w["slips"]) * counts["slips"]
        + F(w["highlights"]) * counts["highlights"]
    )
    total = max(total, 0)
    return D(int(total * 10 + F(1, 2))) / 10  # half up to one decimal


def test_demo_month_scores_follow_the_formula_and_the_dashboards_figures(demo):
    from reports import figures
    from tasks.periods import due_end

    period = ReportingPeriod.objects.get(programme=demo.programme, year=2022, month=5)
    april = ReportingPeriod.objects.get(programme=demo.programme, year=2022, month=4)
    result = scores.unit_scores(programme=demo.programme, period=period, weights=DEFAULTS)
    dashboard = {
        row.department.pk: row
        for row in figures.period_figures(programme=demo.programme, period=period).departments
    }
    # Returns counted from the review rows themselves, in May's window.
    returns = {}
    for item in Review.objects.filter(action=ReviewAction.RETURN):
        if due_end(april) < item.created_at <= due_end(period):
            returns[item.department_id] = returns.get(item.department_id, 0) + 1

    assert len(result) > 20
    for item in result:
        row = dashboard[item.department.pk]
        assert (item.expected, item.on_time) == (row.expected, row.on_time), item.department
        assert item.returns == returns.get(item.department.pk, 0), item.department
        assert item.score == _by_hand(item.breakdown(), DEFAULTS), item.department
    assert sum(item.returns for item in result) == sum(returns.values()) > 0
