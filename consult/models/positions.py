"""Positions beyond one delegation: groups of States and their members."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.accounts import Organization, User
from consult.models.base import UTCDateTime, Versioned, utcnow


# Who belongs to a group changes the groups offered on comment forms, which every section page shows.
class GroupMembership(Versioned, db.Model):
    """One State's membership of a group of States (the African Group, the G77 …) over a period.

    ``valid_from`` None: a member since before the source it was loaded from, which does not say
    since when. ``valid_to`` None: a member still. Both days count. Ending a membership keeps the
    row: who belonged when stays on record.
    """

    __table_args__ = (Index("ix_group_membership_group_member", "group_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # Where the membership is written: the published list it was loaded from, or the Secretariat's note.
    source: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    group: Mapped[Organization] = relationship(foreign_keys=[group_id])
    member: Mapped[Organization] = relationship(foreign_keys=[member_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    def current_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)
