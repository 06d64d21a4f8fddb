"""The domain model, one module per domain; imported here so Alembic sees every table."""

from consult.models.accounts import ApiToken, Organization, RecoveryCode, User, UserSession
from consult.models.audit import AuditEvent
from consult.models.comments import (
    AnswerReaction,
    Comment,
    CommentFingerprint,
    CommentGroup,
    CommentRevision,
    CommentSketchValue,
    DispositionRevision,
    SearchEntry,
)
from consult.models.dialogues import AgendaItem, Conclusion, Dialogue, Outcome, OutcomeRevision, Participation
from consult.models.drafts import (
    Consultation,
    Document,
    Release,
    ReleaseSection,
    Section,
    SectionTranslation,
    SectionVersion,
)
from consult.models.imports import CommentImportPreview, DraftImportPreview
from consult.models.notifications import Notification, NotificationPreference
from consult.models.positions import Alignment, CoSignature, GroupMembership
from consult.models.roadmap import Milestone
from consult.models.stamps import PageStamp

__all__ = [
    "AgendaItem",
    "Alignment",
    "AnswerReaction",
    "ApiToken",
    "AuditEvent",
    "CoSignature",
    "Comment",
    "CommentFingerprint",
    "CommentGroup",
    "CommentImportPreview",
    "CommentRevision",
    "CommentSketchValue",
    "Conclusion",
    "Consultation",
    "Dialogue",
    "DispositionRevision",
    "Document",
    "DraftImportPreview",
    "GroupMembership",
    "Milestone",
    "Notification",
    "NotificationPreference",
    "Organization",
    "Outcome",
    "OutcomeRevision",
    "PageStamp",
    "Participation",
    "RecoveryCode",
    "Release",
    "ReleaseSection",
    "SearchEntry",
    "Section",
    "SectionTranslation",
    "SectionVersion",
    "User",
    "UserSession",
]
