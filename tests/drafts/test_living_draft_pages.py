"""The living draft on the web pages: one text in several languages, a structure that changes from
release to release, the releases' own numbers, the concordance, and translating on the page."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest

from consult.auth.services import organization_by_code
from consult.comments.services import create_comment
from consult.drafts import structure, translations
from consult.drafts.services import publish_release
from consult.extensions import db
from consult.matrix import imports
from consult.models import Comment, Section, SectionTranslation
from consult.models.base import utcnow
from tests.conftest import login

# A draft in two chapters with paragraphs 1 to 22, like the demo's (paragraph 9 is the principles).
DRAFT = "\n\n".join(
    ["I. Introduction"]
    + [f"{n}. Paragraph {n} of the zero draft speaks of cities." for n in range(1, 8)]
    + ["II. Guiding principles"]
    + [f"{n}. Paragraph {n} of the zero draft speaks of housing." for n in range(8, 23)]
)
NINE_ZH = "第9段：拟议的五项指导原则。"
NINE_FR = "Paragraphe 9 : les cinq principes directeurs proposés."


@pytest.fixture
def draft(world):
    document = world.document(DRAFT)
    zero = world.release(document)
    return {
        "document": document,
        "zero": zero,
        "sections": {section.number: section for section in document.sections},
        "editor": world.user("editor"),
        "secretariat": world.user("secretariat"),
        "kenya": world.user("focal_point", "KEN"),
        "france": world.user("focal_point", "FRA"),
    }


def browser(app, user):
    client = app.test_client()
    login(client, user)
    return client


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def numbered(html: str) -> dict[str, str]:
    """Anchor → the number a document page prints for it."""
    return dict(
        re.findall(
            r'<article class="paragraph" id="([^"]+)">\s*<div class="paragraph__number">\s*<a [^>]*>([^<]+)\.</a>', html
        )
    )


def first_draft(document):
    closes = utcnow() + timedelta(days=20)
    release = publish_release(
        None, document, label="First draft", comments_close_at=closes, override_reason="Answers follow later."
    )
    db.session.commit()
    return release


def test_the_secretariats_acceptance(app, world, draft):
    document, sections = draft["document"], draft["sections"]
    nine, ten, twelve, twenty = (sections[n] for n in ("9", "10", "12", "20"))
    editor, secretariat = browser(app, draft["editor"]), browser(app, draft["secretariat"])
    translations.store_translation(
        draft["editor"], nine, language="zh", body=NINE_ZH, base_version=1, chapter="二、指导原则"
    )
    db.session.commit()

    # Paragraph 9 in English and in Chinese is one section, side by side.
    html = page(editor, f"/sections/{nine.id}?lang=en&beside=zh")
    assert 'class="passages passages--beside"' in html
    assert re.search(r'<div class="passage__text" lang="en" dir="ltr">\s*<p>Paragraph 9 of the zero draft', html)
    assert re.search(rf'<div class="passage__text" lang="zh" dir="ltr">\s*<p>{NINE_ZH}', html)
    assert '<span lang="zh" dir="ltr">二、指导原则</span>' in page(editor, f"/sections/{nine.id}?lang=zh")

    # Kenya writes in Chinese, France in French: one paragraph, one matrix.
    kenya, france = browser(app, draft["kenya"]), browser(app, draft["france"])
    for client, body, language in (
        (kenya, "肯尼亚支持这些原则。", "zh"),
        (france, "La France soutient ces principes.", "fr"),
    ):
        created = client.post(
            f"/sections/{nine.id}/comments", data={"kind": "general", "body": body, "language": language}
        )
        assert created.status_code == 302
        comment = db.session.scalar(db.select(Comment).where(Comment.body == body))
        assert comment.language == language and comment.section_id == nine.id
        assert client.post(f"/comments/{comment.id}/submit").status_code == 302
    html = page(editor, f"/sections/{nine.id}")
    assert re.search(r'<div class="comment__body" lang="zh" dir="ltr"><p>肯尼亚支持这些原则。', html)
    assert re.search(r'<div class="comment__body" lang="fr" dir="ltr"><p>La France soutient', html)
    matrix = page(secretariat, f"/documents/{document.id}/matrix")
    assert "肯尼亚支持这些原则。" in matrix and "La France soutient ces principes." in matrix
    assert matrix.count("<td>9</td>") == 2

    # A French translation appears, is outdated when the English is revised, current again when replaced.
    saved = editor.post(f"/sections/{nine.id}/translations/fr", data={"body": NINE_FR, "base_version": "1"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/sections/{nine.id}?lang=fr")
    html = page(kenya, f"/sections/{nine.id}?lang=fr")
    assert re.search(r'<div class="passage__text" lang="fr" dir="ltr">\s*<p>Paragraphe 9', html)
    assert "Outdated translation" not in html
    revised = editor.post(
        f"/sections/{nine.id}/revise", data={"base_version": "1", "body": "Paragraph 9, five principles, revised."}
    )
    assert revised.status_code == 302
    html = page(editor, f"/sections/{nine.id}?lang=fr&version=2")
    assert "Outdated translation" in html and "This translates version 1; the original has changed since." in html
    assert "Paragraphe 9" in html  # still shown, never silently replaced
    assert f'href="/sections/{nine.id}?lang=en&amp;version=2">Read the original' in html
    # Someone revised the original meanwhile: the translator sees the new text and keeps theirs.
    stale = editor.post(f"/sections/{nine.id}/translations/fr", data={"body": "Ma traduction.", "base_version": "1"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "newer than the version 1 you translated" in html
    assert "Paragraph 9, five principles, revised." in html and "Ma traduction." in html
    assert 'name="base_version" type="hidden" value="2"' in html
    current = editor.post(
        f"/sections/{nine.id}/translations/fr", data={"body": "Paragraphe 9, révisé.", "base_version": "2"}
    )
    assert current.status_code == 302
    html = page(editor, f"/sections/{nine.id}?lang=fr&version=2")
    assert "Paragraphe 9, révisé." in html and "Outdated translation" not in html

    # Kenya comments on paragraph 20 before the editors retire it.
    on_twenty = create_comment(draft["kenya"], twenty, kind="question", body="Why 20?", language="en", submit=True)
    db.session.commit()

    # An editor inserts a paragraph after 9, retires 20 and revises 12.
    inserted = editor.post(
        f"/documents/{document.id}/paragraphs/new", data={"after": str(nine.id), "body": "A new paragraph after 9."}
    )
    assert inserted.status_code == 302 and "view=working" in inserted.headers["Location"]
    new = db.session.scalar(db.select(Section).where(Section.document_id == document.id, Section.number == ""))
    assert editor.post(f"/sections/{twenty.id}/retire", data={"reason": "Merged into 19."}).status_code == 302
    assert (
        editor.post(f"/sections/{twelve.id}/revise", data={"base_version": "1", "body": "Twelve, revised."}).status_code
        == 302
    )
    working = page(editor, f"/documents/{document.id}?view=working")
    assert "New paragraph: it is numbered when the next release is published." in working
    assert "Retired from the working draft" in working and "Reason: <bdi>Merged into 19.</bdi>" in working
    assert list(numbered(working)).index(ten.anchor) > list(numbered(working)).index(nine.anchor)
    assert twenty.anchor not in numbered(working)

    # The First draft renumbers: old 10 → 11; the Zero draft keeps what it printed.
    first_draft(document)
    printed = numbered(page(kenya, f"/documents/{document.id}"))
    assert (printed[nine.anchor], printed[new.anchor], printed[ten.anchor], printed[sections["21"].anchor]) == (
        "9",
        "10",
        "11",
        "21",
    )
    assert twenty.anchor not in printed
    zero = page(kenya, f"/documents/{document.id}?release=1")
    assert numbered(zero)[ten.anchor] == "10" and numbered(zero)[twenty.anchor] == "20"
    assert "Not in <bdi>First draft</bdi>." in zero
    printed_as = "Numbers as printed: 10 in <bdi>Zero draft</bdi> · 11 in <bdi>First draft</bdi>"
    assert printed_as in page(kenya, f"/sections/{ten.id}")

    # Its concordance says so, and where the comments went.
    concordance = page(kenya, f"/documents/{document.id}/concordance?from=1&to=2")
    row = re.search(rf'<tr id="{ten.anchor}">(.*?)</tr>', concordance, re.S).group(1)
    assert ">10</a>" in row and ">11</a>" in row and "renumbered" in row
    row = re.search(rf'<tr id="{twenty.anchor}">(.*?)</tr>', concordance, re.S).group(1)
    assert ">20</a>" in row and "not in this release" in row and "retired" in row and "1 comment" in row
    row = re.search(rf'<tr id="{new.anchor}">(.*?)</tr>', concordance, re.S).group(1)
    assert ">10</a>" in row and "new" in row
    assert ">12</a>" in re.search(rf'<tr id="{sections["11"].anchor}">(.*?)</tr>', concordance, re.S).group(1)
    compare = page(kenya, f"/documents/{document.id}/compare")
    assert "Paragraph 10 → 11" in compare and "Paragraph 20 (retired)" in compare and "Paragraph 10 (new)" in compare
    assert re.search(r"Paragraph 12 → 13.*?revised.*?<del>", compare, re.S)

    # Comments on old 20 stay on record; it takes no new ones.
    html = page(france, f"/sections/{twenty.id}")
    assert "Not in <bdi>First draft</bdi>." in html and "Reason: <bdi>Merged into 19.</bdi>" in html
    assert "Why 20?" in html
    assert "Write a comment" not in html
    refused = france.post(
        f"/sections/{twenty.id}/comments", data={"kind": "general", "body": "Late.", "language": "fr"}
    )
    assert refused.status_code == 409
    assert db.session.get(Comment, on_twenty.id).section_id == twenty.id


def test_concordance_exports(app, world, draft):
    document, sections = draft["document"], draft["sections"]
    structure.insert_section(draft["editor"], document, after=None, body="A new first paragraph.")
    structure.retire_section(draft["editor"], sections["3"], reason="Dropped.")
    create_comment(draft["kenya"], sections["3"], kind="general", body="On 3.", submit=True)
    db.session.commit()
    first_draft(document)
    client = browser(app, draft["france"])

    response = client.get(f"/documents/{document.id}/concordance.csv?from=1&to=2")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="concordance-{document.id}-release-1-to-2.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Number in Zero draft", "Number in First draft", "Status", "Text changed", "Comments", "Anchor"]
    by_anchor = {row[5]: row for row in rows[1:]}
    assert by_anchor[sections["1"].anchor][:4] == ["1", "2", "renumbered", "No"]
    assert by_anchor[sections["3"].anchor][:5] == ["3", "", "retired", "Yes", "1"]
    assert by_anchor[sections["4"].anchor][:3] == ["4", "4", "unchanged"]
    assert len(rows) == 1 + 23

    response = client.get(f"/documents/{document.id}/concordance.xlsx?from=1&to=2")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("Number in Zero draft", "Number in First draft")
    assert (values[1][0], values[1][1]) == (None, 1)  # the new first paragraph, numbered as a number
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F24"
    assert client.get(f"/documents/{document.id}/concordance.pdf").status_code == 404
    assert client.get(f"/documents/{document.id}/concordance.csv?from=7").status_code == 404


def test_concordance_cells_never_start_a_formula(app, world, draft):
    document = draft["document"]
    release = draft["zero"]
    release.label = "=HYPERLINK(1)"
    db.session.commit()
    response = browser(app, draft["france"]).get(f"/documents/{document.id}/concordance.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    for row in sheet.iter_rows(values_only=True):
        for value in row:
            assert not (isinstance(value, str) and value.startswith("=")), value


def test_structure_forms_and_their_errors(app, world, draft):
    document, sections = draft["document"], draft["sections"]
    editor = browser(app, draft["editor"])
    form = page(editor, f"/documents/{document.id}/paragraphs/new?after={sections['4'].id}")
    assert f'<option selected value="{sections["4"].id}">Paragraph 4</option>' in form
    empty = editor.post(f"/documents/{document.id}/paragraphs/new", data={"after": "start", "body": ""})
    assert empty.status_code == 422 and "This field is required." in empty.get_data(as_text=True)
    other = world.document(DRAFT, slug="other")
    elsewhere = editor.post(
        f"/documents/{document.id}/paragraphs/new", data={"after": str(other.sections[0].id), "body": "Elsewhere."}
    )
    assert elsewhere.status_code == 422 and "Not a valid choice" in elsewhere.get_data(as_text=True)
    first = editor.post(f"/documents/{document.id}/paragraphs/new", data={"after": "start", "body": "First of all."})
    assert first.status_code == 302
    assert structure.working_sections(document)[0].versions[0].body == "First of all."

    moved = editor.post(f"/sections/{sections['5'].id}/move", data={"after": str(sections["1"].id)})
    assert moved.status_code == 302
    order = [section.number for section in structure.working_sections(document)]
    assert order[:4] == ["", "1", "5", "2"]
    assert page(editor, f"/sections/{sections['5'].id}/move").count(f'value="{sections["5"].id}"') == 0
    itself = editor.post(f"/sections/{sections['5'].id}/move", data={"after": str(sections["5"].id)})
    assert itself.status_code == 422

    confirm = page(editor, f"/sections/{sections['6'].id}/retire")
    assert "It stays, as printed, in the releases that had it (Zero draft)" in confirm
    no_reason = editor.post(f"/sections/{sections['6'].id}/retire", data={"reason": ""})
    assert no_reason.status_code == 422
    assert db.session.get(Section, sections["6"].id).retired_at is None
    assert editor.post(f"/sections/{sections['6'].id}/retire", data={"reason": "Outdated."}).status_code == 302
    again = editor.post(f"/sections/{sections['6'].id}/retire", data={"reason": "Again."})
    assert again.status_code == 409 and "already retired" in again.get_data(as_text=True)
    retired_move = editor.post(f"/sections/{sections['6'].id}/move", data={"after": "start"})
    assert retired_move.status_code == 409 and "cannot be moved" in retired_move.get_data(as_text=True)
    # A paragraph cannot be put after a retired one: it is not among the choices.
    after_retired = editor.post(f"/sections/{sections['7'].id}/move", data={"after": str(sections["6"].id)})
    assert after_retired.status_code == 422

    # Delegations see none of this before the next release.
    kenya = browser(app, draft["kenya"])
    html = page(kenya, f"/documents/{document.id}?view=working")
    assert "First of all." not in html and "Insert a paragraph" not in html
    assert page(kenya, f"/sections/{sections['6'].id}").count("Retired from the working draft") == 0


def test_translation_form(app, world, draft):
    section, document = draft["sections"]["2"], draft["document"]
    editor = browser(app, draft["editor"])
    form = page(editor, f"/sections/{section.id}/translations/ar")
    assert '<textarea dir="rtl" id="body" lang="ar" name="body" required>' in form
    assert 'name="base_version" type="hidden" value="1"' in form
    assert editor.get(f"/sections/{section.id}/translations/en").status_code == 404  # the original's language
    assert editor.get(f"/sections/{section.id}/translations/de").status_code == 404
    empty = editor.post(f"/sections/{section.id}/translations/ar", data={"body": "", "base_version": "1"})
    assert empty.status_code == 422
    no_base = editor.post(f"/sections/{section.id}/translations/ar", data={"body": "نص.", "base_version": "x"})
    assert no_base.status_code == 422 and "Say which version you translated." in no_base.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(SectionTranslation.id))) == 0
    saved = editor.post(
        f"/sections/{section.id}/translations/ar",
        data={"body": "الفقرة الثانية.", "base_version": "1", "chapter": "أولا - مقدمة"},
    )
    assert saved.status_code == 302
    # The form is filled in with the newest translation, to correct it.
    assert "الفقرة الثانية." in page(editor, f"/sections/{section.id}/translations/ar")
    reader = world.user("observer")
    reader.locale = "ar"
    db.session.commit()
    html = page(browser(app, reader), f"/documents/{document.id}")
    assert re.search(r'<div class="passage__text" lang="ar" dir="rtl">\s*<p>الفقرة الثانية.', html)
    assert '<h2 class="chapter" lang="ar" dir="rtl">أولا - مقدمة</h2>' in html
    # Paragraphs without Arabic say that the original is shown.
    assert html.count('passage__text" lang="en" dir="ltr"') == 21
    assert html.count('class="translation-note"') == 21
    staff = page(editor, f"/sections/{section.id}")
    assert "translates the newest version (1)" in staff and f'/sections/{section.id}/translations/fr"' in staff
    assert f'/sections/{section.id}/translations/en"' not in staff


def test_reading_language_follows_the_reader_and_the_address(app, world, draft):
    nine = draft["sections"]["9"]
    translations.store_translation(draft["editor"], nine, language="fr", body=NINE_FR, base_version=1)
    db.session.commit()
    france = browser(app, draft["france"])
    draft["france"].locale = "fr"
    db.session.commit()
    html = page(france, f"/sections/{nine.id}")
    assert re.search(r'<div class="passage__text" lang="fr" dir="ltr">\s*<p>Paragraphe 9', html)
    assert "passages--beside" not in html
    html = page(france, f"/sections/{nine.id}?lang=en")
    assert re.search(r'<div class="passage__text" lang="en" dir="ltr">\s*<p>Paragraph 9', html)
    # A language the text does not have: the original, and the page says so.
    html = page(france, f"/sections/{nine.id}?lang=ru")
    notice = re.search(r'<p class="notice">([^<]*)</p>', html).group(1)
    assert "russe" in notice and "anglais" in notice  # the languages named in the reader's language
    assert re.search(r'<div class="passage__text" lang="en" dir="ltr">', html)
    assert page(france, f"/sections/{nine.id}?lang=zz&beside=qq").count("passage__text") == 1


def test_each_paragraph_once_with_its_number(app, world, draft):
    document, sections = draft["document"], draft["sections"]
    for number in ("19", "20"):
        create_comment(draft["kenya"], sections[number], kind="general", body=f"On {number}.", submit=True)
    translations.store_translation(
        draft["editor"], sections["19"], language="zh", body="第19段：住房。", base_version=1
    )
    structure.retire_section(draft["editor"], sections["20"], reason="Merged into 19.")
    structure.insert_section(draft["editor"], document, after=sections["1"].id, body="New second paragraph.")
    db.session.commit()
    first_draft(document)
    create_comment(draft["france"], sections["19"], kind="general", body="Sur 20.", submit=True)
    db.session.commit()
    secretariat = browser(app, draft["secretariat"])

    # The Zero draft's matrix: the numbers it printed, each paragraph once.
    zero = page(secretariat, f"/documents/{document.id}/matrix?release=1")
    assert re.search(r"<td>19</td>\s*<td>Kenya</td>", zero) and re.search(r"<td>20</td>\s*<td>Kenya</td>", zero)
    numbers = re.findall(r'<option value="([^"]+)" >', zero.split('id="f-section"')[1].split("</select>")[0])
    assert numbers == [str(n) for n in range(1, 23)]
    filtered = page(secretariat, f"/documents/{document.id}/matrix?release=1&section=20")
    assert "On 20." in filtered and "On 19." not in filtered
    first = page(secretariat, f"/documents/{document.id}/matrix?release=2")
    assert re.search(r"<td>20</td>\s*<td>France</td>", first)  # old 19 is 20 in the First draft
    csv_rows = list(
        csv.reader(
            io.StringIO(secretariat.get(f"/documents/{document.id}/matrix.csv?release=1").data.decode("utf-8-sig"))
        )
    )
    assert [row[2] for row in csv_rows[1:]] == ["19", "20"]
    dashboard = page(secretariat, f"/documents/{document.id}/dashboard?release=1")
    assert dashboard.count(f'href="/sections/{sections["20"].id}">20</a>') == 1

    # Search finds the Chinese text, and the paragraph once whatever language matched.
    results = page(secretariat, "/search?q=住房")
    assert "1 result" in results and f"/sections/{sections['19'].id}?version=1&amp;lang=zh" in results
    assert re.search(r'<p lang="zh" dir="ltr">第19段：<mark>住房</mark>', results)
    results = page(secretariat, "/search?q=Paragraph 19 of the zero")
    assert results.count(f"/sections/{sections['19'].id}?") == 1
    results = page(secretariat, "/search?q=On 20.")
    assert "Paragraph 20 — not in First draft" in results

    # Tagging lists name each paragraph once, new and retired ones for what they are.
    form = page(secretariat, f"/consultations/{document.consultation.slug}/dialogues/new")
    picker = re.search(r'<select[^>]*name="agenda-0-section_ids".*?</select>', form, re.S).group(0)
    assert picker.count(f'value="{sections["20"].id}">Paragraph 20 — not in First draft — Draft plan</option>') == 1
    assert picker.count(">Paragraph 20 — Draft plan</option>") == 1
    assert picker.count("<option") == 23


def test_a_delegations_table_is_read_with_the_numbers_of_the_current_release(world, draft):
    document, sections = draft["document"], draft["sections"]
    structure.retire_section(draft["editor"], sections["20"], reason="Merged into 19.")
    new = structure.insert_section(draft["editor"], document, after=sections["1"].id, body="New second paragraph.")
    db.session.commit()
    first_draft(document)
    workbook = openpyxl.Workbook()
    workbook.active.append(["Paragraph number", "Kind", "Comment", "Proposed text"])
    for number in ("2", "20", "23"):
        workbook.active.append([number, "General comment", f"On {number}.", None])
    data = io.BytesIO()
    workbook.save(data)
    found = imports.preview(draft["secretariat"], document, organization_by_code("BRA"), data.getvalue(), "b.xlsx")
    # 20 is old 19 now (old 20 is retired), 2 the new paragraph; the First draft has no 23.
    assert [(row["paragraph"], row["section_id"]) for row in found.rows] == [("2", new.id), ("20", sections["19"].id)]
    assert [error["row"] for error in found.errors] == [4]
