"""Reading an uploaded draft: a Word document (.docx), plain text or Markdown, into the parsed
structure of consult.drafts.importer.

A Word document is turned into the lines the text parser reads, with what Word knows and a text
file does not: the numbers of Word's automatic numbering (numbering definitions, their levels and
formats, counted as Word counts them), headings from the heading styles, footnotes from the
footnotes part (cited with a superscript number, their text after the paragraph, as a typed
document has them), tables (as Markdown tables) and bold and italic (as Markdown). Tracked
changes are read as accepted.

The file is checked as every Office upload is (consult.uploads: parts, size, no document type
declaration) and read in a process of its own with a deadline and a memory limit. An older
.doc, a password-protected document, one with macros (.docm), a PDF: refused with what to do.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from flask import current_app
from lxml import etree

from consult.drafts.importer import (
    LIMIT_CODES,
    ImportFormatError,
    Line,
    ParsedDocument,
    decode_upload,
    parse_document,
    parse_lines,
)
from consult.errors import TooLarge, ValidationFailed
from consult.uploads import Deadline, UploadLimits, UploadRefused, check_office_zip, run_isolated

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{_W_NS}}}"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .docx is an OLE2 container holding the encrypted package under this stream name.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_SKIPPED_ELEMENTS = frozenset(
    (
        f"{_W}del",
        f"{_W}moveFrom",
        f"{_W}instrText",
        f"{_W}delText",
        f"{_W}pPr",
        f"{_W}rPr",
        f"{_W}footnoteRef",
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    )
)
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_|])")
_HEADING_STYLE = re.compile(r"(?:heading|标题|título|titre|заголовок)\s*(\d)", re.IGNORECASE)
# The United Nations' own templates: HCh_G a chapter heading, H1_G a subsection heading.
_UN_STYLES = {"hch_g": "chapter", "h1_g": "subsection"}


# -- entry points ---------------------------------------------------------------------


def read_upload(data: bytes, language: str | None = None, limits: UploadLimits = UploadLimits()) -> ParsedDocument:
    """The structure of an uploaded draft: .docx (by its content, not its name), else UTF-8 or
    UTF-16 text; raise ``ImportFormatError`` for a file that cannot be read."""
    if not data:
        raise ImportFormatError("empty")
    if data.startswith(_OLE2):
        raise ImportFormatError("encrypted" if _ENCRYPTED_STREAM in data else "doc")
    if data.startswith(b"%PDF"):
        raise ImportFormatError("pdf")
    if not data.startswith(b"PK"):
        return parse_document(decode_upload(data), language)
    deadline = Deadline(limits.seconds)
    try:
        names = check_office_zip(data, limits, deadline)
    except UploadRefused as refused:
        raise ImportFormatError(refused.code, limits) from refused
    if "word/document.xml" not in names:
        raise ImportFormatError("not_docx")
    if "word/vbaProject.bin" in names or b"macroEnabled" in _content_types(data):
        raise ImportFormatError("macro")
    try:
        lines = run_isolated(lambda: _read_lines(data), deadline, limits.max_memory)
    except UploadRefused as refused:
        raise ImportFormatError(refused.code, limits) from refused
    return parse_lines(lines, language)


def read_document(data: bytes, language: str | None = None) -> ParsedDocument:
    """``read_upload`` within the configured limits; a file that cannot be read is a
    ValidationFailed on the field ``file`` (TooLarge past a size limit), saying what to do."""
    limits = UploadLimits.from_config(current_app.config)
    try:
        return read_upload(data, language, limits)
    except ImportFormatError as error:
        raise upload_error(error) from error


def upload_error(error: ImportFormatError) -> ValidationFailed:
    message = error.message
    refusal = TooLarge if error.code in LIMIT_CODES - {"too_slow"} | {"too_complex"} else ValidationFailed
    return refusal(message, field_errors={"file": [message]})


def _content_types(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            return archive.read("[Content_Types].xml")
        except KeyError:
            return b""


def _read_lines(data: bytes) -> list[Line]:
    """Run in the reading process: every failure becomes an ImportFormatError the parent re-raises."""
    try:
        return list(_WordReader(docx.Document(io.BytesIO(data))).lines())
    except ImportFormatError:
        raise
    except MemoryError as error:
        raise ImportFormatError("too_complex") from error
    except etree.XMLSyntaxError as error:
        code = "too_complex" if error.code == etree.ErrorTypes.ERR_NO_MEMORY else "unreadable"
        raise ImportFormatError(code) from error
    except Exception as error:  # python-docx and lxml raise all manner of errors on a damaged file
        raise ImportFormatError("unreadable") from error


# -- automatic numbering ----------------------------------------------------------------

_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)
_CJK_DIGITS = "〇一二三四五六七八九"
_ARABIC_ABJAD = ("أ", "ب", "ج", "د", "هـ", "و", "ز", "ح", "ط", "ي", "ك", "ل", "م", "ن", "س", "ع", "ف", "ص", "ق", "ر")
_ARABIC_ALPHA = ("أ", "ب", "ت", "ث", "ج", "ح", "خ", "د", "ذ", "ر", "ز", "س", "ش", "ص", "ض", "ط", "ظ", "ع", "غ", "ف")
_RUSSIAN = "абвгдежзиклмнопрстуфхцчшщэюя"


def _roman(value: int) -> str:
    result = ""
    for amount, numeral in _ROMAN:
        count, value = divmod(value, amount)
        result += numeral * count
    return result


def _letters(value: int, alphabet: str) -> str:
    # Word's letter numbering: a … z, then aa … zz.
    repeat, index = divmod(value - 1, len(alphabet))
    return alphabet[index] * (repeat + 1)


def _cjk(value: int) -> str:
    if value < 10:
        return _CJK_DIGITS[value]
    tens, ones = divmod(value, 10)
    if value < 100:
        return ("" if tens == 1 else _CJK_DIGITS[tens]) + "十" + (_CJK_DIGITS[ones] if ones else "")
    return "".join(_CJK_DIGITS[int(digit)] for digit in str(value))


def format_number(value: int, number_format: str) -> str:
    """A counter as Word prints it in a numbering format (w:numFmt)."""
    value = max(value, 0)
    if number_format in ("upperRoman", "lowerRoman"):
        text = _roman(value) or "0"
        return text if number_format == "upperRoman" else text.lower()
    if number_format in ("upperLetter", "lowerLetter") and value:
        text = _letters(value, "abcdefghijklmnopqrstuvwxyz")
        return text.upper() if number_format == "upperLetter" else text
    if number_format in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "japaneseCounting"):
        return _cjk(value)
    if number_format == "ideographDigital":
        return "".join(_CJK_DIGITS[int(digit)] for digit in str(value))
    if number_format == "arabicAbjad" and value:
        return _ARABIC_ABJAD[(value - 1) % len(_ARABIC_ABJAD)]
    if number_format == "arabicAlpha" and value:
        return _ARABIC_ALPHA[(value - 1) % len(_ARABIC_ALPHA)]
    if number_format == "russianLower" and value:
        return _letters(value, _RUSSIAN)
    if number_format == "russianUpper" and value:
        return _letters(value, _RUSSIAN).upper()
    if number_format == "hindiNumbers":
        return str(value).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    if number_format == "decimalFullWidth":
        return str(value).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if number_format == "none":
        return ""
    return str(value)  # decimal, decimalZero and the formats nobody uses in a UN document


def _value(element, name: str) -> str | None:
    child = element.find(f"{_W}{name}") if element is not None else None
    return child.get(f"{_W}val") if child is not None else None


class _Numbering:
    """Word's list counters: each abstract numbering definition counts for every level; a level
    that advances restarts the levels below it."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstract id → level → (format, text, start)
        self.instances: dict[str, tuple[str, dict[int, int]]] = {}  # num id → (abstract id, start overrides)
        self.counters: dict[str, dict[int, int]] = {}
        self.restarted: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):  # a document without lists has no numbering part: nothing to count
            return
        for abstract in root.iterfind(f"{_W}abstractNum"):
            levels = {}
            for level in abstract.iterfind(f"{_W}lvl"):
                start = _value(level, "start")
                levels[int(level.get(f"{_W}ilvl", "0"))] = (
                    _value(level, "numFmt") or "decimal",
                    _value(level, "lvlText") or "",
                    int(start) if start and start.isdigit() else 1,
                )
            self.levels[abstract.get(f"{_W}abstractNumId")] = levels
        for instance in root.iterfind(f"{_W}num"):
            overrides = {}
            for override in instance.iterfind(f"{_W}lvlOverride"):
                start = _value(override, "startOverride")
                if start and start.isdigit():
                    overrides[int(override.get(f"{_W}ilvl", "0"))] = int(start)
            self.instances[instance.get(f"{_W}numId")] = (_value(instance, "abstractNumId") or "", overrides)

    def label(self, num_id: str, level: int) -> str:
        """The number Word prints before the next paragraph of this list at this level ("" for none)."""
        if num_id not in self.instances:
            return ""
        abstract, overrides = self.instances[num_id]
        levels = self.levels.get(abstract, {})
        if level not in levels:
            return ""
        counters = self.counters.setdefault(abstract, {})
        if overrides and num_id not in self.restarted:
            # A list instance that restarts its numbering (startOverride) does so when first used.
            self.restarted.add(num_id)
            for overridden, start in overrides.items():
                counters[overridden] = start - 1
        number_format, text, start = levels[level]
        counters[level] = counters.get(level, start - 1) + 1
        for deeper in [key for key in counters if key > level]:
            del counters[deeper]
        if number_format == "bullet":
            return "-"

        def placeholder(match: re.Match[str]) -> str:
            referenced = int(match[1]) - 1
            referenced_format, _text, referenced_start = levels.get(referenced, ("decimal", "", 1))
            return format_number(counters.get(referenced, referenced_start), referenced_format)

        return re.sub(r"%([1-9])", placeholder, text).strip()


# -- the reader -------------------------------------------------------------------------


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def _flag(properties, name: str) -> bool:
    element = properties.find(f"{_W}{name}") if properties is not None else None
    return element is not None and element.get(f"{_W}val", "true") not in ("0", "false", "none")


class _Text:
    """The runs of one paragraph as Markdown: bold and italic kept, footnotes cited."""

    def __init__(self, reader: _WordReader) -> None:
        self.reader = reader
        self.pieces: list[tuple[str, bool, bool]] = []  # (Markdown-escaped text, bold, italic)

    def walk(self, element) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIPPED_ELEMENTS or not isinstance(tag, str):
                continue
            if tag == f"{_W}r":
                self.run(child)
            else:
                self.walk(child)

    def run(self, run) -> None:
        properties = run.find(f"{_W}rPr")
        bold, italic = _flag(properties, "b"), _flag(properties, "i")
        superscript = _value(properties, "vertAlign") == "superscript"
        for child in run:
            tag = child.tag
            if tag == f"{_W}t":
                text = child.text or ""
                if superscript and text.strip().isdigit():
                    self.pieces.append((text.strip().translate(_SUPERSCRIPT), False, False))  # a typed footnote mark
                else:
                    self.pieces.append((_escape(text), bold, italic))
            elif tag in (f"{_W}tab", f"{_W}ptab") or tag in (f"{_W}br", f"{_W}cr"):
                self.pieces.append((" ", False, False))
            elif tag == f"{_W}noBreakHyphen":
                self.pieces.append(("-", bold, italic))
            elif tag == f"{_W}footnoteReference":
                self.pieces.append((self.reader.cite(child.get(f"{_W}id")), False, False))

    def markdown(self) -> str:
        """Runs of the same emphasis merged, the markers outside the spaces (``**bold** text``)."""
        merged: list[list] = []
        for text, bold, italic in self.pieces:
            if merged and merged[-1][1:] == [bold, italic]:
                merged[-1][0] += text
            else:
                merged.append([text, bold, italic])
        out = []
        for text, bold, italic in merged:
            marker = ("**" if bold else "") + ("*" if italic else "")
            core = text.strip()
            if marker and core:
                leading, trailing = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
                out.append(f"{leading}{marker}{core}{marker[::-1]}{trailing}")
            else:
                out.append(text)
        return " ".join("".join(out).split())


class _WordReader:
    def __init__(self, document) -> None:
        self.document = document
        self.numbering = _Numbering(document)
        self.footnote_texts = self._footnotes()
        self.cited: list[str] = []  # footnote texts cited by the paragraph being read, with their marks
        self.footnote_count = 0
        self.style_hints: dict[str, tuple[str | None, tuple[str, int] | None]] = {}

    def _footnotes(self) -> dict[str, object]:
        for relationship in self.document.part.rels.values():
            if relationship.reltype == RT.FOOTNOTES and not relationship.is_external:
                parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
                root = etree.fromstring(relationship.target_part.blob, parser)  # noqa: S320 - checked, no DTD
                return {
                    note.get(f"{_W}id"): note
                    for note in root.iterfind(f"{_W}footnote")
                    if note.get(f"{_W}type") in (None, "normal")
                }
        return {}

    def cite(self, footnote_id: str | None) -> str:
        """The superscript mark of a footnote cited here; its text goes after the paragraph."""
        note = self.footnote_texts.get(footnote_id or "")
        if note is None:
            return ""
        self.footnote_count += 1
        mark = str(self.footnote_count).translate(_SUPERSCRIPT)
        texts = []
        for paragraph in note.iterfind(f"{_W}p"):
            text = _Text(self)
            text.walk(paragraph)
            texts.append(text.markdown())
        self.cited.append(f"{mark} {' '.join(filter(None, texts))}")
        return mark

    def lines(self) -> Iterator[Line]:
        body = self.document.element.body
        for element in body.iterchildren():
            if element.tag == f"{_W}p":
                yield from self._paragraph(element)
            elif element.tag == f"{_W}tbl":
                yield from self._table(element)
            elif element.tag == f"{_W}sdt":  # a content control around paragraphs (a cover page, say)
                content = element.find(f"{_W}sdtContent")
                for child in content if content is not None else ():
                    if child.tag == f"{_W}p":
                        yield from self._paragraph(child)
                    elif child.tag == f"{_W}tbl":
                        yield from self._table(child)

    def _style(self, style_id: str | None) -> tuple[str | None, tuple[str, int] | None]:
        """The heading hint and the numbering a paragraph style gives (following its base styles)."""
        if style_id is None:
            return None, None
        if style_id not in self.style_hints:
            hint, numbering, seen = None, None, set()
            style = self.document.styles.element.get_by_id(style_id)
            while style is not None and style.styleId not in seen:
                seen.add(style.styleId)
                name = (style.name_val or style.styleId or "").strip()
                if hint is None:
                    hint = _UN_STYLES.get(name.lower())
                    if hint is None and (heading := _HEADING_STYLE.fullmatch(name)):
                        hint = {"1": "chapter", "2": "subsection"}.get(heading[1])
                    if hint is None and (level := _value(style.pPr, "outlineLvl")) in ("0", "1"):
                        hint = "chapter" if level == "0" else "subsection"
                if numbering is None:
                    numbering = _numbering_of(style.pPr)
                style = style.base_style
            self.style_hints[style_id] = (hint, numbering)
        return self.style_hints[style_id]

    def _paragraph(self, element) -> Iterator[Line]:
        properties = element.find(f"{_W}pPr")
        hint, numbering = self._style(_value(properties, "pStyle"))
        direct = _numbering_of(properties)
        if direct is not None:
            numbering = direct
        if (level := _value(properties, "outlineLvl")) in ("0", "1"):
            hint = "chapter" if level == "0" else "subsection"
        text = _Text(self)
        text.walk(element)
        markdown = text.markdown()
        label = self.numbering.label(*numbering) if numbering and markdown else ""
        cited, self.cited = self.cited, []
        if not markdown:
            yield from (Line(note, hard=True) for note in cited)
            return
        yield Line(f"{label} {markdown}" if label else markdown, hint, hard=True)
        yield from (Line(note, hard=True) for note in cited)

    def _table(self, element) -> Iterator[Line]:
        rows = []
        for row in element.iterfind(f"{_W}tr"):
            cells = []
            for cell in row.iterfind(f"{_W}tc"):
                parts = []
                for paragraph in cell.iter(f"{_W}p"):
                    text = _Text(self)
                    text.walk(paragraph)
                    parts.append(text.markdown())
                cells.append(" ".join(filter(None, parts)))
            rows.append(cells)
        rows = [row for row in rows if any(row)]
        if not rows:
            return
        width = max(len(row) for row in rows)
        lines = [f"| {' | '.join(row + [''] * (width - len(row)))} |" for row in rows]
        lines.insert(1, "|" + " --- |" * width)
        cited, self.cited = self.cited, []
        yield Line("\n".join(lines), "table", hard=True)
        yield from (Line(note, hard=True) for note in cited)


def _numbering_of(properties) -> tuple[str, int] | None:
    """(num id, level) of a paragraph's or style's w:numPr; None without one, ("0", 0) for "none"."""
    numbering = properties.find(f"{_W}numPr") if properties is not None else None
    if numbering is None:
        return None
    num_id = _value(numbering, "numId")
    level = _value(numbering, "ilvl")
    if num_id is None:
        return None
    return num_id, int(level) if level and level.isdigit() else 0
