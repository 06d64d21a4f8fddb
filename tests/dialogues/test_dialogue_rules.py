"""The rules of dialogues and their outcomes: what may happen before a dialogue starts, who is
invited or attended, and how a change that lost a race to another is refused (409) with
nothing of it written, in the API and on the pages."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from consult.dialogues.services import create_dialogue, publish_outcome, save_outcome, update_dialogue
from consult.drafts.services import get_consultation
from consult.errors import Conflict
from consult.extensions import db
from consult.models import AuditEvent, Dialogue, Outcome, OutcomeRevision
from consult.models.base import utcnow
from tests.conftest import login


@pytest.fixture
def people(world):
    secretariat = world.user("secretariat", "UNH")
    focal = world.user("focal_point", "KEN")
    return {
        "secretariat": secretariat,
        "focal": focal,
        "tokens": {"secretariat": world.token(secretariat), "focal": world.token(focal)},
    }


@pytest.fixture(autouse=True)
def section(world):
    """A released draft in the consultation "plan", where the dialogues are held."""
    document = world.document()
    world.release(document)
    return document.sections[0]


def _dialogue(days_from_now: float, participants=("KEN", "FRA"), section_ids=()) -> Dialogue:
    starts = utcnow().replace(microsecond=0) + timedelta(days=days_from_now)
    dialogue = create_dialogue(
        None,
        get_consultation("plan"),
        {
            "title": "Dialogue with Member States",
            "constituency": "member_states",
            "format": "online",
            "starts_at": starts,
            "participants": list(participants),
            "agenda": [{"title": "The draft", "section_ids": list(section_ids)}],
        },
    )
    db.session.commit()
    return dialogue


def _browser(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _events(action: str) -> int:
    return db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == action))


# -- before and after a dialogue starts ----------------------------------------------------


def test_an_outcome_cannot_be_published_before_the_dialogue_starts(app, client, people, section):
    dialogue = _dialogue(days_from_now=10, section_ids=[section.id])
    secretariat = people["tokens"]["secretariat"]
    # Drafting ahead is fine; publishing is not.
    saved = client.put(f"/api/v1/dialogues/{dialogue.id}/outcome", json={"summary": "Ahead."}, headers=secretariat)
    assert saved.status_code == 200 and saved.json["status"] == "draft"
    refused = client.post(f"/api/v1/dialogues/{dialogue.id}/outcome/publish", headers=secretariat)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "conflict"
    assert "once the dialogue has started" in refused.json["error"]["message"]
    browser = _browser(app, people["secretariat"])
    page = browser.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    assert "The outcome can be published once the dialogue has started." in page
    assert f'action="/dialogues/{dialogue.id}/outcome/publish"' not in page  # nothing offered that would be refused
    posted = browser.post(f"/dialogues/{dialogue.id}/outcome/publish")
    assert posted.status_code == 409
    assert "The outcome can be published once the dialogue has started." in posted.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Dialogue, dialogue.id).outcome.status == "draft"
    assert _events("outcome.publish") == 0


def test_once_started_the_outcome_is_published(client, people, section):
    dialogue = _dialogue(days_from_now=-1)
    secretariat = people["tokens"]["secretariat"]
    client.put(f"/api/v1/dialogues/{dialogue.id}/outcome", json={"summary": "Heard."}, headers=secretariat)
    published = client.post(f"/api/v1/dialogues/{dialogue.id}/outcome/publish", headers=secretariat)
    assert published.status_code == 200 and published.json["status"] == "published"


def test_a_published_outcome_keeps_its_dialogue_in_the_past(client, people):
    dialogue = _dialogue(days_from_now=-1)
    save_outcome(people["secretariat"], dialogue, summary="Heard.", conclusions=[])
    publish_outcome(people["secretariat"], dialogue)
    db.session.commit()
    moved = client.patch(
        f"/api/v1/dialogues/{dialogue.id}",
        json={"starts_at": (utcnow() + timedelta(days=5)).isoformat()},
        headers=people["tokens"]["secretariat"],
    )
    assert moved.status_code == 409 and "starts_at" in moved.json["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Dialogue, dialogue.id).starts_at < utcnow()


def test_organizations_of_a_future_dialogue_are_invited_not_attended(app, client, people):
    dialogue = _dialogue(days_from_now=7)
    assert [p.attended for p in dialogue.participants] == [False, False]
    detail = client.get(f"/api/v1/dialogues/{dialogue.id}", headers=people["tokens"]["focal"]).json
    assert detail["participants"] == ["FRA", "KEN"] and detail["attended"] == []
    assert [(p["code"], p["status"]) for p in detail["participation"]] == [("FRA", "invited"), ("KEN", "invited")]
    assert detail["participation"][0]["name"] == "France"
    for user in (people["focal"], people["secretariat"]):
        page = _browser(app, user).get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
        assert "Invited" in page and "Attended" not in page and "did not attend" not in page
        assert "Record attendance" not in page


def test_attendance_is_recorded_only_once_the_dialogue_has_started(app, client, people):
    future, past = _dialogue(days_from_now=7), _dialogue(days_from_now=-7)
    secretariat = people["tokens"]["secretariat"]
    refused = client.put(f"/api/v1/dialogues/{future.id}/attendance", json={"attended": ["KEN"]}, headers=secretariat)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "conflict"
    posted = _browser(app, people["secretariat"]).post(f"/dialogues/{future.id}/attendance", data={"attended": "KEN"})
    assert posted.status_code == 409
    assert "Attendance can be recorded once the dialogue has started." in posted.get_data(as_text=True)
    db.session.expire_all()
    assert not any(p.attended for p in db.session.get(Dialogue, future.id).participants)

    # A past dialogue's participants are taken to have attended until the attendance is recorded.
    assert all(p.attended for p in past.participants)
    recorded = client.put(f"/api/v1/dialogues/{past.id}/attendance", json={"attended": ["ken"]}, headers=secretariat)
    assert recorded.status_code == 200
    assert [(p["code"], p["status"]) for p in recorded.json["participation"]] == [
        ("FRA", "absent"),
        ("KEN", "attended"),
    ]
    assert recorded.json["attended"] == ["KEN"]
    page = _browser(app, people["focal"]).get(f"/dialogues/{past.id}").get_data(as_text=True)
    assert "did not attend" in page and "Invited" not in page
    strangers = client.put(f"/api/v1/dialogues/{past.id}/attendance", json={"attended": ["CHN"]}, headers=secretariat)
    assert strangers.status_code == 422 and "attended" in strangers.json["error"]["fields"]
    assert _events("dialogue.attendance") == 1


def test_a_dialogue_moved_to_the_future_invites_its_participants_again(client, people):
    dialogue = _dialogue(days_from_now=-2)
    moved = client.patch(
        f"/api/v1/dialogues/{dialogue.id}",
        json={"starts_at": (utcnow() + timedelta(days=3)).isoformat(), "participants": ["KEN", "FRA", "CHN"]},
        headers=people["tokens"]["secretariat"],
    )
    assert moved.status_code == 200, moved.json
    assert {p["status"] for p in moved.json["participation"]} == {"invited"}
    assert moved.json["attended"] == [] and moved.json["participants"] == ["CHN", "FRA", "KEN"]
    db.session.expire_all()
    assert not any(p.attended for p in db.session.get(Dialogue, dialogue.id).participants)


def test_patch_changes_only_what_it_names(client, people, section):
    dialogue = _dialogue(days_from_now=-2, section_ids=[section.id])
    before = client.get(f"/api/v1/dialogues/{dialogue.id}", headers=people["tokens"]["secretariat"]).json
    changed = client.patch(
        f"/api/v1/dialogues/{dialogue.id}", json={"place": "Nairobi"}, headers=people["tokens"]["secretariat"]
    ).json
    assert changed["place"] == "Nairobi" and changed["row_version"] == before["row_version"] + 1
    same = ("title", "starts_at", "ends_at", "agenda", "participants", "attended", "constituency", "format")
    assert {name: changed[name] for name in same} == {name: before[name] for name in same}
    cleared = client.patch(
        f"/api/v1/dialogues/{dialogue.id}", json={"agenda": []}, headers=people["tokens"]["secretariat"]
    ).json
    assert cleared["agenda"] == [] and cleared["place"] == "Nairobi"


# -- every change advances the row version; a change from stale data is refused ---------


def test_every_change_of_a_dialogue_advances_its_row_version(client, people, section):
    dialogue = _dialogue(days_from_now=-2)
    secretariat = people["tokens"]["secretariat"]
    url = f"/api/v1/dialogues/{dialogue.id}"
    versions = [client.get(url, headers=secretariat).json["row_version"]]
    for change in (
        lambda: client.patch(
            url, json={"agenda": [{"title": "New", "section_ids": [section.id]}]}, headers=secretariat
        ),
        lambda: client.patch(url, json={"participants": ["KEN"]}, headers=secretariat),
        lambda: client.put(f"{url}/attendance", json={"attended": []}, headers=secretariat),
        lambda: client.put(f"{url}/outcome", json={"summary": "Heard."}, headers=secretariat),
        lambda: client.post(f"{url}/outcome/publish", headers=secretariat),
    ):
        assert change().status_code == 200
        versions.append(client.get(url, headers=secretariat).json["row_version"])
    # The outcome's first save writes the outcome only; its publication also touches the dialogue.
    assert versions == [1, 2, 3, 4, 4, 5]


def test_a_client_that_read_an_older_row_version_is_refused(client, people):
    dialogue = _dialogue(days_from_now=-2)
    secretariat = people["tokens"]["secretariat"]
    url = f"/api/v1/dialogues/{dialogue.id}"
    assert client.patch(url, json={"place": "Geneva", "row_version": 1}, headers=secretariat).status_code == 200
    stale = client.patch(url, json={"place": "Vienna", "row_version": 1}, headers=secretariat)
    assert stale.status_code == 409 and stale.json["error"]["code"] == "conflict"
    first = client.put(f"{url}/outcome", json={"summary": "First.", "row_version": 0}, headers=secretariat)
    assert first.status_code == 200 and first.json["row_version"] == 1
    second_first = client.put(f"{url}/outcome", json={"summary": "Also first.", "row_version": 0}, headers=secretariat)
    assert second_first.status_code == 409 and second_first.json["error"]["code"] == "conflict"
    db.session.expire_all()
    stored = db.session.get(Dialogue, dialogue.id)
    assert stored.place == "Geneva" and stored.outcome.summary == "First."


def _change_behind_its_back(model, row_id: int) -> None:
    """What another worker's committed change does to the row: its version moves on."""
    with db.engine.begin() as connection:
        connection.execute(update(model).where(model.id == row_id).values(row_version=model.row_version + 1))


def test_a_dialogue_changed_meanwhile_is_not_overwritten(people):
    dialogue = _dialogue(days_from_now=-2)
    assert dialogue.title == "Dialogue with Member States"  # read, as a request does before it writes
    _change_behind_its_back(Dialogue, dialogue.id)
    with pytest.raises(Conflict) as refused:
        update_dialogue(people["secretariat"], dialogue, {"title": "Mine"})
    assert "Someone else changed this dialogue meanwhile" in str(refused.value.message)
    db.session.rollback()
    assert db.session.get(Dialogue, dialogue.id).title == "Dialogue with Member States"
    assert _events("dialogue.update") == 0


def test_a_published_outcome_edited_meanwhile_loses_no_text(people):
    dialogue = _dialogue(days_from_now=-2)
    save_outcome(people["secretariat"], dialogue, summary="Published text.", conclusions=[])
    publish_outcome(people["secretariat"], dialogue)
    save_outcome(people["secretariat"], dialogue, summary="Second text.", conclusions=[])
    db.session.commit()
    outcome = db.session.get(Dialogue, dialogue.id).outcome
    assert [r.number for r in outcome.revisions] == [1]
    _change_behind_its_back(Outcome, outcome.id)
    with pytest.raises(Conflict):
        save_outcome(people["secretariat"], dialogue, summary="Third text.", conclusions=[])
    db.session.rollback()
    outcome = db.session.get(Dialogue, dialogue.id).outcome
    assert outcome.summary == "Second text."
    assert [(r.number, r.summary) for r in outcome.revisions] == [(1, "Published text.")]
    save_outcome(people["secretariat"], dialogue, summary="Third text.", conclusions=[])
    db.session.commit()
    numbers = db.session.scalars(db.select(OutcomeRevision.number).where(OutcomeRevision.outcome_id == outcome.id))
    assert sorted(numbers) == [1, 2]


# -- pages: the 409 is a form message, and what was typed stays ---------------------------


def _hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)


def test_the_outcome_form_keeps_the_text_of_a_writer_who_lost(app, client, people):
    dialogue = _dialogue(days_from_now=-2)
    browser = _browser(app, people["secretariat"])
    form = browser.get(f"/dialogues/{dialogue.id}/outcome").get_data(as_text=True)
    assert _hidden(form, "version") == "0"
    # Meanwhile a colleague writes the outcome through the API.
    client.put(
        f"/api/v1/dialogues/{dialogue.id}/outcome",
        json={"summary": "The colleague's summary."},
        headers=people["tokens"]["secretariat"],
    )
    mine = {"version": "0", "summary": "My own summary.", "conclusions-0-text": "My conclusion."}
    lost = browser.post(f"/dialogues/{dialogue.id}/outcome", data=mine)
    page = lost.get_data(as_text=True)
    assert lost.status_code == 409
    assert "Someone else saved this outcome meanwhile." in page
    assert "My own summary." in page and "My conclusion." in page
    db.session.expire_all()
    assert db.session.get(Dialogue, dialogue.id).outcome.summary == "The colleague's summary."
    # Saving again, now from the current version, replaces it knowingly.
    again = browser.post(f"/dialogues/{dialogue.id}/outcome", data={**mine, "version": _hidden(page, "version")})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Dialogue, dialogue.id).outcome.summary == "My own summary."


def test_the_dialogue_form_keeps_what_a_loser_typed(app, client, people):
    dialogue = _dialogue(days_from_now=-2)
    browser = _browser(app, people["secretariat"])
    form = browser.get(f"/dialogues/{dialogue.id}/edit").get_data(as_text=True)
    version = _hidden(form, "version")
    client.patch(f"/api/v1/dialogues/{dialogue.id}", json={"place": "Geneva"}, headers=people["tokens"]["secretariat"])
    starts = dialogue.starts_at.strftime("%Y-%m-%dT%H:%M")
    typed = {
        "version": version,
        "title": "My new title",
        "constituency": "member_states",
        "format": "online",
        "timezone": "UTC",
        "starts_at": starts,
        "place": "Vienna",
    }
    lost = browser.post(f"/dialogues/{dialogue.id}/edit", data=typed)
    page = lost.get_data(as_text=True)
    assert lost.status_code == 409
    assert "Someone else changed this dialogue meanwhile." in page
    assert 'value="My new title"' in page and 'value="Vienna"' in page
    db.session.expire_all()
    assert db.session.get(Dialogue, dialogue.id).place == "Geneva"
