"""The slip rules on the real plan the demo loads (117 tasks, 2020-08-02 … 2023-08-01,
tasks due 2022-12-31), with hand counts: 省商务厅 leads 43 tasks (README); 海口海关 is named
负责推进 in the source document on tasks 9, 14, 41, 83 and 89 (qsf-2020-150.txt, lines 140,
148, 185, 238, 246); collectives (各市县, 有关部门 …) are never lead units."""

import datetime
import io

import pytest
from django.core.management import call_command

from departments.models import Department, DepartmentKind
from pilot.testing.factories import stamp
from tasks import supervision
from tasks.models import Programme, SlipLevel, SupervisionSlip
from tasks.services import slips

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_plan(db, clock):
    clock.move_to(stamp(2020, 10, 15))
    call_command("load_plan", stdout=io.StringIO())
    call_command("generate_periods", stdout=io.StringIO())
    return Programme.objects.get()


def test_two_periods_without_any_report_give_every_lead_unit_a_yellow_slip(demo_plan):
    # On 2020-10-15 the periods past their due date are 2020-08 and 2020-09; nothing filed.
    issued = slips.run_slip_rules(programme=demo_plan, today=datetime.date(2020, 10, 15))
    commerce = Department.objects.get(name="省商务厅")
    customs = Department.objects.get(name="海口海关")
    to_commerce = [slip for slip in issued if slip.department_id == commerce.pk]
    assert len(to_commerce) == 43
    assert sorted(slip.task.number for slip in issued if slip.department_id == customs.pk) == [
        9,
        14,
        41,
        83,
        89,
    ]
    assert {slip.level for slip in issued} == {SlipLevel.YELLOW}
    assert not SupervisionSlip.objects.filter(department__kind=DepartmentKind.COLLECTIVE).exists()
    assert issued[0].reason == "该任务连续2个报送期（2020年8月、2020年9月）无进展。"
    outstanding = supervision.outstanding_by_department(demo_plan, datetime.date(2020, 10, 15))
    assert (outstanding[commerce.pk], outstanding[customs.pk]) == (43, 5)
    assert sum(outstanding.values()) == len(issued)


def test_before_two_periods_have_passed_no_rule_applies(demo_plan):
    # 2020-09-20: only the 2020-08 period (due 2020-08-25) has passed its due date.
    assert slips.evaluate(programme=demo_plan, today=datetime.date(2020, 9, 20)) == []
