"""Guiding principles and priority statements."""

from consult.demo import SLUG
from consult.extensions import db
from consult.models import Section
from tests.conftest import browser_for


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
