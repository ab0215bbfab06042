from tasks.models.audit import AuditEvent, AuditVerb
from tasks.models.plan import Assignment, AssignmentRole, Category, Programme, Task, TaskStatus
from tasks.models.plan_history import PlanChange, PlanChangeKind, TaskRevision
from tasks.models.plan_import import PlanImport, PlanImportStatus
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

__all__ = [
    "Assignment",
    "AssignmentRole",
    "AuditEvent",
    "AuditVerb",
    "Category",
    "Evidence",
    "PlanChange",
    "PlanChangeKind",
    "PlanImport",
    "PlanImportStatus",
    "Programme",
    "ProgressUpdate",
    "ReportingPeriod",
    "ReturnReason",
    "Review",
    "ReviewAction",
    "Task",
    "TaskRevision",
    "TaskStatus",
    "UpdateRevision",
    "UpdateState",
]
