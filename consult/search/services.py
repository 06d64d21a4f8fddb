"""Full-text search over section versions, comments and dialogue conclusions.

Services keep ``SearchEntry`` rows in step with what they write: the plain text and the stems
of its words (consult.search.stemming). A query in a script written with spaces finds the entries
that hold the stems of all its words, as whole words, so "logements" finds "logement" and "للدول"
finds "الدول", but "الدول" not "الدولار". A query in Chinese (no spaces) finds the entries that
hold it as a substring. SQLite finds both with FTS5's trigram index, PostgreSQL with a tsvector
index of the stems and its trigram index of the text. Every result passes the same visibility
rules as the pages.
"""

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import and_, delete, false, func, insert, inspect, literal_column, select, text, union_all
from sqlalchemy.orm import contains_eager, joinedload

from consult.drafts.reading import paragraph_label
from consult.drafts.services import section_url
from consult.extensions import db, upsert
from consult.models import (
    Comment,
    Conclusion,
    Dialogue,
    Outcome,
    ReleaseSection,
    SearchEntry,
    Section,
    SectionTranslation,
    SectionVersion,
)
from consult.models.accounts import organization_name
from consult.permissions import can, visible_comments
from consult.search.stemming import LATIN_STEMMERS, UNSPACED, latin_stemmer, pairs, stem, stems, words
from consult.text import language_of, plain_text
from consult.validation import clean_text

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
SNIPPET_RADIUS = 80
RESULTS_ON_A_PAGE = 50  # the search page shows the first 50; the API pages through them all


def _entry(obj) -> tuple[str, int | None, str] | None:
    """(kind, section id, searchable source) of an object worth indexing."""
    if isinstance(obj, SectionVersion):
        return "version", obj.section_id, obj.body
    if isinstance(obj, SectionTranslation):
        return "translation", obj.section_id, obj.body
    if isinstance(obj, Comment):
        return "comment", obj.section_id, "\n\n".join(filter(None, (obj.body, obj.proposed_text)))
    if isinstance(obj, Conclusion):
        return "conclusion", None, obj.text
    return None


def _likely_language(obj) -> str | None:
    """The language the object says its text is in, if it says (a conclusion does not)."""
    if isinstance(obj, SectionVersion):
        return obj.section.document.language
    return getattr(obj, "language", None)


# The attributes an entry is made of: a change to anything else leaves the entry as it is.
_INDEXED_ATTRIBUTES = {
    SectionVersion: ("section_id", "body"),
    SectionTranslation: ("section_id", "body"),
    Comment: ("section_id", "body", "proposed_text"),
    Conclusion: ("text",),
}


@functools.cache
def _upsert(dialect: str):
    """Insert an entry, or replace the one already there, in one statement (built once)."""
    statement = upsert(dialect, SearchEntry)
    if statement is None:
        return None
    return statement.on_conflict_do_update(
        index_elements=[SearchEntry.kind, SearchEntry.ref_id],
        set_={
            "section_id": statement.excluded.section_id,
            "text": statement.excluded.text,
            "stem_language": statement.excluded.stem_language,
            "stems": statement.excluded.stems,
        },
    )


def _index_unchanged(obj) -> bool:
    attributes = inspect(obj).attrs
    return not any(attributes[name].history.has_changes() for name in _INDEXED_ATTRIBUTES[type(obj)])


def indexed_text(source: str, language: str | None) -> dict[str, str]:
    """The searchable columns of an entry: the plain text, and the stems of its words (the Latin
    script's in the text's language, ``language`` unless the text shows another)."""
    plain, latin, stemmed = _indexed_text(source, language)
    return {"text": plain, "stem_language": latin, "stems": stemmed}


# The last texts are remembered (lru_cache is thread-safe): see ``index_in_advance``.
@functools.lru_cache(maxsize=32)
def _indexed_text(source: str, language: str | None) -> tuple[str, str, str]:
    plain = plain_text(source)
    latin = latin_stemmer(language_of(plain, language))
    return plain, latin, stems(plain, latin)


def index_in_advance(obj) -> None:
    """Compute the search entry of an object about to be written before the transaction's first
    write: on SQLite that write takes the database's one write lock, held until the commit, and
    the flush that indexes the object then finds its entry computed."""
    entry = _entry(obj)
    if entry is not None:
        _indexed_text(entry[2], _likely_language(obj))


def keep_index_in_step(session, _flush_context) -> None:
    """After every flush, re-index what was written: no service can forget to."""
    connection = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        entry = _entry(obj)
        if entry is None:
            continue
        deleted = obj in session.deleted
        if not deleted and obj not in session.new and _index_unchanged(obj):
            continue  # e.g. a comment submitted or answered: its text is what is indexed already
        kind, section_id, source = entry
        connection = connection or session.connection()
        upsert = _upsert(connection.dialect.name)
        if deleted or upsert is None:
            connection.execute(delete(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.ref_id == obj.id))
        if deleted:
            continue
        values = {
            "kind": kind,
            "ref_id": obj.id,
            "section_id": section_id,
            **indexed_text(source, _likely_language(obj)),
        }
        connection.execute(insert(SearchEntry) if upsert is None else upsert, values)


@dataclass
class Result:
    type: str
    id: int
    title: str
    snippet: Markup
    url: str
    language: str | None = None  # of the snippet, where known (the original's is the document's)


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def _substring_matches(query: str):
    """SearchEntry ids whose text holds the query (for scripts without spaces): the entries holding
    each pair of its characters, found through the index, then the substring in those alone."""
    substring = SearchEntry.text.ilike(_like_pattern(query), escape="\\")
    wanted = list(dict.fromkeys(pairs(query)))
    if not wanted:  # one character: the whole index is read
        return select(SearchEntry.id).where(substring)
    if db.engine.dialect.name == "sqlite":
        together = " AND ".join(_fts_phrase(f" {pair} ") for pair in wanted)
        candidates = _fts_matches(f"stems : ({together})", "pairs")
    else:
        indexed = func.to_tsvector("simple", SearchEntry.stems).op("@@")(
            func.plainto_tsquery("simple", " ".join(wanted))
        )
        candidates = select(SearchEntry.id).where(indexed)
    return select(SearchEntry.id).where(SearchEntry.id.in_(candidates), substring)


def _fts_matches(expression: str, name: str = "expression"):
    """Rowids matching an FTS5 expression; ``name`` tells apart the parameters of several in one query."""
    return (
        select(literal_column("rowid"))
        .select_from(text("search_fts"))
        .where(text(f"search_fts MATCH :{name}").bindparams(**{name: expression}))
    )


def _query_stems(query: str, latin: str) -> list[str]:
    return list(dict.fromkeys(stem(match.group(), latin) for match in words(query)))


def _stem_matches(query: str):
    """SearchEntry ids whose stems hold those of every word of the query, each as a whole word.

    The Latin-script words of the query are stemmed as each entry's were: an entry in French
    answers the French stems of the query, one in Spanish the Spanish stems.
    """
    per_language = []
    for latin in LATIN_STEMMERS:
        terms = _query_stems(query, latin)
        if not terms:  # nothing but punctuation
            return select(SearchEntry.id).where(false())
        if db.engine.dialect.name == "sqlite":
            phrases = " AND ".join(_fts_phrase(f" {term} ") for term in terms)
            matches = SearchEntry.id.in_(_fts_matches(f"stems : ({phrases})", f"stems_{latin}"))
        else:
            stemmed = func.plainto_tsquery("simple", " ".join(terms))
            matches = func.to_tsvector("simple", SearchEntry.stems).op("@@")(stemmed)
        per_language.append(select(SearchEntry.id).where(matches, SearchEntry.stem_language == latin))
    # One query per language, not one OR of them: PostgreSQL would check every match against the
    # whole OR, making each entry's tsvector again (0.3 s for 7,000 matches among 50,000 comments).
    return union_all(*per_language)


def _matching_entry_ids(query: str):
    """A selectable of SearchEntry ids matching the query, using the database's index."""
    if UNSPACED.search(query):
        return _substring_matches(query)
    return _stem_matches(query)


def _marked_spans(source: str, query: str, latin: str) -> list[tuple[int, int]]:
    """Where the query is in the text: the substring (unspaced scripts) or the words sharing a stem
    with one of the query's, neighbours separated by spaces only made one span."""
    if UNSPACED.search(query):
        return [match.span() for match in re.finditer(re.escape(query), source, re.IGNORECASE)]
    wanted = set(_query_stems(query, latin))
    spans: list[tuple[int, int]] = []
    for match in words(source):
        if stem(match.group(), latin) not in wanted:
            continue
        if spans and not source[spans[-1][1] : match.start()].strip():
            spans[-1] = (spans[-1][0], match.end())
        else:
            spans.append(match.span())
    return spans


def _word_boundary_window(source: str, position: int, end: int) -> tuple[int, int]:
    """About SNIPPET_RADIUS characters either side of [position, end), never cutting a word:
    the window starts after a space and ends before one (text without spaces is cut anywhere)."""
    start = max(0, position - SNIPPET_RADIUS)
    if start > 0 and not source[start - 1].isspace():
        space = re.search(r"\s", source[start:position])
        if space:
            start += space.end()
    stop = min(len(source), end + SNIPPET_RADIUS)
    if stop < len(source) and not source[stop].isspace():
        space = max((m.start() for m in re.finditer(r"\s", source[end:stop])), default=None)
        if space is not None:
            stop = end + space
    return start, stop


def _snippet(source: str, query: str, latin: str = "en") -> Markup:
    """The first match with some context, cut at word boundaries, the matched words in <mark>."""
    spans = _marked_spans(source, query, latin)
    if not spans:  # matched across markup that plain text dropped
        spans = [(0, 0)]
    start, stop = _word_boundary_window(source, *spans[0])
    parts = [Markup("…") if start else Markup("")]
    cursor = start
    for span_start, span_end in spans:
        if span_start >= stop:
            break
        parts.append(escape(source[cursor:span_start]))
        if span_end > span_start:
            parts.append(Markup("<mark>{}</mark>").format(source[span_start : min(span_end, stop)]))
        cursor = min(span_end, stop)
    parts.append(escape(source[cursor:stop]))
    if stop < len(source):
        parts.append(Markup("…"))
    return Markup("").join(parts)


class Found(Sequence):
    """The results of a search: the sections, then the comments (newest first), then the
    conclusions. Counted at once, but a comment's result (its title and snippet) is made only when
    its slice is asked for: a word in 30,000 comments costs one page of results, not 30,000."""

    def __init__(self, sections: list[Result], comment_ids: list[int], conclusions: list[Result], query: str):
        self._sections, self._comment_ids, self._conclusions, self._query = sections, comment_ids, conclusions, query

    def __len__(self) -> int:
        return len(self._sections) + len(self._comment_ids) + len(self._conclusions)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            position = range(len(self))[index]  # an IndexError as a list gives
            return self[position : position + 1][0]
        start, stop, step = index.indices(len(self))
        if step != 1:
            raise ValueError("search results are read in slices of consecutive results")
        sections, comments = len(self._sections), len(self._comment_ids)
        wanted = self._comment_ids[max(start - sections, 0) : max(stop - sections, 0)]
        after = sections + comments
        return [
            *self._sections[start:stop],
            *_comments(wanted, self._query),
            *self._conclusions[max(start - after, 0) : max(stop - after, 0)],
        ]

    def __iter__(self):
        return iter(self[:])


def search(user, query: str) -> Found:
    # clean_text: FTS5 takes NUL for the end of the query, and no database takes a lone surrogate.
    query = " ".join(clean_text(query).split())[:MAX_QUERY_LENGTH]
    if len(query) < MIN_QUERY_LENGTH:
        return Found([], [], [], query)
    matches = _matching_entry_ids(query)
    entries = db.session.scalars(
        select(SearchEntry).where(SearchEntry.id.in_(matches), SearchEntry.kind != "comment")
    ).all()
    by_kind: dict[str, dict[int, SearchEntry]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, {})[entry.ref_id] = entry
    matching_comments = select(SearchEntry.ref_id).where(SearchEntry.id.in_(matches), SearchEntry.kind == "comment")
    comment_ids = db.session.scalars(
        select(Comment.id).where(Comment.id.in_(matching_comments), visible_comments(user)).order_by(Comment.id.desc())
    ).all()
    return Found(
        _sections(user, by_kind.get("version", {}), by_kind.get("translation", {}), query),
        list(comment_ids),
        _conclusions(user, by_kind.get("conclusion", {}), query),
        query,
    )


def _sections(user, versions: dict[int, SearchEntry], translations: dict[int, SearchEntry], query: str) -> list[Result]:
    """One hit per section, in whatever language it matched: its newest matching version, else
    its newest matching translation (of a version the reader may read)."""
    hits = []
    if versions:
        condition = SectionVersion.id.in_(versions)
        if not can(user, "section.view_working"):
            condition = and_(condition, SectionVersion.id.in_(select(ReleaseSection.version_id)))
        found = db.session.scalars(
            select(SectionVersion)
            .where(condition)
            .options(joinedload(SectionVersion.section).joinedload(Section.document))
            .order_by(SectionVersion.id.desc())
        )
        for version in found:
            hits.append((version.section, version, None, versions[version.id]))
    if translations:
        condition = SectionTranslation.id.in_(translations)
        if not can(user, "section.view_working"):
            condition = and_(condition, SectionTranslation.version_id.in_(select(ReleaseSection.version_id)))
        found = db.session.scalars(
            select(SectionTranslation)
            .where(condition)
            .options(
                joinedload(SectionTranslation.section).joinedload(Section.document),
                joinedload(SectionTranslation.version),
            )
            .order_by(SectionTranslation.id.desc())
        )
        for translation in found:
            hits.append((translation.section, translation.version, translation.language, translations[translation.id]))
    results, seen = [], set()
    for section, version, language, entry in hits:
        if section.id in seen:
            continue
        seen.add(section.id)
        results.append(
            Result(
                "section",
                section.id,
                f"{section.document.title} — {paragraph_label(section)}"
                f" ({_('version %(number)s', number=version.number)})",
                _snippet(entry.text, query, entry.stem_language),
                section_url(section, version=version.number, lang=language),
                language or section.document.language,
            )
        )
    return results


def _comments(comment_ids: list[int], query: str) -> list[Result]:
    """The results of these comments (the reader may see them), in this order."""
    if not comment_ids:
        return []
    entries = {
        entry.ref_id: entry
        for entry in db.session.scalars(
            select(SearchEntry).where(SearchEntry.kind == "comment", SearchEntry.ref_id.in_(comment_ids))
        )
    }
    loaded = {
        comment.id: comment
        for comment in db.session.scalars(
            select(Comment)
            .where(Comment.id.in_(comment_ids))
            .options(joinedload(Comment.organization), joinedload(Comment.section).joinedload(Section.document))
        )
    }
    results = []
    for comment_id in comment_ids:
        comment, entry = loaded[comment_id], entries[comment_id]
        results.append(
            Result(
                "comment",
                comment.id,
                _(
                    "Comment %(id)s by %(organization)s on %(paragraph)s",
                    id=comment.id,
                    organization=organization_name(comment.organization),
                    paragraph=paragraph_label(comment.section),
                ),
                _snippet(entry.text, query, entry.stem_language),
                section_url(comment.section, _anchor=f"comment-{comment.id}"),
                comment.language,
            )
        )
    return results


def _conclusions(user, entries: dict[int, SearchEntry], query: str) -> list[Result]:
    if not entries:
        return []
    condition = Conclusion.id.in_(entries)
    if not can(user, "section.view_working"):
        condition = and_(condition, Outcome.status == "published")
    conclusions = db.session.scalars(
        select(Conclusion)
        .join(Outcome)
        .join(Dialogue)
        .where(condition)
        .options(contains_eager(Conclusion.outcome).contains_eager(Outcome.dialogue))
        .order_by(Dialogue.starts_at.desc())
    )
    return [
        Result(
            "conclusion",
            conclusion.id,
            _("Conclusion of %(dialogue)s", dialogue=conclusion.outcome.dialogue.title),
            _snippet(entries[conclusion.id].text, query, entries[conclusion.id].stem_language),
            url_for(
                "dialogues.show", dialogue_id=conclusion.outcome.dialogue_id, _anchor=f"conclusion-{conclusion.id}"
            ),
        )
        for conclusion in conclusions
    ]
