"""Every route, generated from the URL map, for anonymous and wrong-role access."""

from datetime import UTC, date, datetime

import pytest

from consult.comments.services import create_comment, group_comments
from consult.dialogues.services import create_dialogue
from consult.extensions import db
from consult.principles.services import add_item
from consult.roadmap.services import create_milestone
from tests.conftest import login

PUBLIC = {
    "main.index",
    "main.healthz",
    "main.readyz",
    "main.set_language",
    "auth.login",
    "static",
    "api.openapi",
    "roadmap.calendar",
}

# Endpoint → roles allowed; everyone else signed in gets 403 (or 404 where even the
# object's existence is confidential).
RESTRICTED = {
    "admin.users": {"admin", "secretariat"},
    "drafts.import_document": {"admin", "secretariat"},
    "drafts.publish_release": {"admin", "secretariat"},
    "drafts.move_window": {"admin", "secretariat"},
    "drafts.revise": {"admin", "editor"},
    "comments.delegation": {"focal_point", "delegate"},
    "admin.delegation": {"focal_point", "admin", "secretariat"},
    "roadmap.create": {"admin", "secretariat"},
    "roadmap.edit": {"admin", "secretariat"},
    "dialogues.create": {"admin", "secretariat"},
    "dialogues.edit": {"admin", "secretariat"},
    "dialogues.outcome": {"admin", "secretariat"},
    "principles.create": {"admin", "secretariat"},
    "priorities.create": {"admin", "secretariat"},
    "priorities.links": {"admin", "secretariat", "editor"},
    "comments.disposition": {"admin", "secretariat", "editor"},
    "matrix.import_comments": {"admin", "secretariat"},
    "matrix.dashboard": {"admin", "secretariat", "editor"},
}


@pytest.fixture
def objects(world):
    document = world.document()
    world.release(document)
    focal = world.user("focal_point", "KEN")
    comment = create_comment(focal, document.sections[0], kind="general", body="x")
    pair = [create_comment(focal, document.sections[0], kind="general", body=b, submit=True) for b in "yz"]
    group = group_comments(world.user("editor"), document.sections[0], [c.id for c in pair])
    milestone = create_milestone(
        None, document.consultation, {"title": "Board", "kind": "board_session", "starts_on": date(2024, 5, 6)}
    )
    dialogue = create_dialogue(
        None,
        document.consultation,
        {
            "title": "First dialogue",
            "constituency": "member_states",
            "format": "in_person",
            "starts_at": datetime(2024, 1, 31, 7, tzinfo=UTC),
        },
    )
    priority = add_item(
        None,
        document.consultation,
        kind="priority_statements",
        number="1",
        title="Housing",
        body="x",
        group="current_framework",
    )
    db.session.commit()
    return {
        "slug": "plan",
        "document_id": document.id,
        "section_id": document.sections[0].id,
        "comment_id": comment.id,
        "milestone_id": milestone.id,
        "dialogue_id": dialogue.id,
        "priority_id": priority.id,
        "group_id": group.id,
        "extension": "csv",
    }


def _routes(app, objects):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        url = rule.build({arg: objects[arg] for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_anonymous_is_sent_to_sign_in_or_gets_401(app, client, objects):
    checked = 0
    for endpoint, method, url in _routes(app, objects):
        response = client.open(url, method=method)
        if endpoint.startswith("api."):
            assert response.status_code == 401, (endpoint, method)
        else:
            assert response.status_code == 302, (endpoint, method)
            assert "/auth/login" in response.headers["Location"]
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("role", ["observer", "delegate", "focal_point", "editor", "secretariat"])
def test_wrong_roles_are_refused(app, world, objects, role):
    user = world.user(role, "FRA" if role in ("delegate", "focal_point") else None)
    browser = app.test_client()
    login(browser, user)
    for endpoint, allowed in RESTRICTED.items():
        if role in allowed:
            continue
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        url = rule.build({arg: objects[arg] for arg in rule.arguments}, append_unknown=False)[1]
        response = browser.get(url)
        assert response.status_code in (403, 404), (endpoint, role, response.status_code)


@pytest.mark.parametrize(
    "url",
    ["/documents/999", "/sections/999", "/comments/999", "/consultations/nope", "/sections/1/diff?from=1&to=99"],
)
def test_unknown_ids_are_404(app, world, objects, url):
    browser = app.test_client()
    login(browser, world.user("editor"))
    assert browser.get(url).status_code == 404


def test_another_delegations_draft_is_invisible(app, world, objects):
    browser = app.test_client()
    login(browser, world.user("focal_point", "FRA"))
    for url in (f"/comments/{objects['comment_id']}", f"/comments/{objects['comment_id']}/edit"):
        assert browser.get(url).status_code == 404
    assert browser.post(f"/comments/{objects['comment_id']}/submit").status_code == 404
