"""Turn a UN document in plain text or Markdown into chapters and numbered paragraphs.

Pure functions on strings, standard library only: the web layer decides what to
store and how to translate errors (by ``ImportFormatError.code``).

The parser reads line by line.  Everything before the first chapter heading is
front matter.  A numbered paragraph runs until the next numbered paragraph or
heading; page furniture (running headers, job numbers, page numbers) is dropped
and page-bottom footnotes are moved to the paragraph that cites them.
"""

from __future__ import annotations

import bisect
import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from consult.text import detect_language

# Messages by code, translated when shown.
ERROR_MESSAGES = {
    "empty": _l("The document is empty."),
    "binary": _l(
        "The file is not plain text (it looks like a PDF, Word, ZIP or other binary file). "
        "Save the document as plain text (.txt) or Markdown (.md) and upload it again."
    ),
    "encoding": _l("The file is not valid UTF-8 or UTF-16 text. Save it with UTF-8 encoding and upload it again."),
    "no_paragraphs": _l(
        "No numbered paragraphs were found. The document needs chapter headings "
        "(such as “I. Introduction” or “一、 导言”) followed by paragraphs numbered 1., 2., 3., …"
    ),
}


class ImportFormatError(ValueError):
    """The upload cannot be imported; ``code`` is a key of ``ERROR_MESSAGES``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        """What to tell the person who sent the file, in their language."""
        return str(ERROR_MESSAGES[self.code])


@dataclass
class ParsedParagraph:
    number: str
    body: str
    chapter: str
    subsection: str | None


@dataclass
class ParsedDocument:
    paragraphs: list[ParsedParagraph]
    chapters: list[str]
    symbol: str | None
    language: str


# --- Upload decoding -------------------------------------------------------

_BINARY_SIGNATURES = (
    b"PK\x03\x04",  # ZIP, hence .docx / .odt
    b"%PDF",
    b"\xd0\xcf\x11\xe0",  # legacy .doc
    b"{\\rtf",
)


def decode_upload(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with BOM; reject anything else."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif data.startswith(_BINARY_SIGNATURES) or b"\x00" in data:
        raise ImportFormatError("binary")
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFormatError("encoding") from None
    if "\x00" in text:
        raise ImportFormatError("binary")
    return text


# --- Line patterns ---------------------------------------------------------
# All patterns are matched against one stripped line and have no nested
# ambiguous repetition, so parsing stays linear in the size of the input.

_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_RUN = re.compile(f"[{_SUPERSCRIPT_DIGITS}]+")
_FOOTNOTE = re.compile(f"(?P<marker>[{_SUPERSCRIPT_DIGITS}]+)\\s*\\S")

# HSP/EB.2024/5, A/RES/77/173, E/CN.6/2024/1, A/HRC/55/L.1/Rev.1
_SYMBOL = r"[A-Z][A-Za-z0-9.\-]*(?:/[A-Za-z0-9.\-]+)+"
_SYMBOL_IN_TEXT = re.compile(rf"\b(?P<symbol>{_SYMBOL})")
_PAGE = r"\d{1,4}(?:\s*/\s*\d{1,4})?"
_RUNNING_HEADER = re.compile(rf"(?:{_PAGE}\s+)?(?P<symbol>{_SYMBOL})\*?(?:\s+{_PAGE})?")
_AGENDA_FOOTNOTE = re.compile(rf"\*{{1,3}}\s*(?P<symbol>{_SYMBOL})\s*[.。]?")
_OTHER_FURNITURE = re.compile(
    "|".join(
        (
            # Job numbers: GE.24-03456 (C), V.24-01234, 24-03456 (E) 260224, K2400512 260224
            r"(?:(?:GE|V|K|N)\.?\s?)?\d{2}-?\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6}){0,2}(?:\s+\*\d{7}\*)?",
            r"\*\d{7}\*",  # barcode text
            rf"[-–]?\s*{_PAGE}\s*[-–]?",  # page number: 3, 2/12, - 3 -
            r"Distr\..*",
        )
    )
)

_HEADING_MARKUP = re.compile(r"^#{1,6}\s+|\s+#+$|\*\*|__")
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
_CJK_CHAPTER = re.compile(r"(?P<numeral>[一二三四五六七八九十]{1,3})、\s*\S.*")
_ROMAN_CHAPTER = re.compile(r"(?P<numeral>[IVX]{1,7})\.\s+\S.*")
_LATIN_SUBSECTION = re.compile(r"(?P<letter>[A-Z])\.\s+\S.*")
_ARABIC_WORD = "[\u0621-\u065f\u0670\ufb50-\ufdff\ufe70-\ufefc]+"
# أولاً - مقدمة, حادي عشر - …, ألف - …
_ARABIC_HEADING = re.compile(rf"(?P<name>{_ARABIC_WORD}(?:\s+{_ARABIC_WORD})?)\s*[-–—]\s*\S.*")
_ANNEX = re.compile(
    r"(?:Annex(?:e|es)?|Anexos?|Приложени[ея]|附件|(?:ال)?مرفق)(?:\s*[\w.]{1,8})?\*?",
    re.IGNORECASE,
)

# 1. / 1 - (Arabic documents) / １． ; "1.5 °C" or "2024 年" are not numbers of paragraphs.
_PARAGRAPH = re.compile(r"(?P<number>\d{1,4})(?:\s*[-–—](?=\s|$)|\\?[.．](?=\D|$))\s*(?P<text>.*)")
_ITEM_LABEL = (
    # (a) (iv) (1) (а) (أ) (هـ), with ASCII or full-width parentheses
    rf"[(（](?:[a-z]{{1,2}}|[ivxl]{{1,6}}|\d{{1,2}}|[а-я]|{_ARABIC_WORD})[)）]"
    rf"|\){_ARABIC_WORD}\("  # legacy right-to-left text with mirrored parentheses
    r"|(?:[a-z]|[ivx]{1,4}|[а-я])\)"  # a) i) а) in French, Spanish and Russian
)
_SUB_ITEM = re.compile(rf"(?:[-*+]\s+)?(?P<item>(?:{_ITEM_LABEL})(?:\s.*)?)")
_BULLET = re.compile(r"[-*+•]\s")

# A sentence or list item is complete when it ends with one of these, possibly
# followed by closing quotes/brackets, emphasis markers or a footnote marker.
_SENTENCE_END = frozenset("。；：.;:!?！？؛؟")
_TRAILING_CLOSERS = "\"'”’»)）]】」』》〉*_ \t\u00a0" + _SUPERSCRIPT_DIGITS


def _roman(number: int) -> str:
    tens, ones = divmod(number, 10)
    return "X" * tens + ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")[ones]


_ROMAN_VALUES = {_roman(number): number for number in range(1, 40)}
_CJK_DIGITS = {digit: value for value, digit in enumerate("一二三四五六七八九", start=1)}
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # vowel marks and tatweel
_ALEF_FORMS = str.maketrans("أإآ", "ااا")


def _normalize_arabic(words: str) -> str:
    """Compare Arabic words regardless of vowel marks, hamza on alef and presentation forms."""
    plain = _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", words)).translate(_ALEF_FORMS)
    return " ".join(plain.split())


_ARABIC_ORDINALS = {
    _normalize_arabic(word): value
    for value, word in enumerate(
        (
            "أولا",
            "ثانيا",
            "ثالثا",
            "رابعا",
            "خامسا",
            "سادسا",
            "سابعا",
            "ثامنا",
            "تاسعا",
            "عاشرا",
        ),
        start=1,
    )
}
_ARABIC_ORDINALS |= {
    _normalize_arabic(f"{stem} عشر"): 10 + value
    for value, stem in enumerate(
        ("حادي", "ثاني", "ثالث", "رابع", "خامس", "سادس", "سابع", "ثامن", "تاسع"),
        start=1,
    )
}
_ARABIC_ORDINALS[_normalize_arabic("عشرون")] = 20
_ARABIC_SECTION_LETTERS = {
    _normalize_arabic(name): value
    for value, name in enumerate(
        (
            "ألف",
            "باء",
            "جيم",
            "دال",
            "هاء",
            "واو",
            "زاي",
            "حاء",
            "طاء",
            "ياء",
            "كاف",
            "لام",
            "ميم",
            "نون",
        ),
        start=1,
    )
}


def _strip_heading_markup(line: str) -> str:
    """Remove Markdown heading hashes, bold/italic wrappers and escapes: ``## **I\\. Intro**``."""
    text = _MARKDOWN_ESCAPE.sub(r"\1", _HEADING_MARKUP.sub("", line)).strip()
    if len(text) > 1 and text[0] == text[-1] and text[0] in "*_":
        text = text[1:-1].strip()
    return text


def _cjk_numeral_value(numeral: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十一 → 21."""
    tens, has_ten, ones = numeral.partition("十")
    if not has_ten:
        return _CJK_DIGITS.get(numeral)
    tens_value = _CJK_DIGITS.get(tens) if tens else 1
    ones_value = _CJK_DIGITS.get(ones) if ones else 0
    if tens_value is None or ones_value is None:
        return None
    return tens_value * 10 + ones_value


def _chapter_number(heading: str) -> int | None:
    if match := _CJK_CHAPTER.fullmatch(heading):
        return _cjk_numeral_value(match["numeral"])
    if match := _ROMAN_CHAPTER.fullmatch(heading):
        return _ROMAN_VALUES.get(match["numeral"])
    if match := _ARABIC_HEADING.fullmatch(heading):
        return _ARABIC_ORDINALS.get(_normalize_arabic(match["name"]))
    return None


def _subsection_number(heading: str) -> int | None:
    if match := _LATIN_SUBSECTION.fullmatch(heading):
        return ord(match["letter"]) - ord("A") + 1
    if match := _ARABIC_HEADING.fullmatch(heading):
        return _ARABIC_SECTION_LETTERS.get(_normalize_arabic(match["name"]))
    return None


def _document_symbol(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    symbol = match["symbol"].rstrip(".-")
    return symbol if any(char.isdigit() for char in symbol) else None


def _ends_sentence(text: str) -> bool:
    trimmed = text.rstrip(_TRAILING_CLOSERS)
    return bool(trimmed) and trimmed[-1] in _SENTENCE_END


def _is_cjk(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef"


def _separator(left: str, right: str) -> str:
    """What goes between two pieces of one wrapped line: nothing in CJK text or after a hyphen."""
    if _is_cjk(left[-1]) or _is_cjk(right[0]):
        return ""
    if left.endswith("-") and left[-2:-1].isalpha():
        return ""
    return " "


def _joined(left: str, right: str) -> str:
    return left + _separator(left, right) + right


# --- Parser ----------------------------------------------------------------


@dataclass
class _Footnote:
    marker: str
    text: str
    read_during: int  # index of the paragraph being read when the footnote appeared; -1 before any


@dataclass
class _DraftParagraph:
    number: int
    chapter: str
    subsection: str | None
    # Markdown paragraphs of the body, each kept as pieces until the end of parsing.
    blocks: list[list[str]] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)

    def last_line(self) -> str | None:
        return self.blocks[-1][-1] if self.blocks else None

    def append(self, text: str, *, new_block: bool) -> None:
        if new_block or not self.blocks:
            self.blocks.append([text])
        else:
            block = self.blocks[-1]
            block += (_separator(block[-1], text), text)

    def text(self) -> str:
        return "\n\n".join("".join(block) for block in self.blocks)

    def body(self) -> str:
        return "\n\n".join(filter(None, (self.text(), *self.footnotes)))


class _Parser:
    def __init__(self) -> None:
        self.chapters: list[str] = []
        self.chapter_number = 0
        self.subsection: str | None = None
        self.subsection_number = 0
        self.paragraphs: list[_DraftParagraph] = []
        # The paragraph receiving text; None between a heading and its first paragraph.
        self.current: _DraftParagraph | None = None
        self.footnotes: list[_Footnote] = []
        self.header_symbol: str | None = None
        self.front_matter_symbol: str | None = None
        # Kind of the previous kept line ("chapter", "subsection", "footnote", "body") and whether
        # the current line follows it directly, without a blank line or dropped furniture between.
        self.last_kind: str | None = None
        self.adjacent = False
        self.in_annex = False

    def feed(self, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            self.adjacent = False
            return
        plain = _strip_heading_markup(stripped)
        if self._is_furniture(plain):
            self.adjacent = False
            return
        kind = self._read(stripped, plain)
        if kind is not None:
            self.last_kind = kind
        self.adjacent = kind is not None

    def _is_furniture(self, line: str) -> bool:
        if header := _RUNNING_HEADER.fullmatch(line):
            symbol = _document_symbol(header)
            self.header_symbol = self.header_symbol or symbol
            return symbol is not None
        agenda = _AGENDA_FOOTNOTE.fullmatch(line)
        return _document_symbol(agenda) is not None or bool(_OTHER_FURNITURE.fullmatch(line))

    def _read(self, line: str, plain: str) -> str | None:
        """Handle one non-furniture line; return its kind, or None when it is not kept.

        ``plain`` is the line without Markdown heading markup, for matching headings.
        """
        if self.in_annex:
            return None
        number = _chapter_number(plain)
        if number is not None and self._accepts_chapter(number) and not self._mid_sentence():
            self._start_chapter(number, plain)
            return "chapter"
        if not self.chapters:
            if self.front_matter_symbol is None and not line.lstrip("\\").startswith("*"):
                self.front_matter_symbol = _document_symbol(_SYMBOL_IN_TEXT.search(line))
            return None
        if self.paragraphs and _ANNEX.fullmatch(plain):
            self.in_annex = True
            return None
        letter = _subsection_number(plain)
        if letter == self.subsection_number + 1 and not self._mid_sentence():
            self.subsection, self.subsection_number, self.current = plain, letter, None
            return "subsection"
        if footnote := _FOOTNOTE.match(line):
            self.footnotes.append(_Footnote(footnote["marker"], line, len(self.paragraphs) - 1))
            return "footnote"
        paragraph = _PARAGRAPH.fullmatch(line)
        if paragraph and self._accepts_paragraph(int(paragraph["number"])) and not self._mid_sentence():
            self.current = _DraftParagraph(int(paragraph["number"]), self.chapters[-1], self.subsection)
            self.paragraphs.append(self.current)
            if paragraph["text"]:
                self.current.append(paragraph["text"], new_block=True)
            return "body"
        return self._read_text(line)

    def _read_text(self, line: str) -> str | None:
        if self.current is not None:
            if item := _SUB_ITEM.fullmatch(line):
                # The Markdown bullet is dropped so that the label stays as printed, not a list.
                self.current.append(item["item"], new_block=True)
                return "body"
            if _BULLET.match(line):
                self.current.append(line, new_block=True)
                return "body"
        if self.adjacent and self.last_kind == "footnote":
            self.footnotes[-1].text = _joined(self.footnotes[-1].text, line)
            return "footnote"
        # A heading wrapped onto a second line.
        if self.adjacent and self.last_kind == "chapter":
            self.chapters[-1] = _joined(self.chapters[-1], line)
            return "chapter"
        if self.adjacent and self.last_kind == "subsection":
            self.subsection = _joined(self.subsection or "", line)
            return "subsection"
        if self.current is None:
            return None  # unnumbered text between a heading and the next paragraph
        # A wrapped line continues its block; text resumed after a page break starts a
        # new Markdown paragraph only if the text before it was a finished sentence.
        last_line = self.current.last_line()
        soft_wrap = self.adjacent and self.last_kind == "body"
        new_block = not soft_wrap and last_line is not None and _ends_sentence(last_line)
        self.current.append(line, new_block=new_block)
        return "body"

    def _accepts_chapter(self, number: int) -> bool:
        # Chapter I seen again before any paragraph: the first series was a table of contents.
        return number == self.chapter_number + 1 or (number == 1 and not self.paragraphs)

    def _accepts_paragraph(self, number: int) -> bool:
        if self.paragraphs:
            return number == self.paragraphs[-1].number + 1
        return number < 1000  # a year such as 2024 never opens the numbering

    def _mid_sentence(self) -> bool:
        """True when the line directly continues an unfinished line of a paragraph."""
        last_line = self.current.last_line() if self.current else None
        return self.adjacent and self.last_kind == "body" and last_line is not None and not _ends_sentence(last_line)

    def _start_chapter(self, number: int, heading: str) -> None:
        if number == 1:
            self.chapters.clear()
        self.chapters.append(heading)
        self.chapter_number = number
        self.subsection, self.subsection_number, self.current = None, 0, None

    def _attach_footnotes(self) -> None:
        citing: dict[str, list[int]] = {}  # marker -> indices of paragraphs citing it
        for index, paragraph in enumerate(self.paragraphs):
            for marker in set(_SUPERSCRIPT_RUN.findall(paragraph.text())):
                citing.setdefault(marker, []).append(index)
        for footnote in self.footnotes:
            start = max(footnote.read_during, 0)
            indices = citing.get(footnote.marker)
            if indices is None:
                target = start  # cited nowhere: keep it with the paragraph it interrupted
            else:
                # The marker is normally on the same page, so in the nearest citing paragraph
                # at or before the one being read; failing that, in the first later one.
                before = bisect.bisect_right(indices, start)
                target = indices[before - 1] if before else indices[0]
            self.paragraphs[target].footnotes.append(footnote.text)

    def finish(self, language: str | None) -> ParsedDocument:
        if not self.paragraphs:
            raise ImportFormatError("no_paragraphs")
        self._attach_footnotes()
        paragraphs = [
            ParsedParagraph(str(draft.number), draft.body(), draft.chapter, draft.subsection)
            for draft in self.paragraphs
        ]
        return ParsedDocument(
            paragraphs=paragraphs,
            chapters=self.chapters,
            symbol=self.header_symbol or self.front_matter_symbol,
            language=language or detect_language(" ".join(p.body for p in paragraphs)),
        )


def parse_document(text: str, language: str | None = None) -> ParsedDocument:
    """Parse a UN document; ``language`` overrides detection (zh, en, fr, es, ru, ar)."""
    if not isinstance(text, str) or "\x00" in text:
        raise ImportFormatError("binary")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportFormatError("empty")
    parser = _Parser()
    for line in text.splitlines():
        parser.feed(line)
    return parser.finish(language)
