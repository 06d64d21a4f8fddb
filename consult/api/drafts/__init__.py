"""Consultations, documents and their releases, sections and their versions."""

from flask import g
from sqlalchemy import select

from consult.api.common import bp, domain, errors
from consult.api.drafts.schemas import (
    CompareQuerySchema,
    ConcordanceQuerySchema,
    ConcordanceRowSchema,
    ConsultationSchema,
    ConsultationSummarySchema,
    DiffQuerySchema,
    DiffSchema,
    DocumentSchema,
    LanguageQuerySchema,
    MoveSchema,
    NewSectionSchema,
    NewVersionSchema,
    ReleaseRequestSchema,
    ReleaseSchema,
    RetireSchema,
    RevisionRequestSchema,
    SectionSchema,
    WindowRequestSchema,
)
from consult.api.schema import Seen, show_sections
from consult.dialogues import services as dialogues
from consult.drafts import concordance, downloads, structure, translations
from consult.drafts import services as drafts
from consult.extensions import db
from consult.matrix.exports import DOCX_MIMETYPE
from consult.models import Consultation
from consult.permissions import authorize, can
from consult.text import reading_diff_html

route = domain("Drafts", "Consultations, their documents, releases, sections and versions")


def _visible_section(section_id: int):
    """The section and the versions the caller may see; NotFound when the caller may see none."""
    section = drafts.get_section(g.api_user, section_id)
    return section, drafts.visible_versions(g.api_user, section)


@route("/consultations")
@bp.response(200, ConsultationSummarySchema(many=True))
def consultations():
    """The consultations"""
    return db.session.scalars(select(Consultation).order_by(Consultation.id))


@route("/consultations/<slug>")
@errors(404)
@bp.response(200, ConsultationSchema)
def consultation(slug):
    """A consultation and its documents"""
    return drafts.get_consultation(slug)


@route("/documents/<int:document_id>")
@errors(403, 404)
@bp.response(200, DocumentSchema)
@bp.query(LanguageQuerySchema)
def document(document_id, query):
    """A document: its releases, and the sections of its current release as printed

    With `lang`, headings and chapter titles in that language where translated. The staff read
    each section's newest version, and before any release the working draft.
    """
    item = drafts.get_document(document_id)
    authorize(g.api_user, "document.view", item)
    language = query().get("lang")
    release = drafts.current_release(item)
    staff = can(g.api_user, "section.view_working")
    newest = drafts.latest_versions(item) if staff else {}
    if release is None:
        sections = [Seen(section, version=newest[section.id]) for section in structure.working_sections(item)]
        sections = sections if staff else []
        return Seen(item, release=None, sections=sections, languages=[item.language])
    printed = drafts.printed_sections(release)
    readings = translations.readings(item, {row.section_id: row.version for row in printed}, language)
    sections = []
    for row in printed:
        reading = readings[row.section_id]
        translated = reading.translation
        sections.append(
            Seen(
                row.section,
                number=row.number,
                heading=(translated.heading if translated and translated.heading else row.heading),
                chapter=(translated.chapter if translated and translated.chapter else row.chapter),
                subsection=(translated.subsection if translated and translated.subsection else row.subsection),
                version=newest.get(row.section_id, row.version),
            )
        )
    return Seen(item, release=release, sections=sections, languages=translations.release_languages(release))


@route("/documents/<int:document_id>/releases", methods=["POST"])
@errors(403, 404, 409)
@bp.response(201, ReleaseSchema)
@bp.body(ReleaseRequestSchema)
def publish_release(document_id, body):
    """Publish a release (Secretariat)

    Closes the window of the release it supersedes, unless `keep_previous_open`.
    """
    item = drafts.get_document(document_id)
    authorize(g.api_user, "release.publish", item)
    return drafts.publish_release(g.api_user, item, **body())


@route("/documents/<int:document_id>/release", methods=["PATCH"])
@errors(403, 404, 409)
@bp.response(200, ReleaseSchema)
@bp.body(WindowRequestSchema)
def move_window(document_id, body):
    """Move the end of the current comment window (Secretariat)"""
    item = drafts.get_document(document_id)
    authorize(g.api_user, "release.edit_window", item)
    return drafts.move_window(g.api_user, item, **body())


def _section_answer(item, versions, language: str | None = None) -> Seen:
    shown = versions[-1]
    reading = translations.reading(item, shown, language)
    conclusions = dialogues.published_conclusions([item.id]).get(item.id, [])
    show_sections(drafts.readable_section_ids(g.api_user, (s.id for c in conclusions for s in c.sections)))
    retired = (
        {"release": item.retired_in.number if item.retired_in else None, "reason": item.retired_reason}
        if item.retired_at
        else None
    )
    return Seen(
        item,
        version=Seen(shown, body=reading.body, html=reading.html, language=reading.language, outdated=reading.outdated),
        versions=versions,
        languages=translations.languages_of([item.id], {item.id: shown}, item.document.language),
        retired=retired,
        conclusions=conclusions,
    )


@route("/sections/<int:section_id>")
@errors(404)
@bp.response(200, SectionSchema)
@bp.query(LanguageQuerySchema)
def section(section_id, query):
    """A section with the versions the caller may see, and the published conclusions about it

    With `lang`, the text in that language where there is one (`outdated` when it translates an
    earlier version); otherwise the original's.
    """
    item, versions = _visible_section(section_id)
    return _section_answer(item, versions, query().get("lang"))


@route("/documents/<int:document_id>/sections", methods=["POST"])
@errors(403, 404)
@bp.response(201, SectionSchema)
@bp.body(NewSectionSchema)
def insert_section(document_id, body):
    """Insert a section after another, or at the start (editor); part of the next release"""
    item = drafts.get_document(document_id)
    authorize(g.api_user, "section.revise", item)
    section = structure.insert_section(g.api_user, item, **body())
    return _section_answer(section, drafts.visible_versions(g.api_user, section))


@route("/sections/<int:section_id>/retire", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, SectionSchema)
@bp.body(RetireSchema)
def retire_section(section_id, body):
    """Retire a section from the working draft, with a reason (editor); it stays in earlier releases"""
    item = drafts.get_section(g.api_user, section_id)
    authorize(g.api_user, "section.revise", item)
    structure.retire_section(g.api_user, item, **body())
    return _section_answer(item, drafts.visible_versions(g.api_user, item))


@route("/sections/<int:section_id>/move", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, SectionSchema)
@bp.body(MoveSchema)
def move_section(section_id, body):
    """Move a section after another, or to the start (editor); renumbered at the next release"""
    item = drafts.get_section(g.api_user, section_id)
    authorize(g.api_user, "section.revise", item)
    structure.move_section(g.api_user, item, **body())
    return _section_answer(item, drafts.visible_versions(g.api_user, item))


@route("/documents/<int:document_id>/concordance")
@errors(403, 404, 422)
@bp.response(200, ConcordanceRowSchema(many=True))
@bp.query(ConcordanceQuerySchema)
def document_concordance(document_id, query):
    """Where each section of release `from` is in release `to`: kept (maybe renumbered), new or retired"""
    item = drafts.get_document(document_id)
    authorize(g.api_user, "document.view", item)
    numbers = query()
    old, new = drafts.get_release(item, numbers["from_"]), drafts.get_release(item, numbers["to"])
    return concordance.compare(old, new, diffs=False)


@route("/documents/<int:document_id>/releases/<int:number>.<any(docx, pdf):file_type>")
@errors(403, 404, 422)
@bp.doc(
    responses={
        "200": {
            "description": "The release as issued, in the United Nations layout, as a Word document or as PDF",
            "content": {
                DOCX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}},
                downloads.PDF_MIMETYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
)
@bp.query(LanguageQuerySchema)
def release_file(document_id, number, file_type, query):
    """A release as issued (symbol, distribution and date, chapters, numbered paragraphs, footnotes), in `lang`"""
    item = drafts.get_document(document_id)
    authorize(g.api_user, "document.view", item)
    release = drafts.get_release(item, number)
    return downloads.release_file(item, release, query().get("lang"), file_type)


@route("/documents/<int:document_id>/compare.docx")
@errors(403, 404, 422)
@bp.doc(
    responses={
        "200": {
            "description": "A Word document with tracked changes: accepting them all gives release `to`, "
            "rejecting them all release `from`",
            "content": {DOCX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
@bp.query(CompareQuerySchema)
def document_compare_docx(document_id, query):
    """Release `to` against release `from` as Word tracked changes, in `lang` where translated"""
    item = drafts.get_document(document_id)
    authorize(g.api_user, "document.view", item)
    arguments = query()
    old, new = drafts.get_release(item, arguments["from_"]), drafts.get_release(item, arguments["to"])
    return downloads.redline_file(item, old, new, arguments.get("lang"))


@route("/sections/<int:section_id>/diff")
@errors(404, 422)
@bp.response(200, DiffSchema)
@bp.query(DiffQuerySchema)
def section_diff(section_id, query):
    """The word-level difference between two versions"""
    item, _versions = _visible_section(section_id)
    numbers = query()
    old = drafts.version_for_reader(g.api_user, item, numbers["from_"])
    new = drafts.version_for_reader(g.api_user, item, numbers["to"])
    return {"from": old.number, "to": new.number, "html": str(reading_diff_html(old.body, new.body))}


@route("/sections/<int:section_id>/versions", methods=["POST"])
@errors(403, 404, 409)
@bp.response(201, NewVersionSchema)
@bp.body(RevisionRequestSchema)
def revise(section_id, body):
    """Save a new version (editor), or with `language` the translation of `base_version` (staff)

    409 when `base_version` is not the latest.
    """
    item = drafts.get_section(g.api_user, section_id)
    authorize(g.api_user, "section.translate", item)  # who may do neither is told before reading the body
    data = body()
    language = data.pop("language", None)
    if language:
        data.pop("addresses", None)
        data.pop("change_note", None)
        translation = translations.store_translation(g.api_user, item, language=language, **data)
        return Seen(translation, number=translation.version.number)
    authorize(g.api_user, "section.revise", item)
    return Seen(drafts.revise_section(g.api_user, item, **data), language=item.document.language)
