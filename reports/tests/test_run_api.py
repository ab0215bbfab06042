"""POST /api/v1/report-runs/: every missing or invalid field is a 400 with a Chinese message."""

import pytest

from pilot.testing.factories import PeriodFactory, ProgrammeFactory
from reports.models import ReportKind, ReportRun

pytestmark = pytest.mark.django_db

URL = "/api/v1/report-runs/"
P = object()  # stands for the plan's programme id


def _post(client, body):
    return client.post(URL, body, content_type="application/json")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"kind": ["请填写此字段。"], "programme": ["请填写此字段。"]}),
        ({"kind": "monthly", "programme": P}, {"period": ["请选择报送期次。"]}),
        ({"kind": "monthly", "programme": P, "period": None}, {"period": ["请选择报送期次。"]}),
        ({"kind": "late_list", "programme": P}, {"period": ["请选择报送期次。"]}),
        ({"kind": "weekly", "programme": P}, {"kind": ["未知的报告类型“weekly”。"]}),
        (
            {"kind": "monthly", "programme": P, "period": 99999},
            {"period": ["编号为 99999 的记录不存在。"]},
        ),
        (
            {"kind": "monthly", "programme": P, "period": "二月"},
            {"period": ["请填写记录编号（整数）。"]},
        ),
        ({"kind": "monthly", "programme": None}, {"programme": ["此字段不能为空。"]}),
    ],
)
def test_a_missing_or_invalid_field_is_a_400_naming_it(clients, plan, body, errors):
    body = {key: plan.programme.pk if value is P else value for key, value in body.items()}

    response = _post(clients.office, body)

    assert response.status_code == 400
    assert {key: response.json()[key] for key in errors} == errors
    assert ReportRun.objects.count() == 0


def test_an_urging_notice_without_a_department_is_a_400(clients, plan):
    body = {"kind": "urging", "programme": plan.programme.pk, "period": plan.periods[(2021, 2)].pk}

    response = _post(clients.office, body)

    assert response.status_code == 400
    assert response.json()["department"] == ["催报通知须选择单位。"]


def test_a_period_of_another_programme_is_a_400(clients, plan):
    other = PeriodFactory(programme=ProgrammeFactory())
    body = {"kind": "monthly", "programme": plan.programme.pk, "period": other.pk}

    response = _post(clients.office, body)

    assert response.status_code == 400
    assert response.json()["period"] == ["期次不属于该方案。"]


def test_a_report_asked_through_the_api_before_the_due_date_is_marked_interim(clients, plan, clock):
    body = {"kind": "monthly", "programme": plan.programme.pk, "period": plan.periods[(2021, 3)].pk}

    response = _post(clients.office, body)

    assert response.status_code == 202
    data = response.json()
    assert data["is_interim"] is True
    assert data["cutoff"] == "2021-03-10T10:00:00+08:00"
    assert ReportRun.objects.get().kind == ReportKind.MONTHLY
