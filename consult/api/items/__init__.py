"""Guiding principles and priority statements of a consultation."""

from flask import g

from consult.api.common import bp, domain, errors
from consult.api.items.schemas import PrincipleSchema, PrioritySchema
from consult.api.schema import show_sections
from consult.drafts import services as drafts
from consult.items import services as items

route = domain("Principles and priorities", "The guiding principles and the priority statements")


def _items(slug: str, kind: str):
    consultation = drafts.get_consultation(slug)
    visible = drafts.readable_sections(g.api_user, items.items(consultation, kind))
    show_sections(drafts.readable_section_ids(g.api_user, (related.id for item in visible for related in item.related)))
    return visible


@route("/consultations/<slug>/principles")
@errors(404)
@bp.response(200, PrincipleSchema(many=True))
def principles(slug):
    """The guiding principles"""
    return _items(slug, "guiding_principles")


@route("/consultations/<slug>/priorities")
@errors(404)
@bp.response(200, PrioritySchema(many=True))
def priorities(slug):
    """The priority statements, by group, with the paragraphs that answer them"""
    return _items(slug, "priority_statements")
