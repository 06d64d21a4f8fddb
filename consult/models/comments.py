"""Delegation comments and their revisions."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    not_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from consult.extensions import db
from consult.models.accounts import Organization, User
from consult.models.base import UTCDateTime, Versioned, renders_markdown, utcnow
from consult.models.drafts import Release, ReleaseSection, Section, SectionVersion
from consult.models.stamps import nowhere, on_its_section, shown_on, to_its_comments_readers, to_its_readers
from consult.text import language_of

if TYPE_CHECKING:
    from consult.models.positions import Alignment, CoSignature

COMMENT_KINDS = {
    "general": _l("General comment"),
    "amendment": _l("Amendment (proposed text)"),
    "question": _l("Question"),
}

DISPOSITIONS = {
    "accepted": _l("Accepted"),
    "accepted_in_part": _l("Accepted in part"),
    "taken_into_account": _l("Taken into account"),
    "noted": _l("Noted"),
    "not_accepted": _l("Not accepted"),
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


@shown_on(to_its_readers)
class Comment(Versioned, db.Model):
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
    # The group of States the comment is submitted for (the author's organization was a member of it
    # on the day it was written); None: the organization's own comment.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str | None] = mapped_column(Text)
    # The proposed text against the paragraph as commented on, diffed once when written.
    proposed_diff_html: Mapped[str | None] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    late: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    # Entered by the Secretariat on behalf of the delegation (from its Word or Excel table).
    imported: Mapped[bool] = mapped_column(default=False)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("comment_group.id"), index=True)
    # The task force's answer; earlier answers are kept in DispositionRevision.
    disposition: Mapped[str | None] = mapped_column(String(30))
    rationale: Mapped[str | None] = mapped_column(Text)
    resolved_in_version_id: Mapped[int | None] = mapped_column(ForeignKey("section_version.id"))
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The delegation changed its text after the answer: the answer needs confirming.
    answer_outdated: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Where a release proposes answers first (Release.propose_answers): "proposed" (seen by the
    # staff only), then "shared" with the delegation for its reaction; None once final, or with no answer.
    answer_stage: Mapped[str | None] = mapped_column(String(12))
    answer_shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    section: Mapped[Section] = relationship()
    release: Mapped[Release] = relationship()
    version: Mapped[SectionVersion] = relationship(foreign_keys=[version_id])
    # The section as the release commented on printed it: its number and titles there.
    printed: Mapped[ReleaseSection] = relationship(
        primaryjoin=lambda: and_(
            ReleaseSection.release_id == foreign(Comment.release_id),
            ReleaseSection.section_id == foreign(Comment.section_id),
        ),
        viewonly=True,
    )
    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id])
    on_behalf_of: Mapped[Organization | None] = relationship(foreign_keys=[on_behalf_of_id])
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
    resolved_in: Mapped[SectionVersion | None] = relationship(foreign_keys=[resolved_in_version_id])
    group: Mapped["CommentGroup | None"] = relationship(back_populates="comments")
    disposition_history: Mapped[list["DispositionRevision"]] = relationship(
        back_populates="comment", order_by="DispositionRevision.number"
    )
    # Delegations invited to co-sign it, whatever they answered (co_signers: those who sign it now).
    co_signatures: Mapped[list["CoSignature"]] = relationship(back_populates="comment", order_by="CoSignature.id")
    # States that aligned themselves with it, also those that withdrew (aligned: those aligned now).
    alignments: Mapped[list["Alignment"]] = relationship(back_populates="comment", order_by="Alignment.id")

    fingerprint: Mapped["CommentFingerprint | None"] = relationship(
        back_populates="comment", cascade="all, delete-orphan"
    )
    # What the delegation said of the answers proposed to it, every reaction kept.
    reactions: Mapped[list["AnswerReaction"]] = relationship(back_populates="comment", order_by="AnswerReaction.id")

    @property
    def co_signers(self) -> list[Organization]:
        return [signature.organization for signature in self.co_signatures if signature.status == "signed"]

    @property
    def aligned(self) -> list[Organization]:
        return [row.organization for row in self.alignments if row.status == "aligned"]

    @hybrid_property
    def answered(self) -> bool:
        """Answered finally, and not edited by the delegation since (the release gate, the matrix, the
        dashboard): a proposed answer is not an answer yet."""
        return self.disposition is not None and not self.answer_outdated and self.answer_stage is None

    @answered.inplace.expression
    @classmethod
    def _answered_expression(cls):
        return and_(cls.disposition.is_not(None), not_(cls.answer_outdated), cls.answer_stage.is_(None))

    @property
    def answer_number(self) -> int:
        """Which answer the comment has now: 1 for the first, one more for each change."""
        return len(self.disposition_history) + 1

    @property
    def reaction(self) -> "AnswerReaction | None":
        """The delegation's reaction to the answer the comment has now, if it gave one."""
        if not self.reactions:
            return None
        number = self.answer_number
        return next((row for row in reversed(self.reactions) if row.answer_number == number), None)

    @property
    def quote_language(self) -> str | None:
        """A quote is in the language of the text it was taken from, which may not be the comment's."""
        return language_of(self.quote, self.language) if self.quote else None

    @property
    def proposed_language(self) -> str | None:
        """The language of the proposed text: a comment in Chinese may amend the English paragraph."""
        return language_of(self.proposed_text, self.language) if self.proposed_text else None


renders_markdown(Comment.body, "body_html")


@shown_on(to_its_comments_readers)
class CommentRevision(db.Model):
    """An earlier text of a submitted comment, kept when the comment is edited."""

    __table_args__ = (UniqueConstraint("comment_id", "number"),)

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


@shown_on(on_its_section)
class CommentGroup(Versioned, db.Model):
    """Comments on one section that make the same point, answered together."""

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), index=True)
    label: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comments: Mapped[list[Comment]] = relationship(back_populates="group", order_by=Comment.id)


@shown_on(to_its_comments_readers)
class DispositionRevision(db.Model):
    """An answer to a comment as it stood before it was changed."""

    __table_args__ = (UniqueConstraint("comment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    number: Mapped[int] = mapped_column()
    disposition: Mapped[str] = mapped_column(String(30))
    rationale: Mapped[str | None] = mapped_column(Text)
    resolved_in_version_id: Mapped[int | None] = mapped_column(ForeignKey("section_version.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A proposed answer replaced before it was final: its Comment.answer_stage then ("proposed" or
    # "shared"), so that it is read by those who could read it then; None: a final answer.
    stage: Mapped[str | None] = mapped_column(String(12))

    comment: Mapped[Comment] = relationship(back_populates="disposition_history")
    resolved_in: Mapped[SectionVersion | None] = relationship()


@shown_on(nowhere)
class SearchEntry(db.Model):
    """Plain text of everything searchable, kept in step by the services.

    SQLite indexes it with FTS5 (trigram), PostgreSQL with tsvector and pg_trgm indexes; the
    stems of its words (consult.search.stemming) are indexed the same way.
    """

    __table_args__ = (UniqueConstraint("kind", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # version | comment | conclusion
    ref_id: Mapped[int] = mapped_column()
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    # The stemmer of the text's Latin-script words (en, fr or es) and the stems of all its words.
    stem_language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    stems: Mapped[str] = mapped_column(Text, default="", server_default="")


@shown_on(nowhere)
class CommentFingerprint(db.Model):
    """What finds the comments that say nearly the same (consult.comments.similarity), computed when
    the text is written: the hash of its normalized text (equal for one campaign text) and its
    sketch, the smallest hashes of its character shingles, packed in one column; the smallest of
    them are also indexed (CommentSketchValue, one row each) to find the candidates."""

    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    text_hash: Mapped[str] = mapped_column(String(32), index=True)
    # Signed 64-bit big-endian values, smallest first (consult.comments.similarity.packed).
    sketch: Mapped[bytes] = mapped_column(LargeBinary, default=b"")

    comment: Mapped[Comment] = relationship(back_populates="fingerprint")
    values: Mapped[list["CommentSketchValue"]] = relationship(cascade="all, delete-orphan")


@shown_on(nowhere)
class CommentSketchValue(db.Model):
    """One of the smallest values of a comment's sketch: comments of a document sharing several are
    the candidates, found through the index on (document, value) without comparing every pair."""

    __table_args__ = (Index("ix_comment_sketch_value_document_value", "document_id", "value"),)

    comment_id: Mapped[int] = mapped_column(ForeignKey("comment_fingerprint.comment_id"), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))


ANSWER_REACTIONS = {
    "agreed": _l("Agreed"),
    "objected": _l("Objected"),
}


@shown_on(to_its_comments_readers)
class AnswerReaction(db.Model):
    """A delegation's reaction to an answer proposed to its comment: agreed, or objected with a
    reason. A new reaction is a new row (what was said stays on record); ``answer_number`` is the
    answer it reacts to (Comment.answer_number), so a changed answer has no reaction until given."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    answer_number: Mapped[int] = mapped_column()
    reaction: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    reacted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reacted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="reactions")
    organization: Mapped[Organization] = relationship()
    reacted_by: Mapped[User | None] = relationship()
