"""Writing the audit trail; every state-changing service calls ``record``."""

from sqlalchemy import insert

from consult.extensions import db
from consult.models import AuditEvent
from consult.models.base import utcnow

# Built once: the trail grows with every action, and no page shows an event as it is written.
_INSERT_EVENT = insert(AuditEvent.__table__)


def record(actor, action: str, obj, **details) -> None:
    """Write an audit event for ``obj`` (flushed first if it has no id yet), in the request's
    transaction: one INSERT, without an ORM object, since nothing reads it back before the commit.

    A model class instead of an object records an event about no particular object of that kind.
    """
    if isinstance(obj, type):
        object_type, object_id = obj.__name__.lower(), None
    else:
        if obj.id is None:
            db.session.flush()
        object_type, object_id = type(obj).__name__.lower(), obj.id
    db.session.execute(
        _INSERT_EVENT,
        {
            "created_at": utcnow(),
            "actor_id": getattr(actor, "id", None),
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "details": details,
        },
    )
