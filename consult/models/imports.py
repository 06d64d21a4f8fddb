"""Imports waiting for confirmation (comments, a next draft, a translation): what the preview showed,
kept on the server."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.accounts import Organization
from consult.models.base import UTCDateTime, utcnow
from consult.models.stamps import nowhere, shown_on


@shown_on(nowhere)
class CommentImportPreview(db.Model):
    """The rows an upload would create, until the user who previewed them confirms them, once.

    The confirmation form carries only a random token; the table keeps its SHA-256, so that
    the database alone gives nobody a token that works.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    # The release the rows were matched against: a newer one needs a new preview.
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"))
    rows: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()


@shown_on(nowhere)
class DraftImportPreview(db.Model):
    """The next draft of a document or its translation, read from a file, until the user who
    previewed it confirms it, once (the token works as for ``CommentImportPreview``).

    ``kind`` is "next_draft" (``payload``: the file's paragraphs and, for each, the section it
    continues as first proposed) or "translation" (``payload``: the matched paragraphs and the
    version each translates). ``basis`` is the fingerprint of the working draft the preview was
    made from: a draft changed since makes the confirmation a conflict.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    language: Mapped[str] = mapped_column(String(10))
    basis: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
