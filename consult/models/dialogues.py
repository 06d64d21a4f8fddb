"""Structured stakeholder dialogues and their synthesized outcomes."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.accounts import Organization, User
from consult.models.base import UTCDateTime, Versioned, renders_markdown, utcnow
from consult.models.drafts import Consultation, Document, Section

CONSTITUENCIES = {
    "member_states": _l("Member States and their experts"),
    "un_system": _l("UN system entities and other multilateral organizations"),
    "major_stakeholders": _l("Major stakeholders: civil society, professional associations, academia"),
}

DIALOGUE_FORMATS = {
    "in_person": _l("In person"),
    "online": _l("Online"),
    "hybrid": _l("Hybrid"),
}

OUTCOME_STATUSES = {"draft": _l("Draft"), "published": _l("Published")}

agenda_item_section = Table(
    "agenda_item_section",
    db.metadata,
    Column("agenda_item_id", ForeignKey("agenda_item.id"), primary_key=True),
    Column("section_id", ForeignKey("section.id"), primary_key=True, index=True),
)

conclusion_section = Table(
    "conclusion_section",
    db.metadata,
    Column("conclusion_id", ForeignKey("conclusion.id"), primary_key=True),
    Column("section_id", ForeignKey("section.id"), primary_key=True, index=True),
)

dialogue_document = Table(
    "dialogue_document",
    db.metadata,
    Column("dialogue_id", ForeignKey("dialogue.id"), primary_key=True),
    Column("document_id", ForeignKey("document.id"), primary_key=True),
)


class Dialogue(Versioned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    constituency: Mapped[str] = mapped_column(String(30))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The IANA zone of the venue: the page shows the local time there and the reader's.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    place: Mapped[str] = mapped_column(String(200), default="")
    format: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by every change, also of the agenda and participants: each change advances row_version.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A cancelled dialogue stays on record (and on the roadmap, marked); its invitees were told.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    consultation: Mapped[Consultation] = relationship()
    agenda: Mapped[list["AgendaItem"]] = relationship(
        back_populates="dialogue", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    participants: Mapped[list["Participation"]] = relationship(back_populates="dialogue", cascade="all, delete-orphan")
    documents: Mapped[list[Document]] = relationship(secondary=dialogue_document)
    outcome: Mapped["Outcome | None"] = relationship(back_populates="dialogue")

    def has_started(self, at: datetime) -> bool:
        return self.starts_at <= at


class AgendaItem(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id"), index=True)
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(300))

    dialogue: Mapped[Dialogue] = relationship(back_populates="agenda")
    sections: Mapped[list[Section]] = relationship(secondary=agenda_item_section, order_by=Section.position)


class Participation(db.Model):
    """An organization invited to a dialogue, and whether it attended."""

    __table_args__ = (UniqueConstraint("dialogue_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    attended: Mapped[bool] = mapped_column(default=True)

    dialogue: Mapped[Dialogue] = relationship(back_populates="participants")
    organization: Mapped[Organization] = relationship()

    def status(self, at: datetime) -> str:
        """invited until the dialogue starts (nobody has attended it yet), then attended or absent."""
        if not self.dialogue.has_started(at):
            return "invited"
        return "attended" if self.attended else "absent"


class Outcome(Versioned, db.Model):
    """The secretariat's synthesis of a dialogue: a summary and tagged conclusions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id"), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    dialogue: Mapped[Dialogue] = relationship(back_populates="outcome")
    conclusions: Mapped[list["Conclusion"]] = relationship(
        back_populates="outcome", order_by="Conclusion.position", cascade="all, delete-orphan"
    )
    revisions: Mapped[list["OutcomeRevision"]] = relationship(
        back_populates="outcome", order_by="OutcomeRevision.number"
    )
    updated_by: Mapped[User | None] = relationship()


class Conclusion(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id"), index=True)
    position: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)

    outcome: Mapped[Outcome] = relationship(back_populates="conclusions")
    sections: Mapped[list[Section]] = relationship(secondary=conclusion_section, order_by=Section.position)


class OutcomeRevision(db.Model):
    """The published text of an outcome as it stood before an edit."""

    __table_args__ = (UniqueConstraint("outcome_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id"), index=True)
    number: Mapped[int] = mapped_column()
    summary: Mapped[str] = mapped_column(Text)
    # [{"text": ..., "section_ids": [...]}] as they were.
    conclusions: Mapped[list] = mapped_column(JSON)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    outcome: Mapped[Outcome] = relationship(back_populates="revisions")


renders_markdown(Outcome.summary, "summary_html")
renders_markdown(Conclusion.text, "html")
