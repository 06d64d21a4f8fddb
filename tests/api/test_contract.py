"""The API contract: the OpenAPI document generated from the schemas, pagination, errors."""

import copy
from types import SimpleNamespace

import pytest
from openapi_spec_validator import validate

from consult import create_app
from consult.api.comments.schemas import CommentSchema
from consult.comments.services import create_comment
from consult.extensions import db
from tests.api.conformance import assert_documented, checked_answers


@pytest.fixture
def section(world):
    document = world.document()
    world.release(document)
    return document.sections[1]


@pytest.mark.parametrize("config", ["testing", "development"])
def test_the_document_is_valid_openapi(database_url, config):
    app = create_app(config, SQLALCHEMY_DATABASE_URI=database_url)
    document = app.test_client().get("/api/v1/openapi.json").json
    validate(document)
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": "/api/v1"}]
    operations = [operation for path in document["paths"].values() for operation in path.values()]
    # Every operation of the API is in the document (the matrix files are one operation).
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert len(operations) == len(routes) >= 36
    assert all(operation["summary"] and operation["tags"] for operation in operations)
    assert all({"401", "429", "503"} <= set(operation["responses"]) for operation in operations)


def test_objects_of_answers_are_closed_in_the_tests_only(database_url, client):
    closed = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert closed["Comment"]["additionalProperties"] is False
    assert closed["Error"]["additionalProperties"] is False
    assert "additionalProperties" not in closed["NewComment"]  # requests keep ignoring unknown keys
    production = create_app("development", SQLALCHEMY_DATABASE_URI=database_url)
    opened = production.test_client().get("/api/v1/openapi.json").json["components"]["schemas"]
    assert "additionalProperties" not in opened["Comment"]


def test_every_key_of_a_comment_is_documented(client):
    comment = client.get("/api/v1/openapi.json").json["components"]["schemas"]["Comment"]
    assert set(comment["properties"]) == {field.data_key or name for name, field in CommentSchema().fields.items()}
    assert len(comment["properties"]) == 32
    assert comment["properties"]["body"]["contentMediaType"] == "text/markdown"
    assert comment["properties"]["submitted_at"]["type"] == ["string", "null"]


def test_an_answer_with_an_undocumented_key_fails_the_check(app, client, world, section):
    headers = world.token(world.user("focal_point", "KEN"))
    response = client.post(f"/api/v1/sections/{section.id}/comments", json={"body": "Kenya."}, headers=headers)
    assert response.status_code == 201
    before = checked_answers()
    client.get(f"/api/v1/comments/{response.json['id']}", headers=headers)
    assert checked_answers() == before + 1
    extra = copy.copy(response)
    extra.set_data(response.get_data().replace(b'"late"', b'"secret":1,"late"'))
    with pytest.raises(AssertionError, match="secret"):
        assert_documented(app, "POST", f"/api/v1/sections/{section.id}/comments", extra)
    teapot = SimpleNamespace(status_code=418, mimetype="application/json", headers={}, get_json=lambda: {})
    with pytest.raises(AssertionError, match="status not documented"):
        assert_documented(app, "POST", f"/api/v1/sections/{section.id}/comments", teapot)


def test_validation_messages_are_in_the_readers_language(client, world, section):
    headers = world.token(world.user("focal_point", "KEN"))
    url = f"/api/v1/sections/{section.id}/comments"
    english = client.post(url, json={"body": 12, "submit": "yes"}, headers=headers).json["error"]
    assert english["fields"] == {
        "body": ["This field has the wrong type."],
        "submit": ["This field has the wrong type."],
    }
    french = client.post(url, json={"body": 12}, headers={**headers, "Accept-Language": "fr"}).json["error"]
    assert french["code"] == "invalid" and french["fields"]["body"] != ["This field has the wrong type."]
    missing = client.post(url, json={}, headers={**headers, "Accept-Language": "es"}).json["error"]
    assert missing["fields"]["body"] != ["This field is required."]
    nested = client.post(
        f"/api/v1/consultations/{section.document.consultation.slug}/dialogues",
        json={"title": "D", "constituency": "un_system", "format": "online", "starts_at": "x", "agenda": [{"x": 1}]},
        headers=world.token(world.user("secretariat")),
    ).json["error"]["fields"]
    assert nested["starts_at"] == ["Give an ISO 8601 date and time, e.g. 2026-12-31T17:00:00Z."]
    assert nested["agenda"] == ["This field is required."]  # the item's title, under the field the body names


def test_a_refusal_comes_before_a_complaint_about_fields(client, world, section):
    observer = world.token(world.user("observer"))
    response = client.post(f"/api/v1/sections/{section.id}/comments", json={"body": 12}, headers=observer)
    assert response.status_code == 403
    assert client.post(f"/api/v1/sections/{section.id}/comments", json={}).status_code == 401


def test_each_answer_is_of_its_own_moment(client, world, section):
    """Requests that share an app context (as the tests' do) do not share what an answer keeps."""
    headers = world.token(world.user("observer"))
    url = f"/api/v1/documents/{section.document_id}"
    assert client.get(url, headers=headers).json["release"]["open"] is True
    world.close_window(section.document.releases[0])
    assert client.get(url, headers=headers).json["release"]["open"] is False


def _comments(world, section, count: int) -> list[int]:
    kenya = world.user("focal_point", "KEN")
    ids = [create_comment(kenya, section, kind="general", body=f"Kenya {n}.", submit=True).id for n in range(count)]
    db.session.commit()
    return ids


def test_lists_that_grow_are_paginated(client, world, section):
    ids = _comments(world, section, 7)
    editor = world.token(world.user("editor"))
    for path, arguments in (
        (f"/api/v1/sections/{section.id}/comments", {}),
        (f"/api/v1/documents/{section.document_id}/matrix", {"kind": "general"}),
        ("/api/v1/search", {"q": "Kenya"}),
    ):

        def page(path=path, arguments=arguments, **query):
            return client.get(path, query_string={**arguments, **query}, headers=editor)

        everything = page()
        assert everything.headers["X-Total-Count"] == "7" and "Link" not in everything.headers
        assert len(everything.json) == 7
        first = page(per_page=3)
        assert len(first.json) == 3 and first.headers["X-Total-Count"] == "7"
        link, relation = first.headers["Link"].split(";")
        assert relation.strip() == 'rel="next"'
        next_url = link.strip("<> ")
        assert next_url.startswith(f"http://localhost{path}?") and next_url.endswith("page=2&per_page=3")
        assert all(f"{name}={value}" in next_url for name, value in arguments.items())  # the other arguments are kept
        second = client.get(next_url, headers=editor)
        last = page(per_page=3, page=3)
        assert "Link" not in last.headers
        seen = [item.get("comment_id") or item["id"] for answer in (first, second, last) for item in answer.json]
        assert sorted(seen) == sorted(ids)
        # Anything else is not an error: the default page and size, or the largest size.
        for odd in ({"page": "x", "per_page": "-1"}, {"page": 0, "per_page": 10_000}):
            assert len(page(**odd).json) == 7


def test_the_matrix_shows_at_most_200_rows_a_page(client, world, section):
    _comments(world, section, 205)
    url = f"/api/v1/documents/{section.document_id}/matrix"
    response = client.get(url, query_string={"per_page": 500}, headers=world.token(world.user("editor")))
    assert len(response.json) == 200 and response.headers["X-Total-Count"] == "205"
    assert "page=2&per_page=200" in response.headers["Link"]
    assert len(client.get(url, headers=world.token(world.user("editor"))).json) == 50
