"""Search results."""

from marshmallow import fields

from consult.api.schema import Schema


class SearchQuerySchema(Schema):
    q = fields.String(
        load_default="", metadata={"description": "Two characters or more; words match in any of their forms"}
    )


class ResultSchema(Schema):
    type = fields.String(metadata={"enum": ["section", "comment", "conclusion"]})
    id = fields.Integer()
    title = fields.String()
    snippet = fields.String(metadata={"description": "HTML: the match in <mark>, with some context"})
    url = fields.String(metadata={"description": "The page that shows it"})
