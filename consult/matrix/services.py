"""The comment-response matrix of a release: rows, filters, the published compilation."""

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from babel.lists import format_list
from flask_babel import format_number, get_locale, get_timezone, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, not_, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from consult import audit
from consult.comments import similarity
from consult.drafts.services import current_release, gate_override, get_release, unanswered_comments
from consult.drafts.translations import readings
from consult.errors import Conflict, UnansweredComments, ValidationFailed
from consult.extensions import db
from consult.geography import REGIONS
from consult.matrix.exports import MatrixRow
from consult.models import (
    Alignment,
    AnswerReaction,
    Comment,
    CoSignature,
    Document,
    Organization,
    Release,
    ReleaseSection,
)
from consult.models.accounts import organization_name
from consult.models.base import utcnow
from consult.models.comments import COMMENT_KINDS, DISPOSITIONS
from consult.permissions import authorize, can, visible_answers, visible_comments
from consult.positions import services as positions
from consult.validation import clean_text

FILTERS = ("section", "organization", "region", "disposition", "kind")
UNANSWERED = "none"


@dataclass
class Filters:
    section: str = ""
    organization: str = ""
    region: str = ""
    disposition: str = ""
    kind: str = ""

    @classmethod
    def from_args(cls, args) -> "Filters":
        # clean_text: PostgreSQL refuses NUL even in a comparison.
        return cls(**{name: clean_text(args.get(name))[:40] for name in FILTERS})

    def as_args(self) -> dict:
        return {name: value for name, value in vars(self).items() if value}


def matrix_release(document: Document, number: int | None) -> Release | None:
    return get_release(document, number) if number else current_release(document)


def _query(user, release: Release, filters: Filters):
    # Each paragraph once, under the number and in the order the release printed it.
    query = (
        select(Comment)
        .join(
            ReleaseSection,
            and_(ReleaseSection.release_id == Comment.release_id, ReleaseSection.section_id == Comment.section_id),
        )
        .join(Organization, Organization.id == Comment.organization_id)
        .where(Comment.release_id == release.id, Comment.status == "submitted")
        .options(
            contains_eager(Comment.printed),
            joinedload(Comment.organization),
            joinedload(Comment.on_behalf_of),
            selectinload(Comment.co_signatures).joinedload(CoSignature.organization),
            selectinload(Comment.alignments).joinedload(Alignment.organization),
            selectinload(Comment.fingerprint),
            selectinload(Comment.reactions).joinedload(AnswerReaction.organization),
            selectinload(Comment.disposition_history),
            joinedload(Comment.section),
            joinedload(Comment.version),
            joinedload(Comment.resolved_in),
        )
        .order_by(ReleaseSection.position, Comment.id)
    )
    # Once the compilation is published every submitted comment is public.
    if release.compilation_published_at is None:
        query = query.where(visible_comments(user))
    if filters.section:
        query = query.where(ReleaseSection.number == filters.section)
    if filters.organization:
        # A delegation's comments, those it co-signs, and a group's: those made on its behalf.
        named = select(Organization.id).where(Organization.code == filters.organization.upper())
        co_signed = select(CoSignature.comment_id).where(
            CoSignature.organization_id.in_(named), CoSignature.status == "signed"
        )
        query = query.where(
            or_(Comment.organization_id.in_(named), Comment.on_behalf_of_id.in_(named), Comment.id.in_(co_signed))
        )
    if filters.region:
        query = query.where(Organization.region == filters.region)
    if filters.kind:
        query = query.where(Comment.kind == filters.kind)
    if filters.disposition == UNANSWERED:
        query = query.where(not_(Comment.answered))
    elif filters.disposition:
        # A proposed answer the reader may not see yet is no answer to filter by.
        query = query.where(Comment.disposition == filters.disposition, visible_answers(user))
    return query


def matrix_comments(user, release: Release, filters: Filters) -> Iterator[Comment]:
    """The comments of the matrix, streamed in batches so 20,000 stay cheap."""
    authorize(user, "matrix.view", release)
    yield from db.session.scalars(_query(user, release, filters).execution_options(yield_per=500))


# A Word table of more rows takes minutes to open and, to write, memory in proportion (about 1 GB
# for 50,000): the spreadsheet holds any number, and filters make a table a person reads.
WORD_MATRIX_LIMIT = 5_000


def check_word_size(user, release: Release, filters: Filters) -> None:
    """Refuse a Word matrix of more than WORD_MATRIX_LIMIT comments, saying what to do instead."""
    authorize(user, "matrix.view", release)
    count = db.session.scalar(
        select(func.count()).select_from(_query(user, release, filters).order_by(None).subquery())
    )
    if count > WORD_MATRIX_LIMIT:
        raise ValidationFailed(
            _l(
                "This matrix has %(count)s comments, too many for a Word table (%(limit)s at most). Download it "
                "as a spreadsheet (XLSX), or filter it by paragraph, delegation or region first.",
                count=format_number(count),
                limit=format_number(WORD_MATRIX_LIMIT),
            )
        )


def matrix_page(user, release: Release, filters: Filters, page: int, per_page: int = 100) -> Pagination:
    authorize(user, "matrix.view", release)
    return db.paginate(_query(user, release, filters), page=page, per_page=per_page, error_out=False)


def same_text(user, release: Release, comments: list[Comment]) -> dict[int, int]:
    """Comment id → how many delegations the reader sees sending the same text (2 or more)."""
    visible = true() if release.compilation_published_at is not None else visible_comments(user)
    return similarity.same_text_counts(comments, visible)


def row(comment: Comment, paragraph_text: str = "", same_text_count: int = 0, *, answer_seen: bool = True) -> MatrixRow:
    """A comment as a matrix row, labelled in the reader's language, its times in the reader's zone;
    ``same_text_count``: how many delegations sent its text, when several did; without
    ``answer_seen`` (a proposed answer the reader may not see yet) the row has no answer."""
    answer = comment if answer_seen else None
    aligned = sorted((organization_name(organization) for organization in comment.aligned), key=str.casefold)
    organization = comment.organization
    return MatrixRow(
        comment_id=comment.id,
        chapter=comment.printed.chapter or comment.printed.subsection,
        section_number=comment.printed.number,
        organization=positions.signatories(comment),
        organization_code=organization.code,
        region=str(REGIONS.get(organization.region, "")) if organization.region else "",
        kind=str(COMMENT_KINDS.get(comment.kind, comment.kind)),
        body=comment.body,
        proposed_text=comment.proposed_text or "",
        disposition=_disposition_label(answer),
        rationale=answer.rationale or "" if answer else "",
        resolved_in_version=str(answer.resolved_in.number) if answer and answer.resolved_in else "",
        submitted_at=to_user_timezone(comment.submitted_at) if comment.submitted_at else None,
        answered_at=to_user_timezone(answer.disposed_at) if answer and answer.disposed_at else None,
        late=comment.late,
        imported=comment.imported,
        paragraph_text=paragraph_text,
        aligned=format_list(aligned, locale=get_locale()) if aligned else "",
        same_text=same_text_count,
        body_html=comment.body_html or "",
        reaction=reaction_line(answer.reaction) if answer and answer.reaction else "",
    )


_BATCH = 500


def export_rows(user, release: Release, comments: Iterable[Comment], *, paragraphs: bool) -> Iterator[MatrixRow]:
    """The comments as matrix rows, with how many delegations sent the same text as the reader
    sees it (the matrix page's "42 delegations, same text"), and with ``paragraphs`` each proposed
    text with the paragraph it would replace, in the proposal's language where translated (as the
    compilation of amendments shows it); read a batch at a time, so that 20,000 comments are not
    20,000 queries."""
    comments = iter(comments)
    while batch := list(itertools.islice(comments, _BATCH)):
        counts = same_text(user, release, batch)
        texts = _paragraph_texts(release.document, batch) if paragraphs else {}
        for comment in batch:
            paragraph = texts.get((comment.proposed_language, comment.section_id), "")
            seen = can(user, "comment.answer.view", comment)
            yield row(comment, paragraph, counts.get(comment.id, 0), answer_seen=seen)


def _paragraph_texts(document: Document, batch: list[Comment]) -> dict[tuple[str, int], str]:
    wanted: dict[str, dict] = defaultdict(dict)
    for comment in batch:
        if comment.proposed_text:
            wanted[comment.proposed_language][comment.section_id] = comment.version
    return {
        (language, section_id): reading.body
        for language, versions in wanted.items()
        for section_id, reading in readings(document, versions, language).items()
    }


def _disposition_label(comment: Comment | None) -> str:
    if comment is None or comment.disposition is None:
        return ""
    label = str(DISPOSITIONS[comment.disposition])
    if comment.answer_outdated:
        return _("%(disposition)s (outdated: the comment was edited after it)", disposition=label)
    if comment.answer_stage == "proposed":
        return _("%(disposition)s (proposed, not shared with the delegation yet)", disposition=label)
    if comment.answer_stage == "shared":
        return _("%(disposition)s (proposed to the delegation, not final)", disposition=label)
    return label


def reaction_line(reaction: AnswerReaction) -> str:
    """The delegation's reaction to its proposed answer, in one line of the reader's language."""
    if reaction.reaction == "agreed":
        return _("Agreed by the delegation")
    return _("Objected by the delegation: %(reason)s", reason=reaction.reason or "")


def export_headers() -> dict[str, str]:
    return {
        "comment_id": _("Comment"),
        "chapter": _("Chapter"),
        "section_number": _("Paragraph"),
        "organization": _("Member State or organization"),
        "organization_code": _("Code"),
        "region": _("Region"),
        "kind": _("Kind"),
        "body": _("Comment text"),
        "proposed_text": _("Proposed text"),
        "disposition": _("Disposition"),
        "rationale": _("Rationale"),
        "resolved_in_version": _("Resolved in version"),
        "submitted_at": _("Submitted (%(zone)s)", zone=str(get_timezone())),
        "answered_at": _("Answered (%(zone)s)", zone=str(get_timezone())),
        "late": _("Late"),
        "imported": _("Imported"),
        "reaction": _("Delegation's reaction to the proposed answer"),
        "yes": _("Yes"),
        "sheet": _("Comments"),
        "delegation": _("Delegation"),
        "proposed_change": _("Proposed change"),
        "submitted_on": _("submitted %(date)s"),
        "response": _("Response"),
        "no_response": _("No response yet"),
        "resolved_in": _("Resolved in version %(version)s"),
        "aligned": _("Aligned"),
        "aligned_line": _("aligned: %(organizations)s"),
        "same_text": _("Delegations with the same text"),
        "same_text_line": _("%(count)s delegations, same text"),
    }


def record_download(actor, release: Release, file_format: str, filters: Filters) -> None:
    """Leave on record who downloaded which matrix, in which format and filtered how."""
    authorize(actor, "matrix.view", release)
    audit.record(
        actor,
        "matrix.download",
        release,
        document=release.document_id,
        release=release.number,
        format=file_format,
        filters=filters.as_args(),
    )


def publish_compilation(actor, release: Release, *, override_reason: str | None = None) -> Release:
    """Make the matrix of a closed window public.

    Like the next release, refused while submitted comments of the window are unanswered,
    unless the Secretariat gives a reason, which is recorded.
    """
    authorize(actor, "compilation.publish", release)
    if not release.has_closed(utcnow()):
        raise Conflict(_l("The compilation can be published once the comment window has closed."))
    if release.compilation_published_at is not None:
        return release
    unanswered = unanswered_comments(release)
    reason = gate_override(
        unanswered,
        override_reason,
        UnansweredComments(
            _l(
                "Submitted comments of this window have no answer yet (%(count)d). Answer them, or give a reason "
                "to publish the compilation anyway.",
                count=len(unanswered),
            )
        ),
    )
    release.compilation_published_at = utcnow()
    release.compilation_override_reason = reason
    db.session.flush()
    audit.record(actor, "compilation.publish", release, unanswered_overridden=[comment.id for comment in unanswered])
    return release


def section_numbers(release: Release) -> list[str]:
    """The numbers the release printed, in its order: one per paragraph."""
    return list(
        db.session.scalars(
            select(ReleaseSection.number)
            .where(ReleaseSection.release_id == release.id)
            .order_by(ReleaseSection.position)
        )
    )
