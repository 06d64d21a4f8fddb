"""Comments that say nearly the same: bottom-k sketches of character shingles, kept in the database.

A comment's text (its body and proposed text) is normalized (Unicode NFKC, case, vowel marks,
punctuation and spacing aside) and cut into character shingles: two characters where the text is
mostly Chinese, Japanese or Korean (written without spaces, where one character carries as much
as a short word), four elsewhere, so that Arabic and Latin scripts alike are compared by what is
written, not by how words are split. Each shingle is hashed once; the comment keeps the SKETCH_SIZE
smallest hashes (a bottom-k sketch, Broder 1997), computed when its text is written.

Two sketches estimate the Jaccard similarity of the two shingle sets: of the k smallest hashes of
their union, the share found in both. The sketch is kept in one column; only its INDEXED smallest
values are rows of the index on (document, value), a quarter of the rows each submission writes.
The candidates for a comment are the comments of its document sharing several of those values
(two texts share at least the values of both among their union's INDEXED smallest: about INDEXED
× their similarity); each is then scored by its whole sketch. A request reads at most INDEXED ×
CANDIDATES_PER_VALUE index entries and scores at most CANDIDATES sketches, however many comments
there are. Identical texts (a campaign) share the hash of their normalized text.
"""

import hashlib
import struct
import unicodedata
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, insert, select, union_all

from consult.extensions import db
from consult.models import Comment, CommentFingerprint, CommentSketchValue

SKETCH_SIZE = 64
# The smallest values of each sketch, indexed to find the candidates.
INDEXED = 16
# Nearly the same: the estimated similarity of their shingles reaches this.
THRESHOLD = 0.5
# Candidates share at least this many indexed values: texts of similarity 0.5 share 8 of 16 on
# average, fewer than 3 once in 500; texts sharing fewer are not worth scoring.
MIN_SHARED = 3
CANDIDATES = 400
CANDIDATES_PER_VALUE = 500
MOST_SIMILAR = 200
# Only the beginning of a very long text is compared: hashing stays within a fixed budget.
COMPARED_CHARACTERS = 20_000

_CJK = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL")
_TATWEEL = "\u0640"


def normalized(text: str) -> str:
    """The text as it is compared: NFKC, case-folded, without vowel marks or tatweel; punctuation,
    symbols and controls as spaces, spacing collapsed."""
    folded = unicodedata.normalize("NFKC", text[: COMPARED_CHARACTERS * 2]).casefold()
    kept = []
    for char in folded:
        category = unicodedata.category(char)
        if category == "Mn" or char == _TATWEEL:
            continue
        kept.append(" " if category[0] in "PSCZ" else char)
    return " ".join("".join(kept).split())[:COMPARED_CHARACTERS]


def _mostly_cjk(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    cjk = sum(1 for char in letters if unicodedata.name(char, "").startswith(_CJK))
    return bool(letters) and cjk * 2 > len(letters)


def shingles(text: str) -> set[str]:
    """The character shingles of the normalized text (a text shorter than one shingle is one)."""
    plain = normalized(text)
    if _mostly_cjk(plain):
        plain, size = plain.replace(" ", ""), 2
    else:
        size = 4
    if len(plain) <= size:
        return {plain} if plain else set()
    return {plain[start : start + size] for start in range(len(plain) - size + 1)}


def _hash(shingle: str) -> int:
    # A signed 64-bit value, as a BIGINT column holds it; the same in every process.
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big", signed=True)


@dataclass(frozen=True)
class Fingerprint:
    text_hash: str
    sketch: frozenset[int]


def compared_text(body: str, proposed_text: str | None) -> str:
    return "\n".join(filter(None, (body, proposed_text)))


def fingerprint_of(text: str) -> Fingerprint:
    sketch = frozenset(sorted(_hash(shingle) for shingle in shingles(text))[:SKETCH_SIZE])
    text_hash = hashlib.blake2b(normalized(text).encode(), digest_size=16).hexdigest()
    return Fingerprint(text_hash, sketch)


def similarity(first: frozenset[int], second: frozenset[int]) -> float:
    """The Jaccard similarity of two shingle sets, estimated from their bottom-k sketches."""
    if not first or not second:
        return 0.0
    smallest = sorted(first | second)[:SKETCH_SIZE]
    return sum(1 for value in smallest if value in first and value in second) / len(smallest)


def packed(sketch: frozenset[int]) -> bytes:
    """The sketch as its column keeps it: signed 64-bit big-endian values, smallest first."""
    return struct.pack(f">{len(sketch)}q", *sorted(sketch))


def unpacked(column: bytes) -> frozenset[int]:
    return frozenset(struct.unpack(f">{len(column) // 8}q", column))


def indexed(sketch: frozenset[int]) -> list[int]:
    """The values of the sketch that are rows of the index."""
    return sorted(sketch)[:INDEXED]


def fingerprint(comment: Comment, document_id: int) -> Fingerprint | None:
    """Compute and keep the comment's fingerprint as its text is written (or rewritten). For a new
    comment, the fingerprint that ``insert_fingerprint`` writes once the comment has its id."""
    found = fingerprint_of(compared_text(comment.body, comment.proposed_text))
    if comment.id is None:
        return found
    wanted = set(indexed(found.sketch))
    kept = comment.fingerprint
    if kept is None:  # a comment written before fingerprints were kept
        comment.fingerprint = CommentFingerprint(
            document_id=document_id,
            text_hash=found.text_hash,
            sketch=packed(found.sketch),
            values=[CommentSketchValue(value=value, document_id=document_id) for value in sorted(wanted)],
        )
        return None
    kept.text_hash, kept.sketch = found.text_hash, packed(found.sketch)
    # Only the values that changed: a value deleted and inserted again in one flush would collide.
    kept.values = [row for row in kept.values if row.value in wanted] + [
        CommentSketchValue(value=value, document_id=document_id)
        for value in sorted(wanted - {row.value for row in kept.values})
    ]
    return None


def insert_fingerprint(comment: Comment, found: Fingerprint, document_id: int) -> None:
    """A new comment's fingerprint and indexed values, in two statements: at every submission, ORM
    objects for them would cost more than the rest of the comment. Read back, if ever, when asked for."""
    db.session.execute(
        insert(CommentFingerprint.__table__),
        {
            "comment_id": comment.id,
            "document_id": document_id,
            "text_hash": found.text_hash,
            "sketch": packed(found.sketch),
        },
    )
    rows = [{"comment_id": comment.id, "value": value, "document_id": document_id} for value in indexed(found.sketch)]
    if rows:
        db.session.execute(insert(CommentSketchValue.__table__), rows)


def _sketches(comment_ids) -> dict[int, frozenset[int]]:
    rows = db.session.execute(
        select(CommentFingerprint.comment_id, CommentFingerprint.sketch).where(
            CommentFingerprint.comment_id.in_(comment_ids)
        )
    )
    return {comment_id: unpacked(sketch) for comment_id, sketch in rows}


def similar_comments(comment: Comment, limit: int = MOST_SIMILAR) -> list[tuple[Comment, float]]:
    """The submitted comments of the comment's document that say nearly the same, best first (the
    most similar, then those on the same paragraph, then the oldest), each with its similarity
    rounded to 0.01."""
    kept = comment.fingerprint
    if kept is None:
        return []
    mine = unpacked(kept.sketch)
    if not mine:  # a text of punctuation alone
        return []
    # Each value proposes a bounded number of comments: a value every comment of the document has
    # (a common shingle that hashed small) costs no more than a rare one.
    per_value = [
        select(CommentSketchValue.comment_id)
        .where(CommentSketchValue.document_id == kept.document_id, CommentSketchValue.value == value)
        .limit(CANDIDATES_PER_VALUE)
        .subquery()
        .select()
        for value in indexed(mine)
    ]
    shared = Counter(db.session.scalars(union_all(*per_value)))
    shared.pop(comment.id, None)
    enough = min(MIN_SHARED, len(per_value))
    candidates = [other for other, count in shared.most_common(CANDIDATES) if count >= enough]
    if not candidates:
        return []
    sketches = _sketches(candidates)
    others = db.session.scalars(select(Comment).where(Comment.id.in_(candidates), Comment.status == "submitted"))
    scored = [(other, round(similarity(mine, sketches.get(other.id, frozenset())), 2)) for other in others]
    scored = [(other, score) for other, score in scored if score >= THRESHOLD]
    scored.sort(key=lambda pair: (-pair[1], pair[0].section_id != comment.section_id, pair[0].id))
    return scored[:limit]


def same_text_counts(comments, visible) -> dict[int, int]:
    """Comment id → how many delegations submitted that same text (normalized) in its release, among
    the comments matching ``visible`` (an SQL condition); comments whose text is theirs alone are
    left out. A campaign: "42 delegations, same text"."""
    hashes = {comment.id: comment.fingerprint.text_hash for comment in comments if comment.fingerprint}
    releases = {comment.release_id for comment in comments}
    if not hashes:
        return {}
    rows = db.session.execute(
        select(Comment.release_id, CommentFingerprint.text_hash, func.count(func.distinct(Comment.organization_id)))
        .join(CommentFingerprint, CommentFingerprint.comment_id == Comment.id)
        .where(
            CommentFingerprint.text_hash.in_(set(hashes.values())),
            Comment.release_id.in_(releases),
            Comment.status == "submitted",
            visible,
        )
        .group_by(Comment.release_id, CommentFingerprint.text_hash)
    ).all()
    counts = {(release_id, text_hash): count for release_id, text_hash, count in rows}
    found = {comment.id: counts.get((comment.release_id, hashes.get(comment.id)), 0) for comment in comments}
    return {comment_id: count for comment_id, count in found.items() if count > 1}


def campaigns(release_id: int, most: int = 20) -> list[tuple[Comment, int, int]]:
    """Texts submitted by several delegations in the release, as (its first comment, delegations,
    comments), most delegations first: for the dashboard of the staff, who see every submitted comment."""
    delegations = func.count(func.distinct(Comment.organization_id))
    counted = (
        select(
            func.min(Comment.id).label("first"),
            delegations.label("delegations"),
            func.count(Comment.id).label("comments"),
        )
        .join(CommentFingerprint, CommentFingerprint.comment_id == Comment.id)
        .where(Comment.release_id == release_id, Comment.status == "submitted")
        .group_by(CommentFingerprint.text_hash)
        .having(delegations > 1)
        .subquery()
    )
    rows = db.session.execute(
        select(Comment, counted.c.delegations, counted.c.comments)
        .join(counted, counted.c.first == Comment.id)
        .order_by(counted.c.delegations.desc(), Comment.id)
        .limit(most)
    ).all()
    return [(comment, count, total) for comment, count, total in rows]
