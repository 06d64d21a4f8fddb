"""Writing the audit trail; every state-changing service calls ``record``."""

from consult.extensions import db
from consult.models import AuditEvent


def record(actor, action: str, obj, **details) -> AuditEvent:
    """Add an audit event for ``obj`` (which must already have an id: flush first)."""
    if obj.id is None:
        db.session.flush()
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=obj.id,
        details=details,
    )
    db.session.add(event)
    return event
