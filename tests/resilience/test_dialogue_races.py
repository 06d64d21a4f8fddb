"""Two requests that change the same dialogue or outcome at the same moment, through gunicorn
with several workers: the result is always one of the two serial orders, the loser (if there
is one) gets a 409 conflict, nothing it sent is written, and whatever a 2xx acknowledged is on
record. Never a 5xx."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.dialogues.services import create_dialogue, publish_outcome, save_outcome
from consult.drafts.services import create_consultation
from consult.extensions import db
from consult.models import AuditEvent, Dialogue, Outcome, OutcomeRevision, Participation
from consult.models.base import utcnow
from tests.resilience.helpers import Server

ROUNDS = 25
WORKERS = 4


@pytest.fixture
def server(database_url, tmp_path):
    server = Server(database_url, tmp_path, workers=WORKERS)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def secretariat(world):
    """A Secretariat member with two API tokens (two clients of the same person), and the
    consultation the dialogues belong to."""
    user = world.user("secretariat", "UNH")
    consultation = create_consultation(None, slug="plan", title="Strategic plan")
    db.session.commit()
    return user, [world.token(user), world.token(user)], consultation


def _past_dialogue(secretariat, *, outcome: str | None = None, published: bool = False) -> int:
    user, _tokens, consultation = secretariat
    starts = utcnow().replace(microsecond=0) - timedelta(days=2)
    dialogue = create_dialogue(
        None,
        consultation,
        {
            "title": "Dialogue",
            "constituency": "member_states",
            "format": "online",
            "starts_at": starts,
            "participants": ["KEN", "FRA", "CHN"],
        },
    )
    if outcome is not None:
        save_outcome(user, dialogue, summary=outcome, conclusions=[])
        if published:
            publish_outcome(user, dialogue)
    db.session.commit()
    return dialogue.id


def _together(server, requests: list[tuple[str, str, dict, dict | None]]) -> list[tuple[int, dict | None]]:
    """Send the requests at the same moment, each from its own thread; their answers in order."""
    barrier = threading.Barrier(len(requests), timeout=60)

    def send(method, path, auth, body):
        barrier.wait()
        return server.request(method, path, auth=auth, body=body)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        futures = [pool.submit(send, *request) for request in requests]
        return [future.result(timeout=120) for future in futures]


def _assert_conflict(answer) -> None:
    status, body = answer
    assert status == 409 and body["error"]["code"] == "conflict", answer
    assert body["error"]["message"]


def _text(tag: str) -> str:
    return f"{tag} {uuid.uuid4().hex}"


def test_two_first_outcomes_of_one_dialogue(server, secretariat):
    """Each writes "the first outcome" (row_version 0): exactly one wins, every round."""
    tokens = secretariat[1]
    dialogues = [_past_dialogue(secretariat) for _ in range(ROUNDS)]
    acknowledged = {}
    for dialogue_id in dialogues:
        texts = [_text("first"), _text("also first")]
        answers = _together(
            server,
            [
                ("PUT", f"/api/v1/dialogues/{dialogue_id}/outcome", token, {"summary": text, "row_version": 0})
                for token, text in zip(tokens, texts, strict=True)
            ],
        )
        assert sorted(status for status, _ in answers) == [200, 409], answers
        won = next(index for index, (status, _) in enumerate(answers) if status == 200)
        _assert_conflict(answers[1 - won])
        assert answers[won][1]["summary"] == texts[won] and answers[won][1]["row_version"] == 1
        acknowledged[dialogue_id] = texts[won]

    db.session.rollback()  # read what the server committed
    stored = dict(db.session.execute(select(Outcome.dialogue_id, Outcome.summary)).all())
    assert stored == acknowledged  # one outcome per dialogue, holding the text that was acknowledged
    saves = select(func.count()).where(AuditEvent.action == "outcome.save")
    assert db.session.scalar(saves) == ROUNDS
    print(f"\nfirst outcomes: {ROUNDS} rounds, one 200 and one 409 each")


def test_two_first_outcomes_without_a_row_version_never_fail(server, secretariat):
    """The same race without saying which version they start from: both may win one after the
    other (the second then edits the draft), or the second loses with a 409; never a 500."""
    tokens = secretariat[1]
    dialogues = [_past_dialogue(secretariat) for _ in range(ROUNDS)]
    outcomes = {"one after the other": 0, "one 409": 0}
    for dialogue_id in dialogues:
        texts = [_text("first"), _text("also first")]
        answers = _together(
            server,
            [
                ("PUT", f"/api/v1/dialogues/{dialogue_id}/outcome", token, {"summary": text})
                for token, text in zip(tokens, texts, strict=True)
            ],
        )
        statuses = sorted(status for status, _ in answers)
        assert statuses in ([200, 200], [200, 409]), answers
        outcomes["one after the other" if statuses == [200, 200] else "one 409"] += 1
        for status, body in answers:
            if status == 409:
                _assert_conflict((status, body))
        db.session.rollback()
        summaries = db.session.scalars(select(Outcome.summary).where(Outcome.dialogue_id == dialogue_id)).all()
        won = [texts[index] for index, (status, _) in enumerate(answers) if status == 200]
        assert len(summaries) == 1 and summaries[0] in won, (summaries, answers)
    print(f"\nfirst outcomes without a row version: {outcomes}")


def test_two_edits_of_a_published_outcome_lose_no_text(server, secretariat):
    tokens = secretariat[1]
    original = _text("published")
    dialogue_id = _past_dialogue(secretariat, outcome=original, published=True)
    acknowledged, refused = [], []
    for _ in range(ROUNDS):
        texts = [_text("edit"), _text("other edit")]
        answers = _together(
            server,
            [
                ("PUT", f"/api/v1/dialogues/{dialogue_id}/outcome", token, {"summary": text})
                for token, text in zip(tokens, texts, strict=True)
            ],
        )
        assert sorted(status for status, _ in answers) in ([200, 200], [200, 409]), answers
        for text, (status, body) in zip(texts, answers, strict=True):
            if status == 200:
                assert body["status"] == "published" and body["summary"] == text
                acknowledged.append(text)
            else:
                _assert_conflict((status, body))
                refused.append(text)

    db.session.rollback()
    outcome = db.session.scalar(select(Outcome).where(Outcome.dialogue_id == dialogue_id))
    revisions = db.session.execute(
        select(OutcomeRevision.number, OutcomeRevision.summary)
        .where(OutcomeRevision.outcome_id == outcome.id)
        .order_by(OutcomeRevision.number)
    ).all()
    on_record = [summary for _, summary in revisions] + [outcome.summary]
    # Each acknowledged edit added exactly one revision: numbers 1…n, no gap, no duplicate.
    assert [number for number, _ in revisions] == list(range(1, len(acknowledged) + 1))
    assert on_record[0] == original
    assert sorted(on_record[1:]) == sorted(acknowledged)  # every acknowledged text, once
    assert not set(refused) & set(on_record)  # nothing of a refused edit
    assert outcome.status == "published"
    print(f"\npublished outcome edits: {len(acknowledged)} acknowledged, {len(refused)} refused with 409")


def test_publishing_racing_an_edit_ends_as_one_serial_order(server, secretariat):
    tokens = secretariat[1]
    rounds = [(_past_dialogue(secretariat, outcome=f"base {n}"), f"base {n}") for n in range(ROUNDS)]
    seen = {"edit, then publish": 0, "publish, then edit": 0, "publish won": 0, "edit won": 0}
    for dialogue_id, base in rounds:
        text = _text("edit")
        (publish_status, published), (edit_status, edited) = _together(
            server,
            [
                ("POST", f"/api/v1/dialogues/{dialogue_id}/outcome/publish", tokens[0], None),
                ("PUT", f"/api/v1/dialogues/{dialogue_id}/outcome", tokens[1], {"summary": text}),
            ],
        )
        assert (publish_status, edit_status) != (409, 409)
        db.session.rollback()
        outcome = db.session.scalar(select(Outcome).where(Outcome.dialogue_id == dialogue_id))
        revisions = [r.summary for r in outcome.revisions]
        if publish_status == edit_status == 200:
            assert outcome.status == "published" and outcome.summary == text
            # The edit before the publication replaced the draft; after it, it kept the published text.
            assert revisions in ([], [base]), revisions
            seen["edit, then publish" if not revisions else "publish, then edit"] += 1
        elif publish_status == 200:
            _assert_conflict((edit_status, edited))
            assert (outcome.status, outcome.summary, revisions) == ("published", base, [])
            seen["publish won"] += 1
        else:
            _assert_conflict((publish_status, published))
            assert edit_status == 200 and edited["summary"] == text
            assert (outcome.status, outcome.summary, revisions) == ("draft", text, [])
            seen["edit won"] += 1
    print(f"\npublish racing an edit: {seen}")


def test_concurrent_changes_of_a_dialogue_never_both_win_unseen(server, secretariat):
    """A change of the agenda and place races a record of the attendance: each acknowledged
    change is there afterwards, a refused one left no trace, and never half of one."""
    tokens = secretariat[1]
    dialogue_id = _past_dialogue(secretariat)
    place, agenda_titles, attended = "", [], ["CHN", "FRA", "KEN"]
    seen = {"both": 0, "change won": 0, "attendance won": 0}
    for number in range(ROUNDS):
        new_place = f"Room {number}"
        agenda = [{"title": f"Item {number}.{n}", "section_ids": []} for n in range(3)]
        new_attended = [["KEN"], ["FRA", "KEN"], []][number % 3]
        (change_status, changed), (record_status, recorded) = _together(
            server,
            [
                ("PATCH", f"/api/v1/dialogues/{dialogue_id}", tokens[0], {"place": new_place, "agenda": agenda}),
                ("PUT", f"/api/v1/dialogues/{dialogue_id}/attendance", tokens[1], {"attended": new_attended}),
            ],
        )
        assert (change_status, record_status) != (409, 409)
        for status, body in ((change_status, changed), (record_status, recorded)):
            if status != 200:
                _assert_conflict((status, body))
        if change_status == 200:
            place, agenda_titles = new_place, [item["title"] for item in agenda]
        if record_status == 200:
            attended = new_attended
        db.session.rollback()
        dialogue = db.session.get(Dialogue, dialogue_id)
        assert (dialogue.place, [item.title for item in dialogue.agenda]) == (place, agenda_titles)
        stored = db.session.scalars(
            select(Participation).where(Participation.dialogue_id == dialogue_id, Participation.attended)
        ).all()
        assert sorted(p.organization.code for p in stored) == attended
        if change_status == record_status:
            seen["both"] += 1
        else:
            seen["change won" if change_status == 200 else "attendance won"] += 1
    events = select(func.count()).where(AuditEvent.action.in_(("dialogue.update", "dialogue.attendance")))
    assert db.session.scalar(events) == 2 * seen["both"] + seen["change won"] + seen["attendance won"]
    print(f"\ndialogue change racing attendance: {seen}")
