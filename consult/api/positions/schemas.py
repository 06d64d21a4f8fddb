"""Groups of States and their members."""

from marshmallow import fields

from consult.api.schema import Derived, Schema
from consult.models.accounts import organization_name


class StateGroupSchema(Schema):
    """A group of States (the African Group, the G77 …) and its members today."""

    code = Derived(lambda row: row[0].code, fields.String())
    name = Derived(
        lambda row: organization_name(row[0]), fields.String(), metadata={"description": "In the reader's language"}
    )
    members = Derived(
        lambda row: [member.code for member in row[1]],
        fields.List(fields.String()),
        metadata={"description": "The codes of its member States today"},
    )
