from tasks.models.audit import AuditEvent, AuditVerb
from tasks.models.meetings import AgendaItem, AgendaSource, Decision, Meeting
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

__all__ = [
    "AgendaItem",
    "AgendaSource",
    "Assignment",
    "AssignmentRole",
    "AuditEvent",
    "AuditVerb",
    "Category",
    "Decision",
    "Evidence",
    "Meeting",
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
