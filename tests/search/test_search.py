"""Search in all six UN languages, with the visibility rules of the pages."""

import pytest

from consult.comments.services import create_comment, submit_comment, update_comment, withdraw_comment
from consult.drafts.services import revise_section
from consult.extensions import db
from consult.models import SearchEntry
from consult.search import services as search_service
from tests.conftest import login

CHINESE = """一、 导言

1. 会员国决定延长战略计划。

二、 指导原则

2. 秘书处建议利用城市化的力量促进公平繁荣。
"""


@pytest.fixture
def corpus(world):
    english = world.document()
    world.release(english)
    chinese = world.document(text=CHINESE, language="zh", slug="zh")
    release = world.release(chinese)
    china, kenya = world.user("focal_point", "CHN"), world.user("focal_point", "KEN")
    create_comment(china, chinese.sections[1], kind="general", body="中方建议增加“适足住房”的内容。", submit=True)
    create_comment(kenya, english.sections[0], kind="general", body="مقترح: إضافة الإسكان الميسور", submit=True)
    create_comment(kenya, english.sections[0], kind="general", body="Brouillon confidentiel Kenya")
    revise_section(
        world.user("editor"), english.sections[0], body="Working text: mitigate floods.", change_note="", base_version=1
    )
    db.session.commit()
    return {"english": english, "chinese": chinese, "release": release, "china": china, "kenya": kenya}


def _search(client, headers, query):
    response = client.get("/api/v1/search", query_string={"q": query}, headers=headers)
    assert response.status_code == 200
    return response.json


@pytest.mark.parametrize("query", ["适足住房", "住房", "城市化的力量", "الإسكان الميسور", "延长战略"])
def test_finds_text_in_unspaced_and_right_to_left_scripts(client, world, corpus, query):
    results = _search(client, world.token(world.user("editor")), query)
    assert results, query
    assert all(set(r) == {"type", "id", "title", "snippet", "url"} for r in results)
    assert any(f"<mark>{query}</mark>" in r["snippet"] for r in results)


def test_results_respect_visibility(client, world, corpus):
    france = world.token(world.user("focal_point", "FRA"))
    assert _search(client, france, "适足住房") == []  # China's comment: window still open
    assert _search(client, world.token(corpus["kenya"]), "Brouillon confidentiel") != []
    assert _search(client, world.token(world.user("editor")), "Brouillon confidentiel") == []  # a draft
    assert _search(client, france, "mitigate floods") == []  # working text
    assert _search(client, world.token(world.user("editor")), "mitigate floods")[0]["type"] == "section"
    world.close_window(corpus["release"])
    assert [r["type"] for r in _search(client, france, "适足住房")] == ["comment"]


def test_search_page_escapes_and_highlights(app, world, corpus):
    browser = app.test_client()
    login(browser, world.user("editor"))
    page = browser.get("/search", query_string={"q": "住房"}).get_data(as_text=True)
    assert "<mark>住房</mark>" in page
    hostile = browser.get("/search", query_string={"q": '<script>alert(1)</script>"'}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in hostile
    assert "at least two" in browser.get("/search?q=x").get_data(as_text=True)
    # FTS syntax characters are treated as text, not as query operators.
    for query in ['"', "NEAR(", "a OR b", "*", "%", "_"]:
        assert browser.get("/search", query_string={"q": query}).status_code == 200


def test_index_follows_edits_and_only_edits(client, world, corpus):
    kenya, editor = corpus["kenya"], world.token(world.user("editor"))
    comment = create_comment(kenya, corpus["english"].sections[1], kind="general", body="Resilient drainage first.")
    db.session.commit()

    def entries():
        return db.session.execute(
            db.select(SearchEntry.id, SearchEntry.text).where(
                SearchEntry.kind == "comment", SearchEntry.ref_id == comment.id
            )
        ).all()

    [(entry_id, text)] = entries()
    assert text == "Resilient drainage first."
    submit_comment(kenya, comment)
    db.session.commit()
    assert entries() == [(entry_id, text)]  # a submission leaves the text, and its entry, alone
    update_comment(kenya, comment, body="Resilient *sanitation* first.", proposed_text="ignored: not an amendment")
    db.session.commit()
    assert [text for _, text in entries()] == ["Resilient sanitation first."]
    assert [r["id"] for r in _search(client, editor, "sanitation first")] == [comment.id]
    assert _search(client, editor, "drainage first") == []
    withdraw_comment(kenya, comment, reason="Overtaken")
    db.session.commit()
    assert [text for _, text in entries()] == ["Resilient sanitation first."]


def test_translations_are_found_in_their_language(app, world):
    from consult.drafts.translations import store_translation

    document = world.document()
    world.release(document)
    section = document.sections[0]
    editor = world.user("editor")
    store_translation(editor, section, language="fr", body="L'Assemblée a décidé de prolonger le plan.", base_version=1)
    db.session.commit()
    reader = world.user("focal_point", "KEN")
    with app.test_request_context():
        results = search_service.search(reader, "prolonger")
    assert [(r.type, r.id) for r in results] == [("section", section.id)]
    assert "lang=fr" in results[0].url and results[0].language == "fr"


def test_many_matches_are_paged_in_order_and_only_the_page_asked_is_made(app, client, world):
    document = world.document(text="I. Housing\n\n1. Adequate housing for all.\n\n2. Housing finance.")
    world.release(document)
    kenya = world.user("focal_point", "KEN")
    made = [
        create_comment(kenya, document.sections[0], kind="general", body=f"Housing point {n}.", submit=True).id
        for n in range(12)
    ]
    db.session.commit()
    headers = world.token(kenya)
    everything = client.get("/api/v1/search", query_string={"q": "housing", "per_page": 100}, headers=headers)
    ordered = [(result["type"], result["id"]) for result in everything.json]
    # The two paragraphs, then the comments newest first.
    assert sorted(ordered[:2]) == [("section", section.id) for section in document.sections]
    assert ordered[2:] == [("comment", comment_id) for comment_id in reversed(made)]
    assert everything.headers["X-Total-Count"] == "14"
    second = client.get("/api/v1/search", query_string={"q": "housing", "per_page": 5, "page": 2}, headers=headers)
    assert [(result["type"], result["id"]) for result in second.json] == ordered[5:10]
    assert second.headers["X-Total-Count"] == "14"
    with app.test_request_context():
        found = search_service.search(kenya, "housing")
        assert len(found) == 14 and [result.id for result in found[1:3]] == [ordered[1][1], ordered[2][1]]
        assert found[-1].id == made[0] and found[2].snippet.count("<mark>") == 1
