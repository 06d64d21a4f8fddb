"""The consultation process: roadmap, principles, priorities, dialogues and outcomes."""

from datetime import date

import pytest
from icalendar import Calendar

from consult.demo import DEMO_PASSWORD, SLUG, load_demo
from consult.drafts.services import create_consultation
from consult.extensions import db
from consult.models import Dialogue, Milestone, Outcome, Section, User
from tests.conftest import login


@pytest.fixture
def demo(app, world):
    load_demo()
    db.session.commit()
    people = {
        email.split("@")[0]: db.session.scalar(db.select(User).where(User.email == email))
        for email in (
            "focal.ken@consult.example",
            "focal.fra@consult.example",
            "secretariat@consult.example",
            "editor@consult.example",
            "delegate.ken@consult.example",
        )
    }
    tokens = {name: world.token(user) for name, user in people.items()}
    return people, tokens


def browser_for(app, user):
    client = app.test_client()
    login(client, user, DEMO_PASSWORD)
    return client


def test_roadmap_shows_the_path_to_adoption_and_today(app, demo):
    people, _ = demo
    page = browser_for(app, people["focal.ken"]).get(f"/consultations/{SLUG}/roadmap").get_data(as_text=True)
    for expected in (
        "Second session of the UN-Habitat Assembly",
        "Executive Board, first session of 2024",
        "First dialogue with Member States",
        "Africa Urban Forum",
        "World Urban Forum",
        "resumed second session",
        "Zero draft",
        'aria-current="date"',
    ):
        assert expected in page, expected
    # Today's marker stands after the 2025 adoption and before the open comment window's end.
    assert page.index("resumed second session") < page.index('aria-current="date"')


def test_roadmap_is_edited_by_the_secretariat_only(app, demo):
    people, _ = demo
    secretariat = browser_for(app, people["secretariat"])
    bad = secretariat.post(
        f"/consultations/{SLUG}/roadmap/new",
        data={"title": "Board", "kind": "board_session", "starts_on": "2026-12-10", "ends_on": "2026-12-01"},
    )
    assert bad.status_code == 422 and "cannot be before" in bad.get_data(as_text=True)
    good = secretariat.post(
        f"/consultations/{SLUG}/roadmap/new",
        data={"title": "Executive Board, first session of 2027", "kind": "board_session", "starts_on": "2027-03-10"},
    )
    assert good.status_code == 302
    assert db.session.scalar(db.select(Milestone).where(Milestone.title.like("%2027"))).starts_on == date(2027, 3, 10)
    delegate = browser_for(app, people["focal.ken"])
    assert delegate.get(f"/consultations/{SLUG}/roadmap/new").status_code == 403


def test_roadmap_calendar_feed_parses(client, demo):
    response = client.get(f"/consultations/{SLUG}/roadmap.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    summaries = {str(event["SUMMARY"]) for event in events}
    assert any("First dialogue with Member States" in s for s in summaries)
    board = next(e for e in events if str(e["SUMMARY"]) == "Executive Board, first session of 2024")
    assert board.decoded("DTSTART") == date(2024, 5, 6) and board.decoded("DTEND") == date(2024, 5, 9)
    assert len({str(event["UID"]) for event in events}) == len(events)


def test_five_principles_and_a_focal_point_comments_on_one(app, demo):
    people, _ = demo
    browser = browser_for(app, people["focal.ken"])
    page = browser.get(f"/consultations/{SLUG}/principles").get_data(as_text=True)
    for title in (
        "Ambitious, relevant and responsive",
        "Focused and prioritized",
        "Flexible and adaptable",
        "Evidence- and knowledge-based",
        "Manageable, realistic, effective and measurable",
    ):
        assert title in page
    principle = db.session.scalar(db.select(Section).where(Section.anchor == "principle-b"))
    response = browser.post(
        f"/sections/{principle.id}/comments", data={"kind": "general", "body": "Kenya supports a focused plan."}
    )
    assert response.status_code == 302
    assert "Kenya supports a focused plan." in browser.get("/delegation/comments").get_data(as_text=True)


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
    first = db.session.scalar(db.select(Dialogue).order_by(Dialogue.starts_at.desc()))
    response = client.put(
        f"/api/v1/dialogues/{first.id}/outcome",
        json={"summary": "S", "conclusions": [{"text": "T", "section_ids": [foreign.id]}]},
        headers=tokens["secretariat"],
    )
    assert response.status_code == 422 and "conclusions" in response.json["error"]["fields"]
    assert db.session.get(Dialogue, first.id).outcome is None


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


def test_priorities_are_grouped_and_linked_to_the_draft(app, demo):
    people, _ = demo
    page = browser_for(app, people["focal.ken"]).get(f"/consultations/{SLUG}/priorities").get_data(as_text=True)
    for group in ("Current priority framework", "Considerations", "Entry points", "Approaches"):
        assert group in page
    assert "Answered in the draft by:" in page
    priority = db.session.scalar(db.select(Section).where(Section.anchor == "priority-23(a)"))
    editor = browser_for(app, people["editor"])
    paragraph_9 = db.session.scalar(
        db.select(Section).where(Section.number == "9", Section.document_id == priority.related[0].document_id)
    )
    response = editor.post(f"/priorities/{priority.id}/links", data={"related": [str(paragraph_9.id)]})
    assert response.status_code == 302
    db.session.refresh(priority)
    assert [s.number for s in priority.related] == ["9"]
    assert browser_for(app, people["focal.ken"]).get(f"/priorities/{priority.id}/links").status_code == 403


def test_secretariat_adds_a_priority_statement(app, demo):
    people, _ = demo
    browser = browser_for(app, people["secretariat"])
    form = browser.get(f"/consultations/{SLUG}/priorities/new").get_data(as_text=True)
    assert "Add a priority statement" in form and 'name="group"' in form
    response = browser.post(
        f"/consultations/{SLUG}/priorities/new",
        data={"number": "25(a)", "title": "Water and sanitation", "body": "Access to water.", "group": "entry_points"},
    )
    assert response.status_code == 302
    added = db.session.scalar(db.select(Section).where(Section.number == "25(a)"))
    assert added.heading == "Water and sanitation" and added.subsection == "entry_points"
    assert "Add a principle" in browser.get(f"/consultations/{SLUG}/principles/new").get_data(as_text=True)
