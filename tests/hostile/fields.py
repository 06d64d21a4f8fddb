"""The fields a request takes, and of which kind, read from what reads them: the marshmallow
schema of an API operation's body, the WTForms form of a page. A field added to either is
fuzzed without a list to edit."""

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from flask_wtf.file import FileField
from marshmallow import fields as schema_fields
from wtforms import (
    BooleanField,
    DateField,
    DateTimeField,
    FieldList,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.core import UnboundField

from consult.api.schema import Markdown, UploadedFile
from consult.web.forms import MarkdownField


@dataclass(frozen=True)
class Upload:
    filename: str | bytes
    content: bytes


@dataclass(frozen=True)
class Field:
    name: str  # form field name, or a dotted path into the JSON body ("conclusions.0.text")
    kind: str = "text"  # markdown | text | choice | ids | datetime | date | upload
    # The payload travels in an uploaded file (its content or its name) instead of a plain field.
    upload: Callable[[str | bytes], Upload] | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.upload.__name__})" if self.upload else self.name


def body_schema(view) -> tuple[str, object] | None:
    """(location, schema) of the body an API view reads (json, or files: a multipart form)."""
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return next(((p["in"], p["schema"]) for p in parameters if p["in"] in ("json", "files")), None)


def _schema_kind(field: schema_fields.Field) -> str:
    if isinstance(field, Markdown):
        return "markdown"
    if isinstance(field, UploadedFile):
        return "upload"
    if isinstance(field, schema_fields.Boolean):
        return "choice"
    if isinstance(field, schema_fields.Integer):
        return "ids"
    if isinstance(field, schema_fields.DateTime):
        return "datetime"
    return "choice" if "enum" in field.metadata else "text"


def schema_fields_of(schema, prefix: str = "") -> list[Field]:
    """Every field a request body of the schema may hold; an item of a list by its first
    place (``agenda.0.title``), a list of numbers whole (``section_ids``)."""
    found = []
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        key = prefix + (field.data_key or name)
        if isinstance(field, schema_fields.List) and isinstance(field.inner, schema_fields.Nested):
            found += schema_fields_of(field.inner.schema, f"{key}.0.")
        elif isinstance(field, schema_fields.List) and not isinstance(field.inner, schema_fields.Integer):
            found.append(Field(f"{key}.0", _schema_kind(field.inner)))
        elif isinstance(field, schema_fields.List):
            found.append(Field(key, "ids"))
        elif isinstance(field, schema_fields.Nested):
            found += schema_fields_of(field.schema, f"{key}.")
        else:
            found.append(Field(key, _schema_kind(field)))
    return found


def _form_kind(field: UnboundField) -> str:
    kind = field.field_class
    if issubclass(kind, MarkdownField):
        return "markdown"
    if issubclass(kind, FileField):
        return "upload"
    if issubclass(kind, HiddenField | IntegerField):  # hidden fields carry row versions and ids
        return "ids"
    if issubclass(kind, BooleanField):
        return "choice"
    if issubclass(kind, DateField):
        return "date"
    if issubclass(kind, DateTimeField):
        return "datetime"
    if issubclass(kind, SelectMultipleField) and field.kwargs.get("coerce") is int:
        return "ids"
    if issubclass(kind, SelectField | SelectMultipleField):
        return "choice"
    return "text"


def form_fields_of(form_class, prefix: str = "") -> list[Field]:
    """Every field the form reads, in its order; a list of subforms by its first entry
    (``agenda-0-title``)."""
    members = inspect.getmembers(form_class, lambda value: isinstance(value, UnboundField))
    found = []
    for attribute, field in sorted(members, key=lambda member: member[1].creation_counter):
        name = prefix + field.kwargs.get("name", attribute)
        if issubclass(field.field_class, FieldList):
            found += form_fields_of(field.args[0].args[0], f"{name}-0-")
        elif not issubclass(field.field_class, SubmitField | CSRFTokenField):
            found.append(Field(name, _form_kind(field)))
    return found
