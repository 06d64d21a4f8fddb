"""Search finds the forms a word takes: Arabic with its article and prefixes, French, Spanish and
Russian inflections; a different word sharing the letters is not found; snippets cut at words."""

import re

import pytest

from consult.comments.services import create_comment
from consult.extensions import db
from consult.search.services import _snippet
from consult.search.stemming import stems

FRENCH = """I. Introduction

1. Le logement est un droit de chacun.

2. La logique du plan reste la même.
"""

TEXTS = {
    "states": ("ar", "ندعم مشاركة الدول النامية في الخطة."),
    "dollar": ("ar", "يرتفع سعر الدولار كل عام."),
    "cities": ("es", "Proponemos apoyar a la ciudad y a sus barrios."),
    "citizens": ("es", "Los ciudadanos participan en la consulta."),
    "russian": ("ru", "Мы поддерживаем развитие жилья в каждом городе."),
    "peas": ("ru", "Урожай гороха был хорошим."),
    "planning": ("zh", "我们支持城市规划和住房。"),
    "apart": ("zh", "城中的市场很大。"),
}


@pytest.fixture
def corpus(world):
    document = world.document()
    world.release(document)
    french = world.document(text=FRENCH, language="fr", slug="fr")
    world.release(french)
    kenya = world.user("focal_point", "KEN")
    ids = {
        name: create_comment(kenya, document.sections[0], kind="general", body=body, language=language, submit=True).id
        for name, (language, body) in TEXTS.items()
    }
    db.session.commit()
    return {"ids": ids, "french": french, "token": world.token(world.user("editor"))}


def _found(client, corpus, query) -> set:
    response = client.get("/api/v1/search", query_string={"q": query}, headers=corpus["token"])
    assert response.status_code == 200
    return {(result["type"], result["id"]) for result in response.json}


@pytest.mark.parametrize("query", ["الدول", "للدول", "والدول", "بالدول", "فالدول"])
def test_arabic_finds_a_word_with_its_article_and_prefixes(client, corpus, query):
    found = _found(client, corpus, query)
    assert ("comment", corpus["ids"]["states"]) in found
    # "الدولار" (the dollar) begins with the same letters, but is another word.
    assert ("comment", corpus["ids"]["dollar"]) not in found


def test_arabic_dollar_is_not_the_states(client, corpus):
    found = _found(client, corpus, "بالدولار")
    assert ("comment", corpus["ids"]["dollar"]) in found and ("comment", corpus["ids"]["states"]) not in found


def test_french_finds_inflected_forms_and_not_other_words(client, corpus):
    housing, logic = corpus["french"].sections[0].id, corpus["french"].sections[1].id
    for query in ("logements", "Logement", "logement droits"):
        found = _found(client, corpus, query)
        assert ("section", housing) in found and ("section", logic) not in found, query
    assert ("section", logic) in _found(client, corpus, "logiques")
    assert _found(client, corpus, "logements logique") == set()  # every word must be there


def test_spanish_finds_inflected_forms_and_not_other_words(client, corpus):
    found = _found(client, corpus, "ciudades")
    assert ("comment", corpus["ids"]["cities"]) in found and ("comment", corpus["ids"]["citizens"]) not in found
    found = _found(client, corpus, "ciudadano")
    assert ("comment", corpus["ids"]["citizens"]) in found and ("comment", corpus["ids"]["cities"]) not in found


def test_russian_finds_inflected_forms_and_not_other_words(client, corpus):
    found = _found(client, corpus, "городов")
    assert ("comment", corpus["ids"]["russian"]) in found and ("comment", corpus["ids"]["peas"]) not in found
    assert ("comment", corpus["ids"]["russian"]) in _found(client, corpus, "жильё")


@pytest.mark.parametrize("query", ["城市", "城市规划", "市规划"])
def test_chinese_is_found_through_its_pairs_of_characters_as_a_substring(client, corpus, query):
    found = _found(client, corpus, query)
    assert ("comment", corpus["ids"]["planning"]) in found
    # 城 and 市 are both in the other text, but not side by side.
    assert ("comment", corpus["ids"]["apart"]) not in found


def test_the_index_keeps_pairs_of_unspaced_characters():
    assert stems("城市规划 and housing", "en") == " and hous 城市 市规 规划 "


def test_the_snippet_marks_the_inflected_word(client, corpus):
    response = client.get("/api/v1/search", query_string={"q": "للدول"}, headers=corpus["token"])
    [snippet] = [r["snippet"] for r in response.json if r["id"] == corpus["ids"]["states"]]
    assert "<mark>الدول</mark>" in snippet


def _plain(snippet) -> str:
    return re.sub(r"</?mark>", "", str(snippet))


ENGLISH = " ".join(f"word{n}" for n in range(60)) + " adequate housing " + " ".join(f"tail{n}" for n in range(60))
ARABIC = " ".join(["كلمة"] * 40) + " الإسكان الميسور " + " ".join(["نهاية"] * 40)
CHINESE = "城市" * 60 + "适足住房" + "乡村" * 60


@pytest.mark.parametrize(
    ("source", "query", "latin", "marked"),
    [
        (ENGLISH, "houses", "en", "housing"),
        (ARABIC, "والإسكان", "en", "الإسكان"),
        (CHINESE, "住房", "en", "住房"),
    ],
)
def test_snippets_cut_at_word_boundaries_with_an_ellipsis(source, query, latin, marked):
    snippet = _snippet(source, query, latin)
    assert f"<mark>{marked}</mark>" in snippet
    text = _plain(snippet)
    assert text.startswith("…") and text.endswith("…")
    inner = text.strip("…")
    assert inner in source and len(inner) <= 2 * 80 + len(marked)
    if " " in source:  # whole words: the cut falls on a space at both ends
        start = source.index(inner)
        assert source[start - 1] == " " and source[start + len(inner)] == " "
        assert not inner.startswith(" ") and not inner.endswith(" ")


def test_a_snippet_of_a_short_text_has_no_ellipsis():
    assert str(_snippet("Adequate housing for all.", "house", "en")) == "Adequate <mark>housing</mark> for all."
