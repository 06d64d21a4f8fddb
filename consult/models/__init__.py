"""The domain model, one module per domain; imported here so Alembic sees every table."""

from consult.models.accounts import ApiToken, Organization, User
from consult.models.audit import AuditEvent
from consult.models.comments import Comment, CommentRevision
from consult.models.dialogues import AgendaItem, Conclusion, Dialogue, Outcome, OutcomeRevision, Participation
from consult.models.drafts import (
    Consultation,
    Document,
    Release,
    ReleaseSection,
    Section,
    SectionVersion,
)
from consult.models.roadmap import Milestone

__all__ = [
    "AgendaItem",
    "ApiToken",
    "AuditEvent",
    "Comment",
    "CommentRevision",
    "Conclusion",
    "Consultation",
    "Dialogue",
    "Document",
    "Milestone",
    "Organization",
    "Outcome",
    "OutcomeRevision",
    "Participation",
    "Release",
    "ReleaseSection",
    "Section",
    "SectionVersion",
    "User",
]
