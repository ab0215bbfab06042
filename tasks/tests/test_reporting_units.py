"""The two forms of "who owes submissions" select the same rows.

``reporting_departments()`` is a SQL filter joined on every row; ``reporting_units()`` reads
the same rule once into id sets for the pages that count many programmes at a time (the
all-programmes dashboard). Every case of the rule appears here: a unit with an active
reporter, one whose only reporter is inactive, one without accounts, one merged into a unit
with reporters, a collective, and the issuer of each programme by name and by alias.
"""

import pytest

from departments.models import Department, DepartmentAlias, DepartmentKind
from pilot.testing.factories import AssignmentFactory, ProgrammeFactory, TaskFactory, make_user
from tasks.models import Assignment, AssignmentRole
from tasks.obligations import reporting_departments, reporting_units, reporting_units_q

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_programmes():
    office = Department.objects.create(name="甲联席会议办公室")
    office_by_alias = Department.objects.create(name="乙省商务厅")
    DepartmentAlias.objects.create(department=office_by_alias, name="乙联席会议办公室")
    with_reporter = Department.objects.create(name="有填报人的厅")
    inactive = Department.objects.create(name="填报人已停用的厅")
    no_accounts = Department.objects.create(name="无账号的厅")
    merged = Department.objects.create(name="已并入的局")
    collective = Department.objects.create(name="各市县", kind=DepartmentKind.COLLECTIVE)
    for department in (office, office_by_alias, with_reporter, collective):
        make_user(f"reporter-{department.pk}", "reporter", department)
    gone = make_user("gone", "reporter", inactive)
    gone.is_active = False
    gone.save()
    merged.merged_into = with_reporter
    merged.save()
    units = [office, office_by_alias, with_reporter, inactive, no_accounts, merged, collective]
    programmes = [
        ProgrammeFactory(code="jia", issuer="甲联席会议办公室"),
        ProgrammeFactory(code="yi", issuer="乙联席会议办公室"),
    ]
    for programme in programmes:
        task = TaskFactory(programme=programme, category__programme=programme)
        for unit in units:
            AssignmentFactory(task=task, department=unit, role=AssignmentRole.SUPPORT)
    return programmes


def test_the_id_sets_select_the_rows_the_sql_filter_selects(two_programmes):
    programmes = two_programmes
    assignments = Assignment.all_periods.filter(task__programme__in=programmes)
    by_sql = set(
        assignments.exclude(department__kind=DepartmentKind.COLLECTIVE)
        .filter(reporting_departments())
        .values_list("task__programme__code", "department__name")
    )
    units = reporting_units(programmes)
    programme_of = {programme.pk: programme.pk for programme in programmes}
    by_ids = set(
        assignments.filter(
            reporting_units_q(units, field="task__programme_id", programme_of=programme_of)
        ).values_list("task__programme__code", "department__name")
    )

    assert by_ids == by_sql
    assert by_sql == {
        ("jia", "乙省商务厅"),
        ("jia", "有填报人的厅"),
        ("jia", "已并入的局"),
        ("yi", "甲联席会议办公室"),
        ("yi", "有填报人的厅"),
        ("yi", "已并入的局"),
    }


def test_programmes_owing_to_the_same_units_share_one_term(two_programmes):
    jia, yi = two_programmes
    yi.issuer = jia.issuer
    yi.save()
    units = reporting_units([jia, yi])
    programme_of = {jia.pk: jia.pk, yi.pk: yi.pk}
    owed = reporting_units_q(units, field="task__programme_id", programme_of=programme_of)

    assert units[jia.pk] == units[yi.pk]
    # One term, on the units alone (the rows are those of the programmes already).
    assert owed.children == [("department_id__in", sorted(units[jia.pk]))]
