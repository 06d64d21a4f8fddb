"""API v1 as our acceptance checks call it: paths, fields, statuses."""

from datetime import timedelta

import pytest

from consult.extensions import db
from consult.models import AuditEvent, Comment, SectionVersion
from consult.models.base import utcnow


@pytest.fixture
def setup(world):
    document = world.document()
    release = world.release(document)
    return {
        "document": document,
        "release": release,
        "section": document.sections[1],
        "delegate": world.token(world.user("delegate", "KEN")),
        "focal": world.token(world.user("focal_point", "KEN")),
        "other": world.token(world.user("focal_point", "FRA")),
        "editor": world.token(world.user("editor")),
        "secretariat": world.token(world.user("secretariat")),
        "observer": world.token(world.user("observer")),
    }


def test_requires_a_valid_token(client, setup):
    response = client.get("/api/v1/consultations")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/consultations", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_consultations_and_document(client, setup):
    headers = setup["observer"]
    assert client.get("/api/v1/consultations", headers=headers).json == [{"slug": "plan", "title": "Strategic plan"}]
    detail = client.get("/api/v1/consultations/plan", headers=headers).json
    assert detail["documents"][0]["id"] == setup["document"].id
    assert set(detail["documents"][0]) >= {"id", "title", "kind"}
    document = client.get(f"/api/v1/documents/{setup['document'].id}", headers=headers).json
    assert document["language"] == "en"
    assert document["release"]["number"] == 1
    assert document["release"]["label"] == "Zero draft"
    assert document["release"]["open"] is True
    assert [s["number"] for s in document["sections"]] == ["1", "2", "3"]
    assert set(document["sections"][0]) >= {"id", "anchor", "number", "heading", "chapter", "version"}
    assert document["sections"][0]["chapter"] == "I. Introduction"
    assert client.get("/api/v1/documents/9999", headers=headers).status_code == 404
    assert client.get("/api/v1/consultations/nope", headers=headers).status_code == 404


def test_section_and_diff(client, setup):
    section = setup["section"]
    headers = setup["editor"]
    data = client.get(f"/api/v1/sections/{section.id}", headers=headers).json
    assert data["version"]["number"] == 1
    assert "(a) Ambitious" in data["version"]["body"]
    assert data["url"].endswith(f"/sections/{section.id}")
    created = client.post(
        f"/api/v1/sections/{section.id}/versions",
        json={"body": data["version"]["body"].replace("Ambitious", "Bold"), "change_note": "tone", "base_version": 1},
        headers=headers,
    )
    assert created.status_code == 201 and created.json["number"] == 2
    diff = client.get(f"/api/v1/sections/{section.id}/diff?from=1&to=2", headers=headers).json
    assert diff["from"] == 1 and diff["to"] == 2
    assert "<del>Ambitious</del>" in diff["html"] and "<ins>Bold</ins>" in diff["html"]
    # Delegations see only released versions: version 2 is working text.
    delegate_view = client.get(f"/api/v1/sections/{section.id}", headers=setup["delegate"]).json
    assert [v["number"] for v in delegate_view["versions"]] == [1]
    hidden = client.get(f"/api/v1/sections/{section.id}/diff?from=1&to=2", headers=setup["delegate"])
    assert hidden.status_code == 404
    assert client.get(f"/api/v1/sections/{section.id}/diff?from=a&to=2", headers=headers).status_code == 422


def test_stale_base_version_is_a_conflict_and_changes_nothing(client, setup):
    section = setup["section"]
    url = f"/api/v1/sections/{section.id}/versions"
    assert client.post(url, json={"body": "one", "base_version": 1}, headers=setup["editor"]).status_code == 201
    stale = client.post(url, json={"body": "two", "base_version": 1}, headers=setup["editor"])
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "stale_version"
    assert stale.json["error"]["details"]["current_version"] == 2
    assert (
        db.session.scalar(db.select(db.func.count(SectionVersion.id)).where(SectionVersion.section_id == section.id))
        == 2
    )


def test_delegate_drafts_focal_point_submits_others_see_after_close(client, setup, world):
    section = setup["section"]
    url = f"/api/v1/sections/{section.id}/comments"
    created = client.post(url, json={"kind": "general", "body": "We support (a)."}, headers=setup["delegate"])
    assert created.status_code == 201
    comment = created.json
    assert comment["status"] == "draft" and comment["organization"]["code"] == "KEN"
    assert comment["release"] == 1 and comment["version"] == 1
    # A delegate cannot submit; the focal point can.
    assert client.post(f"/api/v1/comments/{comment['id']}/submit", headers=setup["delegate"]).status_code == 403
    submitted = client.post(f"/api/v1/comments/{comment['id']}/submit", headers=setup["focal"])
    assert submitted.status_code == 200 and submitted.json["submitted_at"]
    # While open: the other delegation does not see it, the editor does.
    assert client.get(url, headers=setup["other"]).json == []
    assert [c["id"] for c in client.get(url, headers=setup["editor"]).json] == [comment["id"]]
    world.close_window(setup["release"])
    assert [c["id"] for c in client.get(url, headers=setup["other"]).json] == [comment["id"]]
    assert [c["id"] for c in client.get(url, headers=setup["observer"]).json] == [comment["id"]]


def test_focal_point_can_submit_directly_and_edit_keeps_revisions(client, setup):
    section = setup["section"]
    created = client.post(
        f"/api/v1/sections/{section.id}/comments",
        json={"kind": "amendment", "body": "Be bolder", "proposed_text": "Bold text", "submit": True},
        headers=setup["focal"],
    )
    assert created.status_code == 201 and created.json["status"] == "submitted"
    comment_id = created.json["id"]
    patched = client.patch(f"/api/v1/comments/{comment_id}", json={"body": "Be much bolder"}, headers=setup["focal"])
    assert patched.status_code == 200
    assert patched.json["body"] == "Be much bolder"
    assert [r["body"] for r in patched.json["revisions"]] == ["Be bolder"]
    other = client.patch(f"/api/v1/comments/{comment_id}", json={"body": "hijack"}, headers=setup["other"])
    assert other.status_code == 404
    assert db.session.get(Comment, comment_id).body == "Be much bolder"


def test_comment_created_and_submitted_in_one_request(client, setup):
    section = setup["section"]
    url = f"/api/v1/sections/{section.id}/comments"
    created = client.post(url, json={"body": "We *support* (a).", "submit": True}, headers=setup["focal"])
    assert created.status_code == 201
    answer = created.json
    assert (answer["status"], answer["late"]) == ("submitted", False)
    assert answer["html"] == "<p>We <em>support</em> (a).</p>"
    # The answer is what was stored, as any later read shows it.
    assert client.get(f"/api/v1/comments/{answer['id']}", headers=setup["focal"]).json == answer
    db.session.rollback()
    comment = db.session.get(Comment, answer["id"])
    assert comment.submitted_by_id == comment.author_id and comment.created_at <= comment.submitted_at
    # The trail shows the draft, then its submission.
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_type == "comment").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.object_id, e.details) for e in events] == [
        ("comment.draft", comment.id, {"section": section.id}),
        ("comment.submit", comment.id, {"late": False}),
    ]
    # Only the focal point submits: a delegate asking to leaves nothing behind.
    refused = client.post(url, json={"body": "Sent by a delegate", "submit": True}, headers=setup["delegate"])
    assert refused.status_code == 403
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 1
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.object_type == "comment")) == 2


def test_withdraw_needs_a_reason_and_keeps_the_comment(client, setup):
    section = setup["section"]
    comment_id = client.post(
        f"/api/v1/sections/{section.id}/comments", json={"body": "x", "submit": True}, headers=setup["focal"]
    ).json["id"]
    missing = client.post(f"/api/v1/comments/{comment_id}/withdraw", json={}, headers=setup["focal"])
    assert missing.status_code == 422 and "reason" in missing.json["error"]["fields"]
    done = client.post(f"/api/v1/comments/{comment_id}/withdraw", json={"reason": "Superseded"}, headers=setup["focal"])
    assert done.status_code == 200
    assert done.json["status"] == "withdrawn" and done.json["withdrawal_reason"] == "Superseded"
    assert db.session.get(Comment, comment_id) is not None


def test_closed_window_refuses_comments(client, setup, world):
    world.close_window(setup["release"])
    response = client.post(
        f"/api/v1/sections/{setup['section'].id}/comments", json={"body": "late"}, headers=setup["focal"]
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "window_closed"
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0


def test_releases_and_window(client, setup):
    document_id = setup["document"].id
    closes = (utcnow() + timedelta(days=10)).isoformat()
    forbidden = client.post(
        f"/api/v1/documents/{document_id}/releases",
        json={"label": "First draft", "comments_close_at": closes},
        headers=setup["editor"],
    )
    assert forbidden.status_code == 403
    created = client.post(
        f"/api/v1/documents/{document_id}/releases",
        json={"label": "First draft", "comments_close_at": closes},
        headers=setup["secretariat"],
    )
    assert created.status_code == 201
    assert created.json["number"] == 2 and created.json["label"] == "First draft" and created.json["open"]
    new_close = "2099-01-01T12:00:00Z"
    moved = client.patch(
        f"/api/v1/documents/{document_id}/release", json={"comments_close_at": new_close}, headers=setup["secretariat"]
    )
    assert moved.status_code == 200 and moved.json["comments_close_at"] == "2099-01-01T12:00:00Z"
    before_open = client.patch(
        f"/api/v1/documents/{document_id}/release",
        json={"comments_close_at": "2000-01-01T00:00:00Z"},
        headers=setup["secretariat"],
    )
    assert before_open.status_code == 422
    assert (
        db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "release.move_window"))
        == 1
    )


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'"text"', b"{", b"\xff\xfe\x00"],
)
def test_malformed_json_is_a_400(client, setup, body):
    response = client.post(
        f"/api/v1/sections/{setup['section'].id}/comments",
        data=body,
        headers={**setup["focal"], "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": 12}, "body"),
        ({"body": "x", "kind": "rant"}, "kind"),
        ({"body": "x", "kind": "amendment"}, "proposed_text"),
        ({"body": "x" * 100_001}, "body"),
    ],
)
def test_invalid_comments_are_422_and_change_nothing(client, setup, payload, field):
    response = client.post(f"/api/v1/sections/{setup['section'].id}/comments", json=payload, headers=setup["focal"])
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0


def test_editor_actions_by_a_delegate_are_refused(client, setup):
    section = setup["section"]
    response = client.post(
        f"/api/v1/sections/{section.id}/versions", json={"body": "mine", "base_version": 1}, headers=setup["focal"]
    )
    assert response.status_code == 403
    assert (
        db.session.scalar(db.select(db.func.count(SectionVersion.id)).where(SectionVersion.section_id == section.id))
        == 1
    )


def test_addressed_in_version(client, setup):
    section = setup["section"]
    comment_id = client.post(
        f"/api/v1/sections/{section.id}/comments", json={"body": "fix (b)", "submit": True}, headers=setup["focal"]
    ).json["id"]
    bad = client.post(
        f"/api/v1/sections/{section.id}/versions",
        json={"body": "new", "base_version": 1, "addresses": [comment_id, 999]},
        headers=setup["editor"],
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/api/v1/sections/{section.id}/versions",
        json={"body": "new", "base_version": 1, "addresses": [comment_id]},
        headers=setup["editor"],
    )
    assert ok.status_code == 201
    listed = client.get(f"/api/v1/sections/{section.id}/comments", headers=setup["focal"]).json
    assert listed[0]["addressed_in_version"] == 2


def test_comment_html_is_sanitized(client, setup):
    created = client.post(
        f"/api/v1/sections/{setup['section'].id}/comments",
        json={"body": "<script>alert(1)</script>[x](javascript:alert(2)) **ok**"},
        headers=setup["focal"],
    ).json
    assert "<script" not in created["html"] and "javascript:" not in created["html"]
    assert "<strong>ok</strong>" in created["html"]


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/sections/{section_id}/comments" in spec["paths"]
    assert set(spec["paths"]["/sections/{section_id}/comments"]) == {"get", "post"}


def test_oversized_request_is_a_413(client, setup, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(
        f"/api/v1/sections/{setup['section'].id}/comments",
        data=b'{"body": "' + b"x" * 4096 + b'"}',
        headers={**setup["focal"], "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0
