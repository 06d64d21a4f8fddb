"""The OpenAPI 3 description of API v1."""

from flask import url_for


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": {"$ref": "#/components/responses/Malformed"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "422": {"$ref": "#/components/responses/Invalid"},
}
CONFLICT = {"409": {"$ref": "#/components/responses/Conflict"}}


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def _op(summary: str, responses: dict, *, parameters=None, body=None, conflict=False) -> dict:
    operation = {"summary": summary, "responses": {**responses, **ERRORS, **(CONFLICT if conflict else {})}}
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = _body(body)
    return operation


NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object"},
                    "details": {"type": "object"},
                },
            }
        },
    },
    "Release": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "integer"},
            "label": {"type": "string"},
            "published_at": DATETIME,
            "comments_open_at": DATETIME,
            "comments_close_at": DATETIME,
            "open": {"type": "boolean"},
            "accept_late": {"type": "boolean"},
        },
    },
    "SectionSummary": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "anchor": {"type": "string"},
            "number": {"type": "string"},
            "heading": {"type": "string"},
            "chapter": {"type": "string"},
            "subsection": {"type": "string"},
            "version": {"type": ["integer", "null"]},
        },
    },
    "VersionSummary": {
        "type": "object",
        "properties": {
            "number": {"type": "integer"},
            "created_at": DATETIME,
            "change_note": {"type": "string"},
        },
    },
    "Section": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "anchor": {"type": "string"},
            "number": {"type": "string"},
            "heading": {"type": "string"},
            "chapter": {"type": "string"},
            "url": {"type": "string"},
            "version": {
                "type": "object",
                "properties": {
                    "number": {"type": "integer"},
                    "body": {"type": "string"},
                    "html": {"type": "string"},
                    "change_note": {"type": "string"},
                    "created_at": DATETIME,
                },
            },
            "versions": {"type": "array", "items": _ref("VersionSummary")},
        },
    },
    "Comment": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "organization": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
            },
            "kind": {"type": "string", "enum": ["general", "amendment", "question"]},
            "body": {"type": "string"},
            "html": {"type": "string"},
            "proposed_text": NULLABLE_STRING,
            "quote": NULLABLE_STRING,
            "status": {"type": "string", "enum": ["draft", "submitted", "withdrawn"]},
            "release": {"type": "integer"},
            "version": {"type": "integer"},
            "submitted_at": NULLABLE_DATETIME,
            "withdrawal_reason": NULLABLE_STRING,
            "addressed_in_version": {"type": ["integer", "null"]},
            "answer_outdated": {"type": "boolean"},
            "disposition_history": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "disposition": {"type": "string"},
                        "rationale": NULLABLE_STRING,
                        "resolved_in_version": {"type": ["integer", "null"]},
                        "decided_at": NULLABLE_DATETIME,
                    },
                },
            },
            "revisions": {"type": "array", "items": {"type": "object"}},
        },
    },
    "NewComment": {
        "type": "object",
        "required": ["body"],
        "properties": {
            "kind": {"type": "string", "enum": ["general", "amendment", "question"]},
            "body": {"type": "string", "minLength": 1},
            "proposed_text": {"type": "string"},
            "quote": {"type": "string"},
            "submit": {"type": "boolean"},
        },
    },
}


def _error_response(description: str) -> dict:
    return _json(_ref("Error"), description)


DISPOSITION_CODES = ("accepted", "accepted_in_part", "taken_into_account", "noted", "not_accepted")
DISPOSITION_BODY = {
    "type": "object",
    "required": ["disposition"],
    "properties": {
        "disposition": {"type": "string", "enum": list(DISPOSITION_CODES)},
        "rationale": {"type": "string"},
        "resolved_in_version": {"type": "integer", "minimum": 1},
    },
}
RELEASE = {"name": "release", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
SCHEMAS["NewConclusion"] = {
    "type": "object",
    "required": ["text"],
    "properties": {"text": {"type": "string"}, "section_ids": {"type": "array", "items": {"type": "integer"}}},
}
ROW_VERSION = {
    "type": "integer",
    "minimum": 0,
    "description": "The row_version the client read (0: no outcome yet): the change is refused (409) "
    "if another came first. Without it, two racing changes still never both win.",
}
SECTION_IDS = {
    "type": "array",
    "items": {"type": "integer"},
    "description": "Only the sections the caller may see: a section not released yet is named to the staff only.",
}
SCHEMAS["Outcome"] = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["draft", "published"]},
        "row_version": {"type": "integer"},
        "summary": {"type": "string"},
        "summary_html": {"type": "string"},
        "published_at": NULLABLE_DATETIME,
        "updated_at": DATETIME,
        "conclusions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "text": {"type": "string"},
                    "html": {"type": "string"},
                    "section_ids": SECTION_IDS,
                    "dialogue_id": {"type": "integer"},
                },
            },
        },
        "revisions": {"type": "array", "items": {"type": "object"}},
    },
}
SCHEMAS["Dialogue"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "row_version": {"type": "integer"},
        "title": {"type": "string"},
        "constituency": {"type": "string"},
        "starts_at": DATETIME,
        "ends_at": NULLABLE_DATETIME,
        "timezone": {"type": "string"},
        "place": {"type": "string"},
        "format": {"type": "string"},
        "status": {"type": "string", "enum": ["upcoming", "past"]},
        "description": {"type": "string"},
        "agenda": {
            "type": "array",
            "items": {"type": "object", "properties": {"title": {"type": "string"}, "section_ids": SECTION_IDS}},
        },
        "participants": {"type": "array", "items": {"type": "string"}},
        "attended": {"type": "array", "items": {"type": "string"}},
        "participation": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "status": {
                        "type": "string",
                        "enum": ["invited", "attended", "absent"],
                        "description": "invited until the dialogue starts",
                    },
                },
            },
        },
        "outcome": {"oneOf": [_ref("Outcome"), {"type": "null"}]},
    },
}
SCHEMAS["NewDialogue"] = {
    "type": "object",
    "required": ["title", "constituency", "format", "starts_at"],
    "properties": {
        "title": {"type": "string"},
        "constituency": {"type": "string", "enum": ["member_states", "un_system", "major_stakeholders"]},
        "format": {"type": "string", "enum": ["in_person", "online", "hybrid"]},
        "starts_at": DATETIME,
        "ends_at": DATETIME,
        "timezone": {"type": "string"},
        "place": {"type": "string"},
        "description": {"type": "string"},
        "agenda": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "title": {"type": "string"},
                    "section_ids": {"type": "array", "items": {"type": "integer"}},
                },
            },
        },
        "participants": {"type": "array", "items": {"type": "string"}},
    },
}
SCHEMAS["DialogueChange"] = {
    "type": "object",
    "properties": {
        **{name: schema for name, schema in SCHEMAS["NewDialogue"]["properties"].items() if name != "ends_at"},
        "ends_at": NULLABLE_DATETIME,
        "row_version": ROW_VERSION,
    },
}


def openapi_document() -> dict:
    section_id, comment_id, document_id = _id("section_id"), _id("comment_id"), _id("document_id")
    paging = [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Consult API",
            "version": "1",
            "description": "Drafts, releases and delegation comments of UN-Habitat strategic plan consultations. "
            "Authenticate with `Authorization: Bearer <token>` (`flask --app wsgi consult token EMAIL`).",
        },
        "servers": [{"url": url_for("api.openapi", _external=True).rsplit("/openapi.json", 1)[0]}],
        "security": [{"bearer": []}],
        "paths": {
            "/consultations": {
                "get": _op(
                    "List consultations",
                    {"200": _json({"type": "array", "items": {"type": "object"}})},
                )
            },
            "/consultations/{slug}": {
                "get": _op(
                    "A consultation and its documents",
                    {"200": _json({"type": "object"})},
                    parameters=[{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
                )
            },
            "/documents/{document_id}": {
                "get": _op(
                    "A document: current release and sections",
                    {"200": _json({"type": "object"})},
                    parameters=[document_id],
                )
            },
            "/documents/{document_id}/releases": {
                "post": _op(
                    "Publish a release (secretariat)",
                    {"201": _json(_ref("Release"), "Created")},
                    parameters=[document_id],
                    body={
                        "type": "object",
                        "required": ["label", "comments_close_at"],
                        "properties": {
                            "label": {"type": "string"},
                            "comments_close_at": DATETIME,
                            "comments_open_at": DATETIME,
                            "accept_late": {"type": "boolean"},
                            "keep_previous_open": {"type": "boolean"},
                            "supersedes": {"type": "integer"},
                            "override_reason": {"type": "string"},
                        },
                    },
                )
            },
            "/documents/{document_id}/release": {
                "patch": _op(
                    "Move the end of the current comment window (secretariat)",
                    {"200": _json(_ref("Release"))},
                    parameters=[document_id],
                    body={
                        "type": "object",
                        "required": ["comments_close_at"],
                        "properties": {"comments_close_at": DATETIME},
                    },
                )
            },
            "/sections/{section_id}": {
                "get": _op("A section with its versions", {"200": _json(_ref("Section"))}, parameters=[section_id])
            },
            "/sections/{section_id}/diff": {
                "get": _op(
                    "Word-level diff of two versions",
                    {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "from": {"type": "integer"},
                                    "to": {"type": "integer"},
                                    "html": {"type": "string"},
                                },
                            }
                        )
                    },
                    parameters=[
                        section_id,
                        {"name": "from", "in": "query", "required": True, "schema": {"type": "integer", "minimum": 1}},
                        {"name": "to", "in": "query", "required": True, "schema": {"type": "integer", "minimum": 1}},
                    ],
                )
            },
            "/sections/{section_id}/versions": {
                "post": _op(
                    "Save a new version (editor); 409 when base_version is not the latest",
                    {"201": _json({"type": "object", "properties": {"number": {"type": "integer"}}}, "Created")},
                    parameters=[section_id],
                    body={
                        "type": "object",
                        "required": ["body", "base_version"],
                        "properties": {
                            "body": {"type": "string"},
                            "change_note": {"type": "string"},
                            "base_version": {"type": "integer"},
                            "addresses": {"type": "array", "items": {"type": "integer"}},
                        },
                    },
                    conflict=True,
                )
            },
            "/sections/{section_id}/comments": {
                "get": _op(
                    "The comments on a section the caller may see (paginated; X-Total-Count)",
                    {"200": _json({"type": "array", "items": _ref("Comment")})},
                    parameters=[section_id, *paging],
                ),
                "post": _op(
                    "Draft (or, as focal point, submit) a comment; 409 when the window is closed",
                    {"201": _json(_ref("Comment"), "Created")},
                    parameters=[section_id],
                    body=_ref("NewComment"),
                    conflict=True,
                ),
            },
            "/comments/{comment_id}": {
                "get": _op("A comment", {"200": _json(_ref("Comment"))}, parameters=[comment_id]),
                "patch": _op(
                    "Change a comment while the window is open (earlier text kept)",
                    {"200": _json(_ref("Comment"))},
                    parameters=[comment_id],
                    body={
                        "type": "object",
                        "properties": {
                            "kind": {"type": "string"},
                            "body": {"type": "string"},
                            "proposed_text": {"type": "string"},
                            "quote": {"type": "string"},
                        },
                    },
                    conflict=True,
                ),
            },
            "/comments/{comment_id}/submit": {
                "post": _op(
                    "Submit on behalf of the organization (its focal point)",
                    {"200": _json(_ref("Comment"))},
                    parameters=[comment_id],
                    conflict=True,
                )
            },
            "/comments/{comment_id}/withdraw": {
                "post": _op(
                    "Withdraw, with a reason (kept on record)",
                    {"200": _json(_ref("Comment"))},
                    parameters=[comment_id],
                    body={"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
                    conflict=True,
                )
            },
            "/comments/{comment_id}/disposition": {
                "put": _op(
                    "Answer a submitted comment (editor or secretariat); earlier answers are kept",
                    {"200": _json(_ref("Comment"))},
                    parameters=[comment_id],
                    body=DISPOSITION_BODY,
                )
            },
            "/sections/{section_id}/groups": {
                "post": _op(
                    "Group comments on a paragraph that make the same point",
                    {"201": _json({"type": "object"}, "Created")},
                    parameters=[section_id],
                    body={
                        "type": "object",
                        "required": ["comment_ids"],
                        "properties": {
                            "comment_ids": {"type": "array", "items": {"type": "integer"}},
                            "label": {"type": "string"},
                        },
                    },
                )
            },
            "/groups/{group_id}/disposition": {
                "put": _op(
                    "Answer a group of comments once",
                    {"200": _json({"type": "array", "items": _ref("Comment")})},
                    parameters=[_id("group_id")],
                    body=DISPOSITION_BODY,
                )
            },
            "/documents/{document_id}/matrix": {
                "get": _op(
                    "The comment-response matrix of a release (default: the current one)",
                    {"200": _json({"type": "array", "items": {"type": "object"}})},
                    parameters=[document_id, RELEASE],
                )
            },
            "/documents/{document_id}/matrix.xlsx": {
                "get": _op(
                    "The matrix as an Excel workbook",
                    {"200": {"description": "XLSX file"}},
                    parameters=[document_id, RELEASE],
                )
            },
            "/documents/{document_id}/matrix.docx": {
                "get": _op(
                    "The compilation as a Word document",
                    {"200": {"description": "DOCX file"}},
                    parameters=[document_id, RELEASE],
                )
            },
            "/documents/{document_id}/matrix.csv": {
                "get": _op(
                    "The matrix as CSV (UTF-8 with BOM)",
                    {"200": {"description": "CSV file"}},
                    parameters=[document_id, RELEASE],
                )
            },
            "/documents/{document_id}/comments/template.xlsx": {
                "get": _op(
                    "The Excel template for a delegation's comments",
                    {"200": {"description": "XLSX file"}},
                    parameters=[document_id],
                )
            },
            "/documents/{document_id}/comments/import": {
                "post": {
                    "summary": "Import a delegation's XLSX or DOCX table (secretariat); dry_run previews",
                    "parameters": [document_id],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["file", "organization"],
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"},
                                        "organization": {"type": "string"},
                                        "dry_run": {"type": "string", "enum": ["true", "false"]},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json({"type": "object"}, "Preview"),
                        "201": _json({"type": "object"}, "Created"),
                        **ERRORS,
                    },
                }
            },
            "/search": {
                "get": _op(
                    "Search versions, visible comments and published conclusions",
                    {"200": _json({"type": "array", "items": {"type": "object"}})},
                    parameters=[{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}],
                )
            },
            "/consultations/{slug}/milestones": {
                "get": _op(
                    "The roadmap: milestones, releases, comment windows and dialogues in date order",
                    {"200": _json({"type": "array", "items": {"type": "object"}})},
                    parameters=[SLUG],
                )
            },
            "/consultations/{slug}/principles": {
                "get": _op(
                    "Guiding principles",
                    {"200": _json({"type": "array", "items": {"type": "object"}})},
                    parameters=[SLUG],
                )
            },
            "/consultations/{slug}/priorities": {
                "get": _op(
                    "Priority statements",
                    {"200": _json({"type": "array", "items": {"type": "object"}})},
                    parameters=[SLUG],
                )
            },
            "/consultations/{slug}/dialogues": {
                "get": _op(
                    "Stakeholder dialogues",
                    {"200": _json({"type": "array", "items": {"type": "object"}})},
                    parameters=[SLUG],
                ),
                "post": _op(
                    "Schedule a dialogue (secretariat)",
                    {"201": _json({"type": "object"}, "Created")},
                    parameters=[SLUG],
                    body=_ref("NewDialogue"),
                ),
            },
            "/dialogues/{dialogue_id}": {
                "get": _op(
                    "A dialogue with its agenda, participants (each invited, attended or absent) and outcome",
                    {"200": _json(_ref("Dialogue"))},
                    parameters=[_id("dialogue_id")],
                ),
                "patch": _op(
                    "Change a dialogue (secretariat): only the fields sent change; a lost race is a 409",
                    {"200": _json(_ref("Dialogue"))},
                    parameters=[_id("dialogue_id")],
                    body=SCHEMAS["DialogueChange"],
                    conflict=True,
                ),
            },
            "/dialogues/{dialogue_id}/attendance": {
                "put": _op(
                    "Record which invited organizations attended (secretariat), once the dialogue has started",
                    {"200": _json(_ref("Dialogue"))},
                    parameters=[_id("dialogue_id")],
                    body={
                        "type": "object",
                        "required": ["attended"],
                        "properties": {
                            "attended": {"type": "array", "items": {"type": "string"}},
                            "row_version": ROW_VERSION,
                        },
                    },
                    conflict=True,
                )
            },
            "/dialogues/{dialogue_id}/outcome": {
                "put": _op(
                    "Write the outcome (secretariat); a new outcome is a draft",
                    {"200": _json(_ref("Outcome"))},
                    parameters=[_id("dialogue_id")],
                    body={
                        "type": "object",
                        "properties": {
                            "summary": {"type": "string"},
                            "conclusions": {"type": "array", "items": _ref("NewConclusion")},
                            "row_version": ROW_VERSION,
                        },
                    },
                    conflict=True,
                )
            },
            "/dialogues/{dialogue_id}/outcome/publish": {
                "post": _op(
                    "Publish the outcome (secretariat), once the dialogue has started",
                    {"200": _json(_ref("Outcome"))},
                    parameters=[_id("dialogue_id")],
                    conflict=True,
                )
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": {
                "Malformed": _error_response("Malformed request"),
                "Unauthorized": _error_response("Missing or invalid token"),
                "Forbidden": _error_response("Not allowed for this user"),
                "NotFound": _error_response("Not found (or not visible to this user)"),
                "Conflict": _error_response("Closed window, stale version or other conflict"),
                "Invalid": _error_response("Invalid data"),
            },
        },
    }
