"""Answers proposed to delegations before they are final (a release's choice): the task force
drafts, the Secretariat shares, the delegation's focal point agrees or objects with a reason, the
task force makes the answers final; who sees a proposed answer where, and what the compilation says."""

import csv
import io
from datetime import timedelta

import pytest

from consult.comments.services import create_comment
from consult.extensions import db
from consult.models import AnswerReaction, AuditEvent, Notification
from consult.models.base import utcnow
from consult.positions import services as positions
from tests.conftest import login


@pytest.fixture
def scene(client, world):
    document = world.document()
    secretariat = world.token(world.user("secretariat"))
    published = client.post(
        f"/api/v1/documents/{document.id}/releases",
        json={
            "label": "First draft",
            "comments_close_at": (utcnow() + timedelta(days=30)).isoformat(),
            "propose_answers": True,
        },
        headers=secretariat,
    )
    assert published.status_code == 201 and published.json["propose_answers"] is True
    kenya, brazil = world.user("focal_point", "KEN"), world.user("focal_point", "BRA")
    egypt = world.user("focal_point", "EGY")
    section = document.sections[1]
    comment = create_comment(
        kenya, section, kind="general", body="Add adequate housing.", co_signers=["EGY"], submit=True
    )
    positions.cosign(egypt, comment)
    other = create_comment(brazil, section, kind="general", body="Add public space.", submit=True)
    db.session.commit()
    return {
        "document": document,
        "release": document.releases[-1],
        "comment": comment,
        "other": other,
        "kenya_user": kenya,
        "editor": world.token(world.user("editor")),
        "secretariat": secretariat,
        "kenya": world.token(kenya),
        "kenya_delegate": world.token(world.user("delegate", "KEN")),
        "egypt": world.token(egypt),
        "brazil": world.token(brazil),
    }


def _answer(client, scene, comment_id, disposition="accepted_in_part", rationale="Housing is in paragraph 12."):
    return client.put(
        f"/api/v1/comments/{comment_id}/disposition",
        json={"disposition": disposition, "rationale": rationale},
        headers=scene["editor"],
    )


def _seen(client, scene, reader, comment_id):
    answer = client.get(f"/api/v1/comments/{comment_id}", headers=scene[reader]).json
    return answer["disposition"], answer["answer_stage"], answer["reaction"]


def _step(client, scene, step, reader="secretariat"):
    document, release = scene["document"], scene["release"]
    return client.post(
        f"/api/v1/documents/{document.id}/releases/{release.number}/answers/{step}", headers=scene[reader]
    )


def _told(kind="disposition") -> list[str]:
    return list(db.session.scalars(db.select(Notification.subject).where(Notification.kind == kind)))


def test_a_proposed_answer_is_the_staffs_until_shared_then_the_delegations_until_final(client, world, scene):
    comment_id = scene["comment"].id
    answered = _answer(client, scene, comment_id)
    assert answered.status_code == 200 and answered.json["answer_stage"] == "proposed"
    # Not shared: Kenya, its co-signer and everyone else see no answer; nobody is told.
    assert _seen(client, scene, "kenya", comment_id) == (None, None, None)
    assert _seen(client, scene, "egypt", comment_id) == (None, None, None)
    assert _told() == []
    # A proposed answer is no answer: the compilation's gate still counts the comment.
    world.close_window(scene["release"])
    gate = client.post(
        f"/api/v1/documents/{scene['document'].id}/releases",
        json={"label": "Second draft", "comments_close_at": (utcnow() + timedelta(days=30)).isoformat()},
        headers=scene["secretariat"],
    )
    assert gate.status_code == 409 and comment_id in gate.json["error"]["details"]["unanswered"]

    # Only the Secretariat shares; editors may not.
    assert _step(client, scene, "share", reader="editor").status_code == 403
    shared = _step(client, scene, "share")
    assert shared.status_code == 200 and shared.json == {"count": 1}
    assert _step(client, scene, "share").status_code == 409  # nothing left to share
    assert _seen(client, scene, "kenya", comment_id) == ("accepted_in_part", "shared", None)
    assert _seen(client, scene, "egypt", comment_id)[1] == "shared"  # the co-signer reads it
    # Brazil reads the comment (the window has closed) but not an answer that is not final.
    assert _seen(client, scene, "brazil", comment_id) == (None, None, None)
    rows = client.get(f"/api/v1/documents/{scene['document'].id}/matrix", headers=scene["brazil"]).json
    row = next(row for row in rows if row["comment_id"] == comment_id)
    assert row["disposition"] is None and row["rationale"] is None and row["answer_stage"] is None
    filtered = client.get(
        f"/api/v1/documents/{scene['document'].id}/matrix?disposition=accepted_in_part", headers=scene["brazil"]
    ).json
    assert filtered == []  # a hidden answer cannot be found by filtering on it either
    # Kenya's focal point is told once, with the answer.
    subjects = _told()
    assert len(subjects) == 1 and "proposed for your reaction" in subjects[0]


def test_the_delegation_agrees_or_objects_and_every_reaction_stays_on_record(client, world, scene):
    comment_id = scene["comment"].id
    _answer(client, scene, comment_id)
    # Before it is shared there is nothing to react to.
    assert client.post(f"/api/v1/comments/{comment_id}/agree", headers=scene["kenya"]).status_code == 409
    _step(client, scene, "share")
    # The focal point of the delegation that made the comment reacts; not its delegate, not a co-signer.
    assert client.post(f"/api/v1/comments/{comment_id}/agree", headers=scene["kenya_delegate"]).status_code == 403
    assert client.post(f"/api/v1/comments/{comment_id}/agree", headers=scene["egypt"]).status_code == 403
    agreed = client.post(f"/api/v1/comments/{comment_id}/agree", headers=scene["kenya"])
    assert agreed.status_code == 200 and agreed.json["reaction"]["reaction"] == "agreed"
    assert agreed.json["reaction"]["organization"] == "KEN"
    # An objection needs its reason.
    silent = client.post(f"/api/v1/comments/{comment_id}/object", json={"reason": "  "}, headers=scene["kenya"])
    assert silent.status_code == 422 and "reason" in silent.json["error"]["fields"]
    objected = client.post(
        f"/api/v1/comments/{comment_id}/object",
        json={"reason": "Paragraph 12 does not say adequate."},
        headers=scene["kenya"],
    )
    assert objected.json["reaction"] == {
        "reaction": "objected",
        "reason": "Paragraph 12 does not say adequate.",
        "organization": "KEN",
        "reacted_at": objected.json["reaction"]["reacted_at"],
    }
    reactions = db.session.scalars(db.select(AnswerReaction.reaction).order_by(AnswerReaction.id)).all()
    assert reactions == ["agreed", "objected"]
    assert db.session.scalar(db.select(db.func.count()).where(AuditEvent.action == "comment.react")) == 2
    # The editor who proposed the answer is told of each, the objection with its reason.
    told = db.session.execute(
        db.select(Notification.recipient_id, Notification.subject, Notification.body)
        .where(Notification.kind == "reaction")
        .order_by(Notification.id)
    ).all()
    assert [row.recipient_id for row in told] == [world.user("editor").id] * 2
    assert told[0].subject.startswith("Kenya agrees to the answer proposed to its comment")
    assert "Kenya objects" in told[1].subject and "Paragraph 12 does not say adequate." in told[1].body

    # The task force changes its answer: proposed again, to be shared again, no reaction yet.
    changed = _answer(client, scene, comment_id, rationale="Paragraph 12 now says adequate housing.")
    assert changed.json["answer_stage"] == "proposed" and changed.json["reaction"] is None
    assert _seen(client, scene, "kenya", comment_id) == (None, None, None)
    _step(client, scene, "share")
    assert client.post(f"/api/v1/comments/{comment_id}/agree", headers=scene["kenya"]).json["reaction"]


def test_final_answers_say_whether_the_delegation_agreed(client, world, scene):
    comment_id, other_id = scene["comment"].id, scene["other"].id
    _answer(client, scene, comment_id)
    _answer(client, scene, other_id, disposition="noted", rationale="Public space is in paragraph 20.")
    _step(client, scene, "share")
    client.post(f"/api/v1/comments/{comment_id}/agree", headers=scene["kenya"])
    # One made final by itself, the rest with the release's step.
    final = client.post(f"/api/v1/comments/{other_id}/finalize", headers=scene["editor"])
    assert final.status_code == 200 and final.json["answer_stage"] == "final"
    assert client.post(f"/api/v1/comments/{other_id}/finalize", headers=scene["editor"]).status_code == 409
    assert client.post(f"/api/v1/comments/{comment_id}/finalize", headers=scene["kenya"]).status_code == 403
    assert _step(client, scene, "finalize", reader="editor").json == {"count": 1}
    assert _step(client, scene, "finalize").status_code == 409
    # Shared: Kenya and Brazil told once each; final: Brazil, then Kenya and Egypt (co-signing).
    subjects = _told()
    assert sum("proposed for your reaction" in subject for subject in subjects) == 2
    assert sum("has been answered" in subject for subject in subjects) == 3

    world.close_window(scene["release"])
    assert _seen(client, scene, "brazil", comment_id)[:2] == ("accepted_in_part", "final")
    assert _seen(client, scene, "brazil", comment_id)[2]["reaction"] == "agreed"
    document_id = scene["document"].id
    # The compilation (the matrix and its files) says which answers the delegation agreed to.
    page_client = client.application.test_client()
    login(page_client, world.user("focal_point", "BRA"))
    page = page_client.get(f"/documents/{document_id}/matrix").get_data(as_text=True)
    assert "Agreed by the delegation" in page
    records = list(
        csv.reader(io.StringIO(page_client.get(f"/documents/{document_id}/matrix.csv").get_data(as_text=True)))
    )
    column = records[0].index("Delegation's reaction to the proposed answer")
    by_id = {record[0]: record for record in records[1:]}
    assert by_id[str(comment_id)][column] == "Agreed by the delegation" and by_id[str(other_id)][column] == ""
    # Every answer final: the next release is not held up.
    published = client.post(
        f"/api/v1/documents/{document_id}/releases",
        json={"label": "Second draft", "comments_close_at": (utcnow() + timedelta(days=30)).isoformat()},
        headers=scene["secretariat"],
    )
    assert published.status_code == 201


def test_a_release_that_does_not_propose_answers_answers_at_once(client, world):
    document = world.document()
    release = world.release(document)
    kenya = world.user("focal_point", "KEN")
    comment = create_comment(kenya, document.sections[1], kind="general", body="Add housing.", submit=True)
    db.session.commit()
    editor, secretariat = world.token(world.user("editor")), world.token(world.user("secretariat"))
    answered = client.put(
        f"/api/v1/comments/{comment.id}/disposition", json={"disposition": "accepted"}, headers=editor
    )
    assert answered.json["answer_stage"] == "final"
    assert client.get(f"/api/v1/comments/{comment.id}", headers=world.token(kenya)).json["disposition"] == "accepted"
    shared = client.post(
        f"/api/v1/documents/{document.id}/releases/{release.number}/answers/share", headers=secretariat
    )
    assert shared.status_code == 409
    assert client.post(f"/api/v1/comments/{comment.id}/finalize", headers=editor).status_code == 409


def test_the_pages_of_each_step(client, world, scene):
    comment_id, document_id, number = scene["comment"].id, scene["document"].id, scene["release"].number
    _answer(client, scene, comment_id)
    secretariat = client.application.test_client()
    login(secretariat, world.user("secretariat"))
    matrix = secretariat.get(f"/documents/{document_id}/matrix").get_data(as_text=True)
    assert "Share 1 proposed answer with the delegations" in matrix and "(proposed, not shared" not in matrix
    comment_page = secretariat.get(f"/comments/{comment_id}").get_data(as_text=True)
    assert "Not shared with the delegation yet" in comment_page
    confirm = secretariat.get(f"/documents/{document_id}/matrix/share-answers?release={number}")
    assert confirm.status_code == 200 and f"Comment {comment_id}" in confirm.get_data(as_text=True)
    assert secretariat.post(f"/documents/{document_id}/matrix/share-answers?release={number}").status_code == 302
    assert "No proposed answer waits to be shared." in secretariat.get(
        f"/documents/{document_id}/matrix/share-answers?release={number}"
    ).get_data(as_text=True)

    kenya = client.application.test_client()
    login(kenya, scene["kenya_user"])
    page = kenya.get(f"/comments/{comment_id}").get_data(as_text=True)
    assert "Answer proposed by the task force" in page and f'action="/comments/{comment_id}/agree"' in page
    assert "Agree or object" in kenya.get("/delegation/comments").get_data(as_text=True)
    refused = kenya.post(f"/comments/{comment_id}/object", data={"reason": ""})
    assert refused.status_code == 422 and "This field is required." in refused.get_data(as_text=True)
    assert kenya.post(f"/comments/{comment_id}/object", data={"reason": "Not adequate."}).status_code == 302
    page = kenya.get(f"/comments/{comment_id}").get_data(as_text=True)
    assert "Kenya objected to this answer on" in page and "Not adequate." in page

    editor = client.application.test_client()
    login(editor, world.user("editor"))
    assert f'action="/comments/{comment_id}/finalize"' in editor.get(f"/comments/{comment_id}").get_data(as_text=True)
    step = editor.get(f"/documents/{document_id}/matrix/finalize-answers?release={number}").get_data(as_text=True)
    assert "Not adequate." in step and "Make 1 answer final" in step
    assert editor.post(f"/documents/{document_id}/matrix/finalize-answers?release={number}").status_code == 302
    page = kenya.get(f"/comments/{comment_id}").get_data(as_text=True)
    assert "Response of the task force" in page and f'action="/comments/{comment_id}/agree"' not in page


def test_a_proposal_replaced_before_it_was_final_stays_with_those_who_read_it(client, world, scene):
    comment_id = scene["comment"].id
    _answer(client, scene, comment_id, rationale="Draft one, never shared.")
    _answer(client, scene, comment_id, rationale="Draft two, shared with Kenya.")
    _step(client, scene, "share")
    _answer(client, scene, comment_id, rationale="Draft three, the final one.")
    client.post(f"/api/v1/comments/{comment_id}/finalize", headers=scene["editor"])
    world.close_window(scene["release"])

    def earlier(reader):
        answer = client.get(f"/api/v1/comments/{comment_id}", headers=scene[reader]).json
        assert answer["rationale"] == "Draft three, the final one."
        return [row["rationale"] for row in answer["disposition_history"]]

    assert earlier("editor") == ["Draft one, never shared.", "Draft two, shared with Kenya."]
    assert earlier("kenya") == earlier("egypt") == ["Draft two, shared with Kenya."]
    assert earlier("brazil") == []
    brazil = client.application.test_client()
    login(brazil, world.user("focal_point", "BRA"))
    page = brazil.get(f"/comments/{comment_id}").get_data(as_text=True)
    assert "Draft three" in page and "Draft two" not in page and "earlier answer" not in page
