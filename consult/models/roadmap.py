"""The drafting roadmap: dated milestones of a consultation."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.base import UTCDateTime, utcnow
from consult.models.drafts import Consultation, Document, Release

MILESTONE_KINDS = {
    "assembly": _l("UN-Habitat Assembly"),
    "board_session": _l("Executive Board session"),
    "dialogue": _l("Dialogue"),
    "release": _l("Draft release"),
    "comment_window": _l("Comment window"),
    "internal": _l("Internal step"),
}

MILESTONE_STATUSES = {
    "done": _l("Done"),
    "current": _l("Under way"),
    "upcoming": _l("Upcoming"),
    "postponed": _l("Postponed"),
    "cancelled": _l("Cancelled"),
}


class Milestone(db.Model):
    """A step entered by the secretariat; releases and dialogues join the timeline by themselves."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    # Only "postponed" is a decision; the other statuses follow from the dates.
    postponed: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    release_id: Mapped[int | None] = mapped_column(ForeignKey("release.id"))
    dialogue_id: Mapped[int | None] = mapped_column(ForeignKey("dialogue.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship()
    document: Mapped[Document | None] = relationship()
    release: Mapped[Release | None] = relationship()
    dialogue: Mapped["Dialogue | None"] = relationship()  # noqa: F821
