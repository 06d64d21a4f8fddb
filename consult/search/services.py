"""Full-text search over section versions, comments and dialogue conclusions.

Services keep ``SearchEntry`` rows in step with what they write. SQLite finds matches
with FTS5's trigram index (substring matching, so Chinese needs no word breaks);
PostgreSQL with its tsvector index, and with the trigram index for scripts without
spaces. Every result passes the same visibility rules as the pages.
"""

import functools
import re
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import and_, delete, func, insert, inspect, literal_column, or_, select, text

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
    SectionTranslation,
    SectionVersion,
)
from consult.models.accounts import organization_name
from consult.permissions import can, visible_comments
from consult.text import plain_text
from consult.validation import clean_text

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
SNIPPET_RADIUS = 80
# Han, kana, hangul: scripts written without spaces between words.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


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
        set_={"section_id": statement.excluded.section_id, "text": statement.excluded.text},
    )


def _index_unchanged(obj) -> bool:
    attributes = inspect(obj).attrs
    return not any(attributes[name].history.has_changes() for name in _INDEXED_ATTRIBUTES[type(obj)])


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
        values = {"kind": kind, "ref_id": obj.id, "section_id": section_id, "text": plain_text(source)}
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


def _matching_entry_ids(query: str):
    """A selectable of SearchEntry ids matching the query, using the database's index."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite" and len(query) >= 3:
        # FTS5 trigram: a quoted phrase matches as a substring, case-insensitively.
        phrase = '"' + query.replace('"', '""') + '"'
        return (
            select(literal_column("rowid"))
            .select_from(text("search_fts"))
            .where(text("search_fts MATCH :phrase").bindparams(phrase=phrase))
        )
    if dialect == "postgresql" and not _UNSPACED.search(query):
        words = func.plainto_tsquery("simple", query)
        return select(SearchEntry.id).where(
            or_(
                func.to_tsvector("simple", SearchEntry.text).op("@@")(words),
                SearchEntry.text.ilike(_like_pattern(query), escape="\\"),
            )
        )
    # Short queries, and unspaced scripts on PostgreSQL (served by the trigram index).
    return select(SearchEntry.id).where(SearchEntry.text.ilike(_like_pattern(query), escape="\\"))


def _snippet(source: str, query: str) -> Markup:
    """The match with some context, the matched text in <mark>."""
    match = re.search(re.escape(query), source, re.IGNORECASE)
    if match is None:  # matched across markup that plain text dropped
        return escape(source[: 2 * SNIPPET_RADIUS])
    position, end = match.span()
    start = max(0, position - SNIPPET_RADIUS)
    return Markup("{}{}<mark>{}</mark>{}{}").format(
        "…" if start else "",
        source[start:position],
        source[position:end],
        source[end : end + SNIPPET_RADIUS],
        "…" if end + SNIPPET_RADIUS < len(source) else "",
    )


def search(user, query: str, *, limit: int = 50) -> list[Result]:
    # clean_text: FTS5 takes NUL for the end of the query, and no database takes a lone surrogate.
    query = " ".join(clean_text(query).split())[:MAX_QUERY_LENGTH]
    if len(query) < MIN_QUERY_LENGTH:
        return []
    matches = _matching_entry_ids(query)
    entries = db.session.scalars(select(SearchEntry).where(SearchEntry.id.in_(matches))).all()
    by_kind: dict[str, dict[int, SearchEntry]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, {})[entry.ref_id] = entry
    results = (
        _sections(user, by_kind.get("version", {}), by_kind.get("translation", {}), query)
        + _comments(user, by_kind.get("comment", {}), query)
        + _conclusions(user, by_kind.get("conclusion", {}), query)
    )
    return results[:limit]


def _sections(user, versions: dict[int, SearchEntry], translations: dict[int, SearchEntry], query: str) -> list[Result]:
    """One hit per section, in whatever language it matched: its newest matching version, else
    its newest matching translation (of a version the reader may read)."""
    hits = []
    if versions:
        condition = SectionVersion.id.in_(versions)
        if not can(user, "section.view_working"):
            condition = and_(condition, SectionVersion.id.in_(select(ReleaseSection.version_id)))
        for version in db.session.scalars(select(SectionVersion).where(condition).order_by(SectionVersion.id.desc())):
            hits.append((version.section, version, None, versions[version.id]))
    if translations:
        condition = SectionTranslation.id.in_(translations)
        if not can(user, "section.view_working"):
            condition = and_(condition, SectionTranslation.version_id.in_(select(ReleaseSection.version_id)))
        found = db.session.scalars(select(SectionTranslation).where(condition).order_by(SectionTranslation.id.desc()))
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
                _snippet(entry.text, query),
                section_url(section, version=version.number, lang=language),
                language or section.document.language,
            )
        )
    return results


def _comments(user, entries: dict[int, SearchEntry], query: str) -> list[Result]:
    if not entries:
        return []
    comments = db.session.scalars(
        select(Comment).where(Comment.id.in_(entries), visible_comments(user)).order_by(Comment.id.desc())
    )
    return [
        Result(
            "comment",
            comment.id,
            _(
                "Comment %(id)s by %(organization)s on %(paragraph)s",
                id=comment.id,
                organization=organization_name(comment.organization),
                paragraph=paragraph_label(comment.section),
            ),
            _snippet(entries[comment.id].text, query),
            section_url(comment.section, _anchor=f"comment-{comment.id}"),
            comment.language,
        )
        for comment in comments
    ]


def _conclusions(user, entries: dict[int, SearchEntry], query: str) -> list[Result]:
    if not entries:
        return []
    condition = Conclusion.id.in_(entries)
    if not can(user, "section.view_working"):
        condition = and_(condition, Outcome.status == "published")
    conclusions = db.session.scalars(
        select(Conclusion).join(Outcome).join(Dialogue).where(condition).order_by(Dialogue.starts_at.desc())
    )
    return [
        Result(
            "conclusion",
            conclusion.id,
            _("Conclusion of %(dialogue)s", dialogue=conclusion.outcome.dialogue.title),
            _snippet(entries[conclusion.id].text, query),
            url_for(
                "dialogues.show", dialogue_id=conclusion.outcome.dialogue_id, _anchor=f"conclusion-{conclusion.id}"
            ),
        )
        for conclusion in conclusions
    ]
