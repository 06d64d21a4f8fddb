"""The compilation of amendments: the document delegations negotiate on, as a Word document.

Each paragraph of a release as printed (in the language asked for), followed by every amendment
proposed to it that the reader may see: attributed to the delegation that proposed it (with the
States aligned with it, and the group of comments the secretariat put it in), the proposal shown as
Word tracked changes against the paragraph's text (in the amendment's language where it was written in another), by that
delegation, at the time it was submitted, so that accepting one shows the paragraph as it would
read; then the delegation's explanation. Paragraphs without amendments are printed too, so the
document reads whole.
"""

from __future__ import annotations

from collections import defaultdict
from typing import IO

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.drafts.redline import (
    Piece,
    TrackedDocument,
    diff_parts,
    numbered,
    pieces,
    release_blocks,
)
from consult.drafts.translations import reading, reading_language
from consult.extensions import db
from consult.models import Alignment, Comment, CoSignature, Release
from consult.models.accounts import organization_name
from consult.permissions import authorize, visible_comments
from consult.positions import services as positions
from consult.text import clean_characters


def _amendments(user, release: Release) -> dict[int, list[Comment]]:
    """Section id → the submitted amendments to it on this release the user may see, in the order submitted."""
    query = (
        select(Comment)
        .where(
            Comment.release_id == release.id,
            Comment.kind == "amendment",
            Comment.status == "submitted",
            Comment.proposed_text.is_not(None),
        )
        .options(
            selectinload(Comment.organization),
            selectinload(Comment.on_behalf_of),
            selectinload(Comment.co_signatures).selectinload(CoSignature.organization),
            selectinload(Comment.alignments).selectinload(Alignment.organization),
            selectinload(Comment.group),
            selectinload(Comment.version),
        )
        .order_by(Comment.submitted_at, Comment.id)
    )
    # As in the matrix: once the compilation is published every submitted comment is public.
    if release.compilation_published_at is None:
        query = query.where(visible_comments(user))
    comments = db.session.scalars(query)
    found: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments:
        found[comment.section_id].append(comment)
    return found


def _attribution(comment: Comment) -> str:
    organization = comment.organization
    name = positions.signatories(comment)  # with the group it speaks for and those co-signing it
    words = f"{name} ({organization.code})" if organization.code and organization.code != name else name
    if comment.aligned:
        words = f"{words}; {positions.alignment_line(comment)}"
    if comment.group is not None:
        group = comment.group.label or _("grouped with %(count)d similar comments", count=len(comment.group.comments))
        words = f"{words} — {group}"
    return _("Amendment proposed by %(delegation)s", delegation=words)


def _add_amendment(writer: TrackedDocument, number: str, comment: Comment) -> None:
    """Who proposed it, the paragraph as the amendment would change it (tracked), their explanation."""
    writer.paragraph("paragraph", [(None, [Piece(_attribution(comment), bold=True)])])
    # The text it amends in the language the proposal is written in, where translated.
    base = reading(comment.section, comment.version, comment.proposed_language).body
    changes = diff_parts(numbered(number) + pieces(base), numbered(number) + pieces(comment.proposed_text))
    writer.paragraph("proposal", changes, by=(organization_name(comment.organization), comment.submitted_at))
    explanation = [Piece(piece.text, piece.bold, True, piece.superscript) for piece in pieces(comment.body)]
    if explanation:
        writer.paragraph("paragraph", [(None, explanation)])


def compilation_file(user, release: Release, language: str | None) -> IO[bytes]:
    """The compilation of the amendments to ``release`` that ``user`` may see, in ``language``
    (the original's where not translated), as a Word document, rewound, to send."""
    authorize(user, "matrix.view", release)
    document = release.document
    language = reading_language(language) or document.language
    amendments = _amendments(user, release)
    with force_locale(language):
        author = _("Secretariat")
        writer = TrackedDocument(author=author, date=release.published_at, title=document.title)
        writer.paragraph("title", [(None, [Piece(clean_characters(document.title))])])
        subtitle = _("%(release)s: compilation of proposed amendments", release=release.label)
        if document.symbol:
            subtitle = f"{document.symbol} — {subtitle}"
        writer.paragraph("subtitle", [(None, [Piece(clean_characters(subtitle))])])
        for block in release_blocks(release, language):
            if block.kind != "paragraph":
                writer.paragraph(block.kind, [(None, [Piece(clean_characters(block.text))])])
                continue
            writer.paragraph("paragraph", [(None, numbered(block.number) + pieces(block.text))])
            for comment in amendments.get(block.key[1], []):
                _add_amendment(writer, block.number, comment)
    return writer.save()
