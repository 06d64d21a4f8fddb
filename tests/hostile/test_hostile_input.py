"""Hostile payloads through every field of every form and API endpoint that changes something.

For each request: never a server error, a refusal says why, a refusal leaves what was saved
as it was, and what comes back executes nothing. Then every page, file and API answer
that shows what was stored is checked the same way.
"""

import copy

import pytest

from consult.extensions import db
from tests.hostile.checks import assert_sound, assert_sound_download, json_bytes, multipart, urlencoded
from tests.hostile.fields import Upload, body_schema
from tests.hostile.payloads import JSON_BODIES
from tests.hostile.targets import TARGETS, payloads

CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def test_every_changing_route_is_a_target(app):
    routes = {
        (rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods & CHANGING_METHODS
    }
    listed = {(target.endpoint, target.method) for target in TARGETS}
    assert not routes - listed, f"add these to tests/hostile/targets.py: {sorted(routes - listed)}"
    assert not listed - routes, f"these targets no longer exist: {sorted(listed - routes)}"


def test_the_fields_are_read_from_the_forms_and_schemas(app):
    """Were the reading to find nothing, each target would only get a stray field."""
    kinds = {target.label: {field.name: field.kind for field in target.fields(app)} for target in TARGETS}
    assert kinds["POST api.create_comment"] == {
        "kind": "choice",
        "body": "markdown",
        "proposed_text": "text",
        "quote": "text",
        "submit": "choice",
        "language": "text",
        "on_behalf_of": "text",
        "co_signers.0": "text",
    }
    assert kinds["PATCH api.update_dialogue"]["agenda.0.section_ids"] == "ids"
    assert kinds["PATCH api.update_dialogue"]["participants.0"] == "text"
    assert kinds["PUT api.save_outcome"]["conclusions.0.text"] == "markdown"
    assert kinds["POST comments.create"]["body"] == "markdown"
    assert kinds["POST dialogues.edit"]["agenda-0-section_ids"] == "ids"
    assert kinds["POST drafts.publish_release"]["comments_close_at"] == "datetime"
    assert "file" in kinds["POST api.import_comments"] and "file" in kinds["POST matrix.import_comments"]
    for target in TARGETS:
        if target.form or (target.api and body_schema(app.view_functions[target.endpoint])):
            assert "unexpected" not in kinds[target.label], target.label


def _with(data: dict, path: str, value) -> dict:
    """A copy of the valid data with the payload at the field's place (dotted for JSON)."""
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


def _send(scene, target, url: str, data):
    if target.api:
        client, headers = scene.app.test_client(), scene.token(target.user)
    else:
        client, headers = scene.client(target.user), {}
    if isinstance(data, bytes):
        body, content_type = data, "application/json"
    elif target.json(scene.app):
        body, content_type = json_bytes(data), "application/json"
    else:
        files = {name: (value.filename, value.content) for name, value in data.items() if isinstance(value, Upload)}
        fields = {name: value for name, value in data.items() if not isinstance(value, Upload)}
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urlencoded(fields), "application/x-www-form-urlencoded"
    response = client.open(url, method=target.method, data=body, content_type=content_type, headers=headers)
    return client, headers, response


def check_view(scene, viewer: str | None, url: str) -> None:
    if url.startswith("/api/"):
        response = scene.app.test_client().get(url, headers=scene.token(viewer))
    else:
        response = scene.client(viewer).get(url)
    where = f"{url} seen by {viewer}"
    assert response.status_code == 200, f"{where}: {response.status_code}"
    assert_sound(response, where, allow_svg="/dashboard" in url)
    assert_sound_download(response, where)


def attempts(target, app):
    json = target.json(app)
    for field in target.fields(app):
        for name, value in payloads(field, json).items():
            yield f"{field.label}={name}", field, value
    if json:
        for name, body in JSON_BODIES.items():
            yield f"body={name}", None, body


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.label)
def test_hostile_input_is_refused_or_stored_inert(scene, target):
    for label, field, value in attempts(target, scene.app):
        where = f"{target.label} {label}"
        values = target.url(scene)
        url = scene.url(target.endpoint, **values)
        before = target.state(scene, values) if target.state else None
        if field is None:
            data = value
        else:
            valid = target.data(scene, values)
            data = _with(valid, field.name, field.upload(value) if field.upload else value)
        client, headers, response = _send(scene, target, url, data)
        # Each request has its own session in production: nothing it left unsaved may linger.
        db.session.rollback()
        assert_sound(response, where)
        if response.status_code >= 400 and target.state:
            assert target.state(scene, values) == before, f"{where}: a refused request changed what was saved"
        if response.status_code < 400 and target.after:
            follow = target.after(scene, client, response, headers)
            db.session.rollback()
            if follow is not None:
                assert_sound(follow, f"{where}, next step")
    for viewer, url in target.shows(scene):
        check_view(scene, viewer, url)
    scene.assert_nothing_lost()
