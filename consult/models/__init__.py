"""The domain model, one module per domain; imported here so Alembic sees every table."""

from consult.models.accounts import ApiToken, Organization, User
from consult.models.audit import AuditEvent
from consult.models.comments import Comment, CommentRevision
from consult.models.drafts import (
    Consultation,
    Document,
    Release,
    ReleaseSection,
    Section,
    SectionVersion,
)

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Comment",
    "CommentRevision",
    "Consultation",
    "Document",
    "Organization",
    "Release",
    "ReleaseSection",
    "Section",
    "SectionVersion",
    "User",
]
