from tasks.models.audit import AuditEvent, AuditVerb
from tasks.models.meetings import AgendaItem, AgendaSource, Decision, Meeting
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
from tasks.models.supervision import (
    OPEN_EXTENSION_STATES,
    OPEN_SLIP_STATUSES,
    SLIP_LEVELS,
    Extension,
    ExtensionEvidence,
    ExtensionState,
    SlipLevel,
    SlipOrigin,
    SlipRules,
    SlipStatus,
    SupervisionSlip,
)
from tasks.models.versions import DataVersion

__all__ = [
    "OPEN_EXTENSION_STATES",
    "OPEN_SLIP_STATUSES",
    "SLIP_LEVELS",
    "AgendaItem",
    "AgendaSource",
    "Assignment",
    "AssignmentRole",
    "AuditEvent",
    "AuditVerb",
    "Category",
    "DataVersion",
    "Decision",
    "Evidence",
    "Extension",
    "ExtensionEvidence",
    "ExtensionState",
    "Meeting",
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
    "SlipLevel",
    "SlipOrigin",
    "SlipRules",
    "SlipStatus",
    "SupervisionSlip",
    "Task",
    "TaskRevision",
    "TaskStatus",
    "UpdateRevision",
    "UpdateState",
]
