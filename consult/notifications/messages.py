"""What people hear about: each message written into the outbox in its recipient's language, in the
transaction of the change it tells about, as their preferences say (at once, in the daily digest, never).

The services that make a change call the function here that tells about it; the sender
(``consult.notifications.delivery``) delivers what is due.
"""

import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import datetime
from email.utils import parseaddr
from typing import NamedTuple
from urllib.parse import urlsplit

from babel.dates import format_datetime
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import or_, select

from consult.extensions import db, upsert
from consult.models import (
    AnswerReaction,
    Comment,
    Dialogue,
    Notification,
    NotificationPreference,
    Participation,
    Release,
    User,
)
from consult.models.accounts import Organization, organization_name
from consult.models.base import utcnow
from consult.models.comments import DISPOSITIONS
from consult.models.dialogues import DIALOGUE_FORMATS
from consult.models.notifications import ACCOUNT_KINDS, DEFAULT_DELIVERY
from consult.notifications import calendar

# Who may hear about what: the preferences page offers each role only these kinds.
KINDS_BY_ROLE = {
    "focal_point": ("release", "reminder", "review", "disposition", "alignment", "invitation", "outcome"),
    "delegate": ("release", "outcome"),
    "secretariat": ("release", "reaction"),
    "editor": ("release", "reaction"),
}
# Rows per INSERT: well within SQLite's limit on the variables of one statement.
_CHUNK = 500


class Message(NamedTuple):
    subject: str
    body: str


def language_of(user: User) -> str:
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def moment(user: User, value: datetime, format: str = "long") -> str:
    """A time as the recipient reads it: in their language and their time zone (UTC if they chose none)."""
    try:
        zone = zoneinfo.ZoneInfo(user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return format_datetime(value, format, tzinfo=zone, locale=language_of(user))


def path(endpoint: str, **values) -> str:
    """The path of a page of this site, also where no request is under way (the sender, the command line)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def site_host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def new_message_id() -> str:
    """A Message-ID chosen when the message is written, so that every attempt to send it carries the same."""
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or site_host()
    return f"<{uuid.uuid4().hex}@{domain}>"


def deliveries(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """How each of these people wants to hear about ``kind``; a person without a preference is absent."""
    ids = list(user_ids)
    if kind in ACCOUNT_KINDS or not ids:
        return {}
    found = {}
    for start in range(0, len(ids), _CHUNK):
        found.update(
            db.session.execute(
                select(NotificationPreference.user_id, NotificationPreference.delivery).where(
                    NotificationPreference.kind == kind, NotificationPreference.user_id.in_(ids[start : start + _CHUNK])
                )
            ).all()
        )
    return found


def notify(
    recipients: Iterable[User],
    kind: str,
    compose: Callable[[User], Message],
    *,
    link: str | None = None,
    comment: Comment | None = None,
    attachment: Callable[[User], str] | None = None,
    dedup_key: Callable[[User], str] | None = None,
) -> int:
    """Write one message to each active recipient who wants to hear about ``kind``; how many were written.

    ``compose`` (and ``attachment``, an iCalendar object) run in the recipient's language. A message
    with a ``dedup_key`` already written is not written again, however many writers race.
    """
    people = {user.id: user for user in recipients if user.active}
    chosen = deliveries(people, kind)
    now = utcnow()
    rows = []
    for user in people.values():
        delivery = chosen.get(user.id, DEFAULT_DELIVERY)
        if delivery == "never":
            continue
        language = language_of(user)
        with force_locale(language):
            message = compose(user)
            ics = attachment(user) if attachment else None
        rows.append(
            {
                "recipient_id": user.id,
                "kind": kind,
                "language": language,
                "subject": message.subject[:300],
                "body": message.body,
                "link": link,
                "comment_id": comment.id if comment else None,
                "calendar": ics,
                "message_id": new_message_id(),
                "delivery": delivery,
                "dedup_key": dedup_key(user) if dedup_key else None,
                "created_at": now,
                "next_attempt_at": now if delivery == "immediately" else None,
                "attempts": 0,
            }
        )
    return insert_messages(rows)


def insert_messages(rows: list[dict]) -> int:
    """INSERT the rows, skipping any whose dedup_key is taken (one statement each chunk, race-free)."""
    table = Notification.__table__
    written = 0
    for start in range(0, len(rows), _CHUNK):
        statement = (
            upsert(db.engine.dialect.name, table)
            .values(rows[start : start + _CHUNK])
            .on_conflict_do_nothing(index_elements=[table.c.dedup_key])
            .returning(table.c.id)
        )
        written += len(db.session.execute(statement).all())
    return written


def _members(*roles: str, organization_ids=None):
    query = select(User).where(User.active.is_(True), User.role.in_(roles))
    if organization_ids is not None:
        query = query.where(User.organization_id.in_(organization_ids))
    return db.session.scalars(query.order_by(User.id)).all()


# -- releases ---------------------------------------------------------------------------


def release_published(actor, release: Release) -> int:
    """To every delegation member and to the Secretariat and editors: a new release is open for comment."""
    document = release.document
    recipients = db.session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            or_(
                User.role.in_(("secretariat", "editor")),
                User.role.in_(("focal_point", "delegate")) & User.organization_id.is_not(None),
            ),
        )
        .order_by(User.id)
    ).all()

    def compose(user: User) -> Message:
        lines = [
            _("“%(label)s” of “%(document)s” is published.", label=release.label, document=document.title),
            _(
                "Comments are open from %(opens)s until %(closes)s.",
                opens=moment(user, release.comments_open_at),
                closes=moment(user, release.comments_close_at),
            ),
        ]
        if release.accept_late:
            lines.append(_("Comments sent after the close are still taken, marked as late."))
        subject = _("New release for comment: %(label)s — %(document)s", label=release.label, document=document.title)
        return Message(subject, "\n\n".join(lines))

    others = [user for user in recipients if user.id != getattr(actor, "id", None)]
    return notify(others, "release", compose, link=path("drafts.document", document_id=document.id))


def reminder_key(release: Release, hours: int, user_id: int) -> str:
    return f"reminder:{release.id}:{int(release.comments_close_at.timestamp())}:{hours}:{user_id}"


def window_closing(release: Release, hours: int, focal_points: list[User], drafts: dict[int, list[Comment]]) -> int:
    """To focal points: the window closes soon; their delegation's drafts still waiting for submission.

    One per focal point, window and threshold: the window's close is part of the key, so that a
    window moved later reminds again."""
    document = release.document
    closes_at = release.comments_close_at

    def compose(user: User) -> Message:
        waiting = drafts.get(user.organization_id, [])
        lines = [
            _(
                "The comment window on “%(label)s” of “%(document)s” closes on %(closes)s.",
                label=release.label,
                document=document.title,
                closes=moment(user, closes_at),
            )
        ]
        if waiting:
            lines.append(_("Drafts of your delegation still waiting for you to submit them:"))
            lines.append(
                "\n".join(
                    "• "
                    + _(
                        "Paragraph %(number)s, by %(author)s: %(text)s",
                        number=comment.section.number,
                        author=comment.author.name,
                        text=_excerpt(comment.body),
                    )
                    for comment in waiting
                )
            )
            lines.append(_("A draft that is not submitted before the close is not part of your delegation's comments."))
        else:
            lines.append(_("Your delegation has no drafts waiting for submission."))
        subject = _(
            "The window on “%(label)s” closes on %(closes)s",
            label=release.label,
            closes=moment(user, closes_at, "medium"),
        )
        return Message(subject, "\n\n".join(lines))

    return notify(
        focal_points,
        "reminder",
        compose,
        link=path("comments.delegation"),
        dedup_key=lambda user: reminder_key(release, hours, user.id),
    )


def _excerpt(text: str, length: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


# -- comments ---------------------------------------------------------------------------


def draft_waiting(comment: Comment) -> int:
    """To the focal points of the delegation: a delegate's draft waits for their review."""

    def compose(user: User) -> Message:
        subject = _(
            "A draft by %(author)s on paragraph %(number)s waits for your review",
            author=comment.author.name,
            number=comment.section.number,
        )
        lines = [
            _("%(author)s drafted a comment for your delegation:", author=comment.author.name),
            _excerpt(comment.body, 1000),
            _("Review it, then submit it on behalf of your delegation before the window closes."),
        ]
        return Message(subject, "\n\n".join(lines))

    focal_points = _members("focal_point", organization_ids=[comment.organization_id])
    return notify(focal_points, "review", compose, link=path("comments.show", comment_id=comment.id), comment=comment)


def comment_answered(comment: Comment) -> int:
    """To the focal points of the delegation, and of those co-signing it: its comment has an answer
    (or a changed one)."""

    def compose(user: User) -> Message:
        disposition = str(DISPOSITIONS[comment.disposition])
        if user.organization_id == comment.organization_id:
            subject = _(
                "Your comment %(id)s on paragraph %(number)s has been answered: %(disposition)s",
                id=comment.id,
                number=comment.section.number,
                disposition=disposition,
            )
        else:
            subject = _(
                "The comment %(id)s your delegation co-signs on paragraph %(number)s has been answered: "
                "%(disposition)s",
                id=comment.id,
                number=comment.section.number,
                disposition=disposition,
            )
        lines = [
            _("Decision: %(disposition)s", disposition=disposition),
            comment.rationale or "",
            _("Resolved in version %(number)s", number=comment.resolved_in.number) if comment.resolved_in else "",
        ]
        return Message(subject, "\n\n".join(filter(None, lines)))

    co_signers = [organization.id for organization in comment.co_signers]
    focal_points = _members("focal_point", organization_ids=[comment.organization_id, *co_signers])
    return notify(
        focal_points, "disposition", compose, link=path("comments.show", comment_id=comment.id), comment=comment
    )


def answers_proposed(release: Release, comments_by_delegation: dict[int, list[Comment]]) -> int:
    """To the focal points of each delegation: answers to its comments are proposed for its reaction."""
    focal_points = _members("focal_point", organization_ids=list(comments_by_delegation))

    def compose(user: User) -> Message:
        comments = comments_by_delegation[user.organization_id]
        subject = ngettext(
            "%(num)s answer to your delegation's comments on “%(label)s” is proposed for your reaction",
            "%(num)s answers to your delegation's comments on “%(label)s” are proposed for your reaction",
            len(comments),
            label=release.label,
        )
        lines = [
            _(
                "The task force proposes these answers before they are final. Agree, or object and say why, "
                "on each comment's page."
            ),
            *(
                _(
                    "Comment %(id)s, paragraph %(number)s: %(disposition)s",
                    id=comment.id,
                    number=comment.section.number,
                    disposition=str(DISPOSITIONS[comment.disposition]),
                )
                + (f"\n{_excerpt(comment.rationale, 300)}" if comment.rationale else "")
                for comment in comments
            ),
        ]
        return Message(subject, "\n\n".join(lines))

    return notify(focal_points, "disposition", compose, link=path("comments.delegation"))


def answer_reaction(reaction: AnswerReaction) -> int:
    """To whoever proposed the answer: the delegation agrees to it, or objects and says why."""
    comment = reaction.comment
    proposer = db.session.get(User, comment.disposed_by_id) if comment.disposed_by_id else None
    if proposer is None or proposer.role not in KINDS_BY_ROLE or "reaction" not in KINDS_BY_ROLE[proposer.role]:
        return 0

    def compose(user: User) -> Message:
        delegation = organization_name(reaction.organization)
        if reaction.reaction == "agreed":
            subject = _(
                "%(delegation)s agrees to the answer proposed to its comment %(id)s on paragraph %(number)s",
                delegation=delegation,
                id=comment.id,
                number=comment.section.number,
            )
            return Message(subject, _("It can now be made final."))
        subject = _(
            "%(delegation)s objects to the answer proposed to its comment %(id)s on paragraph %(number)s",
            delegation=delegation,
            id=comment.id,
            number=comment.section.number,
        )
        return Message(subject, "\n\n".join([_("The delegation's reason:"), reaction.reason or ""]))

    return notify([proposer], "reaction", compose, link=path("comments.show", comment_id=comment.id), comment=comment)


def co_signature_invited(comment: Comment, organization_ids: list[int]) -> int:
    """To the focal points of the delegations invited to co-sign a submitted comment."""

    def compose(user: User) -> Message:
        author = organization_name(comment.organization)
        subject = _(
            "%(delegation)s invites your delegation to co-sign its comment %(id)s on paragraph %(number)s",
            delegation=author,
            id=comment.id,
            number=comment.section.number,
        )
        lines = [
            _excerpt(comment.body, 1000),
            _("Co-sign it or decline from your delegation's comments page."),
        ]
        return Message(subject, "\n\n".join(lines))

    focal_points = _members("focal_point", organization_ids=organization_ids)
    return notify(focal_points, "cosign", compose, link=path("comments.delegation"), comment=comment)


def comment_aligned(comment: Comment, organization: Organization, *, withdrawn: bool) -> int:
    """To the focal points of the comment's delegation: a State aligned itself with it, or withdrew that."""

    def compose(user: User) -> Message:
        values = {"delegation": organization_name(organization), "id": comment.id, "number": comment.section.number}
        if withdrawn:
            subject = _(
                "%(delegation)s withdrew its alignment with your comment %(id)s on paragraph %(number)s", **values
            )
        else:
            subject = _("%(delegation)s aligns itself with your comment %(id)s on paragraph %(number)s", **values)
        return Message(subject, _excerpt(comment.body, 1000))

    focal_points = _members("focal_point", organization_ids=[comment.organization_id])
    return notify(
        focal_points, "alignment", compose, link=path("comments.show", comment_id=comment.id), comment=comment
    )


# -- dialogues --------------------------------------------------------------------------


def outcome_published(dialogue: Dialogue) -> int:
    """To the members of the organizations that took part: the outcome is published."""
    attended = [p.organization_id for p in dialogue.participants if p.attended]
    if not attended:
        return 0

    def compose(user: User) -> Message:
        outcome = dialogue.outcome
        subject = _("Outcome published: %(title)s", title=dialogue.title)
        lines = [
            _(
                "The Secretariat has published the outcome of “%(title)s” (%(date)s), in which your organization "
                "took part.",
                title=dialogue.title,
                date=moment(user, dialogue.starts_at, "long"),
            ),
            _excerpt(outcome.summary, 2000) if outcome.summary else "",
            _("It has %(count)d conclusions.", count=len(outcome.conclusions)) if outcome.conclusions else "",
        ]
        return Message(subject, "\n\n".join(filter(None, lines)))

    members = _members("focal_point", "delegate", organization_ids=attended)
    return notify(members, "outcome", compose, link=path("dialogues.show", dialogue_id=dialogue.id))


def dialogue_invitation(dialogue: Dialogue, participations: Iterable[Participation], change: str) -> int:
    """To the focal points of these invited organizations: an invitation (``change`` "new"), its update
    ("moved"), or its cancellation ("cancelled", also to an organization no longer invited), with the
    iCalendar object a calendar program files under the dialogue's UID."""
    organization_ids = [p.organization_id for p in participations]
    if not organization_ids:
        return 0
    method = "CANCEL" if change == "cancelled" else "REQUEST"
    link = path("dialogues.show", dialogue_id=dialogue.id)

    def compose(user: User) -> Message:
        when = moment(user, dialogue.starts_at, "full")
        subjects = {
            "new": _("Invitation: %(title)s, %(when)s", title=dialogue.title, when=when),
            "moved": _("Changed: %(title)s, now %(when)s", title=dialogue.title, when=when),
            "cancelled": _("Cancelled: %(title)s, %(when)s", title=dialogue.title, when=when),
        }
        openings = {
            "new": _("Your organization is invited to this stakeholder dialogue."),
            "moved": _("The time or place of this dialogue has changed. It now stands as follows."),
            "cancelled": _("This dialogue will not take place, or your organization is no longer invited to it."),
        }
        lines = [
            openings[change],
            dialogue.title,
            _("When: %(when)s", when=when),
            _(
                "Where: %(place)s (%(format)s)",
                place=dialogue.place or _("Online"),
                format=DIALOGUE_FORMATS[dialogue.format],
            ),
            dialogue.description if change != "cancelled" else "",
            _("Open the attached invitation to update your calendar.")
            if change == "cancelled"
            else _("Open the attached invitation to add it to your calendar."),
        ]
        return Message(subjects[change], "\n\n".join(filter(None, lines)))

    def attachment(user: User) -> str:
        return calendar.dialogue_event(
            dialogue, method=method, attendee=user, url=current_app.config["BASE_URL"] + link, host=site_host()
        )

    focal_points = _members("focal_point", organization_ids=organization_ids)
    return notify(focal_points, "invitation", compose, link=link, attachment=attachment)


# -- accounts ---------------------------------------------------------------------------


def account_created(user: User, actor: User) -> int:
    """To the new account: a link to choose its password (the sender makes it; no password travels)."""

    def compose(_user: User) -> Message:
        subject = _("Your account on Consult")
        lines = [
            _("%(name)s created an account for you on Consult, with this e-mail address.", name=actor.name),
            _(
                "Choose your password with the link below. It works once, for %(hours)d hours; after that, ask "
                "for a new one with “Forgot your password?” on the sign-in page.",
                hours=current_app.config["ACCOUNT_SETUP_HOURS"],
            ),
        ]
        return Message(subject, "\n\n".join(lines))

    return notify([user], "account_setup", compose)


def password_reset_requested(user: User) -> int:
    """To the account: a link to choose a new password (made by the sender, so that it is stored nowhere)."""

    def compose(_user: User) -> Message:
        subject = _("Choose a new password for Consult")
        lines = [
            _("Someone, probably you, asked to reset the password of your account on Consult."),
            _(
                "Choose a new password with the link below. It works once, for %(minutes)d minutes. If you did not "
                "ask for it, ignore this message: your password stays as it is.",
                minutes=current_app.config["PASSWORD_RESET_MINUTES"],
            ),
        ]
        return Message(subject, "\n\n".join(lines))

    return notify([user], "password_reset", compose)
