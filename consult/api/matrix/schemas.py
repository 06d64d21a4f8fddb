"""The comment-response matrix, and importing a delegation's table of comments."""

from flask_babel import lazy_gettext as _l
from marshmallow import fields

from consult.api.schema import (
    ANSWER_STAGES,
    Derived,
    ErrorRowSchema,
    Markdown,
    QueryNumber,
    ReactionSchema,
    Schema,
    UploadedFile,
    answer_stage,
    seen_answer,
)
from consult.matrix.services import UNANSWERED
from consult.models.accounts import organization_name
from consult.models.comments import COMMENT_KINDS, DISPOSITIONS


class ReleaseQuerySchema(Schema):
    release = QueryNumber(
        digits=6,
        optional=True,
        message=_l("Give a release number."),
        metadata={"description": "A release of the document (default: the current one)"},
    )


class MatrixQuerySchema(ReleaseQuerySchema):
    section = fields.String(metadata={"description": "A paragraph number as printed"})
    organization = fields.String(metadata={"description": "An organization code"})
    region = fields.String(metadata={"description": "A UN regional group"})
    disposition = fields.String(metadata={"enum": [*DISPOSITIONS, UNANSWERED]})
    kind = fields.String(metadata={"enum": list(COMMENT_KINDS)})


class CompilationQuerySchema(ReleaseQuerySchema):
    lang = fields.String(
        metadata={"description": "A UN language code: the paragraphs in that language where translated"}
    )


class MatrixRowSchema(Schema):
    comment_id = fields.Integer(attribute="id")
    section_number = Derived(lambda comment: comment.printed.number, fields.String())
    organization = Derived(lambda comment: comment.organization.code, fields.String())
    organization_name = Derived(lambda comment: organization_name(comment.organization), fields.String())
    on_behalf_of = Derived(
        lambda comment: comment.on_behalf_of.code if comment.on_behalf_of else None,
        fields.String(allow_none=True),
        metadata={"description": "The code of the group of States the comment speaks for"},
    )
    co_signers = Derived(
        lambda comment: [organization.code for organization in comment.co_signers],
        fields.List(fields.String()),
        metadata={"description": "The codes of the delegations that co-sign it now"},
    )
    aligned = Derived(
        lambda comment: [organization.code for organization in comment.aligned],
        fields.List(fields.String()),
        metadata={"description": "The codes of the States aligned with it now"},
    )
    kind = fields.String(metadata={"enum": list(COMMENT_KINDS)})
    body = Markdown()
    proposed_text = fields.String(allow_none=True)
    disposition = Derived(
        seen_answer(lambda comment: comment.disposition),
        fields.String(allow_none=True, metadata={"enum": list(DISPOSITIONS)}),
    )
    rationale = Derived(seen_answer(lambda comment: comment.rationale), fields.String(allow_none=True))
    resolved_in_version = Derived(
        seen_answer(lambda comment: comment.resolved_in.number if comment.resolved_in else None),
        fields.Integer(allow_none=True),
    )
    answer_stage = Derived(
        seen_answer(answer_stage),
        fields.String(allow_none=True, metadata={"enum": list(ANSWER_STAGES)}),
    )
    reaction = Derived(
        seen_answer(lambda comment: comment.reaction),
        fields.Nested(ReactionSchema, allow_none=True, metadata={"description": "The delegation's reaction"}),
    )
    submitted_at = fields.DateTime(allow_none=True)
    late = fields.Boolean()
    imported = fields.Boolean()


class FormFlag(fields.Boolean):
    """true or false (or 1 or 0) in a form; nothing is false."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        word = (value or "false").strip().lower() if isinstance(value, str) else None
        if word not in ("true", "false", "1", "0"):
            raise self.make_error("invalid")
        return word in ("true", "1")


class ImportRequestSchema(Schema):
    file = UploadedFile(
        required=True,
        error_messages={"required": _l("Send the file in the multipart field “file”.")},
        metadata={"description": "A filled template (.xlsx) or a Word table (.docx)"},
    )
    organization = fields.String(
        allow_none=True, metadata={"description": "Required: the code of the delegation the comments are from"}
    )
    dry_run = FormFlag(
        load_default=False,
        error_messages={"invalid": _l("Give true or false.")},
        metadata={"type": "string", "enum": ["true", "false"], "default": "false", "description": "Preview only"},
    )


class ImportRowSchema(Schema):
    row = fields.Integer()
    section_id = fields.Integer()
    paragraph = fields.String()
    kind = fields.String(metadata={"enum": list(COMMENT_KINDS)})
    body = Markdown()
    proposed_text = fields.String(allow_none=True)


class ImportResultSchema(Schema):
    created = fields.Integer(metadata={"description": "How many comments were created"})
    rows = fields.List(fields.Nested(ImportRowSchema), metadata={"description": "The comments read"})
    errors = fields.List(fields.Nested(ErrorRowSchema), metadata={"description": "The rows that cannot be read"})
    comment_ids = fields.List(fields.Integer(), metadata={"description": "Once created"})
