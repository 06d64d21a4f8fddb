"""The living draft through the API: one text in several languages, a structure that changes."""

from datetime import timedelta

import pytest

from consult.extensions import db
from consult.models import Comment, Section
from consult.models.base import utcnow

DRAFT = "I. Introduction\n\n" + "\n\n".join(f"{n}. Paragraph {n} of the zero draft." for n in range(1, 28))


@pytest.fixture
def plan(world):
    document = world.document(DRAFT)
    world.release(document)
    return {
        "document": document,
        "sections": {section.number: section.id for section in document.sections},
        "editor": world.token(world.user("editor")),
        "secretariat": world.token(world.user("secretariat")),
        "kenya": world.token(world.user("focal_point", "KEN")),
        "france": world.token(world.user("focal_point", "FRA")),
    }


def test_a_translation_shows_in_its_language_goes_outdated_and_comes_back(client, plan):
    nine = plan["sections"]["9"]
    url = f"/api/v1/sections/{nine}"
    stored = client.post(
        f"{url}/versions",
        json={"language": "fr", "body": "Paragraphe 9 du projet zéro.", "base_version": 1},
        headers=plan["secretariat"],
    )
    assert stored.status_code == 201 and stored.json == {**stored.json, "number": 1, "language": "fr"}
    assert db.session.get(Section, nine).latest_version == 1  # no new version number

    french = client.get(f"{url}?lang=fr", headers=plan["kenya"]).json
    assert french["version"]["language"] == "fr" and french["version"]["outdated"] is False
    assert french["version"]["body"] == "Paragraphe 9 du projet zéro." and french["languages"] == ["en", "fr"]
    assert client.get(f"{url}?lang=ru", headers=plan["kenya"]).json["version"]["language"] == "en"
    assert client.get(url, headers=plan["kenya"]).json["version"]["language"] == "en"
    document = client.get(f"/api/v1/documents/{plan['document'].id}", headers=plan["kenya"]).json
    assert document["original_language"] == "en" and document["languages"] == ["en", "fr"]

    revised = client.post(
        f"{url}/versions", json={"body": "Paragraph 9, revised.", "base_version": 1}, headers=plan["editor"]
    )
    assert revised.status_code == 201
    outdated = client.get(f"{url}?lang=fr", headers=plan["editor"]).json["version"]
    assert outdated["number"] == 2 and outdated["outdated"] is True and outdated["language"] == "fr"
    stale = client.post(
        f"{url}/versions", json={"language": "fr", "body": "Trop tard.", "base_version": 1}, headers=plan["editor"]
    )
    assert stale.status_code == 409
    client.post(
        f"{url}/versions",
        json={"language": "fr", "body": "Paragraphe 9, révisé.", "base_version": 2},
        headers=plan["editor"],
    )
    current = client.get(f"{url}?lang=fr", headers=plan["editor"]).json["version"]
    assert current["outdated"] is False and current["body"] == "Paragraphe 9, révisé."


def test_comments_in_any_language_belong_to_the_paragraph(client, plan):
    nine = plan["sections"]["9"]
    chinese = client.post(
        f"/api/v1/sections/{nine}/comments",
        json={"body": "建议加强数据。", "language": "zh", "submit": True},
        headers=plan["kenya"],
    )
    french = client.post(
        f"/api/v1/sections/{nine}/comments",
        json={"body": "La France propose de renforcer les données des États.", "submit": True},
        headers=plan["france"],
    )
    assert chinese.json["language"] == "zh" and french.json["language"] == "fr"  # the second one detected
    listed = client.get(f"/api/v1/sections/{nine}/comments", headers=plan["editor"]).json
    assert {comment["id"] for comment in listed} == {chinese.json["id"], french.json["id"]}
    rows = client.get(f"/api/v1/documents/{plan['document'].id}/matrix", headers=plan["editor"]).json
    assert {row["comment_id"] for row in rows} == {chinese.json["id"], french.json["id"]}


def test_insert_retire_revise_then_the_first_draft_renumbers(client, plan):
    sections, document_id = plan["sections"], plan["document"].id
    on_twenty = client.post(
        f"/api/v1/sections/{sections['20']}/comments", json={"body": "Keep 20.", "submit": True}, headers=plan["kenya"]
    ).json
    inserted = client.post(
        f"/api/v1/documents/{document_id}/sections",
        json={"after": sections["9"], "body": "A new paragraph after 9."},
        headers=plan["editor"],
    )
    assert inserted.status_code == 201 and inserted.json["anchor"] and inserted.json["retired"] is None
    retired = client.post(
        f"/api/v1/sections/{sections['20']}/retire", json={"reason": "Merged into 19."}, headers=plan["editor"]
    )
    assert retired.status_code == 200 and retired.json["retired"] == {"release": None, "reason": "Merged into 19."}
    assert (
        client.post(
            f"/api/v1/sections/{sections['12']}/versions",
            json={"body": "Paragraph 12, revised.", "base_version": 1},
            headers=plan["editor"],
        ).status_code
        == 201
    )
    closes = (utcnow() + timedelta(days=20)).isoformat()
    published = client.post(
        f"/api/v1/documents/{document_id}/releases",
        json={"label": "First draft", "comments_close_at": closes, "override_reason": "Answers follow soon."},
        headers=plan["secretariat"],
    )
    assert published.status_code == 201

    rows = client.get(f"/api/v1/documents/{document_id}/concordance?from=1&to=2", headers=plan["kenya"]).json
    by_section = {row["section_id"]: row for row in rows}
    assert (by_section[sections["10"]]["from_number"], by_section[sections["10"]]["to_number"]) == ("10", "11")
    assert by_section[inserted.json["id"]] == {**by_section[inserted.json["id"]], "status": "new", "to_number": "10"}
    assert by_section[sections["20"]]["status"] == "retired" and by_section[sections["20"]]["to_number"] is None
    assert by_section[sections["12"]]["text_changed"] is True and by_section[sections["11"]]["text_changed"] is False
    assert len(rows) == 28

    document = client.get(f"/api/v1/documents/{document_id}", headers=plan["kenya"]).json
    assert [s["number"] for s in document["sections"]] == [str(n) for n in range(1, 28)]
    assert client.get(f"/api/v1/sections/{sections['20']}", headers=plan["kenya"]).json["retired"]["release"] == 2
    assert db.session.get(Comment, on_twenty["id"]).section_id == sections["20"]  # still on record


def test_structure_changes_refuse_what_makes_no_sense(client, world, plan):
    sections, document_id = plan["sections"], plan["document"].id
    other = world.document(DRAFT, slug="other")
    elsewhere = client.post(
        f"/api/v1/documents/{document_id}/sections",
        json={"after": other.sections[0].id, "body": "Here?"},
        headers=plan["editor"],
    )
    assert elsewhere.status_code == 422 and "after" in elsewhere.json["error"]["fields"]
    itself = client.post(
        f"/api/v1/sections/{sections['3']}/move", json={"after": sections["3"]}, headers=plan["editor"]
    )
    assert itself.status_code == 422
    client.post(f"/api/v1/sections/{sections['4']}/retire", json={"reason": "Gone."}, headers=plan["editor"])
    twice = client.post(f"/api/v1/sections/{sections['4']}/retire", json={"reason": "Again."}, headers=plan["editor"])
    assert twice.status_code == 409
    refused = client.post(
        f"/api/v1/documents/{document_id}/sections", json={"after": None, "body": "Mine."}, headers=plan["kenya"]
    )
    assert refused.status_code == 403
    unknown = client.get(f"/api/v1/documents/{document_id}/concordance?from=1&to=9", headers=plan["kenya"])
    assert unknown.status_code == 404
    assert db.session.scalar(db.select(db.func.count(Section.id)).where(Section.document_id == document_id)) == 27
