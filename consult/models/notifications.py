"""The outbox (messages to people, delivered by the mail sender) and what each person wants to hear."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.accounts import User
from consult.models.base import UTCDateTime, utcnow
from consult.models.comments import Comment
from consult.models.stamps import nowhere, shown_on

# What people may choose to hear about, and how.
NOTIFICATION_KINDS = {
    "release": _l("A new release of a document you may comment on"),
    "reminder": _l("A comment window closing soon, with your delegation's drafts still waiting"),
    "review": _l("A delegate's draft waiting for your review"),
    "disposition": _l("An answer to your delegation's comment"),
    "cosign": _l("Invitations to co-sign another delegation's comment"),
    "alignment": _l("States aligning themselves with your delegation's comment, or withdrawing that"),
    "invitation": _l("Dialogue invitations, their changes and cancellations"),
    "outcome": _l("The published outcome of a dialogue your organization took part in"),
    "reaction": _l("A delegation agreeing or objecting to an answer you proposed"),
}
# Messages about one's account (a link to set or reset the password) always go at once.
ACCOUNT_KINDS = ("account_setup", "password_reset")
DELIVERIES = {
    "immediately": _l("At once, one message each"),
    "daily": _l("In one daily digest"),
    "never": _l("Never"),
}
DEFAULT_DELIVERY = "immediately"
# Every kind of message, as the outbox names it.
MESSAGE_KINDS = {
    **NOTIFICATION_KINDS,
    "account_setup": _l("A link to choose the password of a new account"),
    "password_reset": _l("A link to choose a new password"),
    "digest": _l("The daily digest"),
}


@shown_on(nowhere)
class Notification(db.Model):
    """One message to one person, written in the transaction of the change it tells about.

    The sender claims it when it is due (``next_attempt_at``), sends it under its own
    ``message_id`` (so that a resend after a crash is recognised as the same message), and sets
    ``sent_at``; a failed attempt is kept with its error and tried again later. A message for the
    daily digest is never sent alone: the digest that carries it is (``digest_id``).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    # The recipient's language when it was written: subject and body are in it.
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # The page concerned, as a path of this site; the sender makes it absolute with BASE_URL.
    link: Mapped[str | None] = mapped_column(String(500))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    # An iCalendar object (an invitation, its update or its cancellation) sent with the message.
    calendar: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    delivery: Mapped[str] = mapped_column(String(12), default=DEFAULT_DELIVERY, server_default=DEFAULT_DELIVERY)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"), index=True)
    # Makes a message that must exist once (a reminder, a digest) unique however often it is written.
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # When the sender may next try it; None once sent, and for a message waiting for the digest.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    # Held by one sender while it sends; a claim older than MAIL_CLAIM_SECONDS is taken as abandoned.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User] = relationship()
    comment: Mapped[Comment | None] = relationship()
    digest: Mapped["Notification | None"] = relationship(remote_side=[id])


@shown_on(nowhere)
class NotificationPreference(db.Model):
    """How one person wants to hear about one kind of news; without a row, at once."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(12))
