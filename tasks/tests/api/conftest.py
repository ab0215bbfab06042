"""Updates in every state on the small plan, as the API tests read and act on them.

With the root ``plan`` and ``personas`` (clock pinned at 2021-03-10), period 2021-03:
  lead_draft        省商务厅 (lead) on task 1, a draft (version 2)
  support_submitted 海口海关 (support) on task 1, submitted to the lead
  lead_submitted    省商务厅 (lead) on task 3, submitted to the office
and in period 2021-02:
  accepted          海口海关 (lead) on task 2, accepted by the office
plus one PDF of evidence on lead_draft.
"""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from knox.models import AuthToken

from reports.models import ReportRun
from tasks.models import Evidence, ProgressUpdate, Review, Task, TaskStatus
from tasks.services import reporting, review

FILLED = {
    "status": TaskStatus.ON_TRACK,
    "percent": 40,
    "work_done": "完成单一窗口需求调研。",
    "next_steps": "启动系统开发。",
    "problems": "",
    "needs_coordination": False,
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="进展说明.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def draft(task, period, user, data=FILLED):
    update = reporting.start_update(task=task, period=period, actor=user)
    return reporting.save_update(
        update=update, actor=user, data=data, expected_version=update.version
    )


def submitted(task, period, user):
    update = draft(task, period, user)
    return reporting.submit_update(update=update, actor=user, expected_version=update.version)


@pytest.fixture
def filed(plan, personas, clock):
    t1, t2, t3 = plan.tasks
    march, february = plan.periods[(2021, 3)], plan.periods[(2021, 2)]
    accepted = review.accept_update(
        update=submitted(t2, february, personas.support), actor=personas.office
    )
    lead_draft = draft(t1, march, personas.lead)
    evidence = reporting.add_evidence(update=lead_draft, actor=personas.lead, upload=pdf_upload())
    return SimpleNamespace(
        march=march,
        february=february,
        lead_draft=lead_draft,
        support_submitted=submitted(t1, march, personas.support),
        lead_submitted=submitted(t3, march, personas.lead),
        accepted=accepted,
        evidence=evidence,
    )


def snapshot():
    """Everything an API call could change, to assert that a refused call changed nothing."""
    return {
        "updates": list(
            ProgressUpdate.objects.order_by("pk").values_list(
                "pk", "state", "version", "percent", "status", "work_done", "return_count"
            )
        ),
        "evidence": list(Evidence.objects.order_by("pk").values_list("pk", flat=True)),
        "reviews": Review.objects.count(),
        "tokens": list(AuthToken.objects.order_by("user_id").values_list("user_id", "digest")),
        "report_runs": list(ReportRun.objects.order_by("pk").values_list("pk", "state")),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "status", "percent")),
    }
