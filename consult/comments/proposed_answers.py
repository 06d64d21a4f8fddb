"""Answers proposed to delegations before they are final, where a release says so
(``Release.propose_answers``): the task force drafts its answers (``comments.services`` records
them as proposed), the Secretariat shares the release's proposed answers with the delegations, each
delegation's focal point agrees or objects with a reason, and the task force makes the answers
final. The compilation says which answers the delegation agreed to.
"""

from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified

from consult import audit
from consult.errors import Conflict, ValidationFailed
from consult.extensions import db
from consult.models import AnswerReaction, Comment, Release, User
from consult.models.base import utcnow
from consult.models.comments import ANSWER_REACTIONS
from consult.notifications import messages
from consult.permissions import authorize
from consult.validation import one_of, optional_text

REASON_MAX_LENGTH = 5000


def answers_at_stage(release: Release, stage: str) -> list[Comment]:
    """The release's submitted comments whose answer is at ``stage`` ("proposed" or "shared")."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.release_id == release.id, Comment.status == "submitted", Comment.answer_stage == stage)
            .options(
                joinedload(Comment.organization),
                joinedload(Comment.section),
                selectinload(Comment.reactions),
                selectinload(Comment.disposition_history),
            )
            .order_by(Comment.id)
        )
    )


def share_answers(actor: User, release: Release) -> int:
    """Share every proposed answer of the release with its delegation (and those co-signing the
    comment), each delegation told once; how many were shared. Nothing to share is a conflict."""
    authorize(actor, "answers.share", release)
    comments = answers_at_stage(release, "proposed")
    if not comments:
        raise Conflict(_l("No proposed answer of this release waits to be shared."))
    now = utcnow()
    by_delegation: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments:
        comment.answer_stage = "shared"
        comment.answer_shared_at = now
        by_delegation[comment.organization_id].append(comment)
    db.session.flush()
    audit.record(actor, "answers.share", release, comments=[comment.id for comment in comments])
    messages.answers_proposed(release, by_delegation)
    return len(comments)


def react(actor: User, comment: Comment, *, reaction, reason=None) -> AnswerReaction:
    """The delegation's reaction to the answer proposed to its comment; a later one replaces it on
    the page and in the matrix, both stay on record. An objection gives its reason."""
    authorize(actor, "comment.react", comment)
    reaction = one_of("reaction", reaction, ANSWER_REACTIONS)
    reason = optional_text("reason", reason, REASON_MAX_LENGTH)
    if reaction == "objected" and not reason:
        raise ValidationFailed(field_errors={"reason": [str(_l("Say why your delegation objects to this answer."))]})
    row = AnswerReaction(
        comment=comment,
        organization_id=comment.organization_id,
        answer_number=comment.answer_number,
        reaction=reaction,
        reason=reason if reaction == "objected" else None,
        reacted_by_id=actor.id,
    )
    db.session.add(row)
    # Through the comment's version: a reaction and the answer changing or made final at the same
    # moment cannot both succeed (the later is a 409), so no reaction lands on a final answer.
    flag_modified(comment, "answer_shared_at")
    db.session.flush()
    audit.record(actor, "comment.react", comment, reaction=reaction, answer=row.answer_number)
    messages.answer_reaction(row)
    return row


def finalize_answer(actor: User, comment: Comment) -> Comment:
    """Make the proposed answer final: every reader of the comment sees it, its delegation is told."""
    authorize(actor, "comment.finalize_answer", comment)
    _finalize(actor, comment)
    return comment


def finalize_answers(actor: User, release: Release) -> int:
    """Make every answer shared with the delegations final, agreed to or not (an objection stays
    beside the answer); how many. Nothing shared is a conflict."""
    authorize(actor, "answers.finalize", release)
    comments = answers_at_stage(release, "shared")
    if not comments:
        raise Conflict(_l("No answer of this release is shared with the delegations and waiting to be made final."))
    for comment in comments:
        authorize(actor, "comment.finalize_answer", comment)
        _finalize(actor, comment)
    return len(comments)


def _finalize(actor: User, comment: Comment) -> None:
    reaction = comment.reaction
    comment.answer_stage = None
    db.session.flush()
    audit.record(
        actor,
        "comment.finalize_answer",
        comment,
        disposition=comment.disposition,
        reaction=reaction.reaction if reaction else None,
    )
    messages.comment_answered(comment)


def waiting_counts(release: Release) -> dict[str, int]:
    """How many answers of the release are proposed (not shared yet) and shared (waiting to be final)."""
    counts = dict(
        db.session.execute(
            select(Comment.answer_stage, db.func.count())
            .where(Comment.release_id == release.id, Comment.status == "submitted", Comment.answer_stage.is_not(None))
            .group_by(Comment.answer_stage)
        ).all()
    )
    return {"proposed": counts.get("proposed", 0), "shared": counts.get("shared", 0)}
