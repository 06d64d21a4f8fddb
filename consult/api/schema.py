"""What the schemas of every API domain are made of: the base Schema (unknown keys ignored,
messages in the reader's language), its fields, how an answer shows an object as its reader
sees it, and the shapes more than one domain answers with (errors, conclusions, pages)."""

from collections.abc import Callable
from datetime import datetime

import flask_smorest
import marshmallow
from flask import g
from flask_babel import lazy_gettext as _l
from marshmallow import fields
from werkzeug.datastructures import FileStorage

from consult.drafts.services import readable_section_ids
from consult.models.base import utcnow
from consult.models.comments import ANSWER_REACTIONS
from consult.permissions import can
from consult.timeutil import iso_to_utc
from consult.validation import positive_integer

DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 200

# Marshmallow's own messages, in the reader's language (our wording, already translated).
WRONG_TYPE = _l("This field has the wrong type.")
REQUIRED = _l("This field is required.")
TRANSLATED_MESSAGES = {
    "required": REQUIRED,
    "null": REQUIRED,
    "invalid": WRONG_TYPE,
    "invalid_utf8": WRONG_TYPE,
    "type": WRONG_TYPE,
    "too_large": WRONG_TYPE,
}


def _default_messages(field_class: type) -> dict:
    messages = {}
    for cls in reversed(field_class.__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def _translate_messages(field: fields.Field) -> None:
    """Marshmallow's default messages of the field (and of the fields it holds) in our words;
    messages a schema gave the field itself are kept."""
    defaults = _default_messages(type(field))
    for key, message in field.error_messages.items():
        if key in TRANSLATED_MESSAGES and message == defaults.get(key):
            message = TRANSLATED_MESSAGES[key]
        # In a list: marshmallow takes a lone message for a list only if it is a str, not a lazy one.
        field.error_messages[key] = message if isinstance(message, str | list | dict) else [message]
    for inner in (getattr(field, "inner", None), getattr(field, "value_field", None)):
        if isinstance(inner, fields.Field):
            _translate_messages(inner)


def field_messages(messages: dict) -> dict[str, list[str]]:
    """Marshmallow's errors as ``fields`` of the error envelope: each top-level field with the
    messages found under it (also those of its items), as the services name fields."""

    def collect(value) -> list[str]:
        if isinstance(value, dict):
            return [message for item in value.values() for message in collect(item)]
        if isinstance(value, list):
            return [message for item in value for message in collect(item)]
        return [str(value)]

    return {str(name): list(dict.fromkeys(collect(value))) for name, value in messages.items()}


# -- schemas and fields ----------------------------------------------------------------


class Schema(marshmallow.Schema):
    """A JSON object of the API. Unknown keys in a request are ignored, as they always were;
    validation messages are in the reader's language."""

    class Meta:
        unknown = marshmallow.EXCLUDE

    error_messages = {"type": WRONG_TYPE}

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _translate_messages(field_obj)


class Markdown(fields.String):
    """Text written in Markdown; an answer carries it beside its sanitized HTML."""


class StrictInteger(fields.Integer):
    """A JSON number without a fraction; "12" and 12.5 are refused rather than converted."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)


class StrictBoolean(fields.Boolean):
    """JSON true or false (null is false): 1, "true" and "yes" are refused rather than guessed."""

    def __init__(self, **kwargs):
        super().__init__(load_default=False, allow_none=True, **kwargs)

    def deserialize(self, value, *args, **kwargs):
        return super().deserialize(False if value is None else value, *args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Moment(fields.DateTime):
    """An ISO 8601 date and time; one without an offset is taken as UTC, the zone everything is
    stored in. Answers write it with ``Z``."""

    default_error_messages = {
        "invalid": WRONG_TYPE,
        "format": _l("Give an ISO 8601 date and time, e.g. 2026-12-31T17:00:00Z."),
    }

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return iso_to_utc(value)
        except ValueError:
            raise self.make_error("format") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.isoformat().replace("+00:00", "Z")


class UploadedFile(flask_smorest.fields.Upload):
    """A file sent as a part of a multipart/form-data body."""

    def _deserialize(self, value, attr, data, **kwargs) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise self.make_error("required")
        return value


class QueryNumber(fields.Integer):
    """A number in the query string (ASCII digits); anything else is refused with the message
    given. ``optional``: an empty one is no number."""

    def __init__(self, *, digits: int, message, optional: bool = False, **kwargs):
        super().__init__(error_messages={"invalid": message, "required": message}, **kwargs)
        self.digits, self.optional = digits, optional

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        if self.optional and value == "":
            return None
        number = positive_integer(value, self.digits, allow_zero=True) if isinstance(value, str) else None
        if number is None:
            raise self.make_error("invalid")
        return number


class Derived(fields.Field):
    """A value the answer computes from the object, documented as ``like`` documents it:
    ``Derived(lambda comment: comment.release.number, fields.Integer())``."""

    def __init__(self, compute: Callable, like: fields.Field, **kwargs):
        super().__init__(dump_only=True, **kwargs)
        self.compute, self.like = compute, like

    def _bind_to_schema(self, field_name, parent):
        super()._bind_to_schema(field_name, parent)
        self.like._bind_to_schema(field_name, self)

    def get_value(self, obj, attr, accessor=None, default=marshmallow.missing):
        return self.compute(obj)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else self.like._serialize(value, attr, obj, **kwargs)


class VisibleSectionIds(fields.List):
    """The ids of sections (or of the sections listed), less those the reader may not see: a
    section not released yet does not exist for anyone but the staff."""

    def __init__(self, **kwargs):
        super().__init__(fields.Integer(), dump_only=True, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        ids = [getattr(item, "id", item) for item in value]
        shown = g.get("api_shown_sections")
        if shown is None:
            shown = readable_section_ids(g.api_user, ids)
        return [section_id for section_id in ids if section_id in shown]


# What an answer keeps in g while it is made.
ANSWER_STATE = ("api_answer_time", "api_shown_sections")


def show_sections(section_ids: set[int]) -> None:
    """The sections the reader may see, of those the answer names, found in one query (without
    it each list of section ids asks the database itself)."""
    g.api_shown_sections = section_ids


def answer_time() -> datetime:
    """The moment an answer describes, the same for every part of it (is a window open, has a
    dialogue started)."""
    if "api_answer_time" not in g:
        g.api_answer_time = utcnow()
    return g.api_answer_time


class Seen:
    """An object as the reader sees it: ``Seen(section, versions=[…])`` answers the versions the
    reader may see where the schema reads ``versions``; everything else is the object's own."""

    def __init__(self, obj, **seen):
        self._obj = obj
        self.__dict__.update(seen)

    def __getattr__(self, name):
        return getattr(self._obj, name)


class ErrorRowSchema(Schema):
    row = fields.Integer(metadata={"description": "The row of the uploaded table"})
    message = fields.String()


class ErrorDetailsSchema(Schema):
    current_version = fields.Integer(metadata={"description": "A stale version: the section's latest version"})
    current_body = fields.String(metadata={"description": "A stale version: the latest text"})
    errors = fields.List(fields.Nested(ErrorRowSchema), metadata={"description": "Rows an import cannot read"})
    unanswered = fields.List(
        fields.Integer(), metadata={"description": "Unanswered comments that hold up a release or compilation"}
    )


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "invalid"})
    message = fields.String(required=True)
    field_errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        data_key="fields",
        metadata={"description": "422: each field with its messages"},
    )
    details = fields.Nested(ErrorDetailsSchema)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class ConclusionSchema(Schema):
    """A conclusion of a dialogue's outcome; sections show those tagged to them."""

    id = fields.Integer()
    text = Markdown()
    html = fields.String()
    section_ids = VisibleSectionIds(attribute="sections")
    dialogue_id = Derived(lambda conclusion: conclusion.outcome.dialogue_id, fields.Integer())


# -- answers, as their reader may see them (a proposed answer is the staff's, then its delegation's)

ANSWER_STAGES = ("proposed", "shared", "final")


def answer_seen(comment) -> bool:
    return can(g.api_user, "comment.answer.view", comment)


def seen_answer(read):
    """``read(comment)`` where the reader may see the comment's answer (a proposed answer is the
    staff's and then its delegation's, see permissions), else null."""
    return lambda comment: read(comment) if answer_seen(comment) else None


def answer_stage(comment) -> str | None:
    """Where the comment's answer stands (ANSWER_STAGES), or None without one."""
    if comment.disposition is None:
        return None
    return comment.answer_stage or "final"


class ReactionSchema(Schema):
    """What the delegation said of the answer proposed to its comment."""

    reaction = fields.String(metadata={"enum": list(ANSWER_REACTIONS)})
    reason = fields.String(allow_none=True, metadata={"description": "Why it objects"})
    organization = Derived(lambda row: row.organization.code, fields.String())
    reacted_at = Moment()


class PageSchema(Schema):
    """?page and ?per_page, as documented; read by ``PageRequest``, which takes anything."""

    page = fields.Integer(load_default=1, validate=marshmallow.validate.Range(min=1))
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=marshmallow.validate.Range(min=1, max=MAX_PER_PAGE)
    )
