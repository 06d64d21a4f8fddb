"""Release M of a document against release N as a Word document with tracked changes.

Word's "Accept all" turns the file into release M's text, "Reject all" into release N's: every
difference is a tracked insertion (``w:ins``) or deletion (``w:del``) with an author and a date,
down to the words of a paragraph, its number, the chapter and subsection headings, and whole
paragraphs inserted, retired or moved (deleted where they stood, inserted where they stand).

Each release is read as a sequence of blocks (headings and paragraphs) in the language asked
for; the two sequences are aligned on the paragraphs' stable sections and the headings' texts,
then each pair of paragraphs is diffed word by word (every Chinese character a word, as in the
pages' diffs). The Markdown of a paragraph is rendered the way the pages render it and read back
as runs of text with their bold, italic and superscript. The work is bounded: a paragraph pair
too long to diff word by word is shown as deleted and inserted whole.
"""

from __future__ import annotations

import itertools
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from difflib import SequenceMatcher
from html.parser import HTMLParser
from typing import IO

import docx
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm
from flask_babel import gettext as _
from lxml.etree import SubElement

from consult.drafts.services import printed_sections
from consult.drafts.translations import reading_language, readings
from consult.errors import ValidationFailed
from consult.models import Document, Release
from consult.text import clean_characters, is_rtl, render_markdown, tokenize

# Past this many word pairs (old words × new words) a paragraph is replaced whole rather than diffed.
MAX_DIFF_WORK = 4_000_000
_SPOOL_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of a release as printed in one language."""

    kind: str  # "chapter", "subsection" or "paragraph"
    key: tuple  # what the same block is called in the other release
    number: str = ""
    text: str = ""  # a heading's title, a paragraph's Markdown


def release_blocks(release: Release, language: str | None) -> list[Block]:
    """The release as printed, in ``language`` where translated: a chapter heading where the
    chapter changes, a subsection heading where the subsection does, then each paragraph."""
    rows = printed_sections(release)
    read = readings(release.document, {row.section_id: row.version for row in rows}, language)
    blocks: list[Block] = []
    chapter = subsection = None
    for row in rows:
        translated = read[row.section_id].translation
        row_chapter = translated.chapter if translated and translated.chapter else row.chapter
        row_subsection = translated.subsection if translated and translated.subsection else row.subsection
        if row_chapter != chapter:
            chapter, subsection = row_chapter, None
            if chapter:
                blocks.append(Block("chapter", ("chapter", chapter), text=chapter))
        if row_subsection != subsection:
            subsection = row_subsection
            if subsection:
                blocks.append(Block("subsection", ("subsection", subsection), text=subsection))
        heading = translated.heading if translated and translated.heading else row.heading
        body = read[row.section_id].body
        blocks.append(
            Block("paragraph", ("section", row.section_id), row.number, f"**{heading}**\n\n{body}" if heading else body)
        )
    return blocks


# -- Markdown as runs -------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A unit of text with its formatting: a word with the spaces before it, or a line break."""

    text: str
    bold: bool = False
    italic: bool = False
    superscript: bool = False


BREAK = Piece("\n")
_BLOCK_TAGS = {"p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "div", "table", "ul", "ol"}


class _Runs(HTMLParser):
    """The pieces of sanitized HTML: text with bold, italic and superscript, a break between blocks."""

    def __init__(self, *, by_word: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.by_word = by_word
        self.pieces: list[Piece] = []
        self.bold = self.italic = self.superscript = 0
        self.cells = 0
        self.lists: list[list[int]] = []  # per open list: [next number] for <ol>, [] for <ul>

    def _break(self) -> None:
        if self.pieces and self.pieces[-1] != BREAK:
            self.pieces.append(BREAK)

    def handle_starttag(self, tag, attrs):
        if tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "sup":
            self.superscript += 1
        elif tag == "br":
            self.pieces.append(BREAK)
        elif tag in ("ul", "ol"):
            start = dict(attrs).get("start") or "1"
            self.lists.append([int(start)] if tag == "ol" and start.isdigit() else [])
            self._break()
        elif tag == "tr":
            self._break()
            self.cells = 0
        elif tag in ("td", "th"):
            if self.cells:
                self.text("\t")
            self.cells += 1
        elif tag in _BLOCK_TAGS:
            self._break()
            if tag == "li" and self.lists:
                numbering = self.lists[-1]
                self.text(f"{numbering[0]}. " if numbering else "• ")
                if numbering:
                    numbering[0] += 1

    def handle_endtag(self, tag):
        if tag in ("strong", "b"):
            self.bold -= 1
        elif tag in ("em", "i"):
            self.italic -= 1
        elif tag == "sup":
            self.superscript -= 1
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._break()
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data):
        self.text(" ".join(data.split("\n")))

    def text(self, data: str) -> None:
        # A word with the spaces before it is one piece: changes of spacing alone stay in their word.
        # Spaces at the start of a line (the HTML's own line ends between blocks) are not text.
        if not self.by_word:
            text = clean_characters(data)
            if not self.pieces or self.pieces[-1] == BREAK:
                text = text.lstrip()
            if text:
                self.pieces.append(Piece(text, self.bold > 0, self.italic > 0, self.superscript > 0))
            return
        spaces = ""
        for token in tokenize(clean_characters(data)):
            if token.isspace():
                spaces += token
                continue
            if not self.pieces or self.pieces[-1] == BREAK:
                spaces = ""
            self.pieces.append(Piece(spaces + token, self.bold > 0, self.italic > 0, self.superscript > 0))
            spaces = ""
        if spaces and self.pieces and self.pieces[-1] != BREAK:
            self.pieces.append(Piece(spaces, self.bold > 0, self.italic > 0, self.superscript > 0))


def pieces(markdown: str, *, by_word: bool = True) -> list[Piece]:
    """A paragraph's Markdown as the pages render it, in pieces; no break at either end. Each word
    a piece to diff them, else each stretch of text of one formatting (faster, to print)."""
    parser = _Runs(by_word=by_word)
    parser.feed(str(render_markdown(markdown)))
    parser.close()
    found = parser.pieces
    while found and found[0] == BREAK:
        found.pop(0)
    while found and found[-1] == BREAK:
        found.pop()
    if found and not found[0].text.strip():
        found.pop(0)
    return found


def words(text: str) -> list[Piece]:
    """Plain text (a heading) in pieces, word by word."""
    runs = _Runs()
    runs.text(text)
    return runs.pieces


def merged(found: list[Piece]) -> list[Piece]:
    """Neighbouring pieces of the same formatting as one: a run per change of formatting, not per word."""
    runs: list[Piece] = []
    for formatting, group in itertools.groupby(
        found, key=lambda piece: None if piece == BREAK else (piece.bold, piece.italic, piece.superscript)
    ):
        if formatting is None:
            runs.extend(group)
        else:
            runs.append(Piece("".join(piece.text for piece in group), *formatting))
    return runs


def plain(found: list[Piece]) -> str:
    """The text of pieces, line breaks as newlines."""
    return "".join(piece.text for piece in found)


# -- the Word document --------------------------------------------------------------------

_W_VAL, _W_ID, _W_AUTHOR, _W_DATE = qn("w:val"), qn("w:id"), qn("w:author"), qn("w:date")
_XML_SPACE = qn("xml:space")
_CJK_CHARACTER = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]")
_EAST_ASIAN_FONT = "SimSun"


def _word_date(moment: datetime) -> str:
    """A time as Word writes it: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TrackedDocument:
    """A Word document written paragraph by paragraph, any run of which can be a tracked change."""

    def __init__(self, *, author: str, date: datetime, title: str) -> None:
        self.document = docx.Document()
        section = self.document.sections[0]
        # The template is US Letter; UN documents are A4.
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Cm(2.5)
        self.document.core_properties.title = clean_characters(title)[:255]
        self.author = clean_characters(author)[:255] or "Consult"
        self.date = _word_date(date)
        self.ids = itertools.count(1)
        self.body = self.document.element.body
        self.end = self.body.sectPr
        styles = self.document.styles
        self.styles = {
            "title": styles["Title"].style_id,
            "subtitle": styles["Subtitle"].style_id,
            "chapter": styles["Heading 1"].style_id,
            "subsection": styles["Heading 2"].style_id,
            "paragraph": styles["Normal"].style_id,
            "proposal": styles["Quote"].style_id,
        }

    def _change(self, parent, tag: str, by: tuple[str, datetime] | None):
        author, date = (clean_characters(by[0])[:255], _word_date(by[1])) if by else (None, None)
        attributes = {_W_ID: str(next(self.ids)), _W_AUTHOR: author or self.author, _W_DATE: date or self.date}
        return SubElement(parent, qn(tag), attributes)

    def landscape(self, margin: Length) -> None:
        """Turn the pages: A4 landscape, with ``margin`` all round."""
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = margin

    def append(self, element) -> None:
        """Add a paragraph or a table at the end of the body."""
        if self.end is None:
            self.body.append(element)
        else:
            self.end.addprevious(element)

    def paragraph(
        self,
        kind: str,
        parts: list[tuple[str | None, list[Piece]]],
        mark: str | None = None,
        *,
        by: tuple[str, datetime] | None = None,
    ) -> None:
        """A paragraph of a style (a key of ``styles``) from parts, each (None, "ins" or "del", its
        pieces); ``mark`` "ins" or "del" tracks the paragraph itself (its mark), as for a whole
        paragraph inserted or deleted. ``by``: the author and time of its changes, if not the
        document's."""
        self.append(self.element(kind, parts, mark, by=by))

    def element(
        self,
        kind: str,
        parts: list[tuple[str | None, list[Piece]]],
        mark: str | None = None,
        *,
        by: tuple[str, datetime] | None = None,
    ):
        """The paragraph that ``paragraph`` adds, not yet placed (for a table's cell)."""
        paragraph = OxmlElement("w:p")
        properties = SubElement(paragraph, qn("w:pPr"))
        SubElement(properties, qn("w:pStyle"), {_W_VAL: self.styles[kind]})
        if is_rtl(" ".join(plain(found) for _change, found in parts)):
            SubElement(properties, qn("w:bidi"))
        if mark:
            self._change(SubElement(properties, qn("w:rPr")), f"w:{mark}", by)
        for change, found in parts:
            if not found:
                continue
            parent = self._change(paragraph, f"w:{change}", by) if change else paragraph
            for piece in merged(found):
                self._run(parent, piece, deleted=change == "del")
        return paragraph

    def _run(self, parent, piece: Piece, *, deleted: bool) -> None:
        run = SubElement(parent, qn("w:r"))
        rtl, cjk = is_rtl(piece.text), _CJK_CHARACTER.search(piece.text) is not None
        if piece.bold or piece.italic or piece.superscript or rtl or cjk:
            properties = SubElement(run, qn("w:rPr"))  # children in schema order
            if cjk:
                SubElement(properties, qn("w:rFonts"), {qn("w:eastAsia"): _EAST_ASIAN_FONT, qn("w:hint"): "eastAsia"})
            if piece.bold:
                SubElement(properties, qn("w:b"))
                SubElement(properties, qn("w:bCs"))
            if piece.italic:
                SubElement(properties, qn("w:i"))
                SubElement(properties, qn("w:iCs"))
            if piece.superscript:
                SubElement(properties, qn("w:vertAlign"), {_W_VAL: "superscript"})
            if rtl:
                SubElement(properties, qn("w:rtl"))
        if piece == BREAK or piece.text == "\n":
            SubElement(run, qn("w:br"))
            return
        for index, text in enumerate(piece.text.split("\t")):
            if index:
                SubElement(run, qn("w:tab"))
            if text:
                element = SubElement(run, qn("w:delText" if deleted else "w:t"))
                element.text = text
                if text != text.strip():
                    element.set(_XML_SPACE, "preserve")

    def save(self) -> IO[bytes]:
        output = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - returned to the caller
        self.document.save(output)
        output.seek(0)
        return output


def numbered(number: str) -> list[Piece]:
    """The printed number before a paragraph's text ("5." and a tab); none for a label without digits."""
    return [Piece(f"{number}."), Piece("\t")] if any(char.isdigit() for char in number) else []


def _block_pieces(block: Block) -> list[Piece]:
    if block.kind == "paragraph":
        return numbered(block.number) + pieces(block.text)
    return words(block.text)


def diff_parts(old: list[Piece], new: list[Piece]) -> list[tuple[str | None, list[Piece]]]:
    """The parts of a paragraph: unchanged pieces, deleted ones and inserted ones, in order."""
    if old == new:
        return [(None, new)]
    if len(old) * len(new) > MAX_DIFF_WORK:
        return [("del", old), ("ins", new)]
    parts: list[tuple[str | None, list[Piece]]] = []
    for tag, old_start, old_end, new_start, new_end in SequenceMatcher(None, old, new).get_opcodes():
        if tag == "equal":
            parts.append((None, new[new_start:new_end]))
            continue
        if old_start < old_end:
            parts.append(("del", old[old_start:old_end]))
        if new_start < new_end:
            parts.append(("ins", new[new_start:new_end]))
    return parts


def write_changes(writer: TrackedDocument, old: list[Block], new: list[Block]) -> None:
    """The blocks of release N changed into those of release M, as tracked changes."""
    matcher = SequenceMatcher(None, [block.key for block in old], [block.key for block in new], autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            for before, after in zip(old[old_start:old_end], new[new_start:new_end], strict=True):
                writer.paragraph(after.kind, diff_parts(_block_pieces(before), _block_pieces(after)))
            continue
        removed, added = old[old_start:old_end], new[new_start:new_end]
        if len(removed) == len(added) and all(
            before.kind == after.kind != "paragraph" for before, after in zip(removed, added, strict=True)
        ):
            # Headings renamed where they stand: their words changed, not the headings.
            for before, after in zip(removed, added, strict=True):
                writer.paragraph(after.kind, diff_parts(_block_pieces(before), _block_pieces(after)))
            continue
        for block in removed:
            writer.paragraph(block.kind, [("del", _block_pieces(block))], mark="del")
        for block in added:
            writer.paragraph(block.kind, [("ins", _block_pieces(block))], mark="ins")


def redline_file(document: Document, old: Release, new: Release, language: str | None) -> IO[bytes]:
    """Release ``new`` against release ``old`` in ``language`` (the original's where not
    translated) as a Word document with tracked changes, rewound, to send."""
    if old.document_id != document.id or new.document_id != document.id:
        raise ValidationFailed(_("Both releases must belong to the same document."))
    language = reading_language(language)
    author = new.published_by.name if new.published_by else _("Secretariat")
    writer = TrackedDocument(author=author, date=new.published_at, title=document.title)
    writer.paragraph("title", [(None, [Piece(clean_characters(document.title))])])
    subtitle = _("%(new)s compared with %(old)s", new=new.label, old=old.label)
    if document.symbol:
        subtitle = f"{document.symbol} — {subtitle}"
    writer.paragraph("subtitle", [(None, [Piece(clean_characters(subtitle))])])
    write_changes(writer, release_blocks(old, language), release_blocks(new, language))
    return writer.save()
