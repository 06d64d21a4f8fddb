"""The roadmap: milestones, releases, comment windows and dialogues in date order."""

from marshmallow import fields

from consult.api.schema import Derived, Schema
from consult.models.roadmap import MILESTONE_KINDS, MILESTONE_STATUSES


class TimelineEntrySchema(Schema):
    id = Derived(lambda entry: (entry.milestone or entry.dialogue or entry.release).id, fields.Integer())
    source = Derived(
        lambda entry: "milestone" if entry.milestone else ("dialogue" if entry.dialogue else "release"),
        fields.String(metadata={"enum": ["milestone", "dialogue", "release"]}),
        metadata={"description": "What `id` is the id of"},
    )
    title = fields.String()
    kind = fields.String(metadata={"enum": list(MILESTONE_KINDS)})
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    place = fields.String()
    status = fields.String(metadata={"enum": list(MILESTONE_STATUSES)})
    description = fields.String()
