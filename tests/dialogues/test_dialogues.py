"""Stakeholder dialogues, their outcomes and the API lists of the consultation process."""

import pytest

from consult.demo import SLUG
from consult.drafts.services import create_consultation
from consult.extensions import db
from consult.models import Dialogue, Outcome, Section
from tests.conftest import browser_for


def test_published_outcome_shows_on_the_dialogue_and_the_principle(app, demo):
    people, _ = demo
    browser = browser_for(app, people["focal.fra"])
    first = db.session.scalar(db.select(Dialogue).order_by(Dialogue.starts_at))
    page = browser.get(f"/dialogues/{first.id}").get_data(as_text=True)
    assert "manageable number of priorities" in page
    principle = db.session.scalar(db.select(Section).where(Section.anchor == "principle-b"))
    page = browser.get(f"/principles/{principle.id}").get_data(as_text=True)
    assert "manageable number of priorities" in page and first.title in page
    synthesis = browser.get(f"/sections/{principle.id}/synthesis").get_data(as_text=True)
    assert "manageable number of priorities" in synthesis


def test_draft_outcome_is_invisible_to_delegations_until_published(client, app, demo):
    people, tokens = demo
    dialogues = client.get(f"/api/v1/consultations/{SLUG}/dialogues", headers=tokens["focal.ken"]).json
    assert {d["status"] for d in dialogues} == {"past"}
    second = dialogues[1]["id"]
    principle = db.session.scalar(db.select(Section).where(Section.anchor == "principle-c"))
    saved = client.put(
        f"/api/v1/dialogues/{second}/outcome",
        json={
            "summary": "Civil society asked for <script>alert(1)</script> flexibility.",
            "conclusions": [{"text": "Keep the plan **flexible**.", "section_ids": [principle.id]}],
        },
        headers=tokens["secretariat"],
    )
    assert saved.status_code == 200 and saved.json["status"] == "draft"
    assert "<script" not in saved.json["summary_html"]
    assert client.get(f"/api/v1/dialogues/{second}", headers=tokens["focal.ken"]).json["outcome"] is None
    assert client.get(f"/api/v1/sections/{principle.id}", headers=tokens["focal.ken"]).json["conclusions"] == []
    page = browser_for(app, people["focal.ken"]).get(f"/dialogues/{second}").get_data(as_text=True)
    assert "Keep the plan" not in page
    assert (
        browser_for(app, people["focal.ken"])
        .get(f"/principles/{principle.id}")
        .get_data(as_text=True)
        .count("Keep the plan")
        == 0
    )
    published = client.post(f"/api/v1/dialogues/{second}/outcome/publish", headers=tokens["secretariat"])
    assert published.status_code == 200 and published.json["status"] == "published"
    outcome = client.get(f"/api/v1/dialogues/{second}", headers=tokens["focal.ken"]).json["outcome"]
    assert outcome["conclusions"][0]["section_ids"] == [principle.id]
    conclusions = client.get(f"/api/v1/sections/{principle.id}", headers=tokens["focal.ken"]).json["conclusions"]
    assert [c["text"] for c in conclusions] == ["Keep the plan **flexible**."]


def test_the_demo_dialogues_took_place_and_their_participants_attended(client, demo):
    _, tokens = demo
    for summary in client.get(f"/api/v1/consultations/{SLUG}/dialogues", headers=tokens["focal.ken"]).json:
        dialogue = client.get(f"/api/v1/dialogues/{summary['id']}", headers=tokens["focal.ken"]).json
        assert dialogue["status"] == "past"
        assert {p["status"] for p in dialogue["participation"]} == {"attended"}
        assert dialogue["attended"] == dialogue["participants"]


def test_editing_a_published_outcome_keeps_the_earlier_text(client, demo):
    _, tokens = demo
    first = db.session.scalar(db.select(Dialogue).order_by(Dialogue.starts_at))
    response = client.put(
        f"/api/v1/dialogues/{first.id}/outcome",
        json={"summary": "Corrected summary.", "conclusions": []},
        headers=tokens["secretariat"],
    )
    assert response.status_code == 200 and response.json["status"] == "published"
    assert response.json["revisions"][0]["summary"].startswith("[Demo data]")
    assert len(response.json["revisions"][0]["conclusions"]) == 3


@pytest.mark.parametrize("role", ["focal.ken", "editor", "delegate.ken"])
def test_only_the_secretariat_edits_outcomes(client, demo, role):
    _, tokens = demo
    first = db.session.scalar(db.select(Dialogue).order_by(Dialogue.starts_at))
    before = first.outcome.summary
    response = client.put(f"/api/v1/dialogues/{first.id}/outcome", json={"summary": "Hijack"}, headers=tokens[role])
    assert response.status_code == 403
    assert client.post(f"/api/v1/dialogues/{first.id}/outcome/publish", headers=tokens[role]).status_code == 403
    assert db.session.get(Outcome, first.outcome.id).summary == before


def test_conclusions_cannot_be_tagged_to_another_consultation(client, demo):
    _, tokens = demo
    other = create_consultation(None, slug="other", title="Other")
    from consult.items.services import add_item

    foreign = add_item(None, other, kind="guiding_principles", number="a", title="Other", body="x")
    db.session.commit()
    unreported = db.session.scalar(
        db.select(Dialogue).where(~Dialogue.outcome.has()).order_by(Dialogue.starts_at.desc())
    )
    response = client.put(
        f"/api/v1/dialogues/{unreported.id}/outcome",
        json={"summary": "S", "conclusions": [{"text": "T", "section_ids": [foreign.id]}]},
        headers=tokens["secretariat"],
    )
    assert response.status_code == 422 and "conclusions" in response.json["error"]["fields"]
    assert db.session.get(Dialogue, unreported.id).outcome is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "X", "format": "online", "starts_at": "2027-01-01T10:00:00Z"}, "constituency"),
        (
            {
                "title": "X",
                "constituency": "member_states",
                "format": "online",
                "starts_at": "2027-01-02T10:00:00Z",
                "ends_at": "2027-01-01T10:00:00Z",
            },
            "ends_at",
        ),
        (
            {"title": "X", "constituency": "nobody", "format": "online", "starts_at": "2027-01-01T10:00:00Z"},
            "constituency",
        ),
        (
            {
                "title": "X",
                "constituency": "member_states",
                "format": "online",
                "starts_at": "2027-01-01T10:00:00Z",
                "participants": ["ZZZ"],
            },
            "participants",
        ),
    ],
)
def test_invalid_dialogues_are_refused(client, demo, payload, field):
    _, tokens = demo
    count = db.session.scalar(db.select(db.func.count(Dialogue.id)))
    response = client.post(f"/api/v1/consultations/{SLUG}/dialogues", json=payload, headers=tokens["secretariat"])
    assert response.status_code == 422 and field in response.json["error"]["fields"]
    assert db.session.scalar(db.select(db.func.count(Dialogue.id))) == count


def test_api_lists(client, demo):
    _, tokens = demo
    headers = tokens["focal.ken"]
    milestones = client.get(f"/api/v1/consultations/{SLUG}/milestones", headers=headers).json
    assert set(milestones[0]) >= {"id", "title", "kind", "starts_on", "ends_on", "place", "status"}
    assert milestones[0]["status"] == "done" and milestones[0]["starts_on"] == "2023-06-05"
    principles = client.get(f"/api/v1/consultations/{SLUG}/principles", headers=headers).json
    assert [p["number"] for p in principles] == ["a", "b", "c", "d", "e"]
    assert set(principles[0]) >= {"id", "number", "title", "section_id"}
    priorities = client.get(f"/api/v1/consultations/{SLUG}/priorities", headers=headers).json
    assert [p["number"] for p in priorities][:2] == ["10(a)", "10(b)"]
    assert {p["group"] for p in priorities} == {"current_framework", "considerations", "entry_points", "approaches"}
    assert len(priorities) == 14
    created = client.post(
        f"/api/v1/consultations/{SLUG}/dialogues",
        json={
            "title": "Second dialogue with Member States",
            "constituency": "member_states",
            "format": "online",
            "starts_at": "2027-02-01T09:00:00+03:00",
            "timezone": "Africa/Nairobi",
            "agenda": [{"title": "Zero draft", "section_ids": [principles[0]["section_id"]]}],
            "participants": ["KEN", "fra"],
        },
        headers=tokens["secretariat"],
    )
    assert created.status_code == 201
    detail = client.get(f"/api/v1/dialogues/{created.json['id']}", headers=headers).json
    assert detail["starts_at"] == "2027-02-01T06:00:00Z" and detail["status"] == "upcoming"
    assert detail["participants"] == ["FRA", "KEN"] and detail["outcome"] is None
    # It has not started: its participants are invited, none attended yet.
    assert detail["attended"] == [] and {p["status"] for p in detail["participation"]} == {"invited"}
    assert detail["agenda"] == [{"title": "Zero draft", "section_ids": [principles[0]["section_id"]]}]
