"""Dispositions, groups answered once, the release gate and the notification outbox."""

from datetime import timedelta

import pytest

from consult.comments.services import create_comment, dispose_group, group_comments, record_disposition
from consult.drafts.services import revise_section
from consult.errors import NotAllowed, ValidationFailed
from consult.extensions import db
from consult.models import AuditEvent, Comment, Notification, Release
from consult.models.base import utcnow
from tests.conftest import login


@pytest.fixture
def answered(world):
    document = world.document()
    release = world.release(document)
    section = document.sections[1]
    kenya, france = world.user("focal_point", "KEN"), world.user("focal_point", "FRA")
    comments = [
        create_comment(kenya, section, kind="general", body="Add housing.", submit=True),
        create_comment(france, section, kind="general", body="Add housing too.", submit=True),
        create_comment(france, document.sections[0], kind="question", body="Why 2025?", submit=True),
    ]
    editor = world.user("editor")
    # Version 2 answers the comments on version 1.
    revise_section(editor, section, body="Housing for all.", change_note="Housing added.", base_version=1)
    db.session.commit()
    return {
        "document": document,
        "release": release,
        "section": section,
        "comments": comments,
        "editor": world.token(world.user("editor")),
        "secretariat": world.token(world.user("secretariat")),
        "kenya": world.token(kenya),
        "kenya_user": kenya,
    }


def test_disposition_rules(world, answered):
    comment = answered["comments"][0]
    editor = world.user("editor")
    with pytest.raises(ValidationFailed) as error:
        record_disposition(editor, comment, disposition="noted", rationale="  ")
    assert "rationale" in error.value.field_errors
    with pytest.raises(ValidationFailed):
        record_disposition(editor, comment, disposition="maybe", rationale="x")
    with pytest.raises(ValidationFailed):
        record_disposition(editor, comment, disposition="accepted", rationale=None, resolved_in_version=7)
    with pytest.raises(NotAllowed):
        record_disposition(world.user("focal_point", "KEN"), comment, disposition="accepted", rationale=None)
    # Resolved in the version commented on, or an earlier one, is no resolution.
    with pytest.raises(ValidationFailed) as error:
        record_disposition(editor, comment, disposition="accepted", rationale=None, resolved_in_version=1)
    assert "later version" in error.value.field_errors["resolved_in_version"][0]
    record_disposition(editor, comment, disposition="accepted", rationale=None, resolved_in_version=2)
    assert comment.disposition == "accepted" and comment.resolved_in.number == 2


def test_changing_a_disposition_keeps_the_earlier_one_and_notifies(client, answered):
    comment_id = answered["comments"][0].id
    url = f"/api/v1/comments/{comment_id}/disposition"
    first = client.put(url, json={"disposition": "noted", "rationale": "Covered by (a)."}, headers=answered["editor"])
    assert first.status_code == 200 and first.json["disposition"] == "noted"
    second = client.put(
        url,
        json={"disposition": "accepted_in_part", "rationale": "Partly added.", "resolved_in_version": 2},
        headers=answered["editor"],
    )
    assert second.json["disposition"] == "accepted_in_part" and second.json["rationale"] == "Partly added."
    comment = db.session.get(Comment, comment_id)
    assert [(r.disposition, r.rationale) for r in comment.disposition_history] == [("noted", "Covered by (a).")]
    notes = db.session.scalars(db.select(Notification).where(Notification.comment_id == comment_id)).all()
    assert len(notes) == 2 and {n.recipient_id for n in notes} == {answered["kenya_user"].id}
    assert "Accepted in part" in notes[-1].subject
    # The delegation sees the answer on its comment.
    listed = client.get(f"/api/v1/sections/{answered['section'].id}/comments", headers=answered["kenya"]).json
    assert listed[0]["disposition"] == "accepted_in_part" and listed[0]["rationale"] == "Partly added."


@pytest.mark.parametrize(
    ("payload", "status"),
    [({"disposition": "accepted"}, 403), ({"disposition": "banana", "rationale": "x"}, 422)],
)
def test_disposition_api_errors(client, answered, payload, status):
    headers = answered["kenya"] if status == 403 else answered["editor"]
    response = client.put(f"/api/v1/comments/{answered['comments'][0].id}/disposition", json=payload, headers=headers)
    assert response.status_code == status
    assert db.session.get(Comment, answered["comments"][0].id).disposition is None


def test_group_answered_once(world, answered):
    editor = world.user("editor")
    kenya_comment, france_comment, other_section = answered["comments"]
    with pytest.raises(ValidationFailed):
        group_comments(editor, answered["section"], [kenya_comment.id, other_section.id])
    group = group_comments(editor, answered["section"], [kenya_comment.id, france_comment.id], "Housing")
    dispose_group(editor, group, disposition="taken_into_account", rationale="See new (c).")
    db.session.commit()
    assert {c.disposition for c in (kenya_comment, france_comment)} == {"taken_into_account"}
    assert other_section.disposition is None
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 2


def test_release_gate(client, world, answered):
    document_id = answered["document"].id
    body = {"label": "First draft", "comments_close_at": (utcnow() + timedelta(days=20)).isoformat()}
    refused = client.post(f"/api/v1/documents/{document_id}/releases", json=body, headers=answered["secretariat"])
    assert refused.status_code == 409 and refused.json["error"]["code"] == "unanswered_comments"
    assert refused.json["error"]["details"]["unanswered"] == sorted(c.id for c in answered["comments"])
    assert db.session.scalar(db.select(db.func.count(Release.id))) == 1
    overridden = client.post(
        f"/api/v1/documents/{document_id}/releases",
        json={**body, "override_reason": "Board deadline"},
        headers=answered["secretariat"],
    )
    assert overridden.status_code == 201
    release = db.session.scalar(db.select(Release).where(Release.number == 2))
    assert release.gate_override_reason == "Board deadline"
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "release.publish", AuditEvent.object_id == release.id)
    )
    assert event.details["unanswered_overridden"] == sorted(c.id for c in answered["comments"])


def test_release_gate_opens_once_every_comment_is_answered(client, world, answered):
    editor = world.user("editor")
    for comment in answered["comments"]:
        record_disposition(editor, comment, disposition="noted", rationale="Thank you.")
    db.session.commit()
    response = client.post(
        f"/api/v1/documents/{answered['document'].id}/releases",
        json={"label": "First draft", "comments_close_at": (utcnow() + timedelta(days=20)).isoformat()},
        headers=answered["secretariat"],
    )
    assert response.status_code == 201 and response.json["number"] == 2


def test_answer_pages(app, world, answered):
    editor = world.user("editor")
    browser = app.test_client()
    login(browser, editor)
    comment = answered["comments"][0]
    assert browser.get(f"/comments/{comment.id}/disposition").status_code == 200
    response = browser.post(
        f"/comments/{comment.id}/disposition",
        data={"disposition": "not_accepted", "rationale": "", "resolved_in_version": ""},
    )
    assert response.status_code == 422 and "rationale is required" in response.get_data(as_text=True)
    response = browser.post(
        f"/comments/{comment.id}/disposition",
        data={"disposition": "not_accepted", "rationale": "Out of scope.", "resolved_in_version": ""},
    )
    assert response.status_code == 302
    focal = app.test_client()
    login(focal, answered["kenya_user"])
    page = focal.get(f"/sections/{answered['section'].id}").get_data(as_text=True)
    assert "Not accepted" in page and "Out of scope." in page
    assert "Not accepted" in focal.get("/delegation/comments").get_data(as_text=True)
    outbox = focal.get("/outbox").get_data(as_text=True)
    assert "has been answered: Not accepted" in outbox
    other = app.test_client()
    login(other, world.user("focal_point", "FRA"))
    assert "has been answered" not in other.get("/outbox").get_data(as_text=True)
    publish = app.test_client()
    login(publish, world.user("secretariat"))
    refused = publish.post(
        f"/documents/{answered['document'].id}/releases/new",
        data={"label": "First draft", "comments_close_at": "2099-01-01T10:00"},
    )
    assert refused.status_code == 409 and "have no answer yet" in refused.get_data(as_text=True)
