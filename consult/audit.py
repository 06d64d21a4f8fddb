"""Writing the audit trail; every state-changing service calls ``record``."""

from consult.extensions import db
from consult.models import AuditEvent


def record(actor, action: str, obj, **details) -> AuditEvent:
    """Add an audit event for ``obj`` (flushed first if it has no id yet).

    A model class instead of an object records an event about no particular object of that kind.
    """
    if isinstance(obj, type):
        object_type, object_id = obj.__name__.lower(), None
    else:
        if obj.id is None:
            db.session.flush()
        object_type, object_id = type(obj).__name__.lower(), obj.id
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
    db.session.add(event)
    return event
