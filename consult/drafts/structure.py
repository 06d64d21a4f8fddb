"""The working draft's structure: sections inserted, retired and moved; renumbered at each release.

A section's anchor never changes, so comments stay on it whatever happens to its place and
number. The working draft orders sections by ``position``; a release snapshots the order,
numbers and titles it prints (``ReleaseSection``), so every release keeps what it printed.
"""

import functools
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from consult import audit
from consult.drafts.importer import is_annex
from consult.errors import Conflict, ValidationFailed
from consult.extensions import db
from consult.models import Document, Release, ReleaseSection, Section, SectionVersion
from consult.models.base import utcnow
from consult.permissions import authorize
from consult.validation import clean_text, is_integer, required_text

# An inserted section's number until the release that prints it gives it one.
UNNUMBERED = ""


def lock_document(document: Document) -> None:
    """Hold the document's row until the transaction ends: changes of its structure and the
    publication of a release happen one after the other, each on what the other committed."""
    db.session.execute(_lock_document_statement(), {"document_id": document.id})


@functools.cache
def _lock_document_statement():
    return (
        update(Document)
        .where(Document.id == bindparam("document_id"))
        .values(title=Document.title)
        .execution_options(synchronize_session=False)
    )


def _authorize(actor, obj) -> None:
    """``actor`` None is the operator at the command line, who may do anything."""
    if actor is not None:
        authorize(actor, "section.revise", obj)


def working_sections(document: Document) -> list[Section]:
    """The sections of the next release, in their order (retired ones left out)."""
    return list(
        db.session.scalars(
            select(Section)
            .where(Section.document_id == document.id, Section.retired_at.is_(None))
            .order_by(Section.position, Section.id)
            .execution_options(populate_existing=True)
        )
    )


def _neighbour(document: Document, after_id, field: str = "after") -> Section | None:
    """The working section named by ``after`` (None: the start of the draft)."""
    if after_id is None:
        return None
    if not is_integer(after_id):
        raise ValidationFailed(field_errors={field: [str(_l("Give the id of a paragraph, or nothing for the start."))]})
    section = db.session.get(Section, after_id)
    if section is None or section.document_id != document.id:
        raise ValidationFailed(field_errors={field: [str(_l("This is not a paragraph of this document."))]})
    if section.retired_at is not None:
        raise ValidationFailed(field_errors={field: [str(_l("This paragraph is retired from the working draft."))]})
    return section


def _place(order: list[Section], section: Section, after: Section | None) -> None:
    """Put ``section`` after ``after`` (or first) in ``order``, number the positions again, and
    let it take the chapter and subsection of the paragraph it now follows (or precedes)."""
    order.insert(order.index(after) + 1 if after else 0, section)
    for position, item in enumerate(order, start=1):
        if item.position != position:
            item.position = position
    neighbour = after or (order[1] if len(order) > 1 else None)
    if neighbour is not None:
        section.chapter, section.subsection = neighbour.chapter, neighbour.subsection


def _unique_anchor(document: Document) -> str:
    taken = set(db.session.scalars(select(Section.anchor).where(Section.document_id == document.id)))
    while (anchor := f"para-{secrets.token_hex(3)}") in taken:
        pass
    return anchor


def insert_section(
    actor, document: Document, *, after, body: str, heading: str = "", chapter: str | None = None
) -> Section:
    """A new section after ``after`` (a section id, or None for the start); part of the next release."""
    _authorize(actor, document)
    body = required_text("body", body)
    lock_document(document)
    after_section = _neighbour(document, after)
    order = working_sections(document)
    section = Section(
        document=document,
        anchor=_unique_anchor(document),
        number=UNNUMBERED,
        heading=clean_text(heading)[:300],
        position=0,
        latest_version=1,
        versions=[SectionVersion(number=1, body=body, change_note="", author_id=getattr(actor, "id", None))],
    )
    db.session.add(section)
    _place(order, section, after_section)
    if chapter is not None:
        section.chapter = clean_text(chapter)[:300]
    db.session.flush()
    audit.record(actor, "section.insert", section, after=after_section.id if after_section else None)
    return section


def retire_section(actor, section: Section, *, reason: str) -> Section:
    """Leave the section out of the next release; it stays in the earlier ones with its comments."""
    _authorize(actor, section)
    reason = required_text("reason", reason, 2000)
    lock_document(section.document)
    db.session.refresh(section)
    if section.retired_at is not None:
        raise Conflict(_l("This paragraph is already retired from the working draft."))
    section.retired_at = utcnow()
    section.retired_reason = reason
    section.retired_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, "section.retire", section, reason=reason)
    return section


def move_section(actor, section: Section, *, after) -> Section:
    """Put the section after another (or first); it is renumbered when the next release is published."""
    _authorize(actor, section)
    document = section.document
    lock_document(document)
    db.session.refresh(section)
    if section.retired_at is not None:
        raise Conflict(_l("This paragraph is retired from the working draft: it cannot be moved."))
    if after is not None and after == section.id:
        raise ValidationFailed(field_errors={"after": [str(_l("A paragraph cannot be moved after itself."))]})
    after_section = _neighbour(document, after)
    order = [item for item in working_sections(document) if item.id != section.id]
    before = section.position
    _place(order, section, after_section)
    db.session.flush()
    audit.record(
        actor,
        "section.move",
        section,
        after=after_section.id if after_section else None,
        position={"from": before, "to": section.position},
    )
    return section


def _numbered(number: str) -> bool:
    """Part of the numbered sequence: a paragraph number, or a section inserted since the last release."""
    return number == UNNUMBERED or (number.isascii() and number.isdigit())


def next_numbers(order: list[Section]) -> dict[int, str]:
    """Section id → the number the next release prints for each of the working sections in
    ``order``: the numbered sequence renumbered consecutively, each annex's paragraphs as a
    sequence of their own, other numbers (``10 bis``) as they are."""
    sequences: dict[str, list[Section]] = {}
    for section in order:
        sequences.setdefault(section.chapter if is_annex(section.chapter) else "", []).append(section)
    printed = {}
    for sections in sequences.values():
        numbers = [int(section.number) for section in sections if section.number.isdigit()]
        next_number = min(numbers) if numbers else 1
        for section in sections:
            if _numbered(section.number):
                printed[section.id], next_number = str(next_number), next_number + 1
            else:
                printed[section.id] = section.number
    return printed


def snapshot(release: Release, versions: dict[int, SectionVersion]) -> list[ReleaseSection]:
    """What ``release`` prints: the working sections in order, the numbered ones renumbered
    consecutively; each section takes the number printed. Retired sections are marked as
    left out from this release on."""
    document = release.document
    order = working_sections(document)
    numbers = next_numbers(order)
    printed = []
    for position, section in enumerate(order, start=1):
        if section.number != numbers[section.id]:
            section.number = numbers[section.id]
        printed.append(
            ReleaseSection(
                section_id=section.id,
                version_id=versions[section.id].id,
                number=section.number,
                position=position,
                heading=section.heading,
                chapter=section.chapter,
                subsection=section.subsection,
            )
        )
    db.session.execute(
        update(Section)
        .where(
            Section.document_id == document.id,
            Section.retired_at.is_not(None),
            Section.retired_in_release_id.is_(None),
        )
        .values(retired_in_release_id=release.id)
        .execution_options(synchronize_session="fetch")
    )
    return printed
