"""Stakeholder dialogues, their participants and outcomes."""

from marshmallow import fields

from consult.api.schema import (
    ConclusionSchema,
    Derived,
    Markdown,
    Moment,
    Schema,
    StrictInteger,
    VisibleSectionIds,
    answer_time,
)
from consult.dialogues.services import dialogue_status
from consult.models.accounts import organization_name
from consult.models.dialogues import CONSTITUENCIES, DIALOGUE_FORMATS

ROW_VERSION = {
    "description": "The row_version the client read (0: no outcome yet): the change is refused (409) if another "
    "came first. Without it, two racing changes still never both win.",
    "minimum": 0,
}


def _participants(dialogue) -> list:
    return sorted(dialogue.participants, key=lambda participation: participation.organization.code)


# -- answers


class DialogueSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    constituency = fields.String(metadata={"enum": list(CONSTITUENCIES)})
    starts_at = Moment()
    ends_at = Moment(allow_none=True)
    timezone = fields.String(metadata={"description": "The venue's time zone", "example": "Africa/Nairobi"})
    place = fields.String()
    format = fields.String(metadata={"enum": list(DIALOGUE_FORMATS)})
    status = Derived(
        lambda dialogue: dialogue_status(dialogue, answer_time()),
        fields.String(metadata={"enum": ["upcoming", "past"]}),
    )


class AgendaItemSchema(Schema):
    title = fields.String()
    section_ids = VisibleSectionIds(attribute="sections")


class ParticipationSchema(Schema):
    code = Derived(lambda participation: participation.organization.code, fields.String())
    name = Derived(lambda participation: organization_name(participation.organization), fields.String())
    status = Derived(
        lambda participation: participation.status(answer_time()),
        fields.String(metadata={"enum": ["invited", "attended", "absent"]}),
        metadata={"description": "invited until the dialogue starts"},
    )


class OutcomeRevisionConclusionSchema(Schema):
    text = Markdown()
    section_ids = VisibleSectionIds()


class OutcomeRevisionSchema(Schema):
    """The published text of an outcome as it stood before an edit."""

    number = fields.Integer()
    summary = Markdown()
    conclusions = fields.List(fields.Nested(OutcomeRevisionConclusionSchema))
    replaced_at = Moment()


class OutcomeSchema(Schema):
    status = fields.String(metadata={"enum": ["draft", "published"]})
    row_version = fields.Integer()
    summary = Markdown()
    summary_html = fields.String()
    published_at = Moment(allow_none=True)
    updated_at = Moment()
    conclusions = fields.List(fields.Nested(ConclusionSchema))
    revisions = fields.List(fields.Nested(OutcomeRevisionSchema))


class DialogueSchema(DialogueSummarySchema):
    row_version = fields.Integer()
    description = fields.String()
    agenda = fields.List(fields.Nested(AgendaItemSchema))
    participants = Derived(
        lambda dialogue: [p.organization.code for p in _participants(dialogue)],
        fields.List(fields.String()),
        metadata={"description": "Codes of the organizations invited"},
    )
    attended = Derived(
        lambda dialogue: [
            p.organization.code for p in _participants(dialogue) if p.status(answer_time()) == "attended"
        ],
        fields.List(fields.String()),
    )
    participation = Derived(_participants, fields.List(fields.Nested(ParticipationSchema)))
    outcome = fields.Nested(OutcomeSchema, allow_none=True, metadata={"description": "Drafts: the staff only"})


# -- requests


class AgendaItemRequestSchema(Schema):
    title = fields.String(required=True)
    section_ids = fields.List(StrictInteger(), metadata={"description": "Sections, principles, priorities discussed"})


class _DialogueFields(Schema):
    title = fields.String(allow_none=True)
    constituency = fields.String(allow_none=True, metadata={"enum": list(CONSTITUENCIES)})
    format = fields.String(allow_none=True, metadata={"enum": list(DIALOGUE_FORMATS)})
    starts_at = Moment(allow_none=True)
    ends_at = Moment(allow_none=True)
    timezone = fields.String(allow_none=True, metadata={"example": "Africa/Nairobi", "default": "UTC"})
    place = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    agenda = fields.List(fields.Nested(AgendaItemRequestSchema), allow_none=True)
    participants = fields.List(
        fields.String(), allow_none=True, metadata={"description": "Codes of the organizations invited"}
    )


class NewDialogueSchema(_DialogueFields):
    title = fields.String(required=True)
    constituency = fields.String(required=True, metadata={"enum": list(CONSTITUENCIES)})
    format = fields.String(required=True, metadata={"enum": list(DIALOGUE_FORMATS)})
    starts_at = Moment(required=True)


class DialogueChangeSchema(_DialogueFields):
    """Only what the body names changes."""

    expected_version = StrictInteger(data_key="row_version", allow_none=True, metadata=ROW_VERSION)


class AttendanceSchema(Schema):
    attended_codes = fields.List(
        fields.String(),
        data_key="attended",
        required=True,
        metadata={"description": "Codes of the invited organizations that attended"},
    )
    expected_version = StrictInteger(data_key="row_version", allow_none=True, metadata=ROW_VERSION)


class NewConclusionSchema(Schema):
    text = Markdown(required=True)
    section_ids = fields.List(StrictInteger(), metadata={"description": "Sections, principles, priorities concerned"})


class OutcomeRequestSchema(Schema):
    summary = Markdown(allow_none=True, load_default="")
    conclusions = fields.List(fields.Nested(NewConclusionSchema), allow_none=True, load_default=list)
    expected_version = StrictInteger(data_key="row_version", allow_none=True, metadata=ROW_VERSION)
