"""Every answer the suite gets from /api/v1 is checked against the OpenAPI document.

The ``app`` fixture makes ``DocumentedClient`` the app's test client: each answer's status
must be one its operation documents, its content type one documented for that status, its
JSON valid against the documented schema (in which every object is closed under the test
configuration, so an undocumented key fails), and the headers it documents as required there.
An answer that no operation gives (an unknown path, a method not allowed) must be an error
in the envelope.
"""

import hashlib
import json
import re

import jsonschema
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

from consult.api.document import PREFIX

_CHECKED = {"answers": 0}


def checked_answers() -> int:
    return _CHECKED["answers"]


class DocumentedClient(FlaskClient):
    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        if request.path.startswith(f"{PREFIX}/") and request.path != f"{PREFIX}/openapi.json":
            assert_documented(self.application, request.method, request.path, response)
            _CHECKED["answers"] += 1
        return response


def _document(app) -> tuple[str, dict]:
    """The app's document, and a key for what it says (most apps of the suite say the same)."""
    if "tests.api_document" not in app.extensions:
        with app.app_context():
            document = app.extensions["consult.api"].document()
        key = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
        app.extensions["tests.api_document"] = (key, document)
    return app.extensions["tests.api_document"]


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", rule).removeprefix(PREFIX)


def _operation(app, document: dict, method: str, path: str) -> dict | None:
    try:
        rule, _arguments = app.url_map.bind("localhost").match(path, method=method, return_rule=True)
    except HTTPException:
        return None
    return document["paths"].get(_openapi_path(rule.rule), {}).get(method.lower())


def _resolved(document: dict, item: dict) -> dict:
    while "$ref" in item:
        *_, section, name = item["$ref"].split("/")
        item = document["components"][section][name]
    return item


_VALIDATORS: dict = {}


def _validate(document: tuple[str, dict], schema: dict, data, where: str) -> None:
    key, components = (document[0], repr(schema)), document[1]["components"]
    if key not in _VALIDATORS:
        # The schema with the document's components beside it, so that its $refs resolve.
        _VALIDATORS[key] = jsonschema.Draft202012Validator({**schema, "components": components})
    errors = sorted(_VALIDATORS[key].iter_errors(data), key=lambda error: list(error.absolute_path))
    assert not errors, f"{where}: the answer does not conform to the document: " + "; ".join(
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message[:300]}" for error in errors[:5]
    )


def assert_documented(app, method: str, path: str, response) -> None:
    where = f"{method} {path} → {response.status_code}"
    keyed = _document(app)
    document = keyed[1]
    operation = _operation(app, document, method, path)
    if operation is None:
        if method in ("HEAD", "OPTIONS") or response.status_code == 308:  # 308: the URL with its slashes merged
            return
        assert response.mimetype == "application/json", f"{where}: not an error envelope"
        _validate(keyed, {"$ref": "#/components/schemas/Error"}, response.get_json(), where)
        return
    answers = operation["responses"]
    assert str(response.status_code) in answers, f"{where}: status not documented ({sorted(answers)})"
    answer = _resolved(document, answers[str(response.status_code)])
    for name, header in answer.get("headers", {}).items():
        assert not header.get("required") or name in response.headers, f"{where}: no {name} header"
    content = answer.get("content", {})
    if not content:  # e.g. 204: the document promises no body
        assert response.get_data() == b"", f"{where}: a body the document does not describe"
        return
    assert response.mimetype in content, f"{where}: {response.mimetype} not documented ({sorted(content)})"
    if response.mimetype == "application/json":
        _validate(keyed, content["application/json"]["schema"], response.get_json(), where)
