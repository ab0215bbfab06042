from pilot import clock
from tasks.models import AuditEvent


def record_event(*, task, verb: str, actor, update=None, detail: str = "") -> AuditEvent:
    """Append one line to the task's audit history (called inside the caller's transaction)."""
    return AuditEvent.objects.create(
        task=task, update=update, verb=verb, actor=actor, at=clock.now(), detail=detail[:500]
    )
