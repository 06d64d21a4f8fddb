"""The outcome form: conclusions tagged with a checkbox picker grouped by document and chapter,
and as many conclusions as the Secretariat needs, one more row at a time, without a script."""

import re

import pytest

from consult.dialogues.services import create_dialogue
from consult.drafts.services import get_consultation
from consult.extensions import db
from consult.models import Dialogue
from consult.models.base import utcnow
from tests.conftest import login


@pytest.fixture
def scene(app, world):
    document = world.document()
    world.release(document)
    dialogue = create_dialogue(
        None,
        get_consultation("plan"),
        {"title": "Dialogue", "constituency": "member_states", "format": "online", "starts_at": utcnow()},
    )
    db.session.commit()
    browser = app.test_client()
    login(browser, world.user("secretariat", "UNH"))
    return {"document": document, "dialogue": dialogue, "browser": browser, "url": f"/dialogues/{dialogue.id}/outcome"}


def test_the_picker_groups_checkboxes_by_document_and_chapter(scene):
    page = scene["browser"].get(scene["url"]).get_data(as_text=True)
    sections = scene["document"].sections
    # One conclusion row to start with, its paragraphs as checkboxes, no multiple select.
    assert 'name="conclusions-0-text"' in page and 'name="conclusions-1-text"' not in page
    assert "<select" not in page.split('name="conclusions-0-text"')[1]
    assert '<legend><bdi lang="en" dir="ltr">Draft plan' in page
    assert '<legend><bdi lang="en" dir="ltr">I. Introduction</bdi></legend>' in page
    assert '<legend><bdi lang="en" dir="ltr">II. Guiding principles</bdi></legend>' in page
    checkbox = f'<input type="checkbox" name="conclusions-0-section_ids" value="{sections[0].id}"'
    assert checkbox in page and "Paragraph 1</label>" in page
    # The filter box waits for its script (static/js/section-picker.js); no inline script.
    assert '<p class="picker__filter" hidden>' in page and "section-picker.js" in page
    assert "<script>" not in page


def test_another_conclusion_is_added_keeping_what_was_typed(scene):
    browser, sections = scene["browser"], scene["document"].sections
    typed = {
        "version": "0",
        "summary": "What we heard.",
        "conclusions-0-text": "First conclusion.",
        "conclusions-0-section_ids": [str(sections[0].id), str(sections[2].id)],
        "add_conclusion": "1",
    }
    again = browser.post(scene["url"], data=typed)
    page = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "What we heard." in page and "First conclusion." in page
    assert f'value="{sections[2].id}" id="conclusions-0-section_ids-{sections[2].id}" checked' in page
    assert re.search(r'<textarea[^>]*autofocus[^>]*id="conclusions-1-text"|id="conclusions-1-text"[^>]*autofocus', page)
    assert db.session.get(Dialogue, scene["dialogue"].id).outcome is None  # nothing saved yet
    # A third and a fourth row: as many as needed.
    typed |= {"conclusions-1-text": "Second.", "conclusions-1-section_ids": [str(sections[1].id)]}
    page = browser.post(scene["url"], data=typed).get_data(as_text=True)
    typed |= {"conclusions-2-text": "Third.", "conclusions-3-text": "Fourth."}
    del typed["add_conclusion"]
    saved = browser.post(scene["url"], data=typed)
    assert saved.status_code == 302
    db.session.expire_all()
    conclusions = db.session.get(Dialogue, scene["dialogue"].id).outcome.conclusions
    assert [c.text for c in conclusions] == ["First conclusion.", "Second.", "Third.", "Fourth."]
    assert [s.id for s in conclusions[0].sections] == [sections[0].id, sections[2].id]
    assert [s.id for s in conclusions[1].sections] == [sections[1].id]
    # Reopened, the form shows the four and one empty row.
    page = browser.get(scene["url"]).get_data(as_text=True)
    assert 'name="conclusions-4-text"' in page and 'name="conclusions-5-text"' not in page
