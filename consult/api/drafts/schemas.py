"""Consultations, documents, their releases and sections, and section versions."""

from flask_babel import lazy_gettext as _l
from marshmallow import fields

from consult.api.schema import (
    ConclusionSchema,
    Derived,
    Markdown,
    Moment,
    QueryNumber,
    Schema,
    StrictBoolean,
    StrictInteger,
    answer_time,
)
from consult.drafts.services import section_url

# -- answers


class ConsultationSummarySchema(Schema):
    slug = fields.String()
    title = fields.String()


class DocumentSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    language = fields.String(metadata={"description": "The language the document is written in"})


class ConsultationSchema(ConsultationSummarySchema):
    description = fields.String()
    documents = fields.List(fields.Nested(DocumentSummarySchema))


class ReleaseSchema(Schema):
    id = fields.Integer()
    number = fields.Integer()
    label = fields.String()
    published_at = Moment()
    comments_open_at = Moment()
    comments_close_at = Moment()
    open = Derived(lambda release: release.is_open(answer_time()), fields.Boolean())
    accept_late = fields.Boolean()
    propose_answers = fields.Boolean(
        metadata={"description": "Answers are proposed to each delegation for its reaction before they are final"}
    )


class SectionSummarySchema(Schema):
    """A section of a document as the current release printed it (its number, place and titles, in
    the language asked for where translated), with the number of its version the reader sees."""

    id = fields.Integer()
    anchor = fields.String()
    number = fields.String()
    heading = fields.String()
    chapter = fields.String()
    subsection = fields.String()
    version = Derived(lambda seen: seen.version.number if seen.version else None, fields.Integer(allow_none=True))


class DocumentSchema(Schema):
    id = fields.Integer()
    consultation = Derived(lambda document: document.consultation.slug, fields.String())
    title = fields.String()
    kind = fields.String()
    language = fields.String(metadata={"description": "The original's language (as `original_language`)"})
    original_language = Derived(lambda document: document.language, fields.String())
    languages = fields.List(
        fields.String(), metadata={"description": "The languages the current release can be read in, original first"}
    )
    symbol = fields.String(allow_none=True)
    release = fields.Nested(ReleaseSchema, allow_none=True, metadata={"description": "The current release"})
    releases = fields.List(fields.Nested(ReleaseSchema))
    sections = fields.List(fields.Nested(SectionSummarySchema))


class VersionSummarySchema(Schema):
    number = fields.Integer()
    created_at = Moment()
    change_note = fields.String()


class VersionSchema(VersionSummarySchema):
    """A version's text in the language asked for, where there is one (else the original's)."""

    body = Markdown()
    html = fields.String()
    language = fields.String(metadata={"description": "The language of `body`"})
    outdated = fields.Boolean(
        metadata={"description": "`body` translates an earlier version: the original has changed since"}
    )


class RetiredSchema(Schema):
    release = fields.Integer(
        allow_none=True,
        metadata={"description": "The number of the first release without it (none published yet: null)"},
    )
    reason = fields.String()


class SectionSchema(Schema):
    id = fields.Integer()
    document_id = fields.Integer()
    anchor = fields.String()
    number = fields.String()
    heading = fields.String()
    chapter = fields.String()
    subsection = fields.String()
    url = Derived(lambda section: section_url(section, _external=True), fields.String())
    version = fields.Nested(VersionSchema, allow_none=True, metadata={"description": "The latest the reader sees"})
    versions = fields.List(fields.Nested(VersionSummarySchema))
    languages = fields.List(fields.String(), metadata={"description": "The languages its text can be read in"})
    retired = fields.Nested(
        RetiredSchema, allow_none=True, metadata={"description": "Retired from the working draft (else null)"}
    )
    conclusions = fields.List(fields.Nested(ConclusionSchema), metadata={"description": "Of published outcomes"})


class DiffSchema(Schema):
    from_ = fields.Integer(data_key="from", attribute="from")
    to = fields.Integer()
    html = fields.String(
        metadata={"description": "The text of `to` as read (no markup), words inserted in <ins>, deleted in <del>"}
    )


class NewVersionSchema(Schema):
    number = fields.Integer(metadata={"description": "The version saved, or the one translated"})
    created_at = fields.DateTime()
    language = fields.String(metadata={"description": "The language of the text saved"})


class ConcordanceRowSchema(Schema):
    section_id = Derived(lambda change: change.section.id, fields.Integer())
    anchor = Derived(lambda change: change.section.anchor, fields.String())
    from_number = fields.String(allow_none=True, metadata={"description": "Its number in release `from` (or null)"})
    to_number = fields.String(allow_none=True, metadata={"description": "Its number in release `to` (or null)"})
    status = fields.String(metadata={"enum": ["kept", "new", "retired"]})
    text_changed = fields.Boolean()


# -- requests


class ReleaseRequestSchema(Schema):
    label = fields.String(required=True)
    comments_close_at = Moment(required=True)
    comments_open_at = Moment(allow_none=True, metadata={"description": "Default: now"})
    accept_late = StrictBoolean(metadata={"description": "Take comments after the close, as late"})
    propose_answers = StrictBoolean(
        metadata={"description": "Propose answers to each delegation for its reaction before they are final"}
    )
    keep_previous_open = StrictBoolean(metadata={"description": "Leave the window of the release it supersedes open"})
    supersedes = StrictInteger(
        allow_none=True,
        metadata={"description": "The number of the release seen as current: another published meanwhile is a 409"},
    )
    override_reason = fields.String(
        allow_none=True,
        metadata={"description": "Why publish although comments on the previous release are unanswered"},
    )


class WindowRequestSchema(Schema):
    comments_close_at = Moment(required=True)


class LanguageQuerySchema(Schema):
    lang = fields.String(metadata={"description": "A UN language code: the text in that language where translated"})


class ConcordanceQuerySchema(Schema):
    from_ = QueryNumber(digits=6, message=_l("Give a release number."), data_key="from", required=True)
    to = QueryNumber(digits=6, message=_l("Give a release number."), required=True)


class CompareQuerySchema(ConcordanceQuerySchema):
    lang = fields.String(
        metadata={"description": "A UN language code: both releases in that language where translated"}
    )


class NewSectionSchema(Schema):
    after = StrictInteger(
        allow_none=True, required=True, metadata={"description": "The id of the paragraph it follows; null: the start"}
    )
    body = Markdown(required=True)
    heading = fields.String(allow_none=True, load_default="")
    chapter = fields.String(
        allow_none=True, metadata={"description": "Default: the chapter of the paragraph it follows"}
    )


class RetireSchema(Schema):
    reason = fields.String(required=True)


class MoveSchema(Schema):
    after = StrictInteger(
        allow_none=True, required=True, metadata={"description": "The id of the paragraph it follows; null: the start"}
    )


class RevisionRequestSchema(Schema):
    language = fields.String(
        allow_none=True,
        metadata={"description": "Another UN language than the original's: stores the translation of `base_version`"},
    )
    body = Markdown(required=True)
    change_note = fields.String(allow_none=True, load_default="")
    base_version = StrictInteger(
        required=True, metadata={"description": "The version the text was written from: not the latest is a 409"}
    )
    addresses = fields.List(
        StrictInteger(),
        allow_none=True,
        error_messages={"invalid": _l("Give a list of comment ids.")},
        metadata={"description": "Ids of submitted comments on this section the version addresses"},
    )


class DiffQuerySchema(Schema):
    from_ = QueryNumber(digits=9, message=_l("Give a version number."), data_key="from", required=True)
    to = QueryNumber(digits=9, message=_l("Give a version number."), required=True)
