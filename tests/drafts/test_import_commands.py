"""`flask consult import-draft FILE --document ID [--dry-run]` and `import-translation` as operators
and the acceptance checks run them."""

import pytest

from consult.comments.services import create_comment
from consult.drafts import structure, translations
from consult.drafts.services import revise_section
from consult.extensions import db
from consult.models import AuditEvent, Comment, Section, SectionTranslation, SectionVersion
from tests.drafts.next_drafts import EXPECTED_PLAN, SEEDS, next_draft


def french(numbers) -> str:
    return "I. Introduction\n\n" + "\n\n".join(
        f"{number}. Paragraphe {number} du projet, pour les États membres et le secrétariat." for number in numbers
    )


@pytest.fixture(params=["en", "zh"])
def seeded(request, world, tmp_path):
    language = request.param
    document = world.document(SEEDS[language].read_text(), language=language)
    world.release(document)
    path = tmp_path / f"next-draft.{language}.txt"
    path.write_text(next_draft(language), encoding="utf-8")
    return document, path


def _state():
    """Everything importing the next draft could change."""
    return (
        db.session.execute(
            db.select(Section.id, Section.position, Section.latest_version, Section.retired_at, Section.chapter)
        ).all(),
        db.session.scalar(db.select(db.func.count(SectionVersion.id))),
    )


def test_a_dry_run_prints_the_plan_and_changes_nothing(runner, seeded):
    document, path = seeded
    before = _state()
    result = runner.invoke(args=["consult", "import-draft", str(path), "--document", str(document.id), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[:-1] == EXPECTED_PLAN
    assert lines[-1] == "Plan: 24 kept, 1 revised, 1 new, 1 retired, 1 moved (dry run: nothing changed)."
    db.session.expire_all()
    assert _state() == before


def test_applying_keeps_every_comment_on_its_paragraph(runner, world, seeded):
    document, path = seeded
    sections = {section.number: section for section in document.sections}
    kenya = world.user("focal_point", "KEN")
    comments = {
        number: create_comment(kenya, sections[number], kind="general", body=f"On {number}.", submit=True).id
        for number in sections
    }
    db.session.commit()
    result = runner.invoke(args=["consult", "import-draft", str(path), "--document", str(document.id)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[:-1] == EXPECTED_PLAN
    assert lines[-1].startswith("Applied: 24 kept, 1 revised, 1 new, 1 retired, 1 moved")
    db.session.expire_all()
    order = structure.working_sections(document)
    assert len(order) == 27 and order[1].id == sections["5"].id and sections["20"] not in order
    assert db.session.scalar(db.select(db.func.count(Section.id)).where(Section.document_id == document.id)) == 28
    for number, comment_id in comments.items():
        assert db.session.get(Comment, comment_id).section_id == sections[number].id
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "document.import_next_draft"))
    assert event.actor_id is None and event.details["new"] == 1
    # The same file again: nothing is left to import.
    again = runner.invoke(args=["consult", "import-draft", str(path), "--document", str(document.id)])
    assert again.exit_code != 0 and "nothing to import" in again.output


def test_import_draft_refuses_what_makes_no_sense(runner, world, tmp_path):
    document = world.document(SEEDS["zh"].read_text(), language="zh")
    english = tmp_path / "en.md"
    english.write_text(SEEDS["en"].read_text(), encoding="utf-8")
    before = _state()
    wrong_language = runner.invoke(args=["consult", "import-draft", str(english), "--document", str(document.id)])
    assert wrong_language.exit_code != 0 and "“en”" in wrong_language.output and "“zh”" in wrong_language.output
    for args in (
        ["--document", "999"],
        ["--document", str(document.id), "--consultation", "plan"],
        ["--document", str(document.id), "--title", "X"],
        [],
        ["--consultation", "plan"],
    ):
        result = runner.invoke(args=["consult", "import-draft", str(english), *args])
        assert result.exit_code != 0, (args, result.output)
    assert _state() == before


def test_import_translation_prints_the_count_last(runner, seeded, tmp_path):
    document, _ = seeded
    path = tmp_path / "fr.txt"
    path.write_text(french(range(1, 28)), encoding="utf-8")
    args = ["consult", "import-translation", str(path), "--document", str(document.id), "--language", "fr"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "27"
    assert db.session.scalar(db.select(db.func.count(SectionTranslation.id))) == 27


def test_import_translation_names_the_numbers_that_do_not_match(runner, seeded, tmp_path):
    document, _ = seeded
    path = tmp_path / "fr.txt"
    args = ["consult", "import-translation", str(path), "--document", str(document.id), "--language", "fr"]
    for numbers, named in ((range(1, 26), "missing from the file: 26, 27."), (range(1, 30), "does not have: 28, 29.")):
        path.write_text(french(numbers), encoding="utf-8")
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and named in result.output, result.output
    assert db.session.scalar(db.select(db.func.count(SectionTranslation.id))) == 0
    original = runner.invoke(args=[*args[:-1], document.language])
    assert original.exit_code != 0 and "original" in original.output
    unknown = runner.invoke(args=[*args[:3], "--document", "999", "--language", "fr"])
    assert unknown.exit_code != 0


def test_a_translation_after_the_next_draft_follows_its_numbers(runner, world, seeded, tmp_path):
    """Once the next draft is in, its translation is numbered as the file was: the numbers the
    next release prints, not those the working draft still carries."""
    document, path = seeded
    assert runner.invoke(args=["consult", "import-draft", str(path), "--document", str(document.id)]).exit_code == 0
    translation = tmp_path / "fr.txt"
    translation.write_text(french(range(1, 28)), encoding="utf-8")
    args = ["consult", "import-translation", str(translation), "--document", str(document.id), "--language", "fr"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    moved = db.session.scalar(db.select(Section).where(Section.document_id == document.id, Section.number == "5"))
    french_of_moved = translations.newest_translations([moved.id], "fr")[moved.id]
    assert french_of_moved.body.startswith("Paragraphe 2 du projet")
    # A translation of a version revised since is outdated, as for any other.
    revise_section(None, moved, body="Revised again.", change_note="", base_version=moved.latest_version)
    db.session.commit()
    reading = translations.reading(moved, moved.versions[-1], "fr")
    assert reading.outdated
