"""Guiding principles and priority statements."""

from marshmallow import fields

from consult.api.schema import Derived, Schema, VisibleSectionIds
from consult.items.services import PRIORITY_GROUPS


class PrincipleSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String(attribute="heading")
    section_id = Derived(
        lambda item: item.id, fields.Integer(), metadata={"description": "Its section: versions, comments"}
    )


class PrioritySchema(PrincipleSchema):
    group = fields.String(attribute="subsection", metadata={"enum": list(PRIORITY_GROUPS)})
    related_section_ids = VisibleSectionIds(
        attribute="related", metadata={"description": "The paragraphs of the draft that answer it"}
    )
