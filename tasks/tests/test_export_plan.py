"""The 责任分工表 workbook: its content, its print set-up and who may download it."""

from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tasks.exports.plan import build_plan_workbook
from tasks.models import Programme

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "plan.json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def exported_sheet(db, tmp_path):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    output = tmp_path / "plan.xlsx"
    call_command("export_plan", "--output", str(output))
    return openpyxl.load_workbook(output)["责任分工表"]


def test_header_row_is_exactly_the_six_columns(exported_sheet):
    header = [cell.value for cell in exported_sheet[2]]

    assert header == ["序号", "类别", "具体举措", "牵头单位", "配合单位", "责任分工（原文）"]


def test_one_row_per_task_in_number_order(exported_sheet):
    numbers = [row[0] for row in exported_sheet.iter_rows(min_row=3, values_only=True)]

    assert numbers == list(range(1, 118))


def test_task_1_row(exported_sheet):
    row = [cell.value for cell in exported_sheet[3]]

    assert row == [
        1,
        "（一）全面探索完善管理体制",
        "加强省服务贸易创新发展试点联席会议对服务贸易扩大开放、政策创新、贸易促进、信息共享等"
        "重大事项的决策、统筹协调和督导工作，及时宣传推广好经验、好做法。",
        "省服务贸易创新发展试点联席会议办公室",
        "各成员单位、有关部门",
        "省服务贸易创新发展试点联席会议办公室（商务厅）牵头，各成员单位和有关部门共同负责推进。",
    ]


def test_task_23_row(exported_sheet):
    row = [cell.value for cell in exported_sheet[25]]

    assert row == [
        23,
        "（二）全面探索扩大对外开放",
        "支持医疗机构加强与国内外保险公司的合作，开展国际商业医疗保险结算试点，"
        "为来华外籍人士就医提供结算服务。",
        "省卫健委",
        "海南银保监局、有关部门",
        "省卫健委牵头，海南银保监局等部门配合落实。",
    ]


def test_sheet_prints_on_a4_landscape_fitted_to_width_with_repeated_header(exported_sheet):
    setup = exported_sheet.page_setup

    assert setup.orientation == "landscape"
    assert int(setup.paperSize) == 9
    assert exported_sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(setup.fitToWidth) == 1
    assert int(setup.fitToHeight) == 0
    # openpyxl reads the title rows back as an absolute reference.
    assert exported_sheet.print_title_rows.replace("$", "") == "2:2"
    assert exported_sheet.freeze_panes == "A3"


def test_cells_wrap_and_the_header_is_bold_and_bordered(exported_sheet):
    assert exported_sheet["A2"].font.bold
    assert exported_sheet["C2"].border.bottom.style == "thin"
    assert exported_sheet["C3"].alignment.wrap_text
    assert exported_sheet["F119"].border.left.style == "thin"
    assert exported_sheet.column_dimensions["C"].width > exported_sheet.column_dimensions["A"].width


def test_building_the_workbook_takes_two_queries_for_117_tasks(db, django_assert_num_queries):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    programme = Programme.objects.get()

    with django_assert_num_queries(2):
        build_plan_workbook(programme=programme)


@pytest.mark.django_db
def test_export_without_a_programme_explains_in_chinese(tmp_path):
    with pytest.raises(CommandError, match="尚未导入任何试点方案"):
        call_command("export_plan", "--output", str(tmp_path / "x.xlsx"))


def test_export_of_an_unknown_programme_code_fails(plan, tmp_path):
    with pytest.raises(CommandError, match="no-such-plan"):
        call_command(
            "export_plan", "--output", str(tmp_path / "x.xlsx"), "--programme", "no-such-plan"
        )


# --- web download --------------------------------------------------------------------------


def test_office_downloads_the_workbook_as_an_attachment(clients):
    response = clients.office.get(reverse("plan-export"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("试点任务责任分工表.xlsx")
    )
    sheet = openpyxl.load_workbook(_as_file(response)).active
    assert [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)] == [1, 2, 3]


def test_reporter_cannot_download_the_workbook(clients):
    response = clients.lead.get(reverse("plan-export"))

    assert response.status_code == 403


def test_read_only_member_cannot_download_the_workbook(clients):
    assert clients.member.get(reverse("plan-export")).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(clients):
    response = clients.anonymous.get(reverse("plan-export"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_download_rejects_post(clients):
    assert clients.office.post(reverse("plan-export")).status_code == 405


def test_admin_action_exports_the_selected_programme(plan, admin_client):
    response = admin_client.post(
        reverse("admin:tasks_programme_changelist"),
        {"action": "export_plan_xlsx", "_selected_action": [plan.programme.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX


def _as_file(response):
    return BytesIO(b"".join(response.streaming_content))
