"""A department merge and a lead change effective from April leave March's report as it
was: the March 月报 (document and workbook) built before and after the changes agree
(the figures read assignments through ``tasks.plan_asof``, issue 14 part 3).
"""

import datetime
from io import BytesIO

import openpyxl
import pytest
from docx import Document

from departments.models import Department, DepartmentKind
from reports import exports
from tasks.services import reporting, review
from tasks.services.plan_history import change_task_units, merge_departments
from tasks.tests.test_loop_query_counts import FILLED

pytestmark = pytest.mark.django_db


def _document_text(content: bytes) -> str:
    document = Document(BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _workbook_values(content: bytes) -> list:
    book = openpyxl.load_workbook(BytesIO(content))
    return [
        (sheet.title, [tuple(row) for row in sheet.iter_rows(values_only=True)])
        for sheet in book.worksheets
    ]


def _march(plan):
    programme, march = plan.programme, plan.periods[(2021, 3)]
    return (
        _document_text(exports.build_monthly_document(programme=programme, period=march)),
        _workbook_values(exports.build_monthly_workbook(programme=programme, period=march)),
    )


def test_march_report_is_unchanged_by_a_merge_and_a_lead_change_from_april(plan, personas, clock):
    march = plan.periods[(2021, 3)]
    t1, t2, _t3 = plan.tasks
    for task, actor in ((t1, personas.lead), (t2, personas.support)):
        update = reporting.start_update(task=task, period=march, actor=actor)
        update = reporting.file_update(
            update=update, actor=actor, data=FILLED, expected_version=1, submit=True
        )
        review.accept_update(update=update, actor=personas.office)
    clock.move_to(datetime.datetime(2021, 4, 20, 10, tzinfo=datetime.UTC))
    before = _march(plan)

    reformed = Department.objects.create(name="省商务和外事厅", kind=DepartmentKind.PROVINCIAL)
    merge_departments(
        source=plan.commerce,
        target=reformed,
        effective_on=datetime.date(2021, 4, 1),
        reason="机构改革",
        actor=personas.office,
    )
    change_task_units(
        task=t2,
        leads=[plan.finance],
        supports=[reformed],
        effective=plan.periods[(2021, 4)],
        reason="调整分工",
        actor=personas.office,
    )

    assert _march(plan) == before


def test_march_figures_keep_the_march_plan_and_april_takes_the_new_one(plan, personas, clock):
    from reports import figures

    march, april = plan.periods[(2021, 3)], plan.periods[(2021, 4)]
    t1, t2, _t3 = plan.tasks
    for task, actor in ((t1, personas.lead), (t2, personas.support)):
        update = reporting.start_update(task=task, period=march, actor=actor)
        update = reporting.file_update(
            update=update, actor=actor, data=FILLED, expected_version=1, submit=True
        )
        review.accept_update(update=update, actor=personas.office)
    clock.move_to(datetime.datetime(2021, 4, 20, 10, tzinfo=datetime.UTC))

    def seen():
        return (
            figures.states_as_of(programme=plan.programme, period=march)[t2.pk].status,
            figures.period_reporting(programme=plan.programme, period=march),
            tuple(
                figures.period_reporting(
                    programme=plan.programme, period=april, department=department
                ).expected
                for department in (plan.finance, plan.customs)
            ),
        )

    before = seen()
    change_task_units(
        task=t2,
        leads=[plan.finance],
        supports=[plan.commerce],
        effective=april,
        reason="调整分工",
        actor=personas.office,
    )
    merge_departments(
        source=plan.commerce,
        target=Department.objects.create(name="省商务和外事厅"),
        effective_on=datetime.date(2021, 4, 1),
        reason="机构改革",
        actor=personas.office,
    )

    after = seen()
    assert after[:2] == before[:2]
    # March: t2 led by 海口海关, whose accepted update made it 正常推进; expected 6 (商务厅 3,
    # 海关 2, 财政厅 1). April: 财政厅 owes t2 and t3, 海关 only t1; t2's new lead has not
    # reported.
    assert before[0] == "on_track" and before[1].expected == 6
    assert (before[2], after[2]) == ((1, 2), (2, 1))
    assert figures.states_as_of(programme=plan.programme, period=april)[t2.pk].status == (
        "not_started"
    )
