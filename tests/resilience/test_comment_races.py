"""Two requests racing on one comment or one document, against gunicorn with four workers.

Each round sends both requests at the same instant, many rounds per race. Whatever the
interleaving, the record must be what some serial order of the *acknowledged* requests
gives: every 2xx is on record (as the current text or answer, or in its history), the
loser gets 409, revision numbers never repeat, and nothing answers 5xx.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import Comment, CommentRevision, DispositionRevision, Release
from consult.models.base import utcnow

ROUNDS = 20


@pytest.fixture
def people(world, consultation):
    """Kenya's delegate, its two focal points and two editors, with API tokens."""
    return {
        "delegate": world.token(world.user("delegate", "KEN", key="ken-delegate")),
        "focal": consultation.focal_points[0][1],
        "focal_2": world.token(world.user("focal_point", "KEN", key="ken-focal-2")),
        "editors": consultation.editors,
        "secretariat": consultation.secretariat,
        "section": consultation.section_ids[1],
    }


def race(server, first: tuple, second: tuple) -> list[tuple[int, dict]]:
    """Send two requests (method, path, auth, body) at the same moment; their answers, in order."""
    barrier = threading.Barrier(2, timeout=60)

    def send(method, path, auth, body):
        barrier.wait()
        return server.request(method, path, auth=auth, body=body)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(send, *request) for request in (first, second)]
        return [future.result(timeout=120) for future in futures]


def new_comment(server, people, body: str, *, submit: bool, author: str = "focal") -> int:
    status, answer = server.request(
        "POST",
        f"/api/v1/sections/{people['section']}/comments",
        auth=people[author],
        body={"body": body, "submit": submit},
    )
    assert status == 201, answer
    return answer["id"]


def statuses(results) -> list[int]:
    return sorted(status for status, _ in results)


def stored(comment_id: int) -> Comment:
    db.session.expire_all()
    return db.session.get(Comment, comment_id)


def assert_conflict(answer) -> None:
    assert answer["error"]["code"] in ("conflict", "window_closed"), answer


def test_submit_racing_discard(busy_server, people):
    """The focal point submits a draft while the delegate discards it: exactly one wins."""
    outcomes = Counter()
    for round_number in range(ROUNDS):
        comment_id = new_comment(busy_server, people, f"Draft {round_number}", submit=False, author="delegate")
        submit, discard = race(
            busy_server,
            ("POST", f"/api/v1/comments/{comment_id}/submit", people["focal"], None),
            ("DELETE", f"/api/v1/comments/{comment_id}", people["delegate"], None),
        )
        # A submission that comes after the discard finds no draft at all (404).
        assert statuses([submit, discard]) in ([200, 409], [204, 409], [204, 404]), (submit, discard)
        comment = stored(comment_id)
        if submit[0] == 200:
            assert_conflict(discard[1])
            # The answer is the comment as that request stored it; submitted, it stays on record.
            assert comment.status == submit[1]["status"] == "submitted" and submit[1]["body"] == comment.body
            outcomes["submitted"] += 1
        else:
            assert submit[1]["error"]["code"] in ("conflict", "not_found"), submit
            assert comment is None
            outcomes["discarded"] += 1
    print(f"\nsubmit vs discard: {ROUNDS} rounds, {dict(outcomes)}, one refused each")


def test_delegate_edit_racing_the_submission(busy_server, people):
    """A delegate's edit never lands after the submission without a trace."""
    outcomes = Counter()
    for round_number in range(ROUNDS):
        original = f"Draft {round_number}"
        comment_id = new_comment(busy_server, people, original, submit=False, author="delegate")
        edited = f"Draft {round_number}, reworded by the delegate"
        edit, submit = race(
            busy_server,
            ("PATCH", f"/api/v1/comments/{comment_id}", people["delegate"], {"body": edited}),
            ("POST", f"/api/v1/comments/{comment_id}/submit", people["focal"], None),
        )
        comment = stored(comment_id)
        assert edit[0] < 500 and submit[0] < 500
        assert comment.revisions == []  # a draft's edits leave no revision; a submitted text was never edited
        if edit[0] == 200 and submit[0] == 200:  # edit, then submit
            assert comment.status == "submitted" and comment.body == edited == submit[1]["body"]
        elif submit[0] == 200:  # submitted first, the delegate may no longer change it
            assert edit[0] == 409 and comment.status == "submitted" and comment.body == original
            assert_conflict(edit[1])
        else:  # the edit won, the submission read the old draft
            assert (edit[0], submit[0]) == (200, 409) and comment.status == "draft" and comment.body == edited
            assert_conflict(submit[1])
        outcomes[(edit[0], submit[0])] += 1
    print(f"\ndelegate edit vs submit: {ROUNDS} rounds, (edit, submit) statuses {dict(outcomes)}")


def test_two_focal_points_editing_one_submitted_comment(busy_server, people):
    """Both texts on record when both are acknowledged, and revisions never share a number."""
    conflicts = 0
    for round_number in range(ROUNDS):
        original = f"Submitted {round_number}"
        comment_id = new_comment(busy_server, people, original, submit=True)
        texts = [f"Submitted {round_number}, version of focal point {n}" for n in (1, 2)]
        results = race(
            busy_server,
            ("PATCH", f"/api/v1/comments/{comment_id}", people["focal"], {"body": texts[0]}),
            ("PATCH", f"/api/v1/comments/{comment_id}", people["focal_2"], {"body": texts[1]}),
        )
        assert all(status in (200, 409) for status, _ in results) and 200 in statuses(results), results
        comment = stored(comment_id)
        on_record = [revision.body for revision in comment.revisions] + [comment.body]
        acknowledged = [text for text, (status, _) in zip(texts, results, strict=True) if status == 200]
        assert on_record[0] == original
        assert sorted(on_record[1:]) == sorted(acknowledged)
        assert [revision.number for revision in comment.revisions] == list(range(1, len(comment.revisions) + 1))
        for status, answer in results:
            if status == 409:
                assert_conflict(answer)
                conflicts += 1
    print(f"\ntwo focal points editing: {ROUNDS} rounds, {conflicts} conflicts")


def test_two_editors_answering_one_comment(busy_server, people):
    """Every acknowledged answer is the answer or in its history; focal points are told only of those."""
    conflicts = 0
    for round_number in range(ROUNDS):
        comment_id = new_comment(busy_server, people, f"Question {round_number}", submit=True)
        rationales = [f"Round {round_number}: reasoning of editor {n}" for n in (1, 2)]
        results = race(
            busy_server,
            *(
                (
                    "PUT",
                    f"/api/v1/comments/{comment_id}/disposition",
                    editor,
                    {"disposition": "noted", "rationale": rationale},
                )
                for editor, rationale in zip(people["editors"], rationales, strict=True)
            ),
        )
        assert all(status in (200, 409) for status, _ in results) and 200 in statuses(results), results
        comment = stored(comment_id)
        on_record = [answer.rationale for answer in comment.disposition_history] + [comment.rationale]
        acknowledged = [text for text, (status, _) in zip(rationales, results, strict=True) if status == 200]
        assert sorted(on_record) == sorted(acknowledged)
        numbers = db.session.scalars(
            select(DispositionRevision.number).where(DispositionRevision.comment_id == comment_id)
        ).all()
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        for status, answer in results:
            if status == 200:
                assert answer["rationale"] in acknowledged
            else:
                assert_conflict(answer)
                conflicts += 1
    print(f"\ntwo editors answering: {ROUNDS} rounds, {conflicts} conflicts")


def test_withdrawal_racing_the_answer(busy_server, people):
    """An answer to a comment withdrawn meanwhile is refused, never recorded on it silently."""
    outcomes = Counter()
    for round_number in range(ROUNDS):
        comment_id = new_comment(busy_server, people, f"Point {round_number}", submit=True)
        withdraw, answer = race(
            busy_server,
            ("POST", f"/api/v1/comments/{comment_id}/withdraw", people["focal"], {"reason": "Overtaken."}),
            (
                "PUT",
                f"/api/v1/comments/{comment_id}/disposition",
                people["editors"][0],
                {"disposition": "noted", "rationale": "Thank you."},
            ),
        )
        comment = stored(comment_id)
        assert {withdraw[0], answer[0]} <= {200, 409} and 200 in (withdraw[0], answer[0])
        # Answered then withdrawn, or withdrawn and the answer refused, or answered and the
        # withdrawal refused because it read the comment before the answer: never half of one.
        assert comment.status == ("withdrawn" if withdraw[0] == 200 else "submitted")
        assert comment.disposition == ("noted" if answer[0] == 200 else None)
        for status, body in (withdraw, answer):
            if status == 409:
                assert_conflict(body)
        outcomes[(withdraw[0], answer[0])] += 1
    print(f"\nwithdraw vs answer: {ROUNDS} rounds, (withdraw, answer) statuses {dict(outcomes)}")


def test_regrouping_racing(busy_server, people):
    """Two editors grouping overlapping comments: the groups are those of a serial order, none left alone."""
    conflicts = 0
    for round_number in range(ROUNDS):
        ids = [new_comment(busy_server, people, f"Same point {round_number}.{n}", submit=True) for n in range(3)]
        results = race(
            busy_server,
            ("POST", f"/api/v1/sections/{people['section']}/groups", people["editors"][0], {"comment_ids": ids[:2]}),
            ("POST", f"/api/v1/sections/{people['section']}/groups", people["editors"][1], {"comment_ids": ids[1:]}),
        )
        assert all(status in (201, 409) for status, _ in results) and 201 in statuses(results), results
        db.session.expire_all()
        final: dict[int, set[int]] = {}
        for comment_id, group_id in db.session.execute(select(Comment.id, Comment.group_id).where(Comment.id.in_(ids))):
            if group_id is not None:
                final.setdefault(group_id, set()).add(comment_id)
        acknowledged = [{answer["id"]: set(answer["comment_ids"])} for status, answer in results if status == 201]
        # One group or the other, whole: grouping {1, 2} after {0, 1} leaves 0 alone, so {0, 1} goes.
        assert final in acknowledged, (final, acknowledged)
        conflicts += sum(1 for status, _ in results if status == 409)
    print(f"\nregrouping: {ROUNDS} rounds, {conflicts} conflicts")


def test_two_releases_published_at_once(busy_server, people, consultation):
    """Never a 500 and never a gap: one release per acknowledgement, numbered as acknowledged."""
    conflicts = 0
    for round_number in range(ROUNDS // 2):
        labels = [f"Release {round_number}.{n}" for n in (1, 2)]
        closes = (utcnow() + timedelta(days=10)).isoformat()
        results = race(
            busy_server,
            *(
                (
                    "POST",
                    f"/api/v1/documents/{consultation.document_id}/releases",
                    people["secretariat"],
                    {"label": label, "comments_close_at": closes},
                )
                for label in labels
            ),
        )
        assert all(status in (201, 409) for status, _ in results) and 201 in statuses(results), results
        conflicts += sum(1 for status, _ in results if status == 409)
    db.session.expire_all()
    releases = db.session.execute(
        select(Release.number, Release.label).where(Release.document_id == consultation.document_id)
    ).all()
    assert [number for number, _ in sorted(releases)] == list(range(1, len(releases) + 1))
    # Only the newest release takes comments: publishing closed each one it superseded.
    open_now = db.session.scalars(
        select(Release.number).where(
            Release.document_id == consultation.document_id, Release.comments_close_at > utcnow()
        )
    ).all()
    assert open_now == [len(releases)]
    print(f"\ntwo releases at once: {ROUNDS // 2} rounds, {len(releases) - 1} published, {conflicts} conflicts")


def test_revision_numbers_stay_unique_under_load(busy_server, people):
    """Many concurrent edits of one submitted comment: revisions 1..n, each acknowledged text kept."""
    comment_id = new_comment(busy_server, people, "Start", submit=True)
    texts = [f"Edit {n}" for n in range(16)]
    barrier = threading.Barrier(len(texts), timeout=60)

    def edit(text):
        barrier.wait()
        auth = people["focal"] if int(text.split()[1]) % 2 else people["focal_2"]
        return text, busy_server.request("PATCH", f"/api/v1/comments/{comment_id}", auth=auth, body={"body": text})

    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        results = list(pool.map(edit, texts))
    acknowledged = {text for text, (status, _) in results if status == 200}
    assert all(status in (200, 409) for _, (status, _) in results) and acknowledged
    db.session.expire_all()
    revisions = db.session.scalars(
        select(CommentRevision).where(CommentRevision.comment_id == comment_id).order_by(CommentRevision.number)
    ).all()
    assert [revision.number for revision in revisions] == list(range(1, len(revisions) + 1))
    comment = stored(comment_id)
    assert {revision.body for revision in revisions[1:]} | {comment.body} == acknowledged
