"""The sender: reminders and digests that have fallen due, then every due message, each sent once.

Several senders may run at once (on several servers): each claims a batch of due messages in one
statement — on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so that they take different rows; on
SQLite the statement runs under the database's single write lock — and commits the claim before
it sends. A message is marked sent right after the server took it. A sender that dies between the
two leaves a claim that lapses after MAIL_CLAIM_SECONDS: the message is then sent again under the
same Message-ID, which mail programs recognise as the one they have. A message the server refused
is kept with its error and tried again later, each time after twice as long. When the server cannot
be reached at all, nothing is counted against the messages: they wait, due, for the next run.
"""

import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from consult.auth.recovery import password_link
from consult.extensions import db
from consult.models import Comment, Notification, Release, User
from consult.models.base import utcnow
from consult.models.notifications import ACCOUNT_KINDS
from consult.notifications import mail, messages


@dataclass
class Report:
    reminders: int = 0
    digests: int = 0
    sent: int = 0
    failed: int = 0
    unreachable: str | None = None  # why the server could not be used, if it could not


def run_once(now: datetime | None = None) -> Report:
    """Create the reminders and digests due, then send everything due; commits as it goes."""
    report = Report()
    report.reminders = create_due_reminders(now or utcnow())
    db.session.commit()
    report.digests = create_due_digests(now or utcnow())
    db.session.commit()
    send_due(report)
    return report


# -- reminders --------------------------------------------------------------------------


def reminder_due(release: Release, now: datetime) -> int | None:
    """The threshold (hours before the close) whose reminder is due for this window now, if any.

    The nearest threshold already passed, and only one that passed while the window was open: a
    window opened two days before its close is not announced as closing "in 7 days"."""
    closes, opens = release.comments_close_at, release.comments_open_at
    if not opens <= now < closes:
        return None
    passed = [
        hours
        for hours in current_app.config["REMINDER_HOURS"]
        if closes - timedelta(hours=hours) <= now and opens <= closes - timedelta(hours=hours)
    ]
    return min(passed) if passed else None


def create_due_reminders(now: datetime) -> int:
    """Remind every focal point of each window closing soon; a reminder already written is not written again."""
    written = 0
    releases = db.session.scalars(
        select(Release)
        .where(Release.comments_open_at <= now, Release.comments_close_at > now)
        .options(selectinload(Release.document))
        .order_by(Release.id)
    ).all()
    focal_points = None
    for release in releases:
        hours = reminder_due(release, now)
        if hours is None:
            continue
        if focal_points is None:
            focal_points = db.session.scalars(
                select(User)
                .where(User.active.is_(True), User.role == "focal_point", User.organization_id.is_not(None))
                .order_by(User.id)
            ).all()
        # Those already reminded are left out before anything is composed: the sender runs every minute or so.
        keys = {messages.reminder_key(release, hours, user.id): user for user in focal_points}
        reminded = set(db.session.scalars(select(Notification.dedup_key).where(Notification.dedup_key.in_(keys))))
        due = [user for key, user in keys.items() if key not in reminded]
        if not due:
            continue
        drafts: dict[int, list[Comment]] = {}
        for comment in db.session.scalars(
            select(Comment)
            .where(Comment.release_id == release.id, Comment.status == "draft")
            .options(selectinload(Comment.section), selectinload(Comment.author))
            .order_by(Comment.created_at, Comment.id)
        ):
            drafts.setdefault(comment.organization_id, []).append(comment)
        written += messages.window_closing(release, hours, due, drafts)
    return written


# -- daily digests ----------------------------------------------------------------------


def _local(user: User, now: datetime) -> datetime:
    try:
        return now.astimezone(zoneinfo.ZoneInfo(user.timezone or "UTC"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now


def create_due_digests(now: datetime) -> int:
    """One digest a day per person with messages waiting for it, from MAIL_DIGEST_HOUR of their own day.

    The digest's key is the person and their date: two senders racing write it once, and messages
    written after it wait for the next day's."""
    waiting = (
        select(Notification.recipient_id)
        .where(Notification.delivery == "daily", Notification.digest_id.is_(None), Notification.sent_at.is_(None))
        .distinct()
    )
    people = db.session.scalars(select(User).where(User.id.in_(waiting)).order_by(User.id)).all()
    written = 0
    for user in people:
        local = _local(user, now)
        if local.hour < current_app.config["MAIL_DIGEST_HOUR"]:
            continue
        key = f"digest:{user.id}:{local.date().isoformat()}"
        if db.session.scalar(select(Notification.id).where(Notification.dedup_key == key)):
            continue
        items = db.session.scalars(
            select(Notification)
            .where(
                Notification.recipient_id == user.id,
                Notification.delivery == "daily",
                Notification.digest_id.is_(None),
                Notification.sent_at.is_(None),
            )
            .order_by(Notification.id)
        ).all()
        if not items:
            continue
        language = messages.language_of(user)
        with force_locale(language):
            subject = ngettext("Consult: %(num)d message today", "Consult: %(num)d messages today", len(items))
            parts = [_("What happened on Consult since your last digest:")]
            for item in items:
                link = f"\n{current_app.config['BASE_URL']}{item.link}" if item.link else ""
                parts.append(f"■ {item.subject}\n\n{item.body}{link}")
        inserted = messages.insert_messages(
            [
                {
                    "recipient_id": user.id,
                    "kind": "digest",
                    "language": language,
                    "subject": subject,
                    "body": "\n\n".join(parts),
                    "link": None,
                    "message_id": messages.new_message_id(),
                    "delivery": "immediately",
                    "dedup_key": key,
                    "created_at": now,
                    "next_attempt_at": now,
                    "attempts": 0,
                }
            ]
        )
        if inserted:
            digest_id = db.session.scalar(select(Notification.id).where(Notification.dedup_key == key))
            db.session.execute(
                update(Notification)
                .where(Notification.id.in_([item.id for item in items]), Notification.digest_id.is_(None))
                .values(digest_id=digest_id)
                .execution_options(synchronize_session=False)
            )
            written += 1
    return written


# -- sending ----------------------------------------------------------------------------


def claim(now: datetime, limit: int) -> tuple[str, list[int]]:
    """Take up to ``limit`` due messages for this sender, in one statement; (claim token, their ids).

    Commits: the claim must be visible to other senders before anything is sent."""
    db.session.commit()  # a fresh transaction: on SQLite the claim is then its first, writing, statement
    token = secrets.token_hex(16)
    lapsed = now - timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    due = (
        select(Notification.id)
        .where(
            Notification.sent_at.is_(None),
            Notification.next_attempt_at <= now,
            or_(Notification.claimed_at.is_(None), Notification.claimed_at < lapsed),
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = db.session.scalars(
        update(Notification)
        .where(Notification.id.in_(due.scalar_subquery()))
        .values(claimed_at=now, claim_token=token)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return token, sorted(ids)


def _link(notification: Notification) -> str | None:
    if notification.kind in ACCOUNT_KINDS:
        # Made now, not stored: a live link to set a password is kept nowhere.
        return current_app.config["BASE_URL"] + password_link(notification.recipient, notification.kind)
    return current_app.config["BASE_URL"] + notification.link if notification.link else None


def _mark_sent(notification_id: int) -> None:
    now = utcnow()
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.sent_at.is_(None))
        .values(
            sent_at=now,
            attempts=Notification.attempts + 1,
            last_error=None,
            next_attempt_at=None,
            claimed_at=None,
            claim_token=None,
        )
        .execution_options(synchronize_session=False)
    )
    # What a digest carried is delivered with it.
    db.session.execute(
        update(Notification)
        .where(Notification.digest_id == notification_id, Notification.sent_at.is_(None))
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed attempt: MAIL_RETRY_SECONDS × 2^(n-1), at most MAIL_RETRY_MAX_SECONDS."""
    config = current_app.config
    return timedelta(
        seconds=min(config["MAIL_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0), config["MAIL_RETRY_MAX_SECONDS"])
    )


def _mark_failed(notification: Notification, token: str, error: Exception) -> None:
    attempts = notification.attempts + 1
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.claim_token == token)
        .values(
            attempts=attempts,
            last_error=str(error)[:2000],
            next_attempt_at=utcnow() + retry_delay(attempts),
            claimed_at=None,
            claim_token=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _release(token: str, ids: list[int], error: str) -> None:
    """Give back claimed messages unsent, due as they were; the error is kept for the outbox page."""
    db.session.rollback()
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.claim_token == token, Notification.sent_at.is_(None))
        .values(claimed_at=None, claim_token=None, last_error=error[:2000])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def send_due(report: Report) -> None:
    """Send every due message, batch after batch, until none is left or the server cannot be reached."""
    sender = mail.transport()
    try:
        while True:
            token, ids = claim(utcnow(), current_app.config["MAIL_BATCH_SIZE"])
            if not ids:
                return
            batch = db.session.scalars(
                select(Notification).where(Notification.id.in_(ids)).options(selectinload(Notification.recipient))
            ).all()
            for position, notification in enumerate(sorted(batch, key=lambda n: n.id)):
                try:
                    sender.send(mail.compose(notification, _link(notification)))
                except mail.ServerUnreachable as error:
                    report.unreachable = str(error)
                    _release(token, ids[position:], report.unreachable)
                    return
                except mail.MESSAGE_ERRORS as error:
                    report.failed += 1
                    _mark_failed(notification, token, error)
                else:
                    report.sent += 1
                    _mark_sent(notification.id)
    finally:
        sender.close()
