"""Rules found broken when the product was tried: outdated answers, answer history, windows of
superseded releases, late comments, groups that never stay empty, stored amendment diffs."""

from datetime import timedelta

import pytest

from consult import text
from consult.comments.services import create_comment, group_comments, record_disposition, ungroup
from consult.drafts.services import publish_release, revise_section
from consult.errors import Conflict, UnansweredComments
from consult.extensions import db
from consult.models import AuditEvent, Comment, CommentGroup, Release
from consult.models.base import utcnow
from tests.conftest import login


@pytest.fixture
def draft(world):
    document = world.document()
    release = world.release(document)
    return {
        "document": document,
        "release": release,
        "section": document.sections[1],
        "kenya": world.user("focal_point", "KEN"),
        "kenya_token": world.token(world.user("focal_point", "KEN")),
        "editor": world.user("editor"),
        "editor_token": world.token(world.user("editor")),
        "secretariat_token": world.token(world.user("secretariat")),
    }


def _close_in(days: int) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


def test_an_edit_after_the_answer_outdates_it_until_an_editor_confirms(client, draft):
    comment = create_comment(draft["kenya"], draft["section"], kind="general", body="Add housing.", submit=True)
    record_disposition(draft["editor"], comment, disposition="noted", rationale="Covered by (b).")
    db.session.commit()
    url = f"/api/v1/comments/{comment.id}"

    edited = client.patch(url, json={"body": "Add adequate housing."}, headers=draft["kenya_token"])
    assert edited.status_code == 200
    assert edited.json["answer_outdated"] is True and edited.json["disposition"] == "noted"
    # The release gate counts it as unanswered again.
    publish = {"label": "First draft", "comments_close_at": _close_in(20)}
    refused = client.post(
        f"/api/v1/documents/{draft['document'].id}/releases", json=publish, headers=draft["secretariat_token"]
    )
    assert refused.status_code == 409 and refused.json["error"]["details"]["unanswered"] == [comment.id]

    confirmed = client.put(
        f"{url}/disposition",
        json={"disposition": "noted", "rationale": "Covered by (b)."},
        headers=draft["editor_token"],
    )
    assert confirmed.status_code == 200 and confirmed.json["answer_outdated"] is False
    # The first decision stays on record, with when it was taken.
    history = confirmed.json["disposition_history"]
    assert [(a["disposition"], a["rationale"]) for a in history] == [("noted", "Covered by (b).")]
    assert history[0]["decided_at"] is not None and history[0]["resolved_in_version"] is None
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.object_type == "comment", AuditEvent.object_id == comment.id)
    ).all()
    assert "comment.confirm_answer" in actions
    accepted = client.post(
        f"/api/v1/documents/{draft['document'].id}/releases", json=publish, headers=draft["secretariat_token"]
    )
    assert accepted.status_code == 201


def test_the_outdated_answer_is_marked_on_the_page(app, client, draft):
    comment = create_comment(draft["kenya"], draft["section"], kind="general", body="Add housing.", submit=True)
    record_disposition(draft["editor"], comment, disposition="noted", rationale="Covered by (b).")
    db.session.commit()
    client.patch(f"/api/v1/comments/{comment.id}", json={"body": "Changed."}, headers=draft["kenya_token"])
    browser = app.test_client()
    login(browser, draft["kenya"])
    page = browser.get(f"/sections/{draft['section'].id}").get_data(as_text=True)
    assert "Outdated" in page and "changed its comment after this answer" in page


def test_answer_history_is_oldest_first_with_versions(client, world, draft):
    comment = create_comment(draft["kenya"], draft["section"], kind="general", body="Add housing.", submit=True)
    revise_section(draft["editor"], draft["section"], body="Housing.", change_note="", base_version=1)
    revise_section(draft["editor"], draft["section"], body="Housing for all.", change_note="", base_version=2)
    db.session.commit()
    url = f"/api/v1/comments/{comment.id}/disposition"
    answers = [
        {"disposition": "noted", "rationale": "First."},
        {"disposition": "accepted", "resolved_in_version": 2},
        {"disposition": "accepted", "resolved_in_version": 3},
    ]
    for answer in answers:
        assert client.put(url, json=answer, headers=draft["editor_token"]).status_code == 200
    stored = client.get(f"/api/v1/comments/{comment.id}", headers=draft["editor_token"]).json
    assert [(a["disposition"], a["resolved_in_version"]) for a in stored["disposition_history"]] == [
        ("noted", None),
        ("accepted", 2),
    ]
    assert stored["resolved_in_version"] == 3
    refused = client.put(url, json={"disposition": "accepted", "resolved_in_version": 1}, headers=draft["editor_token"])
    assert refused.status_code == 422 and "resolved_in_version" in refused.json["error"]["fields"]


def test_publishing_the_next_release_closes_the_window_of_the_one_it_supersedes(client, world, draft):
    delegate = world.user("delegate", "KEN")
    early = create_comment(delegate, draft["section"], kind="general", body="Drafted on the Zero draft.")
    db.session.commit()
    response = client.post(
        f"/api/v1/documents/{draft['document'].id}/releases",
        json={"label": "First draft", "comments_close_at": _close_in(20)},
        headers=draft["secretariat_token"],
    )
    assert response.status_code == 201
    zero = db.session.scalar(db.select(Release).where(Release.number == 1))
    assert zero.comments_close_at <= utcnow() and zero.accept_late is False
    submitted = client.post(f"/api/v1/comments/{early.id}/submit", headers=draft["kenya_token"])
    assert submitted.status_code == 409 and submitted.json["error"]["code"] == "window_closed"
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "release.publish").order_by(AuditEvent.id.desc())
    )
    assert event.details["previous_window"]["release"] == 1


def test_the_secretariat_can_keep_the_superseded_window_open(client, world, draft):
    delegate = world.user("delegate", "KEN")
    early = create_comment(delegate, draft["section"], kind="general", body="Drafted on the Zero draft.")
    closes = draft["release"].comments_close_at
    db.session.commit()
    response = client.post(
        f"/api/v1/documents/{draft['document'].id}/releases",
        json={"label": "First draft", "comments_close_at": _close_in(20), "keep_previous_open": True},
        headers=draft["secretariat_token"],
    )
    assert response.status_code == 201
    assert db.session.scalar(db.select(Release.comments_close_at).where(Release.number == 1)) == closes
    submitted = client.post(f"/api/v1/comments/{early.id}/submit", headers=draft["kenya_token"])
    assert submitted.status_code == 200 and submitted.json["release"] == 1


def test_a_publisher_who_saw_an_older_release_is_told(world, draft):
    with pytest.raises(Conflict):
        publish_release(
            None, draft["document"], label="Second", comments_close_at=utcnow() + timedelta(days=5), supersedes=0
        )
    assert db.session.scalar(db.select(db.func.count(Release.id))) == 1


def test_accepting_late_comments_takes_new_comments_after_the_close(client, world, draft):
    section_id = draft["section"].id
    world.close_window(draft["release"])
    refused = client.post(
        f"/api/v1/sections/{section_id}/comments",
        json={"body": "Too late.", "submit": True},
        headers=draft["kenya_token"],
    )
    assert refused.status_code == 409 and refused.json["error"]["code"] == "window_closed"
    draft["release"].accept_late = True
    db.session.commit()
    late = client.post(
        f"/api/v1/sections/{section_id}/comments", json={"body": "Late but welcome?"}, headers=draft["kenya_token"]
    )
    assert late.status_code == 201 and late.json["status"] == "draft"
    submitted = client.post(f"/api/v1/comments/{late.json['id']}/submit", headers=draft["kenya_token"])
    assert submitted.status_code == 200 and submitted.json["late"] is True


def test_regrouping_never_leaves_a_group_alone_or_empty(world, draft):
    france, china = world.user("focal_point", "FRA"), world.user("focal_point", "CHN")
    first, second, third = (
        create_comment(author, draft["section"], kind="general", body=f"Point {n}.", submit=True)
        for n, author in enumerate((draft["kenya"], france, china))
    )
    group = group_comments(draft["editor"], draft["section"], [first.id, second.id])
    db.session.commit()
    group_id = group.id
    # Second and third now make the point together: the first is left alone, its group goes.
    regrouped = group_comments(draft["editor"], draft["section"], [second.id, third.id])
    db.session.commit()
    assert db.session.get(CommentGroup, group_id) is None
    assert first.group_id is None and {second.group_id, third.group_id} == {regrouped.id}
    ungroup(draft["editor"], regrouped)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(CommentGroup.id))) == 0
    assert {c.group_id for c in (first, second, third)} == {None}


def test_amendment_diffs_are_stored_when_written_and_never_computed_when_read(app, world, draft, monkeypatch):
    released = draft["section"].versions[-1].body
    comment = create_comment(
        draft["kenya"], draft["section"], kind="amendment", body="Clearer.", proposed_text=released + " More."
    )
    db.session.commit()
    assert "<ins>More.</ins>" in comment.proposed_diff_html
    browser = app.test_client()
    login(browser, draft["kenya"])
    browser.post(
        f"/comments/{comment.id}/edit",
        data={"kind": "amendment", "body": "Clearer.", "proposed_text": released + " Even more.", "quote": ""},
    )
    db.session.refresh(comment)
    assert "<ins>Even more.</ins>" in comment.proposed_diff_html

    def no_diff_when_reading(*args, **kwargs):
        raise AssertionError("a diff was computed while a page was read")

    monkeypatch.setattr(text._BudgetedDiffer, "opcodes", no_diff_when_reading)
    page = browser.get(f"/sections/{draft['section'].id}")
    assert page.status_code == 200 and "<ins>Even more.</ins>" in page.get_data(as_text=True)
    assert browser.get(f"/comments/{comment.id}/submit").status_code == 200


def test_a_pathological_amendment_costs_a_bounded_diff(draft):
    """Texts built to defeat the word diff get a coarser diff within the amendment budget."""
    words = [f"w{i % 50}" for i in range(15_000)]
    old = " ".join(words)
    new = " ".join(words[i] if i % 3 else "x" for i in range(len(words)))

    def steps_spent(budget: int) -> int:
        differ = text._BudgetedDiffer(text._Units(old), text._Units(new), budget)
        differ.opcodes()
        return budget - differ.budget

    # Unbounded, this input costs far more than an amendment may; bounded, it stops in time.
    assert steps_spent(4 * text.AMENDMENT_DIFF_BUDGET) > text.AMENDMENT_DIFF_BUDGET
    assert steps_spent(text.AMENDMENT_DIFF_BUDGET) <= text.AMENDMENT_DIFF_BUDGET
    html = str(text.diff_html(old, new, text.AMENDMENT_DIFF_BUDGET))
    assert "<del>" in html and "<ins>" in html


def test_unanswered_comments_block_the_compilation_like_the_next_release(world, draft):
    from consult.matrix.services import publish_compilation

    comment = create_comment(draft["kenya"], draft["section"], kind="general", body="Add housing.", submit=True)
    world.close_window(draft["release"])
    secretariat = world.user("secretariat")
    with pytest.raises(UnansweredComments) as error:
        publish_compilation(secretariat, draft["release"])
    assert error.value.details["unanswered"] == [comment.id]
    db.session.rollback()
    assert db.session.get(Comment, comment.id).disposition is None
