"""Rendered pages kept by each worker, and checked against the database on every use.

The pages 193 delegations reload most (a paragraph with its comments, the whole draft)
take tens of milliseconds to render but change far less often than they are read. Each
worker keeps what it rendered, under a key of everything the page depends on besides the
data: the path, the reader's language and time zone, and the reader's role and
delegation (the permission rules depend on nothing else about a reader). The data is
represented by *page stamps*: every transaction that changes something such a page
shows replaces the stamp of its scope (a section, a document, or everything) as it
commits. Each request reads the stamps (one query) and uses a kept page only if
they are unchanged, so a worker never serves what another worker's write made stale.

What differs between two readers with the same key (the CSRF token, the reader's name)
is rendered as a placeholder and filled in for each response. A page also expires at
the next opening or closing of a comment window (which changes what it shows without
any write) and after ``PAGE_CACHE_SECONDS`` at most.
"""

import functools
import hashlib
import re
import secrets
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import bindparam, select
from sqlalchemy.orm.util import identity_key

from consult import permissions
from consult.extensions import db, upsert
from consult.models import CoSignature, PageStamp, Section
from consult.models.accounts import organization_name
from consult.models.base import utcnow
from consult.models.stamps import (
    GLOBAL,
    ReadersOf,
    comments_scope,
    counts_scope,
    document_scope,
    scopes_shown,
    section_scope,
)

_CSRF_FIELD = "csrf_token"  # Flask-WTF keeps the request's token under this name in g
# Random per process, so that no text a user writes can contain them.
_CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
_NAME_PLACEHOLDER = f"reader-{secrets.token_hex(16)}"
_DELEGATION_PLACEHOLDER = f"delegation-{secrets.token_hex(16)}"


# -- stamps ----------------------------------------------------------------------------


# Built once, run on the session's connection: every kept page costs this query.
_READ_STAMPS = select(PageStamp.scope, PageStamp.value).where(PageStamp.scope.in_(bindparam("scopes", expanding=True)))


def read_stamps(scopes: Iterable[str]) -> tuple[int, ...]:
    scopes = tuple(scopes)
    values = dict(db.session.connection().execute(_READ_STAMPS, {"scopes": scopes}).all())
    return tuple(values.get(scope, 0) for scope in scopes)


@functools.cache
def _replace_stamp(dialect: str):
    # Built once per database kind: every commit that changes a page runs it.
    table = PageStamp.__table__
    insert = upsert(dialect, table)
    return insert.values(scope=bindparam("scope"), value=bindparam("value")).on_conflict_do_update(
        index_elements=[table.c.scope], set_={"value": insert.excluded.value}
    )


# What the transaction's flushes changed, in the session's info until its commit writes the stamps.
_STALE = "consult.stale_scopes"


def note_stale_scopes(session, _flush_context) -> None:
    """After every flush, the scopes of what it changed: no service can forget to."""
    if scopes := _changed_scopes(session):
        session.info.setdefault(_STALE, set()).update(scopes)


def replace_stamps(session) -> None:
    """Before the commit, new stamps for everything the transaction changed, in one statement.

    Written last rather than at each flush: every submission replaces some of the same stamps (the
    staff's comment counts of the document), and on PostgreSQL a stamp's row stays locked from its
    write to the commit, so that writing it early would make submissions wait for one another.
    """
    session.flush()  # the changes still pending, whose scopes the flush notes
    scopes = session.info.pop(_STALE, None)
    if not scopes:
        return
    connection = session.connection()
    value = secrets.randbits(62)  # random, so that a rolled-back value is never seen again
    rows = [{"scope": scope, "value": value} for scope in sorted(scopes)]  # sorted: locks in one order
    connection.execute(_replace_stamp(connection.dialect.name), rows)


def forget_stale_scopes(session, transaction) -> None:
    """A transaction that ends without its commit (rolled back) changed nothing."""
    if transaction.parent is None:
        session.info.pop(_STALE, None)


def _changed_scopes(session) -> set[str]:
    """What each changed row's model declares (consult.models.stamps.shown_on); a section's pages
    also belong to its document's, and a comment's readers' comment counts are on its document's page."""
    scopes: set[str] = set()
    readers: set[ReadersOf] = set()
    for change, objects in (("new", session.new), ("changed", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            if change != "changed" or session.is_modified(obj):
                for scope in scopes_shown(obj, change):
                    (readers if isinstance(scope, ReadersOf) else scopes).add(scope)
    section_ids = {int(scope.partition(":")[2]) for scope in scopes if scope.startswith("section:")}
    audiences = _audiences(session, readers)
    documents = _documents_of(session, section_ids | {section_id for section_id, _ in audiences})
    for section_id in section_ids:
        scopes.add(section_scope(section_id))
        if section_id in documents:
            scopes.add(document_scope(documents[section_id]))
    for section_id, audience in audiences:
        scopes.add(comments_scope(section_id, audience))
        if section_id in documents:
            scopes.add(counts_scope(documents[section_id], audience))
    return scopes


def _audiences(session, readers: set[ReadersOf]) -> set[tuple[int, str]]:
    """(section id, audience) of every reader of the changed comments, before and after the change
    (a comment's audience only widens: draft → submitted → the window closed)."""
    if not readers:
        return set()
    comments = {reader.comment for reader in readers}
    # A comment new in this flush has no co-signer but those new with it (their rows name them);
    # one changed later may have some from earlier requests.
    co_signers: dict[int, set[int]] = {}
    for reader in readers:
        if reader.co_signer_id is not None:
            co_signers.setdefault(reader.comment.id, set()).add(reader.co_signer_id)
    earlier = [comment.id for comment in comments if comment not in session.new]
    if earlier:
        query = select(CoSignature.comment_id, CoSignature.organization_id).where(CoSignature.comment_id.in_(earlier))
        for comment_id, organization_id in session.connection().execute(query):
            co_signers.setdefault(comment_id, set()).add(organization_id)
    now = utcnow()
    return {
        (comment.section_id, audience)
        for comment in comments
        for audience in permissions.comment_audiences(comment, sorted(co_signers.get(comment.id, ())), now)
    }


def _documents_of(session, section_ids: set[int]) -> dict[int, int]:
    documents = {}
    for section_id in section_ids:  # the sections a service worked on are in the session already
        section = session.identity_map.get(identity_key(Section, section_id))
        if section is not None and section.document_id is not None:
            documents[section_id] = section.document_id
    if missing := section_ids - documents.keys():
        query = select(Section.id, Section.document_id).where(Section.id.in_(missing))
        documents.update(session.connection().execute(query).all())
    return documents


# -- the pages --------------------------------------------------------------------------


# Pages are kept compressed: an HTML page shrinks to about a quarter, so that a worker keeps
# four times as many delegations' pages; decompressing one costs about a tenth of a millisecond.
_COMPRESSION_LEVEL = 6


@dataclass(frozen=True)
class _Entry:
    stamps: tuple[int, ...]
    expires_at: datetime
    compressed: bytes
    digest: str = ""  # of the page without its placeholders: the same in every worker

    @classmethod
    def of(cls, stamps: tuple[int, ...], expires_at: datetime, html: str, digest: str = "") -> "_Entry":
        return cls(stamps, expires_at, zlib.compress(html.encode("utf-8"), _COMPRESSION_LEVEL), digest)

    @property
    def html(self) -> str:
        return zlib.decompress(self.compressed).decode("utf-8")


class PageStore:
    """Least recently used pages up to a total size in bytes as kept (compressed), for one worker
    (thread-safe). The total never exceeds ``max_bytes``; a page larger than that on its own is not kept.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        # Which document a section belongs to never changes: one query per section and worker.
        self.document_of_section: dict[int, int] = {}
        self._entries: OrderedDict[tuple, tuple[_Entry, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> _Entry | None:
        with self._lock:
            kept = self._entries.get(key)
            if kept is None:
                return None
            self._entries.move_to_end(key)
            return kept[0]

    def put(self, key: tuple, entry: _Entry) -> None:
        size = len(entry.compressed)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.max_bytes:
                return
            self._entries[key] = (entry, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted

    @property
    def size(self) -> int:
        """Bytes of the pages kept, compressed."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)


def init_app(app) -> None:
    app.extensions["consult.pages"] = PageStore(app.config["PAGE_CACHE_BYTES"])


def section_scopes(section_id: int) -> list[str] | None:
    """The stamps a page about one section depends on, for the reader; None if there is no such section."""
    known = current_app.extensions["consult.pages"].document_of_section
    if section_id not in known:
        document_id = db.session.scalar(select(Section.document_id).where(Section.id == section_id))
        if document_id is None:
            return None
        known[section_id] = document_id
    audiences = permissions.reader_audiences(current_user)
    return [
        GLOBAL,
        document_scope(known[section_id]),
        section_scope(section_id),
        *(comments_scope(section_id, audience) for audience in audiences),
    ]


def document_scopes(document_id: int) -> list[str]:
    """The stamps of a document's page as every delegation of a role reads it (see ``ReaderPart``)."""
    return [GLOBAL, document_scope(document_id)]


def counts_scopes(document_id: int) -> list[str]:
    """The stamps of the reader's comment counts on a document's page."""
    return [counts_scope(document_id, audience) for audience in permissions.reader_audiences(current_user)]


def expires_by(moment: datetime | None) -> None:
    """While rendering a kept page: it must not be used from ``moment`` on."""
    if moment is not None and "page_expires_at" in g:
        g.page_expires_at = min(g.page_expires_at, moment)


def rendering_for_many() -> bool:
    return "page_expires_at" in g


def reader_delegation() -> Markup | str:
    """The reader's delegation, or its placeholder on a page kept for every delegation of a role."""
    if "rendering_for_every_delegation" in g:
        return Markup(_DELEGATION_PLACEHOLDER)  # noqa: S704  (our constant)
    return organization_name(current_user.organization)


def reader_name() -> Markup | str:
    """The signed-in reader's name, or its placeholder on a page kept for others too."""
    return Markup(_NAME_PLACEHOLDER) if rendering_for_many() else current_user.name  # noqa: S704  (our constant)


def _key(reader, query: tuple[tuple[str, str], ...], *, own: bool = True) -> tuple:
    """What a kept page depends on besides the data; ``own`` false: the same for every delegation."""
    return (
        request.endpoint,
        request.path,
        query,
        str(get_locale()),
        str(get_timezone()),
        reader.role,
        reader.organization_id if own else None,
    )


@dataclass(frozen=True)
class ReaderPart:
    """What differs between delegations on a page that is otherwise the same for all of them with
    one role (a document's comment counts): the page is rendered once with a placeholder (written
    by ``for_each_reader``) where each reader's figure goes, and filled in per delegation.

    ``fill(name, keys)`` gives the text of each placeholder named ``name``, by key, for the reader;
    ``scopes`` are the stamps of what it shows. A delegation's filled page is kept too, so that
    its next request costs what a kept page costs.
    """

    scopes: list[str]
    fill: Callable[[str, list[int]], dict[int, str]]


_READER_PLACEHOLDER = f"for-reader-{secrets.token_hex(16)}"
_READER_PART = re.compile(rf"{_READER_PLACEHOLDER}:(\w+):(\d+):")


def for_each_reader(name: str, key: int) -> Markup:
    """On a page rendered for every delegation: the place of the reader's own ``name`` for ``key``."""
    return Markup(f"{_READER_PLACEHOLDER}:{name}:{int(key)}:")  # noqa: S704  (our constant and an integer)


def _fill_reader_parts(html: str, fill: Callable[[str, list[int]], dict[int, str]]) -> str:
    wanted: dict[str, set[int]] = {}
    for match in _READER_PART.finditer(html):
        wanted.setdefault(match[1], set()).add(int(match[2]))
    texts = {name: fill(name, sorted(keys)) for name, keys in wanted.items()}
    return _READER_PART.sub(lambda match: str(escape(texts[match[1]][int(match[2])])), html)


# Longer digit strings are kept as written: the views read them as no number or refuse them.
_NUMBER_DIGITS = 6


def canonical_query(allowed_args: Iterable[str]) -> tuple[tuple[str, str], ...] | None:
    """The query string as the page reads it, or None when the page must not be kept.

    A page reads the first value of each argument (``?page=1&page=2`` is page 1), takes an
    empty one as absent, and reads a number as a number: ``?page=01``, ``?page=1`` and
    ``?page=1&page=1`` are one page, whatever the order of the arguments. An argument the page
    does not allow would only fill the store with copies, so such a page is not kept.
    """
    allowed = set(allowed_args)
    query = []
    for name in request.args:
        if name not in allowed:
            return None
        value = request.args[name]
        if not value:
            continue
        if value.isdecimal() and len(value) <= _NUMBER_DIGITS:
            value = str(int(value))  # int() reads any decimal digits, as the views do ("٣" is 3)
        query.append((name, value))
    return tuple(sorted(query))


def _usable_here(reader) -> bool:
    # Flashed messages belong to one reader.
    return (
        current_app.config["PAGE_CACHE_BYTES"] > 0
        and request.method == "GET"  # a HEAD renders the language form differently
        and reader.is_authenticated
        and not session.get("_flashes")
    )


def page(
    scopes: Iterable[str] | None,
    render: Callable[[], str],
    allowed_args: Iterable[str] = (),
    reader_part: ReaderPart | None = None,
) -> ResponseReturnValue:
    """The page ``render`` makes, from the worker's store while the scopes' stamps hold.

    ``scopes`` None means the page cannot be kept (``render`` then explains why, e.g. 404).
    ``reader_part``: the page is the same for every delegation but for that part (``ReaderPart``).
    """
    reader = current_user._get_current_object()  # once: each use of the proxy looks it up again
    query = canonical_query(allowed_args)
    if scopes is None or query is None or not _usable_here(reader):
        return render()
    store: PageStore = current_app.extensions["consult.pages"]
    scopes = list(scopes)
    own_scopes = scopes + (reader_part.scopes if reader_part else [])
    key = _key(reader, query)
    # Stamps first: whatever is rendered next is at least as new as they are.
    stamps = read_stamps(own_scopes)
    now = utcnow()
    entry = store.get(key)
    if entry is not None and entry.stamps == stamps and entry.expires_at > now:
        html = entry.html
    elif reader_part is None:
        entry, html = _render(render, stamps, now)
        store.put(key, entry)
    else:
        entry, html = _filled(store, _key(reader, query, own=False), render, reader_part, stamps, len(scopes), now)
        store.put(key, entry)
    html = html.replace(_CSRF_PLACEHOLDER, generate_csrf()).replace(_NAME_PLACEHOLDER, str(escape(reader.name)))
    response = make_response(html)
    # A browser that has this page already gets a 304: its copy differs only in when its
    # CSRF token was signed, and that token stays valid for the session.
    version = f"{entry.digest}:{session.get(_CSRF_FIELD, '')}:{reader.name}"
    response.set_etag(hashlib.sha256(version.encode()).hexdigest()[:40])
    return response


def _filled(store: PageStore, shared_key, render, part: ReaderPart, stamps, shared_count: int, now):
    """The delegation's page, from the page kept for every delegation (rendered if need be)."""
    shared_stamps = stamps[:shared_count]
    shared = store.get(shared_key)
    if shared is not None and shared.stamps == shared_stamps and shared.expires_at > now:
        shared_html = shared.html
    else:
        g.rendering_for_every_delegation = True
        try:
            shared, shared_html = _render(render, shared_stamps, now)
        finally:
            g.pop("rendering_for_every_delegation")
        store.put(shared_key, shared)
    delegation = current_user.organization
    html = _fill_reader_parts(shared_html, part.fill).replace(
        _DELEGATION_PLACEHOLDER, str(escape(organization_name(delegation))) if delegation else ""
    )
    return _Entry.of(stamps, shared.expires_at, html, _digest(html)), html


def _digest(html: str) -> str:
    """Of the page without its placeholders: the same in every worker."""
    return hashlib.sha256(html.replace(_CSRF_PLACEHOLDER, "").replace(_NAME_PLACEHOLDER, "").encode()).hexdigest()


def _render(render: Callable[[], str], stamps: tuple[int, ...], now: datetime) -> tuple[_Entry, str]:
    g.page_expires_at = now + timedelta(seconds=current_app.config["PAGE_CACHE_SECONDS"])
    own_token = g.pop(_CSRF_FIELD, None)
    setattr(g, _CSRF_FIELD, _CSRF_PLACEHOLDER)
    try:
        html = render()
        return _Entry.of(stamps, g.page_expires_at, html, _digest(html)), html
    finally:
        g.pop("page_expires_at")
        g.pop(_CSRF_FIELD)
        if own_token is not None:
            setattr(g, _CSRF_FIELD, own_token)
