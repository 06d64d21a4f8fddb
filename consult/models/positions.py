"""Positions beyond one delegation: groups of States and their members, co-signatures of a comment,
alignments with it."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.accounts import Organization, User
from consult.models.base import UTCDateTime, Versioned, utcnow
from consult.models.comments import Comment
from consult.models.stamps import shown_on, to_its_comments_readers, to_the_invited_and_its_comments_readers


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


CO_SIGNATURE_STATUSES = {
    "invited": _l("Invited to co-sign"),
    "signed": _l("Co-signed"),
    "declined": _l("Declined"),
    "withdrawn": _l("Support withdrawn"),
}


@shown_on(to_the_invited_and_its_comments_readers)
class CoSignature(Versioned, db.Model):
    """A delegation invited to co-sign a comment, and what its focal point answered.

    One row per comment and organization; its status moves from invited to signed or declined, and
    from signed to withdrawn, each step timed on the row and in the audit trail (withdrawn support
    stays on record). Versioned: of two answers given at once, the second is a 409.
    """

    __table_args__ = (UniqueConstraint("comment_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="invited")
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    comment: Mapped[Comment] = relationship(back_populates="co_signatures")
    organization: Mapped[Organization] = relationship()


@shown_on(to_its_comments_readers)
class Alignment(Versioned, db.Model):
    """A State aligning itself with another delegation's comment ("Brazil aligns itself with the
    statement of the African Group"), by its focal point's choice: no invitation is needed.

    One row per comment and State: withdrawing the alignment keeps the row (status "withdrawn"),
    aligning again takes it up; each step is in the audit trail. The unique constraint makes two
    alignments sent at once one row; versioned: of two steps on the row at once, the second is a 409.
    """

    __table_args__ = (UniqueConstraint("comment_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="aligned")
    aligned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    aligned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    comment: Mapped[Comment] = relationship(back_populates="alignments")
    organization: Mapped[Organization] = relationship()
