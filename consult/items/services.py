"""Guiding principles and priority statements: commentable items built on sections.

Each item is a section of a document of kind "guiding_principles" or
"priority_statements", so versions, releases and comments work on it unchanged.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult import audit
from consult.drafts.services import add_section
from consult.errors import ValidationFailed
from consult.extensions import db
from consult.models import Consultation, Document, Section
from consult.permissions import authorize
from consult.validation import is_integer, one_of

ITEM_KINDS = {
    "guiding_principles": _l("Guiding principles"),
    "priority_statements": _l("Priority statements"),
}

PRIORITY_GROUPS = {
    "current_framework": _l("Current priority framework"),
    "considerations": _l("Considerations"),
    "entry_points": _l("Entry points"),
    "approaches": _l("Approaches"),
}


def item_document(consultation: Consultation, kind: str) -> Document | None:
    return db.session.scalar(
        select(Document)
        .where(Document.consultation_id == consultation.id, Document.kind == kind)
        .order_by(Document.id)
        .limit(1)
    )


def items(consultation: Consultation, kind: str) -> list[Section]:
    document = item_document(consultation, kind)
    return list(document.sections) if document else []


def add_item(
    actor,
    consultation: Consultation,
    *,
    kind: str,
    number: str,
    title: str,
    body: str,
    group: str = "",
    language: str = "en",
) -> Section:
    """Add a principle or priority statement (its document is created with the first one)."""
    if actor is not None:
        authorize(actor, "items.manage", consultation)
    kind = one_of("kind", kind, ITEM_KINDS)
    if kind == "priority_statements":
        group = one_of("group", group, PRIORITY_GROUPS)
    document = item_document(consultation, kind)
    if document is None:
        document = Document(consultation=consultation, title=str(ITEM_KINDS[kind]), kind=kind, language=language)
        db.session.add(document)
        db.session.flush()
        audit.record(actor, "document.create", document, kind=kind)
    return add_section(
        actor,
        document,
        number=number,
        heading=title,
        body=body,
        chapter=str(ITEM_KINDS[kind]),
        subsection=group,
        anchor=f"{'principle' if kind == 'guiding_principles' else 'priority'}-{number}",
    )


def link_sections(actor, item: Section, related_ids: list[int]) -> Section:
    """Say which paragraphs of the draft answer a priority statement (or a principle)."""
    authorize(actor, "section.link", item)
    if not all(map(is_integer, related_ids)):
        raise ValidationFailed(field_errors={"related": [str(_l("Choose paragraphs of this consultation's draft."))]})
    consultation_id = item.document.consultation_id
    related = list(
        db.session.scalars(
            select(Section)
            .join(Document)
            .where(Section.id.in_(set(related_ids)), Document.consultation_id == consultation_id, Section.id != item.id)
        )
    )
    missing = sorted(set(related_ids) - {s.id for s in related} - {item.id})
    if missing or item.id in related_ids:
        raise ValidationFailed(field_errors={"related": [str(_l("Choose paragraphs of this consultation's draft."))]})
    item.related = related
    db.session.flush()
    audit.record(actor, "section.link", item, related=[s.id for s in related])
    return item
