"""Delegation comments and their revisions."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.accounts import Organization, User
from consult.models.base import UTCDateTime, utcnow
from consult.models.drafts import Release, Section, SectionVersion

COMMENT_KINDS = {
    "general": _l("General comment"),
    "amendment": _l("Amendment (proposed text)"),
    "question": _l("Question"),
}

COMMENT_STATUSES = {
    "draft": _l("Draft (not submitted)"),
    "submitted": _l("Submitted"),
    "withdrawn": _l("Withdrawn"),
}

version_addressed_comment = Table(
    "version_addressed_comment",
    db.metadata,
    Column("version_id", ForeignKey("section_version.id"), primary_key=True),
    Column("comment_id", ForeignKey("comment.id"), primary_key=True, index=True),
)


class Comment(db.Model):
    __table_args__ = (
        Index("ix_comment_section_status", "section_id", "status"),
        Index("ix_comment_organization_status", "organization_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"), index=True)
    # The section version as it stood in that release.
    version_id: Mapped[int] = mapped_column(ForeignKey("section_version.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str | None] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    late: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    section: Mapped[Section] = relationship()
    release: Mapped[Release] = relationship()
    version: Mapped[SectionVersion] = relationship()
    organization: Mapped[Organization] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    revisions: Mapped[list["CommentRevision"]] = relationship(
        back_populates="comment", order_by="CommentRevision.number"
    )
    addressed_in: Mapped[list[SectionVersion]] = relationship(
        secondary=version_addressed_comment,
        back_populates="addressed_comments",
        order_by=SectionVersion.number,
    )


class CommentRevision(db.Model):
    """An earlier text of a submitted comment, kept when the comment is edited."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    number: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str | None] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # When this text was replaced.
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="revisions")
