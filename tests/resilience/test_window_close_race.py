"""Drafts submitted in parallel while the Secretariat closes the window "now": each is
either stored whole (on time before the close, late after it only where late comments
are accepted) or refused with 409 window_closed; never half, never on time after the close."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import select

from consult.comments.services import create_comment
from consult.drafts.services import publish_release
from consult.extensions import db
from consult.models import AuditEvent, Comment, Document, Release, User
from consult.models.base import utcnow

DRAFTS = 6  # per delegation and document
HELD = 2  # each delegation's last drafts (one per document), sent once the window has closed


def _drafts(consultation, documents) -> list[tuple[dict, list[int]]]:
    """Per delegation: its auth headers and its draft ids, alternating between the documents."""
    queues = []
    for user_id, auth in consultation.focal_points:
        user = db.session.get(User, user_id)
        ids = []
        for number in range(DRAFTS):
            for document in documents:
                section = document.sections[number % len(document.sections)]
                body = f"{user.organization.code}: draft {number} on document {document.id}."
                ids.append(create_comment(user, section, kind="general", body=body).id)
        queues.append((auth, ids))
    db.session.commit()
    return queues


def test_submissions_racing_the_close_of_the_window(server, consultation, world):
    strict = db.session.get(Document, consultation.document_id)
    lenient = world.document()
    publish_release(
        None, lenient, label="Zero draft", comments_close_at=utcnow() + timedelta(days=30), accept_late=True
    )
    db.session.commit()
    queues = _drafts(consultation, (strict, lenient))
    total = sum(len(ids) for _, ids in queues)
    answers: dict[int, tuple[int, dict]] = {}
    held: set[int] = set()
    answered = threading.Condition()
    closed = threading.Event()

    def submit(auth, comment_id):
        status, answer = server.request("POST", f"/api/v1/comments/{comment_id}/submit", auth=auth)
        with answered:
            answers[comment_id] = (status, answer)
            answered.notify_all()

    def delegation(auth, ids):
        for comment_id in ids[:-HELD]:
            submit(auth, comment_id)
        assert closed.wait(120), "the window was never closed"
        for comment_id in ids[-HELD:]:
            held.add(comment_id)
            submit(auth, comment_id)

    with ThreadPoolExecutor(max_workers=len(queues)) as pool:
        futures = [pool.submit(delegation, auth, ids) for auth, ids in queues]
        try:
            # Close in the middle of the stream: a third answered, the rest still coming.
            with answered:
                assert answered.wait_for(lambda: len(answers) >= total // 3, timeout=60), "the submissions stalled"
            now = utcnow().isoformat()
            for document in (strict, lenient):
                status, moved = server.request(
                    "PATCH",
                    f"/api/v1/documents/{document.id}/release",
                    auth=consultation.secretariat,
                    body={"comments_close_at": now},
                )
                assert status == 200, moved
        finally:
            closed.set()
        for future in futures:
            future.result(timeout=180)
    assert len(answers) == total

    db.session.rollback()  # read what the server committed
    windows = {
        release_id: (close_at, accept_late)
        for release_id, close_at, accept_late in db.session.execute(
            select(Release.id, Release.comments_close_at, Release.accept_late)
        )
    }
    rows = db.session.execute(
        select(
            Comment.id, Comment.release_id, Comment.status, Comment.submitted_at, Comment.submitted_by_id, Comment.late
        )
    ).all()
    assert len(rows) == total
    outcomes = {"on time": 0, "late": 0, "refused": 0}
    for row in rows:
        status, answer = answers[row.id]
        close_at, accept_late = windows[row.release_id]
        if status == 200:
            assert answer["status"] == "submitted", answer
            assert row.status == "submitted" and row.submitted_by_id is not None, row
            assert datetime.fromisoformat(answer["submitted_at"]) == row.submitted_at, (answer, row)
            # Late exactly when submitted at or after the close, and only where late comments are accepted.
            assert row.late == (row.submitted_at >= close_at), (row, close_at)
            assert accept_late or not row.late, (row, close_at)
            outcomes["late" if row.late else "on time"] += 1
        else:
            assert (status, answer["error"]["code"]) == (409, "window_closed"), (status, answer)
            assert not accept_late
            assert (row.status, row.submitted_at, row.submitted_by_id, row.late) == ("draft", None, None, False), row
            outcomes["refused"] += 1
        if row.id in held:  # sent after the close was acknowledged
            assert (status, row.late) == ((200, True) if accept_late else (409, False)), (row, status)
    assert min(outcomes.values()) >= 1, outcomes
    submitted = {row.id for row in rows if row.status == "submitted"}
    events = db.session.scalars(
        select(AuditEvent.object_id).where(AuditEvent.action == "comment.submit", AuditEvent.object_type == "comment")
    ).all()
    assert sorted(events) == sorted(submitted)  # one submit event per stored submission, none for a refusal
    print(f"\nclose race: {total} submissions: {outcomes}")
