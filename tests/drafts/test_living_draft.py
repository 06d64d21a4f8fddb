"""The living draft: a structure that changes between releases, and one text in several languages."""

from datetime import timedelta

import pytest

from consult.comments.services import create_comment
from consult.drafts import concordance, structure, translations
from consult.drafts.services import publish_release, revise_section
from consult.errors import Conflict, NotAllowed, StaleVersion, ValidationFailed
from consult.extensions import db
from consult.models import Comment, ReleaseSection, Section
from consult.models.base import utcnow

DRAFT = "I. Introduction\n\n" + "\n\n".join(f"{n}. Paragraph {n} of the zero draft." for n in range(1, 6))


@pytest.fixture
def draft(world):
    document = world.document(DRAFT)
    zero = world.release(document)
    return {
        "document": document,
        "zero": zero,
        "editor": world.user("editor"),
        "sections": {section.number: section for section in document.sections},
    }


def _next_release(document, label="First draft"):
    release = publish_release(
        None, document, label=label, comments_close_at=utcnow() + timedelta(days=20), override_reason="Answers follow."
    )
    db.session.commit()
    return release


def printed(release) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        db.select(ReleaseSection).where(ReleaseSection.release_id == release.id).order_by(ReleaseSection.position)
    )
    return [(row.section.anchor, row.number) for row in rows]


def test_insert_retire_and_move_renumber_the_next_release_only(world, draft):
    editor, sections, document = draft["editor"], draft["sections"], draft["document"]
    kenya = world.user("focal_point", "KEN")
    on_four = create_comment(kenya, sections["4"], kind="general", body="On paragraph 4.", submit=True)
    inserted = structure.insert_section(editor, document, after=sections["2"].id, body="A new paragraph.")
    structure.retire_section(editor, sections["4"], reason="Merged into paragraph 3.")
    structure.move_section(editor, sections["5"], after=sections["1"].id)
    db.session.commit()
    assert inserted.number == structure.UNNUMBERED and inserted.chapter == sections["2"].chapter

    first = _next_release(document)
    anchors = {number: section.anchor for number, section in sections.items()}
    # Old 5 moved after 1, the new paragraph after 2, old 4 retired: everything renumbered.
    assert printed(first) == [
        (anchors["1"], "1"),
        (anchors["5"], "2"),
        (anchors["2"], "3"),
        (inserted.anchor, "4"),
        (anchors["3"], "5"),
    ]
    # Each release keeps what it printed.
    assert printed(draft["zero"]) == [(anchors[n], n) for n in ("1", "2", "3", "4", "5")]
    db.session.refresh(sections["4"])
    assert sections["4"].retired_in_release_id == first.id
    # The comment on the retired paragraph stays on record, on its section.
    assert db.session.get(Comment, on_four.id).section_id == sections["4"].id

    changes = {change.section.anchor: change for change in concordance.compare(draft["zero"], first)}
    assert (changes[anchors["5"]].from_number, changes[anchors["5"]].to_number) == ("5", "2")
    assert changes[anchors["5"]].moved and not changes[anchors["1"]].moved
    assert changes[inserted.anchor].status == "new" and changes[anchors["4"]].status == "retired"
    assert changes[anchors["3"]].status == "kept" and not changes[anchors["3"]].text_changed
    assert changes[anchors["3"]].renumbered


def test_structure_changes_refuse_what_makes_no_sense(world, draft):
    editor, sections, document = draft["editor"], draft["sections"], draft["document"]
    other = world.document(DRAFT, slug="other")
    with pytest.raises(ValidationFailed) as error:
        structure.insert_section(editor, document, after=other.sections[0].id, body="Elsewhere.")
    assert "after" in error.value.field_errors
    with pytest.raises(ValidationFailed):
        structure.move_section(editor, sections["2"], after=sections["2"].id)
    structure.retire_section(editor, sections["3"], reason="Dropped.")
    db.session.commit()
    with pytest.raises(Conflict):
        structure.retire_section(editor, sections["3"], reason="Again.")
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        structure.move_section(editor, sections["2"], after=sections["3"].id)  # after a retired paragraph
    with pytest.raises(NotAllowed):
        structure.insert_section(world.user("focal_point", "KEN"), document, after=None, body="Mine.")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Section.id)).where(Section.document_id == document.id)) == 5


def test_a_translation_goes_outdated_when_the_original_is_revised(world, draft):
    editor, section, document = draft["editor"], draft["sections"]["3"], draft["document"]
    french = translations.store_translation(
        editor, section, language="fr", body="Paragraphe 3 du projet zéro.", base_version=1
    )
    db.session.commit()
    versions = {section.id: section.versions[0]}
    reading = translations.readings(document, versions, "fr")[section.id]
    assert (reading.language, reading.outdated, reading.body) == ("fr", False, french.body)
    assert translations.readings(document, versions, "ru")[section.id].language == "en"  # no Russian: the original

    revise_section(editor, section, body="Paragraph 3, revised.", change_note="", base_version=1)
    db.session.commit()
    newest = {section.id: section.versions[-1]}
    stale = translations.readings(document, newest, "fr")[section.id]
    assert stale.outdated and stale.body == french.body  # still shown, marked outdated
    with pytest.raises(StaleVersion):
        translations.store_translation(editor, section, language="fr", body="Trop tard.", base_version=1)
    db.session.rollback()
    translations.store_translation(editor, section, language="fr", body="Paragraphe 3, révisé.", base_version=2)
    db.session.commit()
    current = translations.readings(document, newest, "fr")[section.id]
    assert not current.outdated and current.body == "Paragraphe 3, révisé."
    # Readers of the zero draft still read the translation of the version it published.
    assert translations.readings(document, versions, "fr")[section.id].body == french.body
    assert translations.release_languages(draft["zero"]) == ["en", "fr"]


def test_translations_refuse_the_original_language_and_unknown_ones(draft):
    section = draft["sections"]["1"]
    for language in ("en", "de", None):
        with pytest.raises(ValidationFailed):
            translations.store_translation(draft["editor"], section, language=language, body="x", base_version=1)


def test_a_translation_file_is_matched_by_number_all_or_nothing(world, draft):
    secretariat, document = world.user("secretariat"), draft["document"]
    french = "I. Introduction\n\n" + "\n\n".join(
        f"{n}. Paragraphe {n} du projet zéro, pour les États." for n in range(1, 6)
    )
    stored = translations.import_translation(secretariat, document, language="fr", text=french)
    db.session.commit()
    assert len(stored) == 5
    for numbers, named in (((1, 2, 3, 4), "missing from the file: 5"), (range(1, 7), "does not have: 6")):
        text = "I. Introduction\n\n" + "\n\n".join(f"{n}. Paragraphe {n} pour les États." for n in numbers)
        with pytest.raises(ValidationFailed) as error:
            translations.import_translation(secretariat, document, language="fr", text=text)
        assert named in str(error.value.message)
    db.session.rollback()
    assert len(translations.newest_translations([s.id for s in document.sections], "fr")) == 5
    with pytest.raises(ValidationFailed) as error:
        translations.import_translation(secretariat, document, language="es", text=french)
    assert "language" in error.value.field_errors
