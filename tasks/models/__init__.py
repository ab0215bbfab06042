from tasks.models.audit import AuditEvent, AuditVerb
from tasks.models.plan import Assignment, AssignmentRole, Category, Programme, Task, TaskStatus
from tasks.models.reporting import (
    Evidence,
    ProgressUpdate,
    ReportingPeriod,
    ReturnReason,
    Review,
    ReviewAction,
    UpdateRevision,
    UpdateState,
)
from tasks.models.versions import DataVersion

__all__ = [
    "Assignment",
    "AssignmentRole",
    "AuditEvent",
    "AuditVerb",
    "Category",
    "DataVersion",
    "Evidence",
    "Programme",
    "ProgressUpdate",
    "ReportingPeriod",
    "ReturnReason",
    "Review",
    "ReviewAction",
    "Task",
    "TaskStatus",
    "UpdateRevision",
    "UpdateState",
]
