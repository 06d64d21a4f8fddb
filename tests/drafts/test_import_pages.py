"""The next draft and a translation uploaded through the pages: a preview held on the server, a
plan the editor corrects before applying it, each confirmation once, by its user, for its document."""

import hashlib
import io
import re
from datetime import timedelta

import pytest

from consult.comments.services import create_comment
from consult.drafts import structure
from consult.drafts.services import revise_section
from consult.extensions import db
from consult.models import Comment, DraftImportPreview, Section, SectionTranslation, SectionVersion
from consult.models.base import utcnow
from tests.conftest import login
from tests.drafts.next_drafts import SEEDS, next_draft

ZERO = (
    "I. Introduction\n\n1. Cities grow fast across the developing world.\n\n"
    "2. Housing finance remains out of reach for most households.\n\n"
    "3. Local governments need predictable revenue.\n"
)
# Paragraph 3 of the zero draft is now the second; the third is new, or the second rewritten.
NEXT = (
    "I. Introduction\n\n1. Cities grow fast across the developing world.\n\n"
    "2. Local governments need predictable revenue.\n\n"
    "3. Access to land and to credit decides who can build a home.\n"
)
FRENCH = (
    "I. Introduction\n\nA. Les villes et leurs ressources\n\n"
    "1. Les villes du monde en développement grandissent vite.\n\n"
    "2. Le financement du logement reste hors de portée pour la plupart des ménages.\n\n"
    "3. Les collectivités locales ont besoin de recettes prévisibles.\n"
)


@pytest.fixture
def setting(app, world):
    document = world.document(ZERO)
    world.release(document)
    editor = app.test_client()
    login(editor, world.user("editor"))
    sections = {section.number: section for section in document.sections}
    comment = create_comment(world.user("focal_point", "KEN"), sections["2"], kind="general", body="On 2.", submit=True)
    db.session.commit()
    return {"document": document, "editor": editor, "sections": sections, "comment": comment}


def upload(browser, url: str, text: str, **fields):
    data = {"file": (io.BytesIO(text.encode()), "draft.txt"), **fields}
    return browser.post(url, data=data, content_type="multipart/form-data")


def token_of(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page)[1]


def plan_of(page: str) -> list[tuple[str, str, str]]:
    """(step, number now, number in the file) of each row of the plan."""
    rows = re.findall(r'<span class="badge[^"]*">([^<]+)</span>.*?</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>', page)
    return [(kind, old, new) for kind, old, new in rows]


def next_draft_page(document) -> str:
    return f"/documents/{document.id}/next-draft"


def apply(browser, document, token: str, continues: list[str], button: str = "apply"):
    data = {"token": token, "paragraphs": str(len(continues)), button: "1"}
    data |= {f"continues-{index}": number for index, number in enumerate(continues)}
    return browser.post(f"{next_draft_page(document)}/apply", data=data)


def working(document) -> list[int]:
    db.session.expire_all()
    return [section.id for section in structure.working_sections(document)]


def test_the_plan_is_previewed_corrected_and_applied_once(setting):
    browser, document, sections = setting["editor"], setting["document"], setting["sections"]
    response = upload(browser, next_draft_page(document), NEXT)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert plan_of(page) == [("Kept", "1", "1"), ("Retired", "2", "—"), ("Kept", "3", "2"), ("New", "—", "3")]
    held = db.session.scalars(db.select(DraftImportPreview)).one()
    token = token_of(page)
    assert held.token_hash == hashlib.sha256(token.encode()).hexdigest() and held.kind == "next_draft"
    assert working(document) == [sections[n].id for n in ("1", "2", "3")]  # nothing changed yet

    # The editor says the new paragraph 3 rewrites paragraph 2, and looks at the plan again.
    checked = apply(browser, document, token, ["1", "3", "2"], button="check")
    assert checked.status_code == 200
    assert plan_of(checked.get_data(as_text=True)) == [
        ("Kept", "1", "1"),
        ("Kept", "3", "2"),
        ("Moved", "2", "3"),
    ]
    assert 'value="2"' in checked.get_data(as_text=True) and held.used_at is None

    working_page = f"/documents/{document.id}?view=working"
    assert "Access to land" not in browser.get(working_page).get_data(as_text=True)  # kept by the page store
    applied = apply(browser, document, token, ["1", "3", "2"])
    assert applied.status_code == 302 and applied.location.endswith(working_page)
    assert "Access to land" in browser.get(working_page).get_data(as_text=True)
    assert working(document) == [sections[n].id for n in ("1", "3", "2")]
    moved = db.session.get(Section, sections["2"].id)
    assert moved.latest_version == 2 and moved.retired_at is None
    assert db.session.get(Comment, setting["comment"].id).section_id == moved.id

    replay = apply(browser, document, token, ["1", "3", "2"])
    assert replay.status_code == 409 and "once" in replay.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(SectionVersion.id))) == 4


def test_a_wrong_correction_is_shown_with_the_plan(setting):
    browser, document = setting["editor"], setting["document"]
    token = token_of(upload(browser, next_draft_page(document), NEXT).get_data(as_text=True))
    for continues, message in (
        (["1", "1", ""], "one paragraph of the file only: 1"),
        (["1", "9", ""], "no paragraph 9"),
    ):
        response = apply(browser, document, token, continues)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and message in page, page
        assert re.search(rf'name="continues-1"[^>]*value="{continues[1]}"', page)  # what was typed is kept
    assert db.session.scalar(db.select(DraftImportPreview.used_at)) is None
    # Applied as first proposed: old 2 retired, a new paragraph 3.
    assert apply(browser, document, token, ["1", "3", ""]).status_code == 302
    assert len(working(document)) == 3
    assert db.session.get(Section, setting["sections"]["2"].id).retired_at is not None


def test_a_plan_of_a_draft_changed_since_is_refused(world, setting):
    browser, document, sections = setting["editor"], setting["document"], setting["sections"]
    token = token_of(upload(browser, next_draft_page(document), NEXT).get_data(as_text=True))
    revise_section(world.user("editor"), sections["1"], body="Cities grow.", change_note="", base_version=1)
    db.session.commit()
    response = apply(browser, document, token, ["1", "3", ""])
    assert response.status_code == 409 and "changed after this plan" in response.get_data(as_text=True)
    assert working(document) == [sections[n].id for n in ("1", "2", "3")]
    assert db.session.scalar(db.select(DraftImportPreview.used_at)) is None  # rolled back with the rest


def test_a_preview_belongs_to_its_user_and_document_and_expires(app, world, setting):
    browser, document = setting["editor"], setting["document"]
    token = token_of(upload(browser, next_draft_page(document), NEXT).get_data(as_text=True))
    colleague = app.test_client()
    login(colleague, world.user("editor", key="editor-two"))
    assert apply(colleague, document, token, ["1", "3", ""]).status_code == 404
    other = world.document(ZERO, slug="other")
    assert apply(browser, other, token, ["1", "3", ""]).status_code == 404
    for made_up in ("", "x", "A" * 43):
        assert apply(browser, document, made_up, ["1", "3", ""]).status_code == 404
    db.session.execute(db.update(DraftImportPreview).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    expired = apply(browser, document, token, ["1", "3", ""])
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert len(working(document)) == 3 and db.session.get(Section, setting["sections"]["2"].id).retired_at is None


def test_files_that_cannot_be_the_next_draft_are_refused_with_nothing_kept(world, setting):
    browser, document = setting["editor"], setting["document"]
    for text, message in ((FRENCH, "“fr”"), (ZERO, "nothing to import"), ("no paragraphs", "No numbered paragraphs")):
        response = upload(browser, next_draft_page(document), text)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and message in page and 'name="token"' not in page
    assert db.session.scalar(db.select(db.func.count(SectionVersion.id))) == 3
    assert db.session.scalar(db.select(db.func.count(DraftImportPreview.id))) == 0
    binary = browser.post(
        next_draft_page(document),
        data={"file": (io.BytesIO(b"%PDF-1.7 binary"), "draft.pdf")},
        content_type="multipart/form-data",
    )
    assert binary.status_code == 422 and "PDF files cannot be imported" in binary.get_data(as_text=True)


def test_the_document_page_links_to_the_imports_for_those_who_may(app, world, setting):
    document = setting["document"]
    editor_page = setting["editor"].get(f"/documents/{document.id}").get_data(as_text=True)
    assert "/next-draft" in editor_page and "/translations/import" in editor_page
    secretariat = app.test_client()
    login(secretariat, world.user("secretariat"))
    page = secretariat.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "/next-draft" not in page and "/translations/import" in page


def test_the_seed_documents_next_draft_through_the_pages(app, world):
    """The acceptance's file on the page: the plan shows the move, the new, reworded and dropped
    paragraphs, in Chinese."""
    document = world.document(SEEDS["zh"].read_text(), language="zh")
    world.release(document)
    browser = app.test_client()
    login(browser, world.user("editor"))
    page = upload(browser, next_draft_page(document), next_draft("zh")).get_data(as_text=True)
    kinds = [kind for kind, _, _ in plan_of(page)]
    assert kinds.count("Kept") == 24 and kinds.count("Moved") == 1 and kinds.count("New") == 1
    assert ("Revised", "12", "13") in plan_of(page) and ("Retired", "20", "—") in plan_of(page)
    assert "<ins>" in page  # the rewording is marked


# -- a translation ---------------------------------------------------------------------


def translation_page(document) -> str:
    return f"/documents/{document.id}/translations/import"


@pytest.fixture
def secretariat(app, world, setting):
    browser = app.test_client()
    login(browser, world.user("secretariat"))
    return browser


def test_a_translation_is_previewed_then_stored_once(secretariat, setting):
    document = setting["document"]
    response = upload(secretariat, translation_page(document), FRENCH, language="fr")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Les collectivités locales" in page and "Local governments" in page
    assert db.session.scalar(db.select(db.func.count(SectionTranslation.id))) == 0
    token = token_of(page)
    confirmed = secretariat.post(f"{translation_page(document)}/confirm", data={"token": token})
    assert confirmed.status_code == 302
    stored = db.session.scalars(db.select(SectionTranslation).order_by(SectionTranslation.section_id)).all()
    assert [translation.body[:10] for translation in stored] == ["Les villes", "Le finance", "Les collec"]
    assert {(t.language, t.chapter, t.subsection) for t in stored} == {
        ("fr", "I. Introduction", "A. Les villes et leurs ressources")
    }
    replay = secretariat.post(f"{translation_page(document)}/confirm", data={"token": token})
    assert replay.status_code == 409
    assert db.session.scalar(db.select(db.func.count(SectionTranslation.id))) == 3


def test_a_translation_whose_numbers_do_not_match_names_them(secretariat, setting):
    document = setting["document"]
    short = FRENCH.split("\n\n3.")[0]
    response = upload(secretariat, translation_page(document), short, language="fr")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Paragraphs missing from the file: 3." in page
    assert 'name="token"' not in page and db.session.scalar(db.select(db.func.count(DraftImportPreview.id))) == 0
    wrong = upload(secretariat, translation_page(document), FRENCH, language="es")
    assert wrong.status_code == 422 and "“fr”" in wrong.get_data(as_text=True)


def test_a_translation_of_a_stale_version_is_refused(world, secretariat, setting):
    document, sections = setting["document"], setting["sections"]
    token = token_of(upload(secretariat, translation_page(document), FRENCH, language="fr").get_data(as_text=True))
    revise_section(
        world.user("editor"), sections["2"], body="Housing finance, revised.", change_note="", base_version=1
    )
    db.session.commit()
    response = secretariat.post(f"{translation_page(document)}/confirm", data={"token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "earlier version: 2." in page
    assert db.session.scalar(db.select(db.func.count(SectionTranslation.id))) == 0


def test_paragraphs_without_text_or_too_long_are_named_before_anything_is_kept(app, secretariat, setting):
    browser, document = setting["editor"], setting["document"]
    app.config["MAX_TEXT_LENGTH"] = 200
    too_long = upload(browser, next_draft_page(document), NEXT.replace("3. Access", "3. " + "Long. " * 40 + "Access"))
    assert too_long.status_code == 422
    assert "Paragraph 3 of the file: This text is too long" in too_long.get_data(as_text=True)
    french = FRENCH.replace("Le financement du logement reste hors de portée pour la plupart des ménages.", "\x07")
    blank = upload(secretariat, translation_page(document), french, language="fr")
    assert blank.status_code == 422
    assert "Paragraph 2 of the file: This field is required." in blank.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(DraftImportPreview.id))) == 0
