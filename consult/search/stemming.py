"""Words reduced to their stems, so that a search finds the forms a word takes in a sentence.

Arabic words are stemmed as Arabic and Cyrillic ones as Russian whatever the text's language;
Latin-script words with the English, French or Spanish stemmer, after the language of the text
they are in (English for any other). A text's stems are stored beside it in the search index
(``SearchEntry.stems``, with the Latin stemmer in ``stem_language``), one space before and after
each, so that a stem is found as a whole word: "الدولار" (the dollar) is no "الدول" (the States).
Scripts written without spaces (Chinese) have no words to stem: their text is indexed by its
pairs of characters (城市规划 as 城市, 市规, 规划), which find the entries holding a query's pairs
through the index before the query is looked for as a substring in those alone.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterator

import snowballstemmer

LATIN_STEMMERS = {"en": "english", "fr": "french", "es": "spanish"}
_SCRIPT_STEMMERS = {"ar": "arabic", "ru": "russian"}
WORD = re.compile(r"\w+")
# Han, kana, hangul: scripts written without spaces between words.
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_UNSPACED_RUN = re.compile(f"{UNSPACED.pattern}+")
_ARABIC = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# The article and the particles written onto it: الدول, والدول, فالدول, بالدول, كالدول, للدول, وللدول.
# Snowball's Arabic stemmer misses some of these ("والدول"), and stripping them first gives
# "الإسكان" the stem of "إسكان". Three letters at least must remain.
_ARABIC_ARTICLE = re.compile(r"^[وف]?(?:[بك]?ال|لل)(?=\w{3})")
_stemmers = threading.local()  # a Snowball stemmer keeps state while it works: one per thread


def latin_stemmer(language: str | None) -> str:
    """The stemmer for the Latin-script words of a text in this language: its own, else English's."""
    base = (language or "").replace("_", "-").split("-")[0].lower()
    return base if base in LATIN_STEMMERS else "en"


def _stemmer(language: str):
    found = getattr(_stemmers, language, None)
    if found is None:
        found = snowballstemmer.stemmer(LATIN_STEMMERS.get(language) or _SCRIPT_STEMMERS[language])
        setattr(_stemmers, language, found)
    return found


@functools.lru_cache(maxsize=100_000)
def stem(word: str, latin: str) -> str:
    """The stem of one word (as WORD finds them); ``latin`` is the stemmer for Latin-script words.

    Spanish words are stemmed twice: Snowball's Spanish stems are not always fixed points
    ("ciudad" → "ciud", but "ciudades" → "ciudad"), and a stem's stem brings such pairs together.
    """
    word = unicodedata.normalize("NFKC", word).casefold()
    if _ARABIC.search(word):
        word = _ARABIC_ARTICLE.sub("", word)
        language = "ar"
    elif _CYRILLIC.search(word):
        language = "ru"
    else:
        language = latin
    stemmer = _stemmer(language)
    stemmed = stemmer.stemWord(word)
    return stemmer.stemWord(stemmed) if language == "es" else stemmed


def words(text: str) -> Iterator[re.Match]:
    """The words of a text that have stems (not those of unspaced scripts)."""
    return (match for match in WORD.finditer(text) if not UNSPACED.search(match.group()))


def pairs(text: str) -> list[str]:
    """The overlapping pairs of characters of the text's runs of unspaced scripts."""
    return [run[start : start + 2] for run in _UNSPACED_RUN.findall(text) for start in range(len(run) - 1)]


def stems(text: str, latin: str) -> str:
    """The stems of a text's words and its pairs of unspaced characters, each with a space before and
    after it, as the index stores them."""
    found = [stem(match.group(), latin) for match in words(text)] + pairs(text)
    return f" {' '.join(found)} " if found else ""
