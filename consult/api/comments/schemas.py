"""Comments, their revisions and answers (dispositions), and groups of comments."""

from flask import g
from marshmallow import fields, post_load

from consult.api.schema import (
    ANSWER_STAGES,
    Derived,
    Markdown,
    Moment,
    ReactionSchema,
    Schema,
    StrictBoolean,
    StrictInteger,
    answer_seen,
    answer_stage,
    seen_answer,
)
from consult.models.accounts import organization_name
from consult.models.comments import COMMENT_KINDS, DISPOSITIONS
from consult.models.positions import CO_SIGNATURE_STATUSES
from consult.permissions import earlier_answers

KINDS = {"enum": list(COMMENT_KINDS)}
ANSWERS = {"enum": list(DISPOSITIONS)}


def _number(version) -> int | None:
    return version.number if version else None


# -- answers


class OrganizationSchema(Schema):
    code = fields.String()
    name = Derived(organization_name, fields.String(), metadata={"description": "In the reader's language"})


class CoSignerSchema(Schema):
    """A delegation invited to co-sign the comment, and what it answered."""

    code = Derived(lambda row: row.organization.code, fields.String())
    name = Derived(lambda row: organization_name(row.organization), fields.String())
    status = fields.String(metadata={"enum": list(CO_SIGNATURE_STATUSES)})


class CommentRevisionSchema(Schema):
    """The text of a submitted comment as it stood before an edit."""

    number = fields.Integer()
    kind = fields.String(metadata=KINDS)
    body = Markdown()
    proposed_text = fields.String(allow_none=True)
    quote = fields.String(allow_none=True)
    replaced_at = Moment()


class DispositionRevisionSchema(Schema):
    """An earlier answer to the comment."""

    disposition = fields.String(metadata=ANSWERS)
    rationale = fields.String(allow_none=True)
    resolved_in_version = Derived(lambda answer: _number(answer.resolved_in), fields.Integer(allow_none=True))
    decided_at = Moment(allow_none=True)


class CommentSchema(Schema):
    id = fields.Integer()
    section_id = fields.Integer()
    organization = fields.Nested(OrganizationSchema)
    on_behalf_of = fields.Nested(
        OrganizationSchema, allow_none=True, metadata={"description": "The group of States the comment speaks for"}
    )
    co_signers = fields.List(
        fields.Nested(CoSignerSchema),
        attribute="co_signatures",
        metadata={"description": "The delegations invited to co-sign it (a joint comment), in the order invited"},
    )
    aligned = fields.List(
        fields.Nested(OrganizationSchema),
        metadata={"description": "The States aligned with it now, in the order they first aligned"},
    )
    kind = fields.String(metadata=KINDS)
    body = Markdown()
    html = fields.String(attribute="body_html", metadata={"description": "The body rendered, sanitized"})
    proposed_text = fields.String(allow_none=True, metadata={"description": "An amendment's text of the paragraph"})
    quote = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["draft", "submitted", "withdrawn"]})
    release = Derived(lambda comment: comment.release.number, fields.Integer())
    version = Derived(lambda comment: comment.version.number, fields.Integer())
    language = fields.String(allow_none=True)
    late = fields.Boolean()
    created_at = Moment()
    submitted_at = Moment(allow_none=True)
    withdrawn_at = Moment(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)
    addressed_in_version = Derived(
        lambda comment: _number(comment.addressed_in[-1] if comment.addressed_in else None),
        fields.Integer(allow_none=True),
        metadata={"description": "The latest version whose editor said it addresses this comment"},
    )
    disposition = Derived(
        seen_answer(lambda comment: comment.disposition), fields.String(allow_none=True, metadata=ANSWERS)
    )
    rationale = Derived(seen_answer(lambda comment: comment.rationale), fields.String(allow_none=True))
    resolved_in_version = Derived(
        seen_answer(lambda comment: _number(comment.resolved_in)), fields.Integer(allow_none=True)
    )
    disposed_at = Derived(seen_answer(lambda comment: comment.disposed_at), Moment(allow_none=True))
    answer_outdated = fields.Boolean(metadata={"description": "Edited after it was answered"})
    answer_stage = Derived(
        seen_answer(answer_stage),
        fields.String(
            allow_none=True,
            metadata={
                "enum": list(ANSWER_STAGES),
                "description": "proposed: drafted by the task force (staff only); shared: proposed to the delegation "
                "for its reaction; final. Null without an answer the reader may see.",
            },
        ),
    )
    reaction = Derived(
        seen_answer(lambda comment: comment.reaction),
        fields.Nested(
            ReactionSchema,
            allow_none=True,
            metadata={"description": "The delegation's reaction to the answer proposed to it"},
        ),
    )
    disposition_history = Derived(
        lambda comment: earlier_answers(g.api_user, comment) if answer_seen(comment) else [],
        fields.List(
            fields.Nested(DispositionRevisionSchema), metadata={"description": "Earlier answers, oldest first"}
        ),
    )
    group_id = fields.Integer(allow_none=True)
    imported = fields.Boolean(metadata={"description": "Imported by the Secretariat from the delegation's file"})
    revisions = fields.List(fields.Nested(CommentRevisionSchema), metadata={"description": "Earlier texts"})


class GroupSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    comment_ids = Derived(lambda group: [comment.id for comment in group.comments], fields.List(fields.Integer()))


# -- requests


class NewCommentSchema(Schema):
    kind = fields.String(allow_none=True, metadata={**KINDS, "default": "general"})
    body = Markdown(required=True)
    proposed_text = fields.String(allow_none=True, metadata={"description": "Required for an amendment"})
    quote = fields.String(allow_none=True, metadata={"description": "The passage commented on"})
    submit = StrictBoolean(metadata={"description": "Submit at once (the focal point)"})
    language = fields.String(allow_none=True, metadata={"description": "A language tag such as fr or zh-Hans"})
    group = fields.String(
        data_key="on_behalf_of",
        allow_none=True,
        metadata={"description": "The code of a group of States the author's organization belongs to (AG, G77 …)"},
    )

    co_signers = fields.List(
        fields.String(),
        allow_none=True,
        metadata={"description": "Codes of the delegations invited to co-sign it; each focal point answers"},
    )

    @post_load
    def general_by_default(self, data: dict, **kwargs) -> dict:
        return {**data, "kind": data.get("kind") or "general"}


class CommentChangeSchema(Schema):
    """Only what the body names changes."""

    kind = fields.String(allow_none=True, metadata=KINDS)
    body = Markdown(allow_none=True)
    proposed_text = fields.String(allow_none=True)
    quote = fields.String(allow_none=True)


class WithdrawalSchema(Schema):
    reason = fields.String(required=True)


class DispositionSchema(Schema):
    disposition = fields.String(required=True, metadata=ANSWERS)
    rationale = fields.String(allow_none=True, load_default=None, metadata={"description": "Required unless accepted"})
    resolved_in_version = StrictInteger(
        allow_none=True, metadata={"description": "A version of the paragraph later than the one commented on"}
    )


class CommentDispositionSchema(DispositionSchema):
    also_answer = fields.List(
        StrictInteger(),
        allow_none=True,
        metadata={
            "description": "Other submitted comments of the document answered the same way in the same step "
            "(those that say nearly the same: GET comments/<id>/similar)"
        },
    )


class SimilarCommentSchema(Schema):
    """A comment that says nearly the same."""

    id = fields.Integer()
    score = fields.Float(metadata={"description": "Estimated similarity of the texts, 0.5 to 1"})


class NewGroupSchema(Schema):
    comment_ids = fields.List(StrictInteger(), required=True, metadata={"description": "Two or more comments"})
    label = fields.String(allow_none=True, load_default="")


class ReactionRequestSchema(Schema):
    reason = fields.String(allow_none=True, metadata={"description": "Required to object: why the delegation objects"})


class SharedAnswersSchema(Schema):
    count = fields.Integer(metadata={"description": "How many answers were shared, or made final"})
