"""A delegation's reaction to a proposed answer racing the task force making the answer final, under
gunicorn with four workers. Whatever the interleaving the outcome is one of the two serial orders:
a reaction acknowledged is on record and was given before the answer became final (the final step
saw it), or the reaction lost its race with a 409; never a reaction to an answer already final."""

import pytest

from consult.extensions import db
from consult.models import AnswerReaction, AuditEvent, Release
from tests.resilience.test_comment_races import race, stored

ROUNDS = 15


@pytest.fixture
def proposing(consultation):
    release = db.session.scalar(db.select(Release).where(Release.document_id == consultation.document_id))
    release.propose_answers = True
    db.session.commit()
    return consultation, release.number


def _shared_answer(server, consultation, number: int, round_number: int) -> int:
    kenya = consultation.focal_points[0][1]
    status, comment = server.request(
        "POST",
        f"/api/v1/sections/{consultation.section_ids[1]}/comments",
        auth=kenya,
        body={"body": f"Comment {round_number}", "submit": True},
    )
    assert status == 201, comment
    status, answer = server.request(
        "PUT",
        f"/api/v1/comments/{comment['id']}/disposition",
        auth=consultation.editors[0],
        body={"disposition": "noted", "rationale": "Considered."},
    )
    assert status == 200 and answer["answer_stage"] == "proposed", answer
    status, shared = server.request(
        "POST",
        f"/api/v1/documents/{consultation.document_id}/releases/{number}/answers/share",
        auth=consultation.secretariat,
    )
    assert status == 200 and shared == {"count": 1}, shared
    return comment["id"]


def test_agreeing_racing_the_answer_made_final(busy_server, proposing):
    consultation, number = proposing
    kenya = consultation.focal_points[0][1]
    for round_number in range(ROUNDS):
        comment_id = _shared_answer(busy_server, consultation, number, round_number)
        agree, finalize = race(
            busy_server,
            ("POST", f"/api/v1/comments/{comment_id}/agree", kenya, None),
            ("POST", f"/api/v1/comments/{comment_id}/finalize", consultation.editors[1], None),
        )
        assert agree[0] in (200, 409) and finalize[0] in (200, 409), (agree, finalize)
        assert 200 in (agree[0], finalize[0]), (agree, finalize)
        comment = stored(comment_id)
        reactions = db.session.scalars(db.select(AnswerReaction).where(AnswerReaction.comment_id == comment_id)).all()
        final = db.session.scalar(
            db.select(AuditEvent).where(
                AuditEvent.action == "comment.finalize_answer", AuditEvent.object_id == comment_id
            )
        )
        if agree[0] == 200:
            assert [row.reaction for row in reactions] == ["agreed"]
        else:
            assert reactions == []
        if finalize[0] == 200:
            assert comment.answer_stage is None
            # Made final after the reaction, if there is one: the final step saw it.
            assert final.details["reaction"] == ("agreed" if agree[0] == 200 else None)
            assert finalize[1]["answer_stage"] == "final"
        else:
            assert comment.answer_stage == "shared" and final is None
