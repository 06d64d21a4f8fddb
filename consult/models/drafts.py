"""Consultations, documents, sections, their immutable versions, and releases."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.accounts import User
from consult.models.base import UTCDateTime, Versioned, renders_markdown, utcnow
from consult.models.stamps import document_scope, on_its_section, section_scope, shown_on

DOCUMENT_KINDS = {
    "plan_draft": _l("Strategic plan draft"),
    "guiding_principles": _l("Guiding principles"),
    "priority_statements": _l("Priority statements"),
    "other": _l("Other document"),
}


class Consultation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    documents: Mapped[list["Document"]] = relationship(back_populates="consultation", order_by="Document.id")


class Document(db.Model):
    """One text in up to six languages: ``language`` is the original's; translations hang on its versions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30), default="plan_draft")
    language: Mapped[str] = mapped_column(String(10))
    symbol: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="documents")
    sections: Mapped[list["Section"]] = relationship(back_populates="document", order_by="Section.position")
    releases: Mapped[list["Release"]] = relationship(back_populates="document", order_by="Release.number")


section_link = Table(
    "section_link",
    db.metadata,
    Column("section_id", ForeignKey("section.id"), primary_key=True),
    Column("related_section_id", ForeignKey("section.id"), primary_key=True, index=True),
)


@shown_on(lambda section, _change: [section_scope(section.id)])
class Section(Versioned, db.Model):
    __table_args__ = (UniqueConstraint("document_id", "anchor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    # Set once at creation and never changed: links and comments hang on it.
    anchor: Mapped[str] = mapped_column(String(80))
    # The working draft's: its number (renumbered when a release is published), place and titles.
    # What each release printed is kept in ReleaseSection.
    number: Mapped[str] = mapped_column(String(20))
    heading: Mapped[str] = mapped_column(String(300), default="")
    chapter: Mapped[str] = mapped_column(String(300), default="")
    subsection: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column()
    # The highest version number; advanced with a compare-and-swap UPDATE so that
    # two editors saving at once cannot both win.
    latest_version: Mapped[int] = mapped_column(default=0)
    # Retired from the working draft: not in the next release, kept in the earlier ones with its comments.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_reason: Mapped[str | None] = mapped_column(Text)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The first release without it, once one is published.
    retired_in_release_id: Mapped[int | None] = mapped_column(ForeignKey("release.id"))

    document: Mapped[Document] = relationship(back_populates="sections")
    retired_in: Mapped["Release | None"] = relationship(foreign_keys=[retired_in_release_id])
    versions: Mapped[list["SectionVersion"]] = relationship(back_populates="section", order_by="SectionVersion.number")
    # E.g. a priority statement → the paragraphs of the draft that answer it.
    related: Mapped[list["Section"]] = relationship(
        secondary=section_link,
        primaryjoin=lambda: Section.id == section_link.c.section_id,
        secondaryjoin=lambda: Section.id == section_link.c.related_section_id,
        order_by=lambda: Section.position,
    )


@shown_on(on_its_section)
class SectionVersion(db.Model):
    """Immutable: a revision is always a new row."""

    __table_args__ = (UniqueConstraint("section_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), index=True)
    number: Mapped[int] = mapped_column()
    body: Mapped[str] = mapped_column(Text)
    # Rendered and sanitized once, when the version is created.
    body_html: Mapped[str] = mapped_column(Text)
    change_note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    section: Mapped[Section] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()
    addressed_comments: Mapped[list["Comment"]] = relationship(  # noqa: F821
        secondary="version_addressed_comment", back_populates="addressed_in"
    )


renders_markdown(SectionVersion.body, "body_html")


@shown_on(on_its_section)
class SectionTranslation(db.Model):
    """The text of one version of a section in another language than the original. Immutable: a
    correction or the translation of a later version is a new row; the newest one is read.

    Outdated when the version it translates is no longer the one being read.
    """

    __table_args__ = (Index("ix_section_translation_section_language", "section_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    # The version of the original it translates.
    version_id: Mapped[int] = mapped_column(ForeignKey("section_version.id"))
    language: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    heading: Mapped[str] = mapped_column(String(300), default="")
    chapter: Mapped[str] = mapped_column(String(300), default="")
    subsection: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    section: Mapped[Section] = relationship()
    version: Mapped[SectionVersion] = relationship()


renders_markdown(SectionTranslation.body, "body_html")


@shown_on(lambda release, _change: [document_scope(release.document_id)])
class Release(Versioned, db.Model):
    """A published snapshot of a document with its comment window (times in UTC)."""

    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    number: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    comments_open_at: Mapped[datetime] = mapped_column(UTCDateTime)
    comments_close_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accept_late: Mapped[bool] = mapped_column(default=False)
    # Why the Secretariat published although comments on the previous release were unanswered.
    gate_override_reason: Mapped[str | None] = mapped_column(Text)
    # Once set (after the window closed), the comment-response matrix of this release is public.
    compilation_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the Secretariat published the compilation although comments of the window were unanswered.
    compilation_override_reason: Mapped[str | None] = mapped_column(Text)
    # Answers to this release's comments are proposed to each delegation for its reaction (agree,
    # or object with a reason) before the task force makes them final.
    propose_answers: Mapped[bool] = mapped_column(default=False, server_default="0")

    document: Mapped[Document] = relationship(back_populates="releases")
    published_by: Mapped[User | None] = relationship()
    snapshot: Mapped[list["ReleaseSection"]] = relationship(back_populates="release")

    def is_open(self, at: datetime) -> bool:
        return self.comments_open_at <= at < self.comments_close_at

    def has_closed(self, at: datetime) -> bool:
        return at >= self.comments_close_at

    def takes_comments(self, at: datetime) -> bool:
        """Comments may be written, changed and submitted: the window is open, or closed with late comments accepted."""
        return self.is_open(at) or (self.accept_late and self.has_closed(at))


@shown_on(on_its_section)
class ReleaseSection(db.Model):
    """Which version of a section a release published, where, and under which number and titles."""

    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"), primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("section_version.id"))
    number: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column()
    heading: Mapped[str] = mapped_column(String(300), default="")
    chapter: Mapped[str] = mapped_column(String(300), default="")
    subsection: Mapped[str] = mapped_column(String(300), default="")

    release: Mapped[Release] = relationship(back_populates="snapshot")
    section: Mapped[Section] = relationship()
    version: Mapped[SectionVersion] = relationship()
