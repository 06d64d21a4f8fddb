"""GET /api/v1/documents/<id>/releases/<n>.docx and .pdf: the release as issued, in the United
Nations layout, the Word document opened in LibreOffice."""

import io
import re
import sys
import zipfile
import zlib

import pytest
from babel.dates import format_date
from lxml import etree

from consult.drafts import structure, translations
from consult.extensions import db
from tests.conftest import login
from tests.drafts.next_drafts import SEEDS

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _get(client, world, document, path: str):
    headers = world.token(world.user("observer"))
    return client.get(f"/api/v1/documents/{document.id}/releases/{path}", headers=headers)


@pytest.fixture
def seed(world):
    document = world.document(SEEDS["en"].read_text(), language="en")
    release = world.release(document, "Zero draft")
    return document, release


def test_the_release_as_issued_in_word(client, world, seed, libreoffice) -> None:
    document, release = seed
    response = _get(client, world, document, "1.docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    data = response.get_data()
    lines = [line for line in libreoffice.text(data).splitlines() if line.strip()]
    assert lines[:9] == [
        "United Nations",
        "HSP/EB.2024/5",
        "Distr.: General",
        format_date(release.published_at.date(), "d MMMM y", locale="en"),
        "Original: English",
        "Draft plan",
        "Zero draft",
        "I. Introduction",
        lines[8],
    ]
    assert lines[8].startswith("1.\tAt the second session of the United Nations Habitat Assembly")
    numbered = [line.split("\t")[0] for line in lines if re.match(r"\d+\.\t", line)]
    assert numbered == [f"{number}." for number in range(1, 28)]
    assert "(a) Guiding principles defining the approach, scope and focus of the strategic plan;" in lines
    # The footnotes are Word footnotes, cited in the text and printed at the foot of the page, with page numbers.
    flat = libreoffice.convert(data, ".docx", "fodt").decode()
    notes = re.findall(r'<text:note [^>]*text:note-class="footnote">.*?</text:note>', flat, re.DOTALL)
    assert len(notes) == 4
    assert "UN-Habitat also orients its work towards supporting the achievement" in notes[0]
    assert not any(line.startswith("¹") for line in lines)
    assert "<text:page-number" in flat


def test_the_release_in_another_language_reads_its_translations(client, world, seed, libreoffice) -> None:
    document, release = seed
    first = structure.working_sections(document)[0]
    translations.store_translation(
        None, first, language="fr", body="Lors de la deuxième session.", base_version=1, chapter="I. Introduction"
    )
    db.session.commit()
    data = _get(client, world, document, "1.docx?lang=fr").get_data()
    lines = [line for line in libreoffice.text(data).splitlines() if line.strip()]
    assert lines[3] == format_date(release.published_at.date(), "long", locale="fr")
    assert lines[4].endswith("anglais")
    assert lines[8] == "1.\tLors de la deuxième session."
    assert lines[9].startswith("2.\tAt the third session")  # not translated: the original


def _pdf_objects(data: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to read its page tree, metadata and fonts."""
    inflated = [data]
    for stream in re.finditer(rb"/Filter ?/FlateDecode ?/Length (\d+) ?>>\s*stream\r?\n", data):
        inflated.append(zlib.decompress(data[stream.end() : stream.end() + int(stream[1])]))
    return b"\n".join(inflated)


@pytest.mark.parametrize(("language", "font"), [("en", b"Serif"), ("zh", b"CJK")])
def test_the_release_as_issued_in_pdf(client, world, language: str, font: bytes) -> None:
    document = world.document(SEEDS[language].read_text(), language=language)
    world.release(document, "Zero draft")
    response = _get(client, world, document, "1.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF-")
    objects = _pdf_objects(data)
    assert len(re.findall(rb"/Type ?/Page(?![s\w])", objects)) >= 3  # pages
    assert b"/Title (Draft plan)" in objects
    assert any(font in name for name in re.findall(rb"/BaseFont ?/([\w+-]+)", objects))


@pytest.mark.parametrize(("path", "status"), [("2.docx", 404), ("1.pdf?lang=xx", 422), ("1.odt", 404)])
def test_a_release_that_does_not_exist_or_a_wrong_language(client, world, seed, path: str, status: int) -> None:
    document, _release = seed
    response = _get(client, world, document, path)
    assert response.status_code == status


def test_the_document_page_offers_the_release_as_word_and_pdf(app, world, seed) -> None:
    document, _release = seed
    browser = app.test_client()
    login(browser, world.user("observer"))
    page = browser.get(f"/documents/{document.id}").get_data(as_text=True)
    for file_type, mimetype in (("docx", DOCX), ("pdf", "application/pdf")):
        link = f"/documents/{document.id}/releases/1.{file_type}?lang=en"
        assert f'href="{link}"' in page
        response = browser.get(link)
        assert response.status_code == 200 and response.mimetype == mimetype
    assert browser.get(f"/documents/{document.id}/releases/1.docx?lang=xx").status_code == 422
    browser.get("/logout")
    assert app.test_client().get(f"/documents/{document.id}/releases/1.docx").status_code in (302, 401)


def test_an_arabic_release_reads_right_to_left(client, world, seed, libreoffice) -> None:
    document, _release = seed
    first = structure.working_sections(document)[0]
    body = "في الدورة الثانية لجمعية الأمم المتحدة للموئل."
    translations.store_translation(None, first, language="ar", body=body, base_version=1, chapter="أولاً - مقدمة")
    db.session.commit()
    data = _get(client, world, document, "1.docx?lang=ar").get_data()
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    arabic = [p for p in root.iter(f"{W}p") if "مقدمة" in "".join(p.itertext())]
    assert arabic and arabic[0].find(f"{W}pPr/{W}bidi") is not None
    lines = [line for line in libreoffice.text(data).splitlines() if line.strip()]
    assert "أولاً - مقدمة" in lines and f"1.\t{body}" in lines


def test_a_pdf_that_takes_too_long_is_refused_with_the_word_document_suggested(app, client, world, seed) -> None:
    document, _release = seed
    app.config["MAX_PDF_SECONDS"] = 0.05
    response = _get(client, world, document, "1.pdf")
    assert response.status_code == 422
    assert "Download it as a Word document instead." in response.get_json()["error"]["message"]


def test_without_the_pdf_libraries_the_word_document_is_suggested(client, world, seed, monkeypatch) -> None:
    document, _release = seed
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as on a machine without Pango: the import fails
    response = _get(client, world, document, "1.pdf")
    assert response.status_code == 422
    assert "Download the release as a Word document instead." in response.get_json()["error"]["message"]
    assert _get(client, world, document, "1.docx").status_code == 200
