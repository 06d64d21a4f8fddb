"""Hostile search queries, query arguments and path parts, on every route of the app."""

import re
from urllib.parse import quote, quote_plus

import pytest
from sqlalchemy import select

from consult.auth.recovery import password_link
from consult.extensions import db
from consult.models import GroupMembership
from tests.hostile.checks import assert_sound
from tests.hostile.payloads import IDS, RAW, RAW_SAMPLE, TEXT, form_value

# Every query argument some page or endpoint reads; each route gets all of them at once.
QUERY_ARGUMENTS = (
    "q", "page", "per_page", "from", "to", "version", "release", "view", "section", "organization",
    "region", "disposition", "kind", "addresses", "next", "action", "user", "lang", "beside",
)  # fmt: skip
QUERY_PAYLOADS = {
    **IDS,
    **{name: TEXT[name] for name in ("script", "attribute_breakout", "nul_inside", "lone_surrogate")},
    **{name: RAW[name] for name in RAW_SAMPLE},
}
HUGE_IDS = {"zero": 0, "int32_overflow": 2**31, "int64_overflow": 2**63, "huge": 10**30, "digits": "9" * 5000}
SLUGS = {name: TEXT[name] for name in ("script", "nul_inside", "lone_surrogate", "sql_or", "long_word", "empty")}


def _query(value) -> str:
    return quote_plus(form_value(value))


def _valid_path_values(scene) -> dict:
    return {
        "slug": scene.consultation.slug,
        "document_id": scene.document.id,
        "section_id": scene.section.id,
        "comment_id": scene.submitted.id,
        "dialogue_id": scene.dialogue.id,
        "milestone_id": scene.milestone.id,
        "group_id": scene.group.id,
        "token_id": 1,
        "user_id": scene.users["delegate"].id,
        "session_id": 1,
        "extension": "csv",
        "step": "share",
        "number": 1,
        "file_type": "docx",
        "token": password_link(scene.users["observer"], "password_reset").rsplit("/", 1)[1],
        "language": "fr",
        "code": "AG",
        "membership_id": db.session.scalar(select(GroupMembership.id).limit(1)),
    }


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint != "static":
            yield rule, sorted(rule.methods - {"HEAD", "OPTIONS"})


def _request(scene, method: str, path: str, *, api: bool):
    if api:
        response = scene.app.test_client().open(path, method=method, headers=scene.token("secretariat"))
    else:
        response = scene.client("secretariat").open(path, method=method)
    response.get_data()  # a streamed answer (CSV) runs to its end inside its request
    response.close()
    return response


@pytest.mark.parametrize("name", [*TEXT, *RAW])
def test_search_query(scene, name):
    value = {**TEXT, **RAW}[name]
    for path in ("/search", "/api/v1/search"):
        response = _request(scene, "GET", f"{path}?q={_query(value)}", api=path.startswith("/api/"))
        assert response.status_code == 200, f"{path} q={name}: {response.status_code}"
        assert_sound(response, f"{path} q={name}")


def test_query_arguments_on_every_page(scene, app):
    defaults = _valid_path_values(scene)
    for rule, methods in _routes(app):
        if "GET" not in methods:
            continue
        path = scene.url(rule.endpoint, **{name: defaults[name] for name in rule.arguments})
        for name, value in QUERY_PAYLOADS.items():
            query = "&".join(f"{argument}={_query(value)}" for argument in QUERY_ARGUMENTS)
            response = _request(scene, "GET", f"{path}?{query}", api=rule.endpoint.startswith("api."))
            assert_sound(response, f"GET {rule.rule} ?…={name}", allow_svg=rule.endpoint == "matrix.dashboard")


def _path(rule, values: dict) -> str:
    """The rule's path with the values put in as they are (url_for would refuse odd ones)."""

    def part(match):
        value = values[match["name"]]
        return quote(form_value(value), safe="") if isinstance(value, str) else str(value)

    return re.sub(r"<(?:[^>:]+:)?(?P<name>\w+)>", part, rule.rule)


def test_out_of_range_ids_and_odd_slugs_in_paths(scene, app):
    defaults = _valid_path_values(scene)
    for rule, methods in _routes(app):
        for argument in sorted(rule.arguments - {"extension"}):
            for name, value in (SLUGS if argument in ("slug", "language", "code") else HUGE_IDS).items():
                path = _path(rule, {**defaults, argument: value})
                for method in methods:
                    response = _request(scene, method, path, api=rule.endpoint.startswith("api."))
                    assert_sound(response, f"{method} {rule.rule} {argument}={name}")
