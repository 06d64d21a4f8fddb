"""Audit events dated in the past, for the tests of the audit log."""

from datetime import datetime

from consult import audit
from consult.extensions import db
from consult.models import AuditEvent


def dated_event(actor, action: str, obj, at: datetime, **details) -> None:
    """An event as ``audit.record`` writes it, dated ``at``."""
    audit.record(actor, action, obj, **details)
    newest = db.session.scalar(db.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    newest.created_at = at
