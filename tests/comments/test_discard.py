"""A draft is discarded (deleted, with an audit event); a submitted comment is only withdrawn."""

import pytest

from consult.comments.services import create_comment
from consult.extensions import db
from consult.models import AuditEvent, Comment, CoSignature, Notification, SearchEntry
from tests.conftest import login


@pytest.fixture
def scene(world):
    document = world.document()
    world.release(document)
    world.user("focal_point", "FRA")
    return {
        "section": document.sections[1],
        "delegate": world.user("delegate", "KEN"),
        "focal": world.user("focal_point", "KEN"),
        "delegate_token": world.token(world.user("delegate", "KEN")),
        "focal_token": world.token(world.user("focal_point", "KEN")),
    }


def _draft(scene, body="Add *drainage*.") -> int:
    comment = create_comment(scene["delegate"], scene["section"], kind="general", body=body, co_signers=["FRA"])
    db.session.commit()
    return comment.id


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_draft_offers_discard_and_a_confirmation_says_what_is_lost(app, scene):
    comment_id = _draft(scene)
    browser = app.test_client()
    login(browser, scene["delegate"])
    for page in (f"/sections/{scene['section'].id}", "/delegation/comments", f"/comments/{comment_id}/edit"):
        html = browser.get(page).get_data(as_text=True)
        assert f'href="/comments/{comment_id}/discard"' in html, page
        assert f'href="/comments/{comment_id}/withdraw"' not in html, page
    confirmation = browser.get(f"/comments/{comment_id}/discard").get_data(as_text=True)
    assert "This cannot be undone." in confirmation and "invitations to co-sign" in confirmation
    assert "<em>drainage</em>" in confirmation  # the text about to be lost, as it reads
    # Nothing happens before the confirmation is posted.
    assert db.session.get(Comment, comment_id) is not None and _events("comment.discard") == []

    response = browser.post(f"/comments/{comment_id}/discard")
    assert response.status_code == 302 and response.headers["Location"] == f"/sections/{scene['section'].id}"
    db.session.expire_all()
    assert db.session.get(Comment, comment_id) is None
    assert db.session.scalar(db.select(db.func.count(CoSignature.id))) == 0
    assert db.session.scalar(db.select(db.func.count(SearchEntry.id)).where(SearchEntry.kind == "comment")) == 0
    # The focal point's message about the draft stays in the outbox, without the comment.
    review = db.session.scalar(db.select(Notification).where(Notification.kind == "review"))
    assert review is not None and review.comment_id is None
    [event] = _events("comment.discard")
    assert event.object_id == comment_id and event.actor_id == scene["delegate"].id
    assert "The draft is discarded." in browser.get(response.headers["Location"]).get_data(as_text=True)
    assert browser.get(f"/comments/{comment_id}/discard").status_code == 404


def test_a_submitted_comment_is_withdrawn_never_discarded(app, client, scene):
    comment = create_comment(scene["focal"], scene["section"], kind="general", body="Sent.", submit=True)
    db.session.commit()
    browser = app.test_client()
    login(browser, scene["focal"])
    html = browser.get(f"/sections/{scene['section'].id}").get_data(as_text=True)
    assert f'href="/comments/{comment.id}/withdraw"' in html
    assert f'href="/comments/{comment.id}/discard"' not in html
    assert browser.get(f"/comments/{comment.id}/discard").status_code == 409
    assert browser.post(f"/comments/{comment.id}/discard").status_code == 409
    refused = client.delete(f"/api/v1/comments/{comment.id}", headers=scene["focal_token"])
    assert refused.status_code == 409 and "withdrawn" in refused.json["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).status == "submitted"
    assert _events("comment.discard") == []


def test_the_api_discards_a_draft_and_refuses_to_withdraw_one(client, scene):
    comment_id = _draft(scene)
    withdraw = client.post(
        f"/api/v1/comments/{comment_id}/withdraw", json={"reason": "Not needed."}, headers=scene["focal_token"]
    )
    assert withdraw.status_code == 409 and "discard" in withdraw.json["error"]["message"]
    response = client.delete(f"/api/v1/comments/{comment_id}", headers=scene["focal_token"])
    assert response.status_code == 204 and response.get_data() == b""
    db.session.expire_all()
    assert db.session.get(Comment, comment_id) is None
    assert [event.object_id for event in _events("comment.discard")] == [comment_id]
    assert client.delete(f"/api/v1/comments/{comment_id}", headers=scene["focal_token"]).status_code == 404
