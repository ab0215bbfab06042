"""Importing a plan from a .docx, .xlsx, .csv or .txt: the same parser as the first
programme, a preview that blocks on problems, one transaction on confirm."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from departments.models import Department, DepartmentAlias, DepartmentKind, Role
from pilot.testing.factories import make_user
from tasks.models import (
    Assignment,
    AuditEvent,
    PlanImport,
    PlanImportStatus,
    Programme,
    ReportingPeriod,
    Task,
)
from tasks.plan_data.programme import HAINAN_SERVICE_TRADE_2020
from tasks.plan_import import services
from tasks.plan_import.preview import build_preview
from tasks.plan_import.readers import read_upload
from tasks.plan_loading import build_fixture, render_fixture
from tasks.plan_parser import parse_rows, read_errata
from tasks.tests.plan_import_helpers import (
    FIXTURE,
    first_programme_docx,
    first_programme_xlsx,
    fixture_tasks_and_assignments,
    load_directory_departments,
    second_plan_file,
    second_plan_meta,
    upload,
)

# --- the first programme, read back from Word and Excel -------------------------------


@pytest.mark.parametrize(
    ("name", "build"), [("附件.docx", first_programme_docx), ("附件.xlsx", first_programme_xlsx)]
)
def test_first_programmes_appendix_as_written_rebuilds_the_committed_fixture(name, build):
    # The appendix as the source has it, read from Word/Excel, errata applied as for the
    # text: the same fixture, byte for byte.
    table = read_upload(name, build(corrected=False))

    plan = parse_rows(table.rows, errata=read_errata())

    assert plan.problems == ()
    assert len(plan.tasks) == 117
    text = render_fixture(build_fixture(plan, HAINAN_SERVICE_TRADE_2020))
    assert text == FIXTURE.read_text(encoding="utf-8")


@pytest.fixture
def office(db):
    return make_user("office", Role.OFFICE)


FIRST_META = {
    "title": "海南省全面深化服务贸易创新发展试点实施方案（导入）",
    "code": "imported-first",
    "doc_number": "琼商服〔2020〕150号",
    "issuer": "海南省服务贸易创新发展联席会议办公室",
    "issued_on": datetime.date(2020, 11, 6),
    "starts_on": datetime.date(2020, 8, 2),
    "ends_on": datetime.date(2023, 8, 1),
    "tasks_due_on": datetime.date(2022, 12, 31),
}


@pytest.mark.parametrize(
    ("name", "build"), [("附件.docx", first_programme_docx), ("附件.xlsx", first_programme_xlsx)]
)
def test_importing_the_first_programme_creates_the_fixtures_tasks_and_assignments(
    office, clock, name, build
):
    load_directory_departments()
    plan_import = services.start_plan_import(
        upload=upload(name, build(corrected=True)), actor=office
    )
    plan_import = services.update_import_meta(
        plan_import=plan_import, meta=FIRST_META, actor=office
    )
    preview = build_preview(plan_import)
    assert preview.blockers == []
    assert {unit.status for unit in preview.units} == {"exact", "alias"}

    programme = services.confirm_plan_import(plan_import=plan_import, actor=office)

    expected_tasks, expected_assignments = fixture_tasks_and_assignments()
    tasks = sorted(
        (t.number, t.category.number, t.measure, t.responsibility, t.due_on.isoformat())
        for t in Task.objects.filter(programme=programme).select_related("category")
    )
    assignments = sorted(
        (a.task.number, a.department.name, a.role, a.order)
        for a in Assignment.objects.filter(task__programme=programme).select_related(
            "task", "department"
        )
    )
    assert tasks == expected_tasks
    assert assignments == expected_assignments
    assert Department.objects.count() == 57  # no department created twice


# --- the second plan ----------------------------------------------------------------


def _units(preview):
    return {unit.name: unit for unit in preview.units}


def test_second_plans_word_and_excel_files_hold_the_same_plan():
    word = parse_rows(read_upload("plan.docx", second_plan_file("docx")).rows, allow_new_units=True)
    excel = parse_rows(
        read_upload("plan.xlsx", second_plan_file("xlsx")).rows, allow_new_units=True
    )

    assert word.problems == excel.problems == ()
    assert [(t.number, t.category, t.measure, t.leads, t.supports) for t in word.tasks] == [
        (t.number, t.category, t.measure, t.leads, t.supports) for t in excel.tasks
    ]
    assert len(word.tasks) == 20
    assert [c.title for c in word.categories] == [
        "夯实数字基础设施",
        "推动数字产业发展",
        "优化数字营商环境",
    ]


def test_second_plan_preview_matches_units_exactly_by_alias_near_or_as_new(office, clock):
    load_directory_departments()
    plan_import = services.start_plan_import(
        upload=upload("plan.xlsx", second_plan_file("xlsx")), actor=office
    )

    units = _units(build_preview(plan_import))

    assert units["省通信管理局"].status == "exact"
    # 省发改委 and 省市场监管局 are spellings the directory already knows.
    assert units["省发展改革委"].status == "alias"
    assert "省发改委" in units["省发展改革委"].reason
    assert units["省市场监督管理局"].status == "alias"
    assert units["省大数据局"].status == "near"
    assert units["省大数据局"].candidate.name == "省大数据管理局"
    assert "相似度 83%" in units["省大数据局"].reason
    # A near match is a suggestion only: 三沙 is not 三亚.
    assert units["三沙市政府"].status == "near"
    assert units["三沙市政府"].candidate.name == "三亚市政府"
    assert units["省农业农村厅"].status == "new"
    assert not any(units[name].resolved for name in ("省大数据局", "三沙市政府", "省农业农村厅"))


def _settle_second_plan(plan_import, office) -> PlanImport:
    big_data = Department.objects.get(name="省大数据管理局")
    tax = Department.objects.get(name="海南省税务局")
    for name, department in (("省大数据局", big_data), ("省税务局", tax)):
        plan_import = services.decide_import_unit(
            plan_import=plan_import, name=name, department=department, actor=office
        )
    for name, kind in (
        ("三沙市政府", DepartmentKind.CITY),
        ("省农业农村厅", DepartmentKind.PROVINCIAL),
        ("海南电网公司", DepartmentKind.OTHER),
        ("省统计局", DepartmentKind.PROVINCIAL),
    ):
        plan_import = services.decide_import_unit(
            plan_import=plan_import, name=name, kind=kind, actor=office
        )
    return services.update_import_meta(
        plan_import=plan_import, meta=second_plan_meta(), actor=office
    )


def test_confirming_is_refused_while_anything_is_unresolved_and_nothing_is_saved(office, clock):
    load_directory_departments()
    plan_import = services.start_plan_import(
        upload=upload("plan.docx", second_plan_file("docx")), actor=office
    )

    with pytest.raises(ValidationError) as refused:
        services.confirm_plan_import(plan_import=plan_import, actor=office)

    assert "单位“省大数据局”尚未确认：请选择已有单位或新建。" in refused.value.messages
    assert any("请填写方案信息" in message for message in refused.value.messages)
    assert Programme.objects.count() == 0
    assert Department.objects.count() == 57


def test_confirming_the_second_plan_creates_programme_tasks_units_and_periods(office, clock):
    load_directory_departments()
    plan_import = services.start_plan_import(
        upload=upload("plan.xlsx", second_plan_file("xlsx")), actor=office
    )
    plan_import = _settle_second_plan(plan_import, office)

    programme = services.confirm_plan_import(plan_import=plan_import, actor=office)

    assert programme.code == "hainan-digital-economy-2024"
    assert programme.categories.count() == 3
    assert programme.tasks.count() == 20
    # 2024-04 ... 2026-03: 24 monthly periods.
    periods = ReportingPeriod.objects.filter(programme=programme)
    assert periods.count() == 24
    assert (periods.first().year, periods.first().month) == (2024, 4)
    # Task 2 has its own due date in the workbook; task 1 takes the programme's.
    assert programme.tasks.get(number=2).due_on == datetime.date(2025, 6, 30)
    assert programme.tasks.get(number=1).due_on == datetime.date(2025, 12, 31)
    # The near match the office confirmed: 省大数据局 is 省大数据管理局, and the spelling is kept.
    task2 = programme.tasks.get(number=2)
    assert [a.department.name for a in task2.assignments.order_by("order")] == [
        "省大数据管理局",
        "省发展改革委",
    ]
    assert DepartmentAlias.objects.get(name="省大数据局").department.name == "省大数据管理局"
    # The units the office created, with the kind it chose.
    assert Department.objects.get(name="三沙市政府").kind == DepartmentKind.CITY
    assert Department.objects.get(name="海南电网公司").kind == DepartmentKind.OTHER
    assert Department.objects.count() == 57 + 4
    # Task 5: 三沙市政府 and 省通信管理局 both lead.
    task5 = programme.tasks.get(number=5)
    assert sorted(task5.assignments.values_list("department__name", "role")) == [
        ("三沙市政府", "lead"),
        ("省通信管理局", "lead"),
    ]
    plan_import.refresh_from_db()
    assert plan_import.status == PlanImportStatus.CONFIRMED
    assert plan_import.programme == programme
    assert plan_import.file.read() == second_plan_file("xlsx")
    assert AuditEvent.objects.filter(task__programme=programme, verb="created").count() == 20
    assert (
        LogEntry.objects.filter(object_id=str(plan_import.pk))
        .filter(change_message__startswith="确认导入")
        .exists()
    )


def test_a_confirmed_import_cannot_be_confirmed_or_changed_again(office, clock):
    load_directory_departments()
    plan_import = services.start_plan_import(
        upload=upload("plan.xlsx", second_plan_file("xlsx")), actor=office
    )
    plan_import = _settle_second_plan(plan_import, office)
    services.confirm_plan_import(plan_import=plan_import, actor=office)

    with pytest.raises(ValidationError, match="已导入"):
        services.confirm_plan_import(plan_import=plan_import, actor=office)
    assert Programme.objects.count() == 1


def test_only_the_office_may_import(db, clock):
    reporter = make_user("shangwu", Role.REPORTER, Department.objects.create(name="省商务厅"))
    member = make_user("member", Role.MEMBER)
    for actor in (reporter, member):
        with pytest.raises(PermissionDenied):
            services.start_plan_import(
                upload=upload("plan.xlsx", second_plan_file("xlsx")), actor=actor
            )
    assert PlanImport.objects.count() == 0


# --- row problems, listed row by row and fixed in the preview --------------------------

CSV_WITH_PROBLEMS = (
    "序号,试点任务,具体举措,责任分工\n"
    "1,（一）完善体制,建立工作机制。,省商务厅牵头，省财政厅配合。\n"
    "2,（一）完善体制,,省商务厅负责推进。\n"
    "2,（一）完善体制,建设服务平台。,省商务厅\n"
    "4,（一）完善体制,开展试点评估。,\n"
)


def test_each_rows_problems_are_listed_and_block_until_fixed(office, clock):
    load_directory_departments()
    plan_import = services.start_plan_import(
        upload=upload("问题.csv", CSV_WITH_PROBLEMS.encode("utf-8")), actor=office
    )
    plan_import = services.update_import_meta(
        plan_import=plan_import, meta=second_plan_meta(), actor=office
    )

    preview = build_preview(plan_import)

    problems = {
        row.source["number"] + "@" + str(row.task.line): row.problems for row in preview.rows
    }
    assert problems == {
        "1@2": [],
        "2@3": ["具体举措为空"],
        "2@4": [
            "序号 2 重复",
            "责任分工中没有可识别的分工用语（如“牵头”“负责推进”“配合”），或单位后缺少分工用语",
        ],
        "4@5": ["没有牵头单位"],
    }
    assert len(preview.blockers) == 3

    plan_import = services.fix_import_row(
        plan_import=plan_import, index=1, values={"measure": "完善考核办法。"}, actor=office
    )
    plan_import = services.fix_import_row(
        plan_import=plan_import,
        index=2,
        values={"number": "3", "responsibility": "省商务厅负责推进。"},
        actor=office,
    )
    plan_import = services.fix_import_row(
        plan_import=plan_import, index=3, values={"leads": "省财政厅"}, actor=office
    )

    assert build_preview(plan_import).blockers == []
    programme = services.confirm_plan_import(plan_import=plan_import, actor=office)
    assert list(programme.tasks.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert programme.tasks.get(number=4).assignments.get().department.name == "省财政厅"


# --- bad files: refused with a message, nothing saved -----------------------------------


def _refused(office, name: str, data: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        services.start_plan_import(upload=upload(name, data), actor=office)
    assert PlanImport.objects.count() == 0
    assert Programme.objects.count() == 0
    return " ".join(refused.value.messages)


HEADER_CELLS = ("试点任务", "序号", "具体举措", "责任分工")


def _docx_with_merged_measure_cells() -> bytes:
    import io

    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=4)
    for cell, text in zip(table.rows[0].cells, HEADER_CELLS, strict=True):
        cell.text = text
    for index, row in enumerate(table.rows[1:], start=1):
        row.cells[1].text = str(index)
        row.cells[3].text = "省商务厅负责推进。"
    table.cell(1, 0).text = "（一）完善体制"
    table.cell(1, 2).merge(table.cell(2, 2)).text = "两项任务共用的举措。"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx(rows, merge: str | None = None) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    if merge:
        book.active.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    return buffer.getvalue()


HEADER = ("序号", "试点任务", "具体举措", "责任分工")


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("方案.pdf", lambda: b"%PDF-1.4", "只能导入 .docx、.xlsx、.csv 或 .txt 文件"),
        ("空表.docx", lambda: _docx_without_table(), "Word 文件中没有表格"),
        (
            "无表头.xlsx",
            lambda: _xlsx([("任务", "单位"), ("建设平台", "省商务厅")]),
            "没有找到责任分工表",
        ),
        ("合并.docx", _docx_with_merged_measure_cells, "第 3 行的单元格与上一行合并"),
        (
            "合并.xlsx",
            lambda: _xlsx(
                [
                    HEADER,
                    (1, "（一）甲", "举措", "省商务厅负责推进。"),
                    (2, "（一）甲", "", "省财政厅负责推进。"),
                ],
                merge="C2:C3",
            ),
            "第 3 行的单元格与上一行合并",
        ),
        (
            "五千行.xlsx",
            lambda: _xlsx(
                [HEADER] + [(n, "（一）甲", "举措", "省商务厅负责推进。") for n in range(1, 5001)]
            ),
            "表格超过 2000 行",
        ),
        ("炸弹.docx", _zip_bomb, "疑似压缩炸弹"),
        ("伪装.xlsx", lambda: b"this is not a zip file at all", "文件已损坏"),
        (
            "GBK.csv",
            lambda: "序号,试点任务,具体举措,责任分工\n1,（一）甲,举措,省商务厅负责推进。\n".encode(
                "gbk"
            ),
            "不是 UTF-8 编码",
        ),
        ("空.csv", lambda: b"", "文件是空的"),
        ("无表头.txt", lambda: "一些文字\n".encode(), "没有找到表头"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_saved(
    office, clock, settings, name, make, message
):
    assert message in _refused(office, name, make())
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def _docx_without_table() -> bytes:
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("附件：试点任务责任分工表（见另文）")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_file_over_10_mb_is_refused_before_it_is_read(office, clock):
    assert "文件超过 10 MB" in _refused(office, "大.xlsx", b"0" * (10 * 1024 * 1024 + 1))
