"""GET /api/v1/documents/<id>/compare.docx: release M against release N as Word tracked changes,
checked by opening the file in LibreOffice and accepting, or rejecting, all the changes."""

import io
import zipfile
from datetime import timedelta

import pytest
from lxml import etree

from consult.drafts import alignment, structure, translations
from consult.drafts.importer import parse_document
from consult.drafts.redline import (
    Block,
    TrackedDocument,
    diff_parts,
    pieces,
    plain,
    redline_file,
    release_blocks,
    write_changes,
)
from consult.drafts.services import publish_release, revise_section
from consult.extensions import db
from consult.models.base import utcnow
from tests.conftest import login
from tests.drafts.next_drafts import SEEDS, next_draft

ZERO = """HSP/EB.2025/7

I. Introduction

1. Cities grow fast across the developing world.

2. Housing finance remains out of reach for most households:

(a) in cities;

(b) in rural areas.

3. Local governments need predictable revenue.

II. Priorities

4. Land matters most.

5. Data must improve.
"""

ZERO_TEXT = [
    "I. Introduction",
    "1.\tCities grow fast across the developing world.",
    "2.\tHousing finance remains out of reach for most households:",
    "(a) in cities;",
    "(b) in rural areas.",
    "3.\tLocal governments need predictable revenue.",
    "II. Priorities",
    "4.\tLand matters most.",
    "5.\tData must improve.",
]
FIRST_TEXT = [
    "I. Introduction",
    "1.\tCities grow fast across the whole developing world.",
    "2.\tHousing finance remains out of reach for most households:",
    "(a) in cities and towns;",
    "(b) in rural areas.",
    "II. Priorities and means",
    "3.\tData must improve.",
    "4.\tLand matters most.",
    "5.\tFinance must follow the plan.",
]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def lines(text: str) -> list[str]:
    """The paragraphs of LibreOffice's text, a line break inside a paragraph as a line of its own."""
    return [line for line in text.replace("\u2028", "\n").splitlines() if line.strip()]


@pytest.fixture
def releases(world):
    """The Zero draft, then the First draft: a paragraph revised (one word bold), a sub-item
    revised, a paragraph retired, two moved, one inserted, a chapter renamed."""
    document = world.document(ZERO)
    editor = world.user("editor")
    world.release(document, "Zero draft")
    sections = {section.number: section for section in document.sections}
    for number, body in (
        ("1", "Cities grow fast across the **whole** developing world."),
        (
            "2",
            "Housing finance remains out of reach for most households:\n\n(a) in cities and towns;\n\n"
            "(b) in rural areas.",
        ),
    ):
        revise_section(editor, sections[number], body=body, change_note="", base_version=1)
    structure.retire_section(editor, sections["3"], reason="Merged into 2.")
    structure.move_section(editor, sections["4"], after=sections["5"].id)
    structure.insert_section(editor, document, after=sections["4"].id, body="Finance must follow the plan.")
    for section in structure.working_sections(document):
        if section.chapter == "II. Priorities":
            section.chapter = "II. Priorities and means"
    db.session.flush()
    first = publish_release(
        world.user("secretariat"), document, label="First draft", comments_close_at=utcnow() + timedelta(days=9)
    )
    db.session.commit()
    return document, first


def _compare(client, world, document, query: str):
    headers = world.token(world.user("observer"))
    return client.get(f"/api/v1/documents/{document.id}/compare.docx?{query}", headers=headers)


def test_accepting_all_gives_the_later_release_and_rejecting_all_the_earlier(client, world, releases, libreoffice):
    document, _first = releases
    response = _compare(client, world, document, "from=1&to=2")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response.headers["Content-Disposition"] == "attachment; filename=document-1-release-1-to-2.docx"
    data = response.get_data()
    title = ["Draft plan", "HSP/EB.2025/7 — First draft compared with Zero draft"]
    assert lines(libreoffice.accepted(data)) == title + FIRST_TEXT
    assert lines(libreoffice.rejected(data)) == title + ZERO_TEXT


def test_the_changes_are_tracked_with_author_and_date_down_to_the_word(client, world, releases) -> None:
    document, first = releases
    data = _compare(client, world, document, "from=1&to=2").get_data()
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    changes = root.findall(f".//{W}ins") + root.findall(f".//{W}del")
    assert changes and {(change.get(f"{W}author"), change.get(f"{W}date")) for change in changes} == {
        ("secretariat-none", first.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    }
    assert len({change.get(f"{W}id") for change in changes}) == len(changes)
    inserted = ["".join(node.itertext()) for node in root.iter(f"{W}ins")]
    deleted = ["".join(node.itertext()) for node in root.iter(f"{W}del")]
    assert " whole" in inserted and " and towns" in inserted
    assert "3.Local governments need predictable revenue." in deleted and "II. Priorities" in deleted
    # The bold word is kept bold inside the insertion.
    bold = [run for run in root.iter(f"{W}r") if run.find(f"{W}rPr/{W}b") is not None]
    assert ["".join(run.itertext()) for run in bold] == ["whole"]


def test_the_redline_in_a_language_reads_its_translations(client, world, releases, libreoffice) -> None:
    document, _first = releases
    order = structure.working_sections(document)
    translations.store_translation(
        None, order[0], language="fr", body="Les villes croissent vite.", base_version=2, chapter="I. Introduction"
    )
    db.session.commit()
    data = _compare(client, world, document, "from=1&to=2&lang=fr").get_data()
    accepted = lines(libreoffice.accepted(data))
    assert accepted[3] == "1.\tLes villes croissent vite."
    assert lines(libreoffice.rejected(data))[3] == "1.\tCities grow fast across the developing world."


@pytest.mark.parametrize(
    ("query", "status"),
    [("from=1&to=3", 404), ("from=1", 422), ("from=x&to=2", 422), ("from=1&to=2&lang=xx", 422)],
)
def test_a_wrong_query_is_refused(client, world, releases, query: str, status: int) -> None:
    document, _first = releases
    response = _compare(client, world, document, query)
    assert response.status_code == status
    assert "error" in response.get_json()


def test_a_paragraph_too_long_to_diff_word_by_word_is_replaced_whole(monkeypatch) -> None:
    monkeypatch.setattr("consult.drafts.redline.MAX_DIFF_WORK", 10)
    old, new = pieces("One two three four five."), pieces("One two three four six.")
    assert [(change, plain(found)) for change, found in diff_parts(old, new)] == [
        ("del", "One two three four five."),
        ("ins", "One two three four six."),
    ]


def test_whole_paragraphs_are_tracked_with_their_paragraph_mark(libreoffice) -> None:
    writer = TrackedDocument(author="Secretariat", date=utcnow(), title="T")
    writer.paragraph("paragraph", [(None, pieces("Kept."))])
    writer.paragraph("paragraph", [("del", pieces("Gone."))], mark="del")
    writer.paragraph("chapter", [("ins", pieces("New chapter"))], mark="ins")
    writer.paragraph("paragraph", [(None, pieces("Last."))])
    data = writer.save().read()
    assert lines(libreoffice.accepted(data)) == ["Kept.", "New chapter", "Last."]
    assert lines(libreoffice.rejected(data)) == ["Kept.", "Gone.", "Last."]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_zero_against_the_first_draft_of_the_seed_documents(world, language, libreoffice) -> None:
    """The seed documents (footnotes, sub-items, Chinese) and their next draft: accepting all gives
    the First draft as it is written alone, rejecting all the Zero draft."""
    document = world.document(SEEDS[language].read_text(), language=language)
    zero = world.release(document, "Zero draft")
    alignment.apply(None, document, alignment.plan(document, parse_document(next_draft(language))))
    first = world.release(document, "First draft")
    data = redline_file(document, zero, first, None).read()

    def alone(release) -> list[str]:
        writer = TrackedDocument(author="Secretariat", date=utcnow(), title=document.title)
        write_changes(writer, release_blocks(release, None), release_blocks(release, None))
        return lines(libreoffice.text(writer.save().read()))

    accepted, rejected = lines(libreoffice.accepted(data)), lines(libreoffice.rejected(data))
    assert accepted[2:] == alone(first) and rejected[2:] == alone(zero)
    assert accepted != rejected and len(accepted) > 40


def test_a_renamed_heading_is_tracked_word_by_word(libreoffice) -> None:
    old = [
        Block("chapter", ("chapter", "II. Priorities"), text="II. Priorities"),
        Block("paragraph", ("section", 1), "4", "Land."),
    ]
    new = [
        Block("chapter", ("chapter", "II. Priorities and means"), text="II. Priorities and means"),
        Block("paragraph", ("section", 1), "4", "Land."),
    ]
    writer = TrackedDocument(author="Secretariat", date=utcnow(), title="T")
    write_changes(writer, old, new)
    data = writer.save().read()
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    assert ["".join(node.itertext()) for node in root.iter(f"{W}ins")] == [" and means"]
    assert list(root.iter(f"{W}del")) == []
    assert lines(libreoffice.accepted(data)) == ["II. Priorities and means", "4.\tLand."]
    assert lines(libreoffice.rejected(data)) == ["II. Priorities", "4.\tLand."]


def test_the_compare_page_offers_the_redline(app, world, releases, libreoffice) -> None:
    document, _first = releases
    browser = app.test_client()
    login(browser, world.user("observer"))
    page = browser.get(f"/documents/{document.id}/compare?from=1&to=2").get_data(as_text=True)
    link = f"/documents/{document.id}/compare.docx?lang=en&amp;from=1&amp;to=2"
    assert f'href="{link}"' in page
    response = browser.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
    assert lines(libreoffice.accepted(response.get_data()))[2:] == FIRST_TEXT
