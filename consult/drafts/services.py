"""Drafts: consultations, documents, sections, versions, releases, import (services)."""

import functools
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, not_, select, update
from sqlalchemy.orm import selectinload

from consult import audit
from consult.drafts.importer import ImportFormatError, ParsedDocument, parse_document
from consult.drafts.structure import lock_document, snapshot
from consult.errors import Conflict, NotFound, StaleVersion, UnansweredComments, ValidationFailed
from consult.extensions import db, first_write
from consult.models import (
    Comment,
    Consultation,
    Document,
    Release,
    ReleaseSection,
    Section,
    SectionVersion,
)
from consult.models.base import utcnow
from consult.models.drafts import DOCUMENT_KINDS
from consult.notifications import messages
from consult.permissions import authorize, can, visible_sections
from consult.validation import clean_text, is_integer, one_of, optional_text, plausible_date, required_text

# An override of the unanswered-comments gate is kept on record: it must say something.
MIN_OVERRIDE_REASON_LENGTH = 10


_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

# -- reading ------------------------------------------------------------------------


# Principles and priority statements are sections with pages of their own.
_SECTION_PAGES = {"guiding_principles": "principles.show", "priority_statements": "priorities.show"}


def section_url(section: Section, **values) -> str:
    """The address of the page that shows a section."""
    return url_for(_SECTION_PAGES.get(section.document.kind, "drafts.section"), section_id=section.id, **values)


def get_consultation(slug: str) -> Consultation:
    # Only a well-formed slug is looked up: PostgreSQL refuses NUL even in a comparison.
    found = select(Consultation).where(Consultation.slug == slug)
    consultation = db.session.scalar(found) if _SLUG.fullmatch(slug) else None
    if consultation is None:
        raise NotFound(_l("No such consultation."))
    return consultation


def get_document(document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound(_l("No such document."))
    return document


def get_section(user, section_id: int) -> Section:
    """The section if the reader may see it; otherwise NotFound, so ids reveal nothing."""
    section = db.session.scalar(select(Section).where(Section.id == section_id, visible_sections(user)))
    if section is None:
        raise NotFound(_l("No such section."))
    return section


def readable_section_ids(user, section_ids: Iterable[int]) -> set[int]:
    """Those of the ids whose sections the reader may see (unreleased ones stay with the staff)."""
    wanted = set(section_ids)
    if not wanted or can(user, "section.view_working"):
        return wanted
    return set(db.session.scalars(select(Section.id).where(Section.id.in_(wanted), visible_sections(user))))


def readable_sections(user, sections: Iterable[Section]) -> list[Section]:
    """Those of the sections the reader may see, in their order."""
    sections = list(sections)
    readable = readable_section_ids(user, (section.id for section in sections))
    return [section for section in sections if section.id in readable]


def current_release(document: Document) -> Release | None:
    return db.session.scalar(
        select(Release).where(Release.document_id == document.id).order_by(Release.number.desc()).limit(1)
    )


def next_window_change(document: Document, now: datetime) -> datetime | None:
    """When a comment window of the document next opens or closes, if it ever does again."""
    moments = [
        moment for release in document.releases for moment in (release.comments_open_at, release.comments_close_at)
    ]
    return min((moment for moment in moments if moment > now), default=None)


def lock_release(release: Release) -> Release:
    """Hold the release row until the transaction ends, and re-read it.

    Submissions and moves of the comment window then happen one after the other, each
    judged by the close time the other committed. A no-op UPDATE rather than SELECT … FOR
    UPDATE: it also takes SQLite's write lock, and on PostgreSQL it does not wait for the
    key-share locks that inserting comments takes on the release. The UPDATE returns the
    row it locked, so the re-read costs no second statement where the database has RETURNING.
    """
    returning = db.session.get_bind().dialect.update_returning
    result = first_write(_lock_release_statement(returning), {"release_id": release.id})
    if returning:
        result.scalar_one()  # the returned row refreshes the release as it is read
    else:
        db.session.refresh(release)
    return release


@functools.cache
def _lock_release_statement(returning: bool):
    # Built once: every submission runs it.
    statement = (
        update(Release)
        .where(Release.id == bindparam("release_id"))
        .values(accept_late=Release.accept_late)
        .execution_options(synchronize_session=False)
    )
    return statement.returning(Release).execution_options(populate_existing=True) if returning else statement


def share_release(release: Release) -> Release:
    """Hold the release against changes of its window until the transaction ends, and re-read it,
    as a submission does: submissions share the hold, so that they do not wait for one another.

    On PostgreSQL, SELECT … FOR SHARE: a change of the window (``lock_release``) waits for the
    submissions holding it, and they for it. SQLite has one writer at a time: there the
    submission takes ``lock_release``.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return lock_release(release)
    db.session.execute(_SHARE_RELEASE, {"release_id": release.id}).scalar_one()
    return release


# Built once: every submission runs it; populate_existing refreshes the release as it is read.
_SHARE_RELEASE = (
    select(Release)
    .where(Release.id == bindparam("release_id"))
    .with_for_update(read=True)
    .execution_options(populate_existing=True)
)


def get_release(document: Document, number: int) -> Release:
    release = db.session.scalar(select(Release).where(Release.document_id == document.id, Release.number == number))
    if release is None:
        raise NotFound(_l("No such release."))
    return release


def latest_version(section: Section) -> SectionVersion | None:
    return db.session.scalar(
        select(SectionVersion).where(
            SectionVersion.section_id == section.id,
            SectionVersion.number == section.latest_version,
        )
    )


def get_version(section: Section, number: int) -> SectionVersion:
    version = db.session.scalar(
        select(SectionVersion).where(SectionVersion.section_id == section.id, SectionVersion.number == number)
    )
    if version is None:
        raise NotFound(_l("This section has no version %(number)s.", number=number))
    return version


def released_version(section: Section, release: Release | None) -> SectionVersion | None:
    if release is None:
        return None
    return db.session.scalar(
        select(SectionVersion)
        .join(ReleaseSection, ReleaseSection.version_id == SectionVersion.id)
        .where(ReleaseSection.release_id == release.id, ReleaseSection.section_id == section.id)
    )


def released_versions(release: Release) -> dict[int, SectionVersion]:
    """Section id → the version the release published, in one query."""
    rows = db.session.execute(
        select(ReleaseSection.section_id, SectionVersion)
        .join(SectionVersion, ReleaseSection.version_id == SectionVersion.id)
        .where(ReleaseSection.release_id == release.id)
    )
    return {section_id: version for section_id, version in rows}


def printed_sections(release: Release) -> list[ReleaseSection]:
    """What the release printed, in its order: each section with its number, titles and version."""
    return list(
        db.session.scalars(
            select(ReleaseSection)
            .where(ReleaseSection.release_id == release.id)
            .options(selectinload(ReleaseSection.section), selectinload(ReleaseSection.version))
            .order_by(ReleaseSection.position)
        )
    )


def latest_versions(document: Document) -> dict[int, SectionVersion]:
    """Section id → its newest version, in one query."""
    rows = db.session.scalars(
        select(SectionVersion)
        .join(Section, Section.id == SectionVersion.section_id)
        .where(Section.document_id == document.id, SectionVersion.number == Section.latest_version)
    )
    return {version.section_id: version for version in rows}


def document_texts(
    user, document: Document, release: Release | None, *, working: bool = False
) -> dict[int, SectionVersion]:
    """Section id → the version of each section the reader reads.

    The working draft (every section's newest version) when the reader may see it and asks for
    it, or when nothing is released yet; otherwise what the release published.
    """
    if can(user, "section.view_working") and (working or release is None):
        return latest_versions(document)
    return released_versions(release) if release is not None else {}


def visible_versions(user, section: Section) -> list[SectionVersion]:
    """Every version for staff; for everyone else only versions some release published."""
    query = select(SectionVersion).where(SectionVersion.section_id == section.id)
    if not can(user, "section.view_working"):
        published = select(ReleaseSection.version_id).where(ReleaseSection.section_id == section.id)
        query = query.where(SectionVersion.id.in_(published))
    return list(db.session.scalars(query.order_by(SectionVersion.number)))


def version_for_reader(user, section: Section, number: int) -> SectionVersion:
    """A version the reader may see, else NotFound (working versions stay with staff)."""
    for version in visible_versions(user, section):
        if version.number == number:
            return version
    raise NotFound(_l("This section has no version %(number)s.", number=number))


# -- creating documents ----------------------------------------------------------------


def create_consultation(actor, *, slug: str, title: str, description: str = "") -> Consultation:
    slug = clean_text(slug).lower()
    if not _SLUG.fullmatch(slug):
        raise ValidationFailed(field_errors={"slug": [str(_l("Use lowercase letters, digits and hyphens."))]})
    if db.session.scalar(select(Consultation.id).where(Consultation.slug == slug)):
        raise Conflict(_l("A consultation with this short name (slug) already exists. Choose another."))
    consultation = Consultation(
        slug=slug, title=required_text("title", title, 300), description=clean_text(description)
    )
    db.session.add(consultation)
    db.session.flush()
    audit.record(actor, "consultation.create", consultation)
    return consultation


def _anchor_for(number: str, taken: set[str], annex: int = 0) -> str:
    base = (f"annex-{annex}-para-" if annex else "para-") + (
        re.sub(r"[^0-9A-Za-z]+", "-", number).strip("-").lower() or "x"
    )
    anchor, suffix = base, 2
    while anchor in taken:
        anchor, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(anchor)
    return anchor


def import_document(
    actor,
    consultation: Consultation,
    *,
    title: str,
    text: str | ParsedDocument,
    language: str | None = None,
    kind: str = "plan_draft",
) -> Document:
    """Turn a UN document (its text, or the structure read from a file: consult.drafts.word_import)
    into a document with one section per numbered paragraph, and per other part imported (a summary,
    an annex's text)."""
    if actor is not None:
        authorize(actor, "document.import")
    title = required_text("title", title, 300)
    kind = one_of("kind", kind, DOCUMENT_KINDS)
    try:
        parsed = text if isinstance(text, ParsedDocument) else parse_document(text, language=language or None)
    except ImportFormatError as error:
        raise ValidationFailed(error.message, field_errors={"file": [error.message]}) from error
    document = Document(
        consultation=consultation,
        title=title,
        kind=kind,
        language=language or parsed.language,
        symbol=parsed.symbol,
    )
    db.session.add(document)
    taken: set[str] = set()
    for position, paragraph in enumerate(parsed.paragraphs, start=1):
        section = Section(
            document=document,
            anchor=_anchor_for(paragraph.number, taken, paragraph.annex),
            number=paragraph.number,
            chapter=paragraph.chapter,
            subsection=paragraph.subsection or "",
            position=position,
            latest_version=1,
        )
        section.versions.append(_new_version(actor, 1, paragraph.body, ""))
        db.session.add(section)
    db.session.flush()
    audit.record(
        actor,
        "document.import",
        document,
        sections=len(parsed.paragraphs),
        skipped=len(parsed.skipped),
        warnings=[warning.message for warning in parsed.warnings],
    )
    return document


def add_section(
    actor,
    document: Document,
    *,
    number: str,
    body: str,
    heading: str = "",
    chapter: str = "",
    subsection: str = "",
    anchor: str | None = None,
) -> Section:
    """Append a section with its first version; the caller has authorized the actor."""
    # Checked before the section exists: a half-built one would hang on the document.
    number, body = required_text("number", number, 20), required_text("body", body)
    anchor = clean_text(anchor)  # callers build it from the number as typed
    taken = set(db.session.scalars(select(Section.anchor).where(Section.document_id == document.id)))
    position = (
        db.session.scalar(select(func.max(Section.position)).where(Section.document_id == document.id)) or 0
    ) + 1
    section = Section(
        document=document,
        anchor=anchor if anchor and anchor not in taken else _anchor_for(number, taken),
        number=number,
        heading=clean_text(heading),
        chapter=clean_text(chapter),
        subsection=clean_text(subsection),
        position=position,
        latest_version=1,
    )
    section.versions.append(_new_version(actor, 1, body, ""))
    db.session.add(section)
    db.session.flush()
    audit.record(actor, "section.create", section)
    return section


def _new_version(actor, number: int, body: str, change_note: str) -> SectionVersion:
    return SectionVersion(
        number=number,
        body=body,
        change_note=change_note,
        author_id=getattr(actor, "id", None),
    )


# -- revising -----------------------------------------------------------------------


def revise_section(
    actor,
    section: Section,
    *,
    body: str,
    change_note: str,
    base_version: int | None,
    addresses: list[int] | None = None,
) -> SectionVersion:
    """Save a new version made from ``base_version``; refuse if someone saved in between.

    ``actor`` None is the operator at the command line (importing the next draft)."""
    if actor is not None:
        authorize(actor, "section.revise", section)
    body = required_text("body", body)
    change_note = optional_text("change_note", change_note, 2000) or ""
    if not is_integer(base_version):
        raise ValidationFailed(field_errors={"base_version": [str(_l("Say which version you started from."))]})
    comments = _addressable_comments(section, addresses or [])
    # Compare-and-swap: only one of several concurrent saves from the same base wins.
    swapped = db.session.execute(
        update(Section)
        .where(Section.id == section.id, Section.latest_version == base_version)
        .values(latest_version=base_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if swapped != 1:
        db.session.refresh(section)
        current = latest_version(section)
        raise StaleVersion(
            details={
                "current_version": section.latest_version,
                "current_body": current.body if current else "",
            }
        )
    db.session.refresh(section)
    version = _new_version(actor, base_version + 1, body, change_note)
    version.section = section
    version.addressed_comments = comments
    db.session.add(version)
    db.session.flush()
    audit.record(
        actor,
        "section.revise",
        section,
        version=version.number,
        addresses=[comment.id for comment in comments],
    )
    return version


def _addressable_comments(section: Section, comment_ids: list) -> list[Comment]:
    if not all(is_integer(cid) for cid in comment_ids):
        raise ValidationFailed(field_errors={"addresses": [str(_l("Give comment numbers."))]})
    if not comment_ids:
        return []
    comments = list(
        db.session.scalars(
            select(Comment).where(
                Comment.id.in_(set(comment_ids)),
                Comment.section_id == section.id,
                Comment.status == "submitted",
            )
        )
    )
    missing = sorted(set(comment_ids) - {comment.id for comment in comments})
    if missing:
        raise ValidationFailed(
            field_errors={
                "addresses": [
                    str(
                        _l(
                            "These are not submitted comments on this section: %(ids)s.",
                            ids=", ".join(map(str, missing)),
                        )
                    )
                ]
            }
        )
    return comments


def addressable_comments(section: Section) -> list[Comment]:
    """Submitted comments on the section, for the editor's "addresses" choice."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.section_id == section.id, Comment.status == "submitted")
            .options(selectinload(Comment.organization))
            .order_by(Comment.id)
        )
    )


# -- releases -----------------------------------------------------------------------


def _window(opens_at: datetime, closes_at: datetime | None) -> None:
    if closes_at is None:
        raise ValidationFailed(field_errors={"comments_close_at": [str(_l("Give the date the window closes."))]})
    if closes_at.tzinfo is None:
        raise ValidationFailed(field_errors={"comments_close_at": [str(_l("Give the time with its time zone."))]})
    plausible_date("comments_open_at", opens_at)
    plausible_date("comments_close_at", closes_at)
    if closes_at <= opens_at:
        raise ValidationFailed(field_errors={"comments_close_at": [str(_l("The window must close after it opens."))]})


def unanswered_comments(release: Release) -> list[Comment]:
    """Submitted comments on the release without an answer, or whose answer predates their last edit."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(
                Comment.release_id == release.id,
                Comment.status == "submitted",
                not_(Comment.answered),
            )
            .order_by(Comment.id)
        )
    )


def gate_override(unanswered: list[Comment], override_reason: str | None, refusal) -> str | None:
    """The recorded reason to go ahead although comments are unanswered; refused without one.

    ``refusal`` is the UnansweredComments to raise, worded for the step being taken.
    """
    reason = optional_text("override_reason", override_reason, 2000)
    if not unanswered:
        return None
    if not reason:
        refusal.details = {"unanswered": [comment.id for comment in unanswered]}
        raise refusal
    if len(reason) < MIN_OVERRIDE_REASON_LENGTH:
        raise ValidationFailed(
            field_errors={
                "override_reason": [
                    str(
                        _l(
                            "Explain the reason in at least %(count)d characters: it is kept on record.",
                            count=MIN_OVERRIDE_REASON_LENGTH,
                        )
                    )
                ]
            }
        )
    return reason


def publish_release(
    actor,
    document: Document,
    *,
    label: str,
    comments_close_at: datetime | None,
    comments_open_at: datetime | None = None,
    accept_late: bool = False,
    propose_answers: bool = False,
    override_reason: str | None = None,
    keep_previous_open: bool = False,
    supersedes: int | None = None,
) -> Release:
    """Publish a snapshot of the newest version of every section, with its comment window.

    Refused while submitted comments on the previous release have no answer, unless the
    Secretariat gives a reason, which is recorded. The previous release's window closes
    now (no more late comments either) unless ``keep_previous_open``. ``supersedes``, when
    given, is the release number the publisher saw as current: another one published
    meanwhile is a conflict. Two publications at once: one wins, the other is a conflict
    (the release number is unique per document).
    """
    if actor is not None:
        authorize(actor, "release.publish", document)
    now = utcnow()
    opens_at = comments_open_at or now
    _window(opens_at, comments_close_at)
    if comments_close_at <= now:
        raise ValidationFailed(field_errors={"comments_close_at": [str(_l("The window must close in the future."))]})
    label = required_text("label", label, 200)
    # One structure at a time: no section is inserted, moved or retired while this one is printed.
    lock_document(document)
    previous = current_release(document)
    if supersedes is not None and supersedes != (previous.number if previous else 0):
        raise Conflict(_l("Another release of this document was published meanwhile. Reload the page to see it."))
    unanswered = unanswered_comments(previous) if previous else []
    reason = (
        gate_override(
            unanswered,
            override_reason,
            UnansweredComments(
                _l(
                    "Submitted comments on “%(label)s” have no answer yet (%(count)d). Answer them, or give a reason "
                    "to publish anyway.",
                    count=len(unanswered),
                    label=previous.label,
                )
            ),
        )
        if previous
        else None
    )
    closed_previous = _close_superseded(previous, now) if previous and not keep_previous_open else None
    release = Release(
        document=document,
        number=(previous.number if previous else 0) + 1,
        label=label,
        published_at=now,
        published_by_id=getattr(actor, "id", None),
        comments_open_at=opens_at,
        comments_close_at=comments_close_at,
        accept_late=accept_late,
        propose_answers=propose_answers,
        gate_override_reason=reason,
    )
    db.session.add(release)
    db.session.flush()
    release.snapshot.extend(snapshot(release, latest_versions(document)))
    db.session.flush()
    audit.record(
        actor,
        "release.publish",
        release,
        label=label,
        comments_close_at=comments_close_at.isoformat(),
        propose_answers=propose_answers,
        unanswered_overridden=[comment.id for comment in unanswered],
        previous_window=closed_previous,
    )
    messages.release_published(actor, release)
    return release


def _close_superseded(previous: Release, now: datetime) -> dict | None:
    """Close the superseded release's window now: its drafts can no longer be submitted.

    Under the release's lock, like every submission: one made before this commits is
    on time, one after it is refused. Returns what changed, for the audit trail.
    """
    lock_release(previous)
    if not previous.takes_comments(now) and now >= previous.comments_open_at:
        return None
    changed = {
        "release": previous.number,
        "comments_close_at": previous.comments_close_at.isoformat(),
        "accept_late": previous.accept_late,
    }
    previous.comments_open_at = min(previous.comments_open_at, now)
    previous.comments_close_at = min(previous.comments_close_at, now)
    previous.accept_late = False
    return changed


def move_window(actor, document: Document, *, comments_close_at: datetime | None) -> Release:
    """Move the end of the current release's comment window."""
    authorize(actor, "release.edit_window", document)
    release = current_release(document)
    if release is None:
        raise NotFound(_l("This document has no release yet."))
    _window(release.comments_open_at, comments_close_at)
    lock_release(release)
    # What has passed stays passed: comments accepted as on time until now stay on time,
    # so an open window closes now at the earliest, a closed one cannot close earlier.
    comments_close_at = max(comments_close_at, min(utcnow(), release.comments_close_at))
    previous = release.comments_close_at
    release.comments_close_at = comments_close_at
    db.session.flush()
    audit.record(
        actor,
        "release.move_window",
        release,
        previous=previous.isoformat(),
        comments_close_at=comments_close_at.isoformat(),
    )
    return release


def default_close_time(days: int = 30) -> datetime:
    """``days`` from now, rounded up to the full hour: deadlines read better that way."""
    return (utcnow() + timedelta(days=days, hours=1)).replace(minute=0, second=0, microsecond=0)
