"""The plan import pages over HTTP: office only, a preview that never writes, forms that
keep what was typed and answer 400 with the reason."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import PlanImport, PlanImportStatus, Programme
from tasks.plan_import.readers import read_upload
from tasks.tests.plan_import_helpers import second_plan_meta

TABLE = (
    "序号,试点任务,具体举措,责任分工,完成时限\n"
    "1,（一）完善体制,建立工作机制。,省商务厅牵头，省新设局配合。,2021年5月底\n"
    "2,（一）完善体制,建设服务平台。,海口海关负责推进，省商务厅配合落实。,\n"
    "3,(二)扩大开放,开展试点评估。,省财政厅、省商务厅负责推进。,\n"
)


def _upload(client, name="方案.csv", data: bytes | None = None):
    upload = SimpleUploadedFile(name, TABLE.encode() if data is None else data)
    return client.post(reverse("plan-import-list"), {"file": upload})


@pytest.fixture
def draft(clients, clock) -> PlanImport:
    response = _upload(clients.office)
    assert response.status_code == 302
    return PlanImport.objects.get()


def test_office_uploads_a_table_and_is_sent_to_its_preview(clients, draft):
    response = clients.office.get(reverse("plan-import-preview", args=[draft.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "省新设局" in body and "新单位" in body
    assert "完全一致" in body
    assert "单位“省新设局”尚未确认" in body
    assert "（二）扩大开放" in body
    assert "2021-05-31" in body


def test_preview_page_takes_a_bounded_number_of_queries(
    clients, draft, django_assert_max_num_queries
):
    # Session and user, the import, departments and aliases (matching), the programme code
    # check, the departments for the pickers, the unread notifications.
    with django_assert_max_num_queries(10):
        clients.office.get(reverse("plan-import-preview", args=[draft.pk]))


def test_a_bad_file_is_refused_on_the_form_and_nothing_is_kept(clients, clock):
    gbk = TABLE.encode("gbk")

    response = _upload(clients.office, "方案.csv", gbk)

    assert response.status_code == 400
    assert "不是 UTF-8 编码" in response.content.decode()
    assert PlanImport.objects.count() == 0


@pytest.mark.parametrize("persona", ["lead", "support", "outsider", "member"])
def test_other_roles_get_403_on_every_import_page(clients, draft, persona):
    client = getattr(clients, persona)
    for url in (
        reverse("plan-import-list"),
        reverse("plan-import-template"),
        reverse("plan-import-preview", args=[draft.pk]),
        reverse("plan-import-file", args=[draft.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert _upload(client).status_code == 403
    response = client.post(reverse("plan-import-confirm", args=[draft.pk]))
    assert response.status_code == 403
    assert PlanImport.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(clients, draft):
    response = clients.anonymous.get(reverse("plan-import-preview", args=[draft.pk]))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_office_settles_units_and_details_then_confirms(clients, draft):
    office = clients.office
    url = reverse("plan-import-unit", args=[draft.pk])
    response = office.post(
        url, {"name": "省新设局", "action": "create", "kind": "", "short_name": ""}
    )
    assert response.status_code == 400
    assert "请选择新单位的类型" in response.content.decode()

    response = office.post(
        url, {"name": "省新设局", "action": "create", "kind": "provincial", "short_name": "新设局"}
    )
    assert response.status_code == 302
    meta = {**second_plan_meta(), "code": "small-plan", "starts_on": "2021-01-01"}
    meta["ends_on"] = "2021-12-31"
    assert office.post(reverse("plan-import-meta", args=[draft.pk]), meta).status_code == 302

    response = office.post(reverse("plan-import-confirm", args=[draft.pk]), follow=True)

    assert "已导入《海南省数字经济创新发展试点实施方案》：3 项任务" in response.content.decode()
    programme = Programme.objects.get(code="small-plan")
    assert programme.periods.count() == 12
    draft.refresh_from_db()
    assert draft.status == PlanImportStatus.CONFIRMED


def test_the_downloaded_template_is_a_table_the_importer_reads(clients, clock):
    response = clients.office.get(reverse("plan-import-template"))

    table = read_upload("模板.xlsx", response.content)
    assert [(row.number, row.category, row.responsibility) for row in table.rows] == [
        ("1", "（一）示例类别", "省商务厅牵头，有关部门配合。")
    ]


def test_a_refused_row_fix_shows_the_typed_text_again(clients, draft):
    url = reverse("plan-import-row", args=[draft.pk, 1])
    typed = {"number": "", "measure": "改写后的举措\x1b", "responsibility": "海口海关负责推进。"}

    response = clients.office.post(url, typed)

    body = response.content.decode()
    assert response.status_code == 400
    assert "控制字符" in body
    assert "改写后的举措" in body
    draft.refresh_from_db()
    assert draft.rows[1]["measure"] == "建设服务平台。"
