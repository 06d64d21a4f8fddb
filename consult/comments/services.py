"""Comments: drafting, submitting on behalf of a delegation, editing, discarding drafts, withdrawing."""

import functools
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from consult import audit
from consult.comments import similarity
from consult.drafts.services import share_release
from consult.drafts.translations import reading
from consult.errors import NotFound, ValidationFailed, WindowClosed
from consult.extensions import db
from consult.models import (
    Alignment,
    Comment,
    CommentGroup,
    CommentRevision,
    CoSignature,
    DispositionRevision,
    Notification,
    Organization,
    Release,
    ReleaseSection,
    Section,
    SectionVersion,
    User,
)
from consult.models.base import utcnow
from consult.models.comments import COMMENT_KINDS, DISPOSITIONS
from consult.notifications import messages
from consult.permissions import authorize, can, visible_comments
from consult.positions import services as positions
from consult.search import services as search
from consult.text import AMENDMENT_DIFF_BUDGET, detect_language, language_of, reading_diff_html, render_markdown
from consult.validation import clean_text, is_integer, one_of, optional_text, required_text

QUOTE_MAX_LENGTH = 5000
# A language tag as the lang attribute takes it ("fr", "zh-Hans"), within the column's 10 characters.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def get_comment(user, comment_id: int) -> Comment:
    """The comment if the user may see it; otherwise NotFound, so ids reveal nothing."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or not can(user, "comment.view", comment):
        raise NotFound(_l("No such comment."))
    return comment


def _texts(kind, body, proposed_text, quote) -> dict:
    kind = one_of("kind", kind, COMMENT_KINDS)
    proposed = optional_text("proposed_text", proposed_text)
    if kind == "amendment" and not proposed:
        raise ValidationFailed(field_errors={"proposed_text": [str(_l("An amendment needs the proposed text."))]})
    return {
        "kind": kind,
        "body": required_text("body", body),
        "proposed_text": proposed if kind == "amendment" else None,
        "quote": optional_text("quote", quote, QUOTE_MAX_LENGTH),
    }


def _write_texts(comment: Comment, texts: dict, version: SectionVersion) -> similarity.Fingerprint | None:
    """Set the comment's texts and what is derived from them, once, as they are written; for a new
    comment, the fingerprint, inserted once the comment is."""
    for field, value in texts.items():
        setattr(comment, field, value)
    # Diffed once here, within a fixed budget, so that no amendment makes its page slow to read.
    proposed = comment.proposed_text
    comment.proposed_diff_html = (
        str(amendment_diff_html(comment.section, version, proposed, comment.proposed_language)) if proposed else None
    )
    return similarity.fingerprint(comment, comment.section.document_id)


def released_text(section: Section, version: SectionVersion, language: str | None) -> str:
    """The paragraph as released, in the language asked for where it is translated (else the original)."""
    return reading(section, version, language).body


def amendment_diff_html(section: Section, version: SectionVersion, proposed: str, language: str | None):
    """The proposed text against the released paragraph in the proposal's language, as both read."""
    return reading_diff_html(released_text(section, version, language), proposed, AMENDMENT_DIFF_BUDGET)


@dataclass(frozen=True)
class Preview:
    """A comment as it would read once saved: its formatted text and, for an amendment, what it changes."""

    language: str
    body_html: Markup
    proposed_language: str | None
    diff_html: Markup | None


def preview_comment(
    actor: User,
    section: Section,
    *,
    kind: str,
    body: str,
    proposed_text: str | None = None,
    quote: str | None = None,
    language: str | None = None,
    comment: Comment | None = None,
) -> Preview:
    """A new comment on the section (or ``comment`` edited) as it would read, checked but not saved."""
    if comment is None:
        authorize(actor, "comment.create", section)
        version = _release_for_comment(section)[1]
        if version is None:
            raise WindowClosed(_l("This section has not been released for comment."))
    else:
        authorize(actor, "comment.edit", comment)
        version, language = comment.version, comment.language
    texts = _texts(kind, body, proposed_text, quote)
    language = language or detect_language(texts["body"])
    proposed = texts["proposed_text"]
    proposed_language = language_of(proposed, language) if proposed else None
    return Preview(
        language=language,
        body_html=render_markdown(texts["body"]),
        proposed_language=proposed_language,
        diff_html=amendment_diff_html(section, version, proposed, proposed_language) if proposed else None,
    )


def create_comment(
    actor: User,
    section: Section,
    *,
    kind: str,
    body: str,
    proposed_text: str | None = None,
    quote: str | None = None,
    submit: bool = False,
    language: str | None = None,
    on_behalf_of: Organization | None = None,
    group: str | None = None,
    co_signers: list[str] | None = None,
) -> Comment:
    """Draft a comment on the section as the current release shows it (and submit it).

    ``on_behalf_of``: the Secretariat enters a delegation's comment from the table it sent;
    the comment is submitted at once and marked as imported (and late, after the close).
    ``group``: the code of a group of States the author's organization belongs to, which the
    comment speaks for; ``co_signers``: the codes of the delegations invited to co-sign it.
    """
    if on_behalf_of is None:
        authorize(actor, "comment.create", section)
    else:
        authorize(actor, "comments.import", section.document)
    release, version = _release_for_comment(section)
    if release is None or version is None:
        raise WindowClosed(_l("This section has not been released for comment."))
    # After the close only where late comments are accepted; submitting marks them late.
    if on_behalf_of is None and not release.takes_comments(utcnow()):
        raise WindowClosed()
    if language is not None and not (len(language) <= 10 and _LANGUAGE_TAG.fullmatch(language)):
        raise ValidationFailed(field_errors={"language": [str(_l("Give a language code such as “fr”."))]})
    texts = _texts(kind, body, proposed_text, quote)
    organization_id = on_behalf_of.id if on_behalf_of else actor.organization_id
    speaks_for = positions.group_for_comment(organization_id, group) if group else None
    invitees = positions.co_signer_organizations(organization_id, co_signers) if co_signers is not None else []
    # The language it is written in: as the writer says, else as the text shows (script, common words).
    language = language or detect_language(texts["body"])
    created = utcnow()
    comment = Comment(
        section=section,
        release=release,
        version=version,
        organization_id=organization_id,
        on_behalf_of=speaks_for,
        author=actor,
        language=language,
        status="draft",
        imported=on_behalf_of is not None,
        created_at=created,
        updated_at=created,
    )
    found = _write_texts(comment, texts, version)
    search.index_in_advance(comment)
    submit = submit or on_behalf_of is not None
    if submit:
        # Submitted before it is first written: one INSERT of the submitted comment instead
        # of an INSERT and an UPDATE; the trail still shows the draft, then its submission.
        _submit(actor, comment, by_its_delegation=on_behalf_of is None)
    db.session.add(comment)
    db.session.flush()
    # A new comment has none of these yet: known now, so that showing it asks nothing. Set once
    # written, as loaded, they add nothing to the flush.
    for collection in _NONE_YET:
        set_committed_value(comment, collection, [])
    similarity.insert_fingerprint(comment, found, section.document_id)
    imported = {"on_behalf_of": on_behalf_of.code} if on_behalf_of else {}
    for_group = {"group": speaks_for.code} if speaks_for else {}
    audit.record(actor, "comment.draft", comment, section=section.id, **imported, **for_group)
    if invitees:
        positions.invite_co_signers(actor, comment, invitees)
    if submit:
        audit.record(actor, "comment.submit", comment, late=comment.late)
        positions.tell_invited(comment)
    elif actor.role == "delegate":
        messages.draft_waiting(comment)
    return comment


_NONE_YET = ("revisions", "co_signatures", "addressed_in", "disposition_history", "alignments", "reactions")


def _release_for_comment(section: Section) -> tuple[Release | None, SectionVersion | None]:
    """The document's current release and the version of the section it published, in one query."""
    row = db.session.execute(
        _release_for_comment_query(), {"section_id": section.id, "document_id": section.document_id}
    ).first()
    return (row[0], row[1]) if row else (None, None)


@functools.cache
def _release_for_comment_query():
    # Built once: every comment asks it, and building costs more than running it.
    return (
        select(Release, SectionVersion)
        .outerjoin(
            ReleaseSection,
            (ReleaseSection.release_id == Release.id) & (ReleaseSection.section_id == bindparam("section_id")),
        )
        .outerjoin(SectionVersion, SectionVersion.id == ReleaseSection.version_id)
        .where(Release.document_id == bindparam("document_id"))
        .order_by(Release.number.desc())
        .limit(1)
    )


def update_comment(
    actor: User,
    comment: Comment,
    *,
    kind: str | None = None,
    body: str | None = None,
    proposed_text: str | None = None,
    quote: str | None = None,
) -> Comment:
    """Change a comment's text; a submitted comment keeps its earlier text as a revision.

    An answer given to the earlier text stays visible but is marked outdated until an
    editor confirms or changes it. Delegations that co-signed the earlier text are asked again.
    """
    authorize(actor, "comment.edit", comment)
    texts = _texts(
        kind if kind is not None else comment.kind,
        body if body is not None else comment.body,
        proposed_text if proposed_text is not None else comment.proposed_text,
        quote if quote is not None else comment.quote,
    )
    if all(getattr(comment, field) == value for field, value in texts.items()):
        return comment
    if comment.status == "submitted":
        positions.hold_comment(comment)  # one after the other with a co-signature of its text
        # Numbered from what this request read: a concurrent edit makes the versioned UPDATE
        # of the comment fail (409), so two revisions never share a number.
        comment.revisions.append(
            CommentRevision(
                number=len(comment.revisions) + 1,
                kind=comment.kind,
                body=comment.body,
                proposed_text=comment.proposed_text,
                quote=comment.quote,
                edited_by_id=actor.id,
            )
        )
        if comment.disposition is not None:
            comment.answer_outdated = True
    _write_texts(comment, texts, comment.version)
    comment.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "comment.edit", comment, status=comment.status, answer_outdated=comment.answer_outdated)
    if comment.status == "submitted":
        positions.ask_again(actor, comment)
    return comment


def submit_comment(actor: User, comment: Comment) -> Comment:
    """The focal point sends the comment on behalf of the organization."""
    _submit(actor, comment)
    db.session.flush()
    audit.record(actor, "comment.submit", comment, late=comment.late)
    positions.tell_invited(comment)
    return comment


def _submit(actor: User, comment: Comment, *, by_its_delegation: bool = True) -> None:
    # Under the release's lock, the window is judged by the close time committed last, and
    # at the very time recorded as the submission's, which also says whether it is late.
    share_release(comment.release)
    now = utcnow()
    if by_its_delegation:
        authorize(actor, "comment.submit", comment, now)
    comment.status = "submitted"
    comment.submitted_at = now
    comment.submitted_by_id = actor.id
    comment.late = comment.release.has_closed(now)
    comment.updated_at = now


def withdraw_comment(actor: User, comment: Comment, *, reason: str) -> Comment:
    authorize(actor, "comment.withdraw", comment)
    reason = required_text("reason", reason, 2000)
    now = utcnow()
    comment.status = "withdrawn"
    comment.withdrawn_at = now
    comment.withdrawal_reason = reason
    comment.updated_at = now
    db.session.flush()
    audit.record(actor, "comment.withdraw", comment, reason=reason)
    return comment


def discard_draft(actor: User, comment: Comment) -> None:
    """Delete a draft no one outside its delegation has seen; a submitted comment is withdrawn instead.

    The versioned DELETE fails (409) if the draft was submitted or changed since it was read.
    """
    authorize(actor, "comment.discard", comment)
    audit.record(
        actor,
        "comment.discard",
        comment,
        organization_id=comment.organization_id,
        section_id=comment.section_id,
        kind=comment.kind,
    )
    # Messages about the draft (to the focal point) stay in their inboxes without it.
    db.session.execute(update(Notification).where(Notification.comment_id == comment.id).values(comment_id=None))
    for invitation in list(comment.co_signatures):
        db.session.delete(invitation)
    comment.addressed_in.clear()
    db.session.delete(comment)
    db.session.flush()


# -- listing ------------------------------------------------------------------------


def _with_related(query):
    return query.options(
        selectinload(Comment.organization),
        selectinload(Comment.on_behalf_of),
        selectinload(Comment.co_signatures).selectinload(CoSignature.organization),
        selectinload(Comment.alignments).selectinload(Alignment.organization),
        selectinload(Comment.author),
        selectinload(Comment.release),
        selectinload(Comment.version),
        selectinload(Comment.revisions),
        selectinload(Comment.addressed_in),
        selectinload(Comment.resolved_in),
        selectinload(Comment.disposition_history).selectinload(DispositionRevision.resolved_in),
        selectinload(Comment.group).selectinload(CommentGroup.comments),
    )


def section_comments(user, section: Section, *, page: int = 1, per_page: int = 50) -> Pagination:
    """The comments on a section the user may see, newest release first, paginated."""
    query = (
        _with_related(select(Comment).where(Comment.section_id == section.id, visible_comments(user)))
        .join(Release, Release.id == Comment.release_id)
        .order_by(Release.number.desc(), Comment.submitted_at.is_(None), Comment.submitted_at, Comment.id)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def comment_counts(user, section_ids: list[int]) -> dict[int, int]:
    """Section id → how many of its comments the reader may see (sections without any are left out)."""
    if not section_ids:
        return {}
    rows = db.session.execute(
        select(Comment.section_id, func.count(Comment.id))
        .where(Comment.section_id.in_(section_ids), visible_comments(user))
        .group_by(Comment.section_id)
    )
    return dict(rows.all())


def delegation_comments(user: User) -> dict[str, list[Comment]]:
    """Our delegation's comments by status, for its members."""
    authorize(user, "comments.own_delegation")
    comments = db.session.scalars(
        _with_related(select(Comment).where(Comment.organization_id == user.organization_id))
        .options(selectinload(Comment.section).selectinload(Section.document))
        .order_by(Comment.updated_at.desc())
    ).all()
    grouped: dict[str, list[Comment]] = {"draft": [], "submitted": [], "withdrawn": []}
    for comment in comments:
        grouped[comment.status].append(comment)
    return grouped


# -- answering: dispositions, groups, notifications -----------------------------------


def _resolved_version(comment: Comment, number) -> SectionVersion | None:
    if number is None:
        return None
    if not is_integer(number):
        raise ValidationFailed(field_errors={"resolved_in_version": [str(_l("Give a version number."))]})
    version = db.session.scalar(
        select(SectionVersion).where(SectionVersion.section_id == comment.section_id, SectionVersion.number == number)
    )
    if version is None:
        raise ValidationFailed(
            field_errors={"resolved_in_version": [str(_l("This paragraph has no version %(number)s.", number=number))]}
        )
    if version.number <= comment.version.number:
        raise ValidationFailed(
            field_errors={
                "resolved_in_version": [
                    str(
                        _l(
                            "A comment on version %(commented)s is resolved in a later version, not in version "
                            "%(number)s.",
                            commented=comment.version.number,
                            number=number,
                        )
                    )
                ]
            }
        )
    return version


def _answer(disposition, rationale) -> tuple[str, str | None]:
    disposition = one_of("disposition", disposition, DISPOSITIONS)
    rationale = optional_text("rationale", rationale, 20_000)
    if disposition != "accepted" and not rationale:
        raise ValidationFailed(
            field_errors={"rationale": [str(_l("Explain the decision: a rationale is required unless accepted."))]}
        )
    return disposition, rationale


def record_disposition(
    actor: User,
    comment: Comment,
    *,
    disposition: str,
    rationale: str | None,
    resolved_in_version: int | None = None,
    also_answer: list[int] | None = None,
) -> Comment:
    """Answer a submitted comment; an earlier answer is kept, the focal point is told.

    ``also_answer``: other submitted comments of the document (those that say nearly the same)
    answered the same way in the same step; a version resolves comments on one paragraph only.
    """
    authorize(actor, "comment.dispose", comment)
    disposition, rationale = _answer(disposition, rationale)
    others = _also_answered(comment, also_answer) if also_answer else []
    if resolved_in_version is not None and any(other.section_id != comment.section_id for other in others):
        raise ValidationFailed(
            field_errors={
                "resolved_in_version": [
                    str(_l("A version resolves comments on its own paragraph: answer the others without one."))
                ]
            }
        )
    for answered in (comment, *others):
        authorize(actor, "comment.dispose", answered)
        _apply_answer(actor, answered, disposition, rationale, _resolved_version(answered, resolved_in_version))
    return comment


MAX_ANSWERED_TOGETHER = 500


def _also_answered(comment: Comment, comment_ids) -> list[Comment]:
    wrong = ValidationFailed(
        field_errors={"also_answer": [str(_l("Choose other submitted comments on this document."))]}
    )
    if not isinstance(comment_ids, list) or len(comment_ids) > MAX_ANSWERED_TOGETHER:
        raise wrong
    if not all(map(is_integer, comment_ids)):
        raise wrong
    wanted = set(comment_ids) - {comment.id}
    others = db.session.scalars(
        select(Comment)
        .join(Section, Section.id == Comment.section_id)
        .where(
            Comment.id.in_(wanted),
            Comment.status == "submitted",
            Section.document_id == comment.section.document_id,
        )
        .order_by(Comment.id)
    ).all()
    if len(others) != len(wanted):
        raise wrong
    return list(others)


def similar(actor: User, comment: Comment) -> list[tuple[Comment, float]]:
    """The submitted comments of the document that say nearly the same as this one, best first."""
    authorize(actor, "comment.similar", comment)
    return similarity.similar_comments(comment)


def _apply_answer(actor, comment: Comment, disposition: str, rationale, version) -> None:
    """Record the answer. The same answer again changes nothing, unless the delegation has
    edited its comment since: then it confirms the answer for the new text.

    Where the release proposes answers first, an answer not yet final is proposed (seen by the
    staff until the Secretariat shares it, see ``proposed_answers``); a final answer changed
    stays final, and its delegation is told as before.
    """
    unchanged = (comment.disposition, comment.rationale, comment.resolved_in_version_id) == (
        disposition,
        rationale,
        version.id if version else None,
    )
    if unchanged and not comment.answer_outdated:
        return
    if comment.disposition is not None:
        comment.disposition_history.append(
            DispositionRevision(
                number=len(comment.disposition_history) + 1,
                disposition=comment.disposition,
                rationale=comment.rationale,
                resolved_in_version_id=comment.resolved_in_version_id,
                decided_at=comment.disposed_at,
                decided_by_id=comment.disposed_by_id,
                stage=comment.answer_stage,
            )
        )
    proposed = comment.release.propose_answers and (comment.disposition is None or comment.answer_stage is not None)
    comment.disposition = disposition
    comment.rationale = rationale
    comment.resolved_in = version
    comment.disposed_at = utcnow()
    comment.disposed_by_id = actor.id
    comment.answer_outdated = False
    comment.answer_stage = "proposed" if proposed else None
    comment.answer_shared_at = None if proposed else comment.answer_shared_at
    db.session.flush()
    action = "comment.confirm_answer" if unchanged else "comment.dispose"
    audit.record(actor, action, comment, disposition=disposition, group=comment.group_id, proposed=proposed)
    if not proposed:
        messages.comment_answered(comment)


def group_comments(actor: User, section: Section, comment_ids: list[int], label: str = "") -> CommentGroup:
    """Bring together comments on one paragraph that make the same point."""
    authorize(actor, "comments.group", section)
    if not isinstance(comment_ids, list) or not all(map(is_integer, comment_ids)) or len(set(comment_ids)) < 2:
        raise ValidationFailed(field_errors={"comment_ids": [str(_l("Choose at least two comments."))]})
    members = list(
        db.session.scalars(
            select(Comment).where(
                Comment.id.in_(set(comment_ids)), Comment.section_id == section.id, Comment.status == "submitted"
            )
        )
    )
    if len(members) != len(set(comment_ids)):
        raise ValidationFailed(field_errors={"comment_ids": [str(_l("Choose submitted comments on this paragraph."))]})
    group = CommentGroup(section_id=section.id, label=clean_text(label)[:300], created_by_id=actor.id)
    db.session.add(group)
    earlier_groups = {member.group for member in members} - {None}
    for member in members:
        member.group = group
    db.session.flush()
    audit.record(actor, "comments.group", group, comments=sorted(m.id for m in members))
    for earlier in earlier_groups:
        _dissolve_if_alone(actor, earlier)
    return group


def _dissolve_if_alone(actor: User, group: CommentGroup) -> None:
    """A group keeps at least two comments: one left alone is answered on its own again."""
    db.session.refresh(group, ["comments"])
    if len(group.comments) >= 2:
        return
    for comment in group.comments:
        comment.group = None
    audit.record(actor, "comments.ungroup", group, comments=[comment.id for comment in group.comments])
    db.session.delete(group)
    db.session.flush()


def dispose_group(
    actor: User, group: CommentGroup, *, disposition: str, rationale: str | None, resolved_in_version: int | None = None
) -> CommentGroup:
    """One answer for the whole group; each delegation sees it on its own comment."""
    authorize(actor, "comments.group", group)
    disposition, rationale = _answer(disposition, rationale)
    for comment in group.comments:
        authorize(actor, "comment.dispose", comment)
        _apply_answer(actor, comment, disposition, rationale, _resolved_version(comment, resolved_in_version))
    return group


def ungroup(actor: User, group: CommentGroup) -> None:
    """Answer the comments one by one again; their answers stay."""
    authorize(actor, "comments.group", group)
    members = [comment.id for comment in group.comments]
    for comment in group.comments:
        comment.group = None
    audit.record(actor, "comments.ungroup", group, comments=members)
    db.session.delete(group)
    db.session.flush()


def get_group(group_id: int) -> CommentGroup:
    group = db.session.get(CommentGroup, group_id)
    if group is None:
        raise NotFound(_l("No such group."))
    return group
