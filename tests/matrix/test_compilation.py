"""GET /api/v1/documents/<id>/compilation.docx: each paragraph of a release followed by the
amendments proposed to it that the caller may see, attributed, as Word tracked changes."""

import io
import zipfile

import pytest
from lxml import etree

from consult.comments.services import create_comment, withdraw_comment
from consult.extensions import db
from consult.models import AuditEvent, Document
from tests.conftest import login

ZERO = """I. Introduction

1. Cities grow fast across the developing world.

2. Housing finance remains out of reach for most households.

3. Local governments need predictable revenue.
"""
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def amended(world):
    document = world.document(ZERO)
    world.release(document, "Zero draft")
    sections = {section.number: section for section in document.sections}
    kenya, france = world.user("focal_point", "KEN"), world.user("focal_point", "FRA")
    proposals = {
        "kenya": create_comment(
            kenya,
            sections["2"],
            kind="amendment",
            body="Finance is the first obstacle.",
            proposed_text="Affordable housing finance remains out of reach for most urban households.",
            submit=True,
        ),
        "france": create_comment(
            france,
            sections["2"],
            kind="amendment",
            body="Cities too.",
            proposed_text="Housing finance remains out of reach for most households and most cities.",
            submit=True,
        ),
    }
    create_comment(kenya, sections["3"], kind="amendment", body="Draft.", proposed_text="Not yet sent.")
    withdrawn = create_comment(
        kenya, sections["1"], kind="amendment", body="No.", proposed_text="Withdrawn text.", submit=True
    )
    withdraw_comment(kenya, withdrawn, reason="Changed our mind.")
    create_comment(kenya, sections["1"], kind="general", body="A general comment.", submit=True)
    db.session.commit()
    return document, proposals


def _compilation(client, world, document, user, query: str = ""):
    return client.get(f"/api/v1/documents/{document.id}/compilation.docx{query}", headers=world.token(user))


def _lines(text: str) -> list[str]:
    return [line for line in text.replace("\u2028", "\n").splitlines() if line.strip()]


def test_each_amendment_stands_under_its_paragraph_attributed_and_tracked(client, world, amended, libreoffice):
    document, proposals = amended
    response = _compilation(client, world, document, world.user("secretariat"), "?release=1")
    assert response.status_code == 200
    data = response.get_data()
    paragraph_2 = "2.\tHousing finance remains out of reach for most households."
    assert _lines(libreoffice.rejected(data)) == [
        "Draft plan",
        "Zero draft: compilation of proposed amendments",
        "I. Introduction",
        "1.\tCities grow fast across the developing world.",
        paragraph_2,
        "Amendment proposed by Kenya (KEN)",
        paragraph_2,
        "Finance is the first obstacle.",
        "Amendment proposed by France (FRA)",
        paragraph_2,
        "Cities too.",
        "3.\tLocal governments need predictable revenue.",
    ]
    accepted = _lines(libreoffice.accepted(data))
    assert accepted[6] == "2.\tAffordable housing finance remains out of reach for most urban households."
    assert accepted[9] == "2.\tHousing finance remains out of reach for most households and most cities."
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    authors = {(change.get(f"{W}author"), change.get(f"{W}date")) for change in root.iter(f"{W}ins", f"{W}del")}
    assert authors == {
        (name, proposals[key].submitted_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        for key, name in (("kenya", "Kenya"), ("france", "France"))
    }
    inserted = ["".join(node.itertext()) for node in root.iter(f"{W}ins")]
    assert "Affordable housing" in inserted and " urban" in inserted and " and most cities" in inserted


def test_the_compilation_lists_only_the_amendments_the_caller_may_see(client, world, amended, libreoffice):
    document, _proposals = amended
    france = _lines(
        libreoffice.rejected(_compilation(client, world, document, world.user("focal_point", "FRA")).get_data())
    )
    assert "Amendment proposed by France (FRA)" in france and "Amendment proposed by Kenya (KEN)" not in france
    observer = _lines(libreoffice.rejected(_compilation(client, world, document, world.user("observer")).get_data()))
    assert not any(line.startswith("Amendment proposed by") for line in observer)
    assert len(observer) == 6


@pytest.mark.parametrize(("query", "status"), [("?release=2", 404), ("?release=x", 422), ("?lang=xx", 422)])
def test_a_wrong_query_is_refused(client, world, amended, query: str, status: int) -> None:
    document, _proposals = amended
    assert _compilation(client, world, document, world.user("secretariat"), query).status_code == status


def test_the_demo_compilation_shows_kenyas_amendment_under_paragraph_9(client, demo, libreoffice) -> None:
    _people, tokens = demo
    document_id = db.session.scalar(db.select(Document.id))
    response = client.get(f"/api/v1/documents/{document_id}/compilation.docx", headers=tokens["secretariat"])
    assert response.status_code == 200
    data = response.get_data()
    rejected, accepted = _lines(libreoffice.rejected(data)), _lines(libreoffice.accepted(data))
    kenya = rejected.index("Amendment proposed by Kenya (KEN)")
    nine = next(index for index, line in enumerate(rejected) if line.startswith("9.\t"))
    paragraph = rejected[nine:kenya]  # paragraph 9 and its sub-items, then Kenya's amendment to it
    proposal = slice(kenya + 1, kenya + 1 + len(paragraph))
    assert rejected[proposal] == paragraph
    assert "informed by data and scientific research" in " ".join(paragraph)
    assert "informed by data from national statistical offices and by scientific research" in " ".join(
        accepted[proposal]
    )
    assert rejected[proposal.stop].startswith("【演示数据】肯尼亚建议")
    assert rejected[proposal.stop + 1] == "V. Articulating the priorities"  # the next chapter


def test_the_document_page_offers_the_compilation_and_its_download_is_on_record(app, world, amended, libreoffice):
    document, _proposals = amended
    browser = app.test_client()
    login(browser, world.user("secretariat"))
    page = browser.get(f"/documents/{document.id}").get_data(as_text=True)
    link = f"/documents/{document.id}/compilation.docx?release=1&amp;lang=en"
    assert f'href="{link}"' in page
    response = browser.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
    assert "Amendment proposed by Kenya (KEN)" in _lines(libreoffice.rejected(response.get_data()))
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "matrix.download"))
    assert event.details["format"] == "compilation.docx" and event.details["release"] == 1
