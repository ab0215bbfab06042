"""A hand-counted February 2021 on top of the shared ``plan`` (see conftest.py).

Expected submissions (concrete units with reporter accounts): six.
  task 1 省商务厅 lead   accepted, on time     task 1 海口海关 support  submitted, LATE
  task 2 海口海关 lead   accepted, on time     task 2 省商务厅 support  nothing → missing
  task 3 省财政厅 lead   draft → missing        task 3 省商务厅 lead     returned, on time
So: on time 3, late 1, missing 2, on-time rate 50.0 %.
Task states: task 1 正常推进 40 %, task 2 进度滞后 20 % (needs coordination), task 3 未启动 0 %.
Late units: 海口海关 (late: 1), 省商务厅 (missing: 2), 省财政厅 (missing: 3).
"""

from pilot.testing.factories import UpdateFactory, stamp
from tasks.models import AssignmentRole, TaskStatus, UpdateState

ON_TIME = stamp(2021, 2, 20)
LATE = stamp(2021, 2, 27)


def build_february(plan) -> object:
    period = plan.periods[(2021, 2)]
    t1, t2, t3 = plan.tasks
    lead, support = AssignmentRole.LEAD, AssignmentRole.SUPPORT
    rows = [
        (t1, plan.commerce, lead, UpdateState.ACCEPTED, ON_TIME, False, {}),
        (t1, plan.customs, support, UpdateState.SUBMITTED, LATE, True, {}),
        (
            t2,
            plan.customs,
            lead,
            UpdateState.ACCEPTED,
            ON_TIME,
            False,
            {
                "status": TaskStatus.BEHIND,
                "percent": 20,
                "needs_coordination": True,
                "problems": "需要协调查验场地。",
                "work_done": "完成通关流程梳理。",
            },
        ),
        (t3, plan.finance, lead, UpdateState.DRAFT, None, False, {}),
        (t3, plan.commerce, lead, UpdateState.RETURNED, ON_TIME, False, {"return_count": 1}),
    ]
    for task, department, role, state, submitted, late, extra in rows:
        values = {"work_done": f"{department.name}本期工作。", "percent": 40, **extra}
        UpdateFactory(
            task=task,
            period=period,
            department=department,
            role=role,
            state=state,
            first_submitted_at=submitted,
            submitted_at=submitted,
            is_late=late,
            **values,
        )
    _set_task(t1, TaskStatus.ON_TRACK, 40, False)
    _set_task(t2, TaskStatus.BEHIND, 20, True)
    return period


def _set_task(task, status, percent, coordination):
    task.status, task.percent, task.needs_coordination = status, percent, coordination
    task.save(update_fields=["status", "percent", "needs_coordination"])
