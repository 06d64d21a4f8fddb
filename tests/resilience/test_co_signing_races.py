"""Co-signatures racing under gunicorn with four workers: an answer against another answer, and a
co-signature against the author's edit; two alignments of the same State. Whatever the interleaving,
a lost race is a 409, no co-signature stands under a text its delegation was not shown, and a State
is aligned with a comment by one row."""

import pytest

from consult.extensions import db
from consult.models import Alignment, Comment
from tests.resilience.test_comment_races import race, statuses

ROUNDS = 15


@pytest.fixture
def people(world, consultation):
    return {
        "kenya": consultation.focal_points[0][1],
        "egypt": world.token(world.user("focal_point", "EGY", key="egy-focal-1")),
        "egypt_2": world.token(world.user("focal_point", "EGY", key="egy-focal-2")),
        "section": consultation.section_ids[1],
    }


def _joint_comment(server, people, body: str) -> int:
    status, answer = server.request(
        "POST",
        f"/api/v1/sections/{people['section']}/comments",
        auth=people["kenya"],
        body={"body": body, "co_signers": ["EGY"], "submit": True},
    )
    assert status == 201, answer
    return answer["id"]


def _stored(comment_id: int) -> Comment:
    db.session.expire_all()
    return db.session.get(Comment, comment_id)


def test_co_signing_racing_declining(busy_server, people):
    for round_number in range(ROUNDS):
        comment_id = _joint_comment(busy_server, people, f"Joint {round_number}")
        cosign, decline = race(
            busy_server,
            ("POST", f"/api/v1/comments/{comment_id}/cosign", people["egypt"], None),
            ("POST", f"/api/v1/comments/{comment_id}/decline", people["egypt_2"], None),
        )
        assert statuses([cosign, decline]) == [200, 409], (cosign, decline)
        winner = cosign if cosign[0] == 200 else decline
        status = _stored(comment_id).co_signatures[0].status
        assert status == winner[1]["co_signers"][0]["status"] == ("signed" if winner is cosign else "declined")


def test_co_signing_racing_the_authors_edit(busy_server, people):
    outcomes = set()
    for round_number in range(ROUNDS):
        comment_id = _joint_comment(busy_server, people, f"Joint {round_number}")
        edited = f"Joint {round_number}, reworded"
        cosign, edit = race(
            busy_server,
            ("POST", f"/api/v1/comments/{comment_id}/cosign", people["egypt"], None),
            ("PATCH", f"/api/v1/comments/{comment_id}", people["kenya"], {"body": edited}),
        )
        assert cosign[0] in (200, 409) and edit[0] in (200, 409), (cosign, edit)
        comment = _stored(comment_id)
        status = comment.co_signatures[0].status
        if status == "signed":  # signed after the edit, having been shown the edited text
            assert cosign[0] == 200 and cosign[1]["body"] == comment.body
        else:  # signed first and asked again by the edit, or one of the two lost its race
            assert status == "invited"
        if edit[0] == 200:
            assert comment.body == edited
        outcomes.add((cosign[0], edit[0], status))
    print(f"\nco-sign vs edit: {ROUNDS} rounds, outcomes {sorted(outcomes)}")


def test_two_alignments_of_one_state_racing(busy_server, people):
    """Egypt's two focal points align it with Kenya's comment (Egypt is invited, so it sees it) at once."""
    for round_number in range(ROUNDS):
        comment_id = _joint_comment(busy_server, people, f"Statement {round_number}")
        first, second = race(
            busy_server,
            ("POST", f"/api/v1/comments/{comment_id}/align", people["egypt"], None),
            ("POST", f"/api/v1/comments/{comment_id}/align", people["egypt_2"], None),
        )
        assert statuses([first, second]) == [200, 409], (first, second)
        winner = first if first[0] == 200 else second
        assert [row["code"] for row in winner[1]["aligned"]] == ["EGY"]
        rows = db.session.scalars(db.select(Alignment.status).where(Alignment.comment_id == comment_id)).all()
        assert rows == ["aligned"]
