"""The next draft from a file: its paragraphs aligned with the working draft's sections, then applied."""

import pytest

from consult.comments.services import create_comment
from consult.drafts import alignment, structure
from consult.drafts.importer import parse_document
from consult.drafts.services import latest_versions, publish_release
from consult.errors import Conflict, NotAllowed, ValidationFailed
from consult.extensions import db
from consult.models import AuditEvent, Comment, ReleaseSection, Section, SectionVersion
from consult.models.base import utcnow
from tests.drafts.next_drafts import EXPECTED_PLAN, SEEDS, next_draft


@pytest.fixture(params=["en", "zh"])
def seeded(request, world):
    language = request.param
    document = world.document(SEEDS[language].read_text(), language=language)
    world.release(document)
    return language, document


def test_the_plan_of_the_next_draft(seeded):
    language, document = seeded
    plan = alignment.plan(document, parse_document(next_draft(language)))
    assert [step.line() for step in plan.steps] == EXPECTED_PLAN
    assert plan.counts() == {"kept": 24, "revised": 1, "new": 1, "retired": 1, "moved": 1}
    revised = next(step for step in plan.steps if step.kind == "revised")
    assert 0.6 < revised.similarity < 1


def test_applying_the_plan_keeps_every_comment_on_its_paragraph(world, seeded):
    language, document = seeded
    sections = {section.number: section for section in document.sections}
    kenya = world.user("focal_point", "KEN")
    comments = {
        number: create_comment(kenya, sections[number], kind="general", body=f"On {number}.", submit=True).id
        for number in ("1", "5", "12", "20", "27")
    }
    db.session.commit()
    editor = world.user("editor")
    plan = alignment.plan(document, parse_document(next_draft(language)))
    counts = alignment.apply(editor, document, plan)
    db.session.commit()
    assert counts["new"] == 1 and counts["retired"] == 1

    expected = parse_document(next_draft(language)).paragraphs
    order = structure.working_sections(document)
    texts = latest_versions(document)
    assert [texts[section.id].body for section in order] == [paragraph.body for paragraph in expected]
    assert [section.chapter for section in order] == [paragraph.chapter for paragraph in expected]
    # Only the reworded paragraph has a new version; the new one is a new section.
    assert [section.latest_version for section in order].count(2) == 1
    assert sections["12"].latest_version == 2 and order[12] == sections["12"]
    assert order[1] == sections["5"] and order[8].number == structure.UNNUMBERED
    assert sections["20"].retired_at is not None and sections["20"] not in order
    for number, comment_id in comments.items():
        assert db.session.get(Comment, comment_id).section_id == sections[number].id

    # The next release renumbers: the file's numbers, and the anchors never change.
    release = publish_release(
        None,
        document,
        label="First draft",
        comments_close_at=utcnow().replace(year=2099),
        override_reason="Answered later.",
    )
    db.session.commit()
    printed = db.session.execute(
        db.select(ReleaseSection.section_id, ReleaseSection.number)
        .where(ReleaseSection.release_id == release.id)
        .order_by(ReleaseSection.position)
    ).all()
    assert [number for _, number in printed] == [paragraph.number for paragraph in expected]
    assert printed[1].section_id == sections["5"].id
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "document.import_next_draft"))
    assert event.details["moved"] == 1 and event.actor_id == editor.id


def test_a_file_in_another_language_is_refused(world):
    document = world.document(SEEDS["zh"].read_text(), language="zh")
    with pytest.raises(ValidationFailed) as error:
        alignment.plan(document, parse_document(SEEDS["en"].read_text()))
    assert "“en”" in str(error.value.message) and "“zh”" in str(error.value.message)


def test_a_plan_is_refused_once_the_working_draft_changed(world, seeded):
    language, document = seeded
    editor = world.user("editor")
    plan = alignment.plan(document, parse_document(next_draft(language)))
    structure.move_section(editor, document.sections[3], after=None)
    db.session.commit()
    with pytest.raises(Conflict):
        alignment.apply(editor, document, plan)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(SectionVersion.id))) == 27


def test_an_empty_plan_and_strangers_are_refused(world, seeded):
    language, document = seeded
    same = alignment.plan(document, parse_document(SEEDS[language].read_text()))
    assert {step.kind for step in same.steps} == {"kept"} and same.changes_nothing()
    with pytest.raises(ValidationFailed):
        alignment.apply(world.user("editor"), document, same)
    db.session.rollback()
    plan = alignment.plan(document, parse_document(next_draft(language)))
    with pytest.raises(NotAllowed):
        alignment.apply(world.user("focal_point", "KEN"), document, plan)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Section.id))) == 27


def test_a_corrected_match(world):
    document = world.document(
        "I. Introduction\n\n1. Cities grow fast across the developing world.\n\n"
        "2. Housing finance remains out of reach for most households.\n\n"
        "3. Local governments need predictable revenue.\n"
    )
    zero = {section.number: section for section in document.sections}
    text = (
        "I. Introduction\n\n1. Cities grow fast across the developing world.\n\n"
        "2. Local governments need predictable revenue.\n\n"
        "3. Access to land and to credit decides who can build a home.\n"
    )
    plan = alignment.plan(document, parse_document(text))
    assert [step.line() for step in plan.steps] == ["kept 1 → 1", "retired 2 → —", "kept 3 → 2", "new — → 3"]
    # The editor knows better: the new paragraph 3 rewrites the old paragraph 2, which moved.
    matches = plan.matches()
    matches[2] = zero["2"].id
    corrected = alignment.corrected(document, plan.paragraphs, matches, plan.basis)
    assert [step.line() for step in corrected.steps] == ["kept 1 → 1", "kept 3 → 2", "moved 2 → 3 (revised)"]
    for wrong in ([zero["1"].id, zero["1"].id, None], [zero["1"].id, 99999, None], [None]):
        with pytest.raises(ValidationFailed):
            alignment.corrected(document, plan.paragraphs, wrong, plan.basis)
    with pytest.raises(Conflict):
        alignment.corrected(document, plan.paragraphs, matches, "0" * 64)
    alignment.apply(None, document, corrected)
    db.session.commit()
    assert structure.working_sections(document) == [zero["1"], zero["3"], zero["2"]]
    assert zero["2"].latest_version == 2 and zero["2"].retired_at is None


def test_similarity_reads_chinese_without_spaces():
    assert alignment.similarity("会员国决定延长战略计划", "会员国决定延长战略计划") == 1
    assert alignment.similarity("会员国决定延长战略计划", "会员国决定延长人居署战略计划") > 0.7
    assert alignment.similarity("会员国决定延长战略计划", "工作队完善了路线图") == 0
