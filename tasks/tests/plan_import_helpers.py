"""Shared by the plan import tests: the directory's departments in the database, the
first programme's appendix written as Word and Excel, the second plan's files."""

import json
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from departments.directory import DIRECTORY
from departments.models import Department, DepartmentAlias
from tasks.plan_data.programme import SOURCE_TEXT
from tasks.plan_import.tables import table_docx, table_xlsx
from tasks.plan_parser import parse_plan

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "plan.json"
SECOND = Path(settings.BASE_DIR) / "fixtures" / "plans" / "second"
XLSX_4_COLUMNS = ("序号", "试点任务", "具体举措", "责任分工")


def load_directory_departments() -> None:
    """Every department and spelling of the committed directory, as fixtures/plan.json has."""
    for order, entry in enumerate(DIRECTORY, start=1):
        department = Department.objects.create(
            name=entry.name, short_name=entry.short_name, kind=entry.kind, sort_order=order
        )
        DepartmentAlias.objects.bulk_create(
            DepartmentAlias(department=department, name=alias) for alias in entry.aliases
        )


def first_programme_cells(*, corrected: bool) -> list[tuple[str, str, str, str]]:
    """The appendix's rows (category cell on a category's first row only), as the source
    has them or with the committed errata applied."""
    plan = parse_plan(SOURCE_TEXT.read_text(encoding="utf-8"), errata=None if corrected else ())
    labels = {category.number: f"{category.label}{category.title}" for category in plan.categories}
    rows, last = [], None
    for task in plan.tasks:
        label = labels[task.category] if task.category != last else ""
        rows.append((label, str(task.number), task.measure, task.responsibility))
        last = task.category
    return rows


def first_programme_docx(*, corrected: bool) -> bytes:
    return table_docx("试点任务责任分工表", first_programme_cells(corrected=corrected))


def first_programme_xlsx(*, corrected: bool) -> bytes:
    rows, category = [], ""
    for label, number, measure, responsibility in first_programme_cells(corrected=corrected):
        category = label or category
        rows.append((int(number), category, measure, responsibility))
    return table_xlsx(rows, header=XLSX_4_COLUMNS)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def second_plan_file(suffix: str) -> bytes:
    return (SECOND / f"plan.{suffix}").read_bytes()


def second_plan_meta() -> dict:
    return json.loads((SECOND / "meta.json").read_text(encoding="utf-8"))


def fixture_tasks_and_assignments() -> tuple[list[tuple], list[tuple]]:
    """(number, category number, measure, responsibility, due) of each task and
    (task, department name, role, order) of each assignment in fixtures/plan.json."""
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    departments = {
        r["pk"]: r["fields"]["name"] for r in records if r["model"] == "departments.department"
    }
    tasks = sorted(
        (
            f["number"],
            f["category"],
            f["measure"],
            f["responsibility"],
            f["due_on"],
        )
        for r in records
        if r["model"] == "tasks.task"
        for f in [r["fields"]]
    )
    assignments = sorted(
        (f["task"], departments[f["department"]], f["role"], f["order"])
        for r in records
        if r["model"] == "tasks.assignment"
        for f in [r["fields"]]
    )
    return tasks, assignments
