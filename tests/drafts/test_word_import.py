"""Word drafts (.docx) in: read with python-docx wherever a draft, a translation or a next draft is
imported (the commands and the upload pages), nothing dropped without a word, bad files refused
with what to do and nothing created."""

import io

import pytest

from consult.drafts import structure
from consult.drafts.importer import ImportFormatError
from consult.drafts.word_import import format_number, read_upload
from consult.extensions import db
from consult.models import Document, Section, SectionTranslation
from consult.uploads import UploadLimits
from tests.conftest import login
from tests.drafts.word_files import (
    ENCRYPTED_DOCX,
    LEGACY_DOC,
    WordDraft,
    note_without_chapters,
    secretariat_draft,
    typed_chinese_draft,
    with_parts,
    without_numbered_paragraphs,
)


def outline(parsed) -> list[tuple[str, str, int]]:
    return [(paragraph.number, paragraph.chapter, paragraph.annex) for paragraph in parsed.paragraphs]


# -- reading ----------------------------------------------------------------------------


def test_a_secretariat_word_draft_imports_with_every_paragraph_numbered_as_printed() -> None:
    parsed = read_upload(secretariat_draft())
    annex = "Annex — Timeline of the consultation"
    assert parsed.chapters == ["Summary", "I. Introduction", "II. Priorities", annex]
    assert outline(parsed) == [
        ("1", "Summary", 0),
        ("2", "I. Introduction", 0),
        ("3", "I. Introduction", 0),
        ("4", "II. Priorities", 0),
        ("5", "II. Priorities", 0),
        ("1", annex, 1),
        ("2", annex, 1),
    ]
    bodies = [paragraph.body for paragraph in parsed.paragraphs]
    # The Word footnote is cited where it was and its text follows the citing paragraph.
    assert bodies[1] == "The Assembly decided to extend the plan to 2025¹.\n\n¹ See HSP/HA.2/Dec.1."
    assert parsed.paragraphs[1].footnotes == ["¹ See HSP/HA.2/Dec.1."]
    # Sub-items numbered by Word stay in their paragraph; bold and italic are kept.
    assert bodies[2] == "The plan is **ambitious** and *focused*:\n\n(a) relevant and responsive;\n\n(b) prioritized."
    assert bodies[3] == "The budget is as follows:\n\n| Year | Amount |\n| --- | --- |\n| 2026 | 10 |"
    assert bodies[5] == "January 2024: first dialogue with member States."
    assert parsed.symbol == "HSP/EB.2025/3" and parsed.language == "en"
    assert [(item.reason, item.line) for item in parsed.skipped] == [
        ("furniture", "HSP/EB.2025/3"),
        ("front_matter", "Executive Board of the United Nations Human Settlements Programme"),
    ]
    assert parsed.warnings == []


def test_a_typed_chinese_document_imports_whole() -> None:
    parsed = read_upload(typed_chinese_draft())
    assert outline(parsed) == [
        ("1", "摘要", 0),
        ("2", "一、 导言", 0),
        ("3", "一、 导言", 0),
        ("4", "二、 优先事项", 0),
    ]
    assert parsed.language == "zh"
    # A footnote typed as a plain digit goes with the paragraph that cites it, marked as a footnote.
    assert parsed.paragraphs[1].body == "大会决定将计划延长至2025年¹。\n\n¹ 见HSP/HA.2/Dec.1号决定。"
    assert parsed.paragraphs[2].body == "秘书处将提出报告：\n\n(a) 关于进展；\n\n(b) 关于预算。"
    assert parsed.paragraphs[3].body == "执行局不妨注意到本报告。"


def test_a_note_without_chapters_is_one_sequence() -> None:
    parsed = read_upload(note_without_chapters())
    assert outline(parsed) == [("1", "", 0), ("2", "", 0)]
    assert parsed.chapters == []
    assert [item.line for item in parsed.skipped] == ["Note by the secretariat"]


def test_a_summary_without_numbers_is_imported_under_its_heading() -> None:
    draft = WordDraft()
    draft.text("Summary", style="Heading 1")
    draft.text("The present report sets out the plan.")
    draft.chapter("Introduction")
    draft.numbered("The plan runs to 2029.")
    parsed = read_upload(draft.bytes())
    assert [(p.number, p.chapter, p.body) for p in parsed.paragraphs] == [
        ("Summary", "Summary", "The present report sets out the plan."),
        ("1", "I. Introduction", "The plan runs to 2029."),
    ]


def test_a_numbering_gap_and_a_repeated_number_are_warned_of() -> None:
    draft = WordDraft()
    draft.chapter("Introduction")
    for text in ("1. One.", "2. Two.", "4. Four.", "4. Four again.", "5. Five."):
        draft.text(text)
    parsed = read_upload(draft.bytes())
    assert [p.number for p in parsed.paragraphs] == ["1", "2", "4", "4", "5"]
    assert [warning.message for warning in parsed.warnings] == [
        "Paragraph 4 follows paragraph 2: the numbers between are missing.",
        "Paragraph 4 is numbered twice.",
    ]


@pytest.mark.parametrize(
    ("value", "number_format", "printed"),
    [
        (4, "upperRoman", "IV"),
        (14, "lowerRoman", "xiv"),
        (3, "lowerLetter", "c"),
        (28, "lowerLetter", "bb"),
        (12, "chineseCounting", "十二"),
        (21, "chineseCountingThousand", "二十一"),
        (2, "arabicAbjad", "ب"),
        (3, "russianLower", "в"),
        (7, "decimal", "7"),
    ],
)
def test_word_numbering_formats(value: int, number_format: str, printed: str) -> None:
    assert format_number(value, number_format) == printed


BAD_FILES = [
    (LEGACY_DOC, "doc", "save it as a Word document (.docx)"),
    (ENCRYPTED_DOCX, "encrypted", "remove the password"),
    (b"%PDF-1.7 binary", "pdf", "Upload the Word document (.docx) the PDF was made from"),
    (b"PK\x03\x04 not really a zip", "unreadable", "cannot be read"),
    (lambda: with_parts(secretariat_draft(), {"word/vbaProject.bin": b"macro"}), "macro", "without macros"),
    (lambda: with_parts(secretariat_draft(), {}, drop=("word/document.xml",)), "not_docx", "not a Word document"),
    (lambda: with_parts(secretariat_draft(), {"word/document.xml": b"<w:document"}), "unreadable", "damaged"),
    (
        lambda: with_parts(secretariat_draft(), {"word/document.xml": b'<!DOCTYPE x [<!ENTITY a "b">]><x/>'}),
        "doctype",
        "document type declaration",
    ),
    (without_numbered_paragraphs, "no_paragraphs", "Word's automatic numbering"),
]


def _bytes(data) -> bytes:
    return data() if callable(data) else data


@pytest.mark.parametrize(("data", "code", "advice"), BAD_FILES)
def test_files_that_cannot_be_read_say_what_to_do(app, data, code: str, advice: str) -> None:
    with pytest.raises(ImportFormatError) as refused:
        read_upload(_bytes(data))
    assert refused.value.code == code
    assert advice in refused.value.message


def test_a_word_file_past_the_size_limit_is_refused_before_it_is_parsed(app) -> None:
    draft = WordDraft()
    draft.chapter("Introduction")
    draft.numbered("x" * 2_000_000)  # compressed to a few kilobytes
    limits = UploadLimits(max_uncompressed=1024 * 1024)
    with pytest.raises(ImportFormatError) as refused:
        read_upload(draft.bytes(), limits=limits)
    assert refused.value.code == "too_large" and "(at most 1 MB)" in refused.value.message


# -- the commands -----------------------------------------------------------------------


@pytest.fixture
def word_file(tmp_path):
    def write(data: bytes, name: str = "draft.docx"):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(db.select(db.func.count(Document.id))),
        db.session.scalar(db.select(db.func.count(Section.id))),
    )


def test_a_dry_run_prints_the_structure_and_creates_nothing(runner, world, word_file) -> None:
    world.document()
    before = _counts()
    path = word_file(secretariat_draft())
    result = runner.invoke(
        args=["consult", "import-draft", path, "--consultation", "plan", "--title", "T", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == [
        "Chapter: Summary",
        "     1  The present report updates the Board on the strategic plan.",
        "Chapter: I. Introduction",
    ]
    assert "        footnote ¹ See HSP/HA.2/Dec.1." in lines
    assert "Chapter: Annex — Timeline of the consultation" in lines
    assert "Skipped (page furniture: running head, document symbol, job number or page number): HSP/EB.2025/3" in lines
    assert lines[-2] == (
        "Found 7 numbered paragraphs and 0 other sections in 4 chapters, 1 footnotes; 2 lines skipped, 0 warnings."
    )
    assert lines[-1] == "Dry run: nothing imported."
    assert _counts() == before


def test_import_draft_reads_a_word_file_and_numbers_each_annex_on_its_own(runner, world, word_file) -> None:
    world.document()
    result = runner.invoke(
        args=["consult", "import-draft", word_file(secretariat_draft()), "--consultation", "plan", "--title", "EB"]
    )
    assert result.exit_code == 0, result.output
    document = db.session.get(Document, int(result.output.splitlines()[-1]))
    order = structure.working_sections(document)
    assert [(section.anchor, section.number) for section in order] == [
        ("para-1", "1"),
        ("para-2", "2"),
        ("para-3", "3"),
        ("para-4", "4"),
        ("para-5", "5"),
        ("annex-1-para-1", "1"),
        ("annex-1-para-2", "2"),
    ]
    assert document.symbol == "HSP/EB.2025/3" and document.language == "en"
    release = world.release(document)
    assert [(row.number, row.chapter) for row in sorted(release.snapshot, key=lambda row: row.position)][-3:] == [
        ("5", "II. Priorities"),
        ("1", "Annex — Timeline of the consultation"),
        ("2", "Annex — Timeline of the consultation"),
    ]


@pytest.mark.parametrize(("data", "code", "advice"), BAD_FILES)
def test_import_draft_refuses_a_bad_file_and_creates_nothing(runner, world, word_file, data, code, advice) -> None:
    world.document()
    before = _counts()
    path = word_file(_bytes(data))
    result = runner.invoke(args=["consult", "import-draft", path, "--consultation", "plan", "--title", "T"])
    assert result.exit_code != 0 and advice in result.output
    assert _counts() == before


def test_import_translation_reads_a_word_file_annex_included(runner, world, word_file) -> None:
    world.document()
    result = runner.invoke(
        args=["consult", "import-draft", word_file(secretariat_draft()), "--consultation", "plan", "--title", "EB"]
    )
    document_id = result.output.splitlines()[-1]
    french = word_file(secretariat_draft("fr"), "fr.docx")
    result = runner.invoke(
        args=["consult", "import-translation", french, "--document", document_id, "--language", "fr"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "7"
    stored = db.session.scalars(db.select(SectionTranslation).join(Section).order_by(Section.position)).all()
    assert [(translation.chapter, translation.body[:12]) for translation in stored][4:] == [
        ("II. Priorités", "Le secrétari"),
        ("Annexe — Calendrier de la consultation", "Janvier 2024"),
        ("Annexe — Calendrier de la consultation", "Mai 2024 : d"),
    ]
    wrong = runner.invoke(
        args=["consult", "import-translation", word_file(note_without_chapters(), "n.docx"), "--document",
              document_id, "--language", "en"]
    )  # fmt: skip
    assert wrong.exit_code != 0


def test_the_next_draft_can_be_a_word_file(runner, world, word_file) -> None:
    world.document()
    result = runner.invoke(
        args=["consult", "import-draft", word_file(secretariat_draft()), "--consultation", "plan", "--title", "EB"]
    )
    document = db.session.get(Document, int(result.output.splitlines()[-1]))
    world.release(document)
    draft = WordDraft()
    draft.text("Summary", style="Heading 2")
    draft.numbered("The present report updates the Board on the strategic plan.")
    draft.chapter("Introduction")
    draft.numbered("The Assembly decided to extend the plan to 2025 and asked for a report.")
    next_file = word_file(draft.bytes(), "next.docx")
    result = runner.invoke(args=["consult", "import-draft", next_file, "--document", str(document.id), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("Plan: 1 kept, 1 revised, 0 new, 5 retired")


# -- the upload page ----------------------------------------------------------------------


@pytest.fixture
def importer(app, world):
    world.document()
    browser = app.test_client()
    login(browser, world.user("secretariat"))
    return browser


def _upload(browser, data: bytes, name: str = "draft.docx", **fields):
    form = {"title": "Report of the Executive Director", "kind": "plan_draft", "language": ""} | fields
    form["file"] = (io.BytesIO(data), name)
    return browser.post("/consultations/plan/import", data=form, content_type="multipart/form-data")


def test_the_upload_page_previews_the_structure_before_anything_is_created(importer) -> None:
    before = _counts()
    response = _upload(importer, secretariat_draft(), preview="1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview: nothing has been imported yet" in page
    assert "7 numbered paragraphs and 0 other sections in 4 chapters, 1 footnotes." in page
    assert "Annex — Timeline of the consultation" in page and "¹ See HSP/HA.2/Dec.1." in page
    assert "title block before the first chapter and the first paragraph" in page
    assert _counts() == before
    imported = _upload(importer, secretariat_draft())
    assert imported.status_code == 302
    assert _counts() == (before[0] + 1, before[1] + 7)


@pytest.mark.parametrize(("data", "code", "advice"), BAD_FILES)
def test_the_upload_page_refuses_a_bad_file_with_nothing_created(importer, data, code, advice) -> None:
    before = _counts()
    response = _upload(importer, _bytes(data))
    assert response.status_code == 422
    assert advice in response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')
    assert _counts() == before


def test_a_translation_page_takes_a_word_file(app, world, importer) -> None:
    english = _upload(importer, secretariat_draft())
    document_id = english.headers["Location"].rsplit("/", 1)[-1]
    response = importer.post(
        f"/documents/{document_id}/translations/import",
        data={"language": "fr", "file": (io.BytesIO(secretariat_draft("fr")), "fr.docx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Mai 2024 : deuxième dialogue." in page
