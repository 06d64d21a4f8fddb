"""Consultations, documents and their releases, sections and their versions."""

from flask import g
from sqlalchemy import select

from consult.api.common import bp, domain, errors
from consult.api.drafts.schemas import (
    ConsultationSchema,
    ConsultationSummarySchema,
    DiffQuerySchema,
    DiffSchema,
    DocumentSchema,
    NewVersionSchema,
    ReleaseRequestSchema,
    ReleaseSchema,
    RevisionRequestSchema,
    SectionSchema,
    WindowRequestSchema,
)
from consult.api.schema import Seen, show_sections
from consult.dialogues import services as dialogues
from consult.drafts import services as drafts
from consult.extensions import db
from consult.models import Consultation
from consult.permissions import authorize, can
from consult.text import diff_html

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
def document(document_id):
    """A document: its releases, and its sections as the caller may see them"""
    item = drafts.get_document(document_id)
    authorize(g.api_user, "document.view", item)
    release = drafts.current_release(item)
    if can(g.api_user, "section.view_working"):
        versions = drafts.latest_versions(item)
    else:
        versions = drafts.released_versions(release) if release else {}
    sections = [Seen(section, version=versions[section.id]) for section in item.sections if section.id in versions]
    return Seen(item, release=release, sections=sections)


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


@route("/sections/<int:section_id>")
@errors(404)
@bp.response(200, SectionSchema)
def section(section_id):
    """A section with the versions the caller may see, and the published conclusions about it"""
    item, versions = _visible_section(section_id)
    conclusions = dialogues.published_conclusions([item.id]).get(item.id, [])
    show_sections(drafts.readable_section_ids(g.api_user, (s.id for c in conclusions for s in c.sections)))
    return Seen(item, version=versions[-1], versions=versions, conclusions=conclusions)


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
    return {"from": old.number, "to": new.number, "html": str(diff_html(old.body, new.body))}


@route("/sections/<int:section_id>/versions", methods=["POST"])
@errors(403, 404, 409)
@bp.response(201, NewVersionSchema)
@bp.body(RevisionRequestSchema)
def revise(section_id, body):
    """Save a new version (editor); 409 when `base_version` is not the latest"""
    item = drafts.get_section(g.api_user, section_id)
    authorize(g.api_user, "section.revise", item)
    return drafts.revise_section(g.api_user, item, **body())
