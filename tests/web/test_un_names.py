"""States named as the United Nations names them, on pages, in exports and in the API, and lists
of States in alphabetical order of those names in the reader's language."""

import csv
import html
import io
import re

import openpyxl
import pytest

from consult.comments.services import create_comment
from consult.extensions import db
from tests.conftest import login

DPRK = "Democratic People's Republic of Korea"
DPRK_FR = "République populaire démocratique de Corée"
DPRK_AR = "جمهورية كوريا الشعبية الديمقراطية"


@pytest.fixture
def dprk(world):
    document = world.document()
    world.release(document)
    focal_point = world.user("focal_point", "PRK")
    comment = create_comment(
        focal_point, document.sections[1], kind="general", body="The delegation welcomes the paragraph.", submit=True
    )
    db.session.commit()
    return {"document": document, "focal_point": focal_point, "comment": comment, "editor": world.user("editor")}


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_the_north_korean_delegation_is_shown_by_its_un_name(client, dprk):
    login(client, dprk["focal_point"])
    page = _text(client.get("/delegation/comments"))
    assert f"Our delegation's comments: {DPRK}" in page
    assert "North Korea" not in page
    french = _text(client.get("/delegation/comments", headers={"Accept-Language": "fr"}))
    assert DPRK_FR in french


def test_the_exports_carry_the_un_name(client, dprk):
    login(client, dprk["editor"])
    document_id = dprk["document"].id
    rows = list(csv.reader(io.StringIO(_text(client.get(f"/documents/{document_id}/matrix.csv")).lstrip("\ufeff"))))
    assert any(DPRK in row for row in rows)
    arabic = _text(client.get(f"/documents/{document_id}/matrix.csv", headers={"Accept-Language": "ar"}))
    assert DPRK_AR in arabic
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/documents/{document_id}/matrix.xlsx").data))
    cells = {cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row}
    assert DPRK in cells and "North Korea" not in cells


def test_the_api_carries_the_un_name_in_the_readers_language(client, world, dprk):
    headers = world.token(dprk["focal_point"])
    url = f"/api/v1/comments/{dprk['comment'].id}"
    assert client.get(url, headers=headers).json["organization"] == {"code": "PRK", "name": DPRK}
    french = client.get(url, headers={**headers, "Accept-Language": "fr"}).json
    assert french["organization"]["name"] == DPRK_FR


def _co_signer_options(client, section_id: int, language: str) -> list[str]:
    page = client.get(f"/sections/{section_id}", headers={"Accept-Language": language}).get_data(as_text=True)
    select = re.search(r'<select[^>]*name="co_signers".*?</select>', page, re.S)
    assert select, page[:500]
    return [html.unescape(label) for label in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))]


def test_the_co_signer_picker_is_in_alphabetical_order_in_french_and_arabic(client, world, dprk):
    login(client, world.user("focal_point", "KEN"))
    section_id = dprk["document"].sections[1].id
    french = _co_signer_options(client, section_id, "fr")
    # Accents sort with their letter: Égypte among the E's, after Dominique; États-Unis after Eswatini.
    assert french.index("Dominique") + 1 == french.index("Égypte")
    assert french.index("Égypte") < french.index("Espagne") < french.index("Eswatini")
    assert french.index("Eswatini") < french.index("États-Unis d'Amérique") < french.index("Éthiopie")
    assert french.index("Allemagne") < french.index(DPRK_FR) < french.index("Zimbabwe")
    arabic = _co_signer_options(client, section_id, "ar")
    # As the UN lists them: without the article, every alif alike.
    states = [name for name in arabic if name in {"الاتحاد الروسي", "إثيوبيا", "أذربيجان", "الأرجنتين", "الأردن"}]
    assert states == ["الاتحاد الروسي", "إثيوبيا", "أذربيجان", "الأرجنتين", "الأردن"]
    assert arabic.index("البرازيل") < arabic.index(DPRK_AR) < arabic.index("اليونان")
