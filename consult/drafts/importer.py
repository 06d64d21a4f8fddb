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
        "The file is not plain text or a Word document (it looks like a PDF, ZIP or other binary file). "
        "Save the document as a Word document (.docx), plain text (.txt) or Markdown (.md) and upload it again."
    ),
    "encoding": _l("The file is not valid UTF-8 or UTF-16 text. Save it with UTF-8 encoding and upload it again."),
    "no_paragraphs": _l(
        "No numbered paragraphs were found. Number the paragraphs 1., 2., 3., … (typed, or with Word's "
        "automatic numbering), under chapter headings such as “I. Introduction” or “一、 导言” if the document "
        "has chapters, and upload it again."
    ),
    "doc": _l(
        "This is an older Word document (.doc), which cannot be read. Open it in Word and save it as a "
        "Word document (.docx), then upload it again."
    ),
    "encrypted": _l(
        "The document is protected by a password, so it cannot be read. Open it in Word, remove the password "
        "(File › Info › Protect document), save it and upload it again."
    ),
    "macro": _l(
        "The document contains macros (.docm), which are not accepted. Save it in Word as a Word document "
        "(.docx), without macros, and upload it again."
    ),
    "pdf": _l(
        "PDF files cannot be imported: their paragraphs cannot be read reliably. Upload the Word document "
        "(.docx) the PDF was made from, or save the text as plain text (.txt)."
    ),
    "not_docx": _l(
        "The file is an archive but not a Word document (.docx): an OpenDocument or ZIP file, perhaps. "
        "Save it as a Word document (.docx) and upload it again."
    ),
    "unreadable": _l("The Word document is damaged and cannot be read. Open it in Word, save it again and upload it."),
    "doctype": _l(
        "The file contains a document type declaration, which Word documents never have. "
        "Open it in Word, save it again as .docx and upload it."
    ),
    "too_complex": _l(
        "The document holds too many elements to be read. Split it into several files and upload them one by one."
    ),
}
# Refusals of the upload limits, whose messages name the limit (consult.uploads.refusal_message).
LIMIT_CODES = frozenset({"too_large", "too_many_parts", "too_slow"})

# Why a line was not imported.
SKIP_REASONS = {
    "furniture": _l("page furniture: running head, document symbol, job number or page number"),
    "front_matter": _l("title block before the first chapter and the first paragraph"),
    "contents": _l("table of contents"),
    "unnumbered": _l("unnumbered text between a heading and the next numbered paragraph"),
}
WARNING_MESSAGES = {
    "gap": _l("Paragraph %(number)s follows paragraph %(previous)s: the numbers between are missing."),
    "repeated": _l("Paragraph %(number)s is numbered twice."),
}


class ImportFormatError(ValueError):
    """The upload cannot be imported; ``code`` is a key of ``ERROR_MESSAGES`` or of ``LIMIT_CODES``."""

    def __init__(self, code: str, limits=None) -> None:
        super().__init__(code)
        self.code = code
        self.limits = limits

    def __reduce__(self):
        # Raised in the process that reads a Word document, re-raised in the one that asked.
        return (ImportFormatError, (self.code, self.limits))

    @property
    def message(self) -> str:
        """What to tell the person who sent the file, in their language."""
        if self.code in LIMIT_CODES or self.code == "too_complex":
            from consult.uploads import UploadLimits, refusal_message

            limited = refusal_message(self.code, self.limits or UploadLimits())
            if limited:
                return limited
        return str(ERROR_MESSAGES[self.code])


@dataclass
class ParsedParagraph:
    number: str
    body: str
    chapter: str
    subsection: str | None
    annex: int = 0  # the annex it is printed in (1 for the first), 0 for the document itself
    footnotes: list[str] = field(default_factory=list)  # also at the end of ``body``


@dataclass(frozen=True)
class Skipped:
    """A line not imported, and why (a key of ``SKIP_REASONS``)."""

    line: str
    reason: str

    @property
    def message(self) -> str:
        return str(SKIP_REASONS[self.reason])


@dataclass(frozen=True)
class ParseWarning:
    """Something to check in the file: a gap in the numbering, a number repeated."""

    code: str
    number: str
    previous: str

    @property
    def message(self) -> str:
        return str(WARNING_MESSAGES[self.code]) % {"number": self.number, "previous": self.previous}


@dataclass
class ParsedDocument:
    paragraphs: list[ParsedParagraph]
    chapters: list[str]
    symbol: str | None
    language: str
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)

    @property
    def numbered(self) -> int:
        return sum(paragraph.number.isdigit() for paragraph in self.paragraphs)

    @property
    def footnote_count(self) -> int:
        return sum(len(paragraph.footnotes) for paragraph in self.paragraphs)


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
_TO_SUPERSCRIPT = str.maketrans("0123456789", _SUPERSCRIPT_DIGITS)
_FROM_SUPERSCRIPT = str.maketrans(_SUPERSCRIPT_DIGITS, "0123456789")
# A footnote typed with a plain number at the foot of a page: "1 See HSP/EB.2023/12."
_PLAIN_FOOTNOTE = re.compile(r"(?P<marker>\d{1,2})\s+\S.*")
# The heading of what precedes chapter I in the six languages.
_SUMMARY = re.compile(r"(?:Summary|Résumé|Resumen|Резюме|摘要|موجز|ملخص)", re.IGNORECASE)
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


@dataclass(frozen=True)
class Line:
    """One line of a document as the parser reads it.

    ``hint`` is what the Word reader knows from styles: "chapter" (a heading of the first level),
    "subsection" (of the second), "table" (a Markdown table, several lines). ``hard``: a paragraph
    of its own (a Word paragraph), never the wrapped continuation of the line before.
    """

    text: str
    hint: str | None = None
    hard: bool = False


@dataclass
class _Footnote:
    marker: str
    text: str
    read_during: int  # index of the paragraph being read when the footnote appeared; -1 before any
    plain: bool = False  # typed as a plain digit ("1 See …"): its marker is found in the text


@dataclass
class _DraftParagraph:
    number: str
    chapter: str
    subsection: str | None
    annex: int = 0
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

    def mark_plain_footnote(self, marker: str) -> bool:
        """Turn the last plain-digit citation of ``marker`` into a superscript; whether there was one."""
        pattern = _plain_citation(marker)
        for block in reversed(self.blocks):
            for index in range(len(block) - 1, -1, -1):
                found = list(pattern.finditer(block[index]))
                if found:
                    last = found[-1]
                    superscript = marker.translate(_TO_SUPERSCRIPT)
                    block[index] = block[index][: last.start()] + superscript + block[index][last.end() :]
                    return True
        return False


def _plain_citation(marker: str) -> re.Pattern[str]:
    # "frameworks1 are", "框架1是", "resolution.1": digits glued to a word or a full stop, no digit after.
    return re.compile(rf"(?<=[^\W\d_]|[.,;:)”’。，；：）]){marker}(?![\d.,])")


# How many numbered lines ahead a gap in the numbering is checked against: bounded work.
_LOOKAHEAD = 500


class _Parser:
    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
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
        self.front_heading: str | None = None  # "Summary", "摘要": the chapter of what precedes chapter I
        self.annex = 0  # the annex being read (1 for the first), 0 before any
        self.annex_title_open = False
        self.last_number: int | None = None  # the last paragraph number of the sequence being read
        self.skipped: list[Skipped] = []
        self.warnings: list[ParseWarning] = []
        self.index = 0
        self.candidates = self._candidates()

    def _candidates(self) -> list[tuple[int, int]]:
        """(line index, number) of every line that could open a numbered paragraph, and (index, -1)
        for annex headings, which start a new sequence: to tell a gap in the numbering from a number
        in the text."""
        found = []
        for index, line in enumerate(self.lines):
            stripped = line.text.strip()
            if match := _PARAGRAPH.fullmatch(stripped):
                found.append((index, int(match["number"])))
            elif _ANNEX.fullmatch(_strip_heading_markup(stripped)):
                found.append((index, -1))
        return found

    def _later_numbers(self) -> list[int]:
        """The candidate numbers after the current line, up to the next annex."""
        start = bisect.bisect_right(self.candidates, (self.index, 10**9))
        numbers = []
        for _index, number in self.candidates[start : start + _LOOKAHEAD]:
            if number < 0:
                break
            numbers.append(number)
        return numbers

    def run(self) -> None:
        for index, line in enumerate(self.lines):
            self.index = index
            self.feed(line)

    def skip(self, line: str, reason: str) -> None:
        self.skipped.append(Skipped(line, reason))

    def feed(self, line: Line) -> None:
        stripped = line.text.strip()
        if not stripped:
            self.adjacent = False
            return
        plain = _strip_heading_markup(stripped) if line.hint != "table" else stripped
        if line.hint != "table" and self._is_furniture(plain):
            self.skip(stripped, "furniture")
            self.adjacent = False
            return
        kind = self._read(stripped, plain, line)
        if kind is not None:
            self.last_kind = kind
        self.adjacent = kind is not None and not line.hard

    def _is_furniture(self, line: str) -> bool:
        if header := _RUNNING_HEADER.fullmatch(line):
            symbol = _document_symbol(header)
            self.header_symbol = self.header_symbol or symbol
            return symbol is not None
        agenda = _AGENDA_FOOTNOTE.fullmatch(line)
        return _document_symbol(agenda) is not None or bool(_OTHER_FURNITURE.fullmatch(line))

    def _chapter(self) -> str:
        return self.chapters[-1] if self.chapters else (self.front_heading or "")

    def _read(self, line: str, plain: str, source: Line) -> str | None:
        """Handle one non-furniture line; return its kind, or None when it is not kept.

        ``plain`` is the line without Markdown heading markup, for matching headings.
        """
        if source.hint == "table":
            return self._read_block(line)
        if (self.paragraphs or self.chapters) and _ANNEX.fullmatch(plain) and not self._mid_sentence():
            self._start_annex(plain)
            return "annex"
        if not self.chapters and not self.paragraphs and _SUMMARY.fullmatch(plain):
            self.front_heading = plain  # a summary, even in a heading style: not chapter I
            return "chapter"
        number = _chapter_number(plain)
        if self.annex:
            heading = source.hint in ("chapter", "subsection") or (
                number == self.subsection_number + 1 and not self._mid_sentence()
            )
            if heading:
                self.subsection, self.current = plain, None
                self.subsection_number = number or self.subsection_number + 1
                return "subsection"
        elif source.hint == "chapter" or (
            number is not None and self._accepts_chapter(number) and not self._mid_sentence()
        ):
            self._start_chapter(number or self.chapter_number + 1, plain)
            return "chapter"
        if not self.chapters and not self.paragraphs:
            return self._read_front(line, plain)
        letter = _subsection_number(plain)
        if (source.hint == "subsection" or letter == self.subsection_number + 1) and not self._mid_sentence():
            self.subsection, self.current = plain, None
            self.subsection_number = letter or self.subsection_number + 1
            return "subsection"
        if footnote := _FOOTNOTE.match(line):
            self.footnotes.append(_Footnote(footnote["marker"], line, len(self.paragraphs) - 1))
            return "footnote"
        paragraph = _PARAGRAPH.fullmatch(line)
        if paragraph and not self._mid_sentence() and self._accepts_paragraph(int(paragraph["number"])):
            self._start_paragraph(int(paragraph["number"]), paragraph["text"])
            return "body"
        if (
            (plain_footnote := _PLAIN_FOOTNOTE.fullmatch(line))
            and not self.adjacent
            and self.current is not None
            and self._cites_plainly(plain_footnote["marker"])
        ):
            self.footnotes.append(_Footnote(plain_footnote["marker"], line, len(self.paragraphs) - 1, plain=True))
            return "footnote"
        return self._read_text(line, source.hard)

    def _read_front(self, line: str, plain: str) -> str | None:
        """Before the first chapter and the first paragraph: the title block, a summary, paragraph 1."""
        paragraph = _PARAGRAPH.fullmatch(line)
        if paragraph and int(paragraph["number"]) == 1 and not self._mid_sentence():
            self._start_paragraph(1, paragraph["text"])
            return "body"
        if self.front_heading is not None:
            # The summary's own text, unnumbered: one section under the summary's heading.
            self.current = _DraftParagraph(self.front_heading[:20], self.front_heading, None)
            self.paragraphs.append(self.current)
            self.current.append(line, new_block=True)
            return "body"
        if self.front_matter_symbol is None and not line.lstrip("\\").startswith("*"):
            self.front_matter_symbol = _document_symbol(_SYMBOL_IN_TEXT.search(line))
        self.skip(line, "front_matter")
        return None

    def _start_paragraph(self, number: int, text: str) -> None:
        self.current = _DraftParagraph(str(number), self._chapter(), self.subsection, self.annex)
        self.paragraphs.append(self.current)
        self.last_number = number
        if text:
            self.current.append(text, new_block=True)

    def _start_annex(self, label: str) -> None:
        self.annex += 1
        self.chapters.append(label)
        self.annex_title_open = True
        self.subsection, self.subsection_number, self.current, self.last_number = None, 0, None, None

    def _read_block(self, text: str) -> str | None:
        """A table: a block of the paragraph being read."""
        if self.current is None and self.annex:
            self._start_annex_text()
        if self.current is None:
            self.skip(text, "unnumbered")
            return None
        self.current.append(text, new_block=True)
        return "body"

    def _start_annex_text(self) -> None:
        """Text of an annex before its first numbered paragraph: a section named as the annex is printed."""
        label = self.chapters[-1]
        # Numbered as printed: "Annex II", not the annex's title.
        self.current = _DraftParagraph(label.split(" — ")[0][:20], label, self.subsection, self.annex)
        self.paragraphs.append(self.current)
        self.annex_title_open = False

    def _cites_plainly(self, marker: str) -> bool:
        pattern = _plain_citation(marker)
        return any(pattern.search(piece) for block in self.current.blocks for piece in block)

    def _read_text(self, line: str, hard: bool) -> str | None:
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
        if self.adjacent and self.last_kind == "chapter" and self.chapters:
            self.chapters[-1] = _joined(self.chapters[-1], line)
            return "chapter"
        if self.adjacent and self.last_kind == "subsection":
            self.subsection = _joined(self.subsection or "", line)
            return "subsection"
        if self.current is None and self.annex:
            if self.annex_title_open and not _ends_sentence(line) and len(line) <= 200:
                self.chapters[-1] = f"{self.chapters[-1]} — {line}"
                self.annex_title_open = False
                return "annex"
            self._start_annex_text()
            self.current.append(line, new_block=True)
            return "body"
        if self.current is None:
            self.skip(line, "unnumbered")
            return None
        # A wrapped line continues its block; text resumed after a page break starts a
        # new Markdown paragraph only if the text before it was a finished sentence.
        last_line = self.current.last_line()
        soft_wrap = self.adjacent and self.last_kind == "body"
        new_block = hard or (not soft_wrap and last_line is not None and _ends_sentence(last_line))
        self.current.append(line, new_block=new_block)
        return "body"

    def _accepts_chapter(self, number: int) -> bool:
        # Chapter I seen again before any paragraph: the first series was a table of contents.
        return number == self.chapter_number + 1 or (number == 1 and not self.paragraphs)

    def _accepts_paragraph(self, number: int) -> bool:
        """The next number of the sequence; or a number a little further on, or the same again, when
        the text shows the expected one nowhere later (a gap, a repeated number: both are warned of)."""
        if self.last_number is None:
            return number < 1000  # a year such as 2024 never opens the numbering
        expected = self.last_number + 1
        if number == expected:
            return True
        later = self._later_numbers()
        if expected < number <= expected + 5 and expected not in later:
            self.warnings.append(ParseWarning("gap", str(number), str(self.last_number)))
            return True
        if number == self.last_number and later[:1] == [expected]:
            self.warnings.append(ParseWarning("repeated", str(number), str(self.last_number)))
            return True
        return False

    def _mid_sentence(self) -> bool:
        """True when the line directly continues an unfinished line of a paragraph."""
        last_line = self.current.last_line() if self.current else None
        return self.adjacent and self.last_kind == "body" and last_line is not None and not _ends_sentence(last_line)

    def _start_chapter(self, number: int, heading: str) -> None:
        if number == 1 and not self.paragraphs:
            # Chapters read before any paragraph were a table of contents.
            self.skipped.extend(Skipped(chapter, "contents") for chapter in self.chapters)
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
            if footnote.plain:
                footnote.marker = footnote.marker.translate(_TO_SUPERSCRIPT)
                footnote.text = footnote.marker + footnote.text.lstrip("0123456789")
                if self.paragraphs[start].mark_plain_footnote(footnote.marker.translate(_FROM_SUPERSCRIPT)):
                    citing.setdefault(footnote.marker, []).append(start)
                    citing[footnote.marker].sort()
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
        if not any(paragraph.number.isdigit() for paragraph in self.paragraphs):
            raise ImportFormatError("no_paragraphs")
        self._attach_footnotes()
        paragraphs = [
            ParsedParagraph(draft.number, draft.body(), draft.chapter, draft.subsection, draft.annex, draft.footnotes)
            for draft in self.paragraphs
        ]
        chapters = [self.front_heading] if self.front_heading else []
        return ParsedDocument(
            paragraphs=paragraphs,
            chapters=chapters + self.chapters,
            symbol=self.header_symbol or self.front_matter_symbol,
            language=language or detect_language(" ".join(p.body for p in paragraphs)),
            skipped=self.skipped,
            warnings=self.warnings,
        )


def parse_lines(lines: list[Line], language: str | None = None) -> ParsedDocument:
    """Parse a UN document given as lines (see ``Line``); ``language`` overrides detection."""
    if not any(line.text.strip() for line in lines):
        raise ImportFormatError("empty")
    parser = _Parser(lines)
    parser.run()
    return parser.finish(language)


def parse_document(text: str, language: str | None = None) -> ParsedDocument:
    """Parse a UN document; ``language`` overrides detection (zh, en, fr, es, ru, ar)."""
    if not isinstance(text, str) or "\x00" in text:
        raise ImportFormatError("binary")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportFormatError("empty")
    return parse_lines([Line(line) for line in text.splitlines()], language)


def is_annex(chapter: str) -> bool:
    """Whether a chapter is an annex ("Annex", "Annex II — Timeline", "附件"): its paragraphs are
    numbered on their own."""
    return bool(chapter) and _ANNEX.match(chapter) is not None and not chapter[:1].isdigit()


def sequence_keys(parts: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """For the (chapter, number) of each part of a document in order, a key that names it in any
    language: the annex it is in (0 for the document itself, 1 for the first annex) and its number;
    a part numbered by a label without digits (the text of a summary, of an annex before its first
    paragraph) by its place among those of its sequence."""
    keys = []
    annex, annex_chapter, unnumbered = 0, None, 0
    for chapter, number in parts:
        if is_annex(chapter) and chapter != annex_chapter:
            annex, annex_chapter, unnumbered = annex + 1, chapter, 0
        if number and not any(char.isdigit() for char in number):
            unnumbered += 1
            keys.append((annex, f"~{unnumbered}"))
        else:
            keys.append((annex, number))
    return keys


def describe(parsed: ParsedDocument) -> list[str]:
    """The structure found, one line each, for ``import-draft --dry-run``: chapters, each paragraph's
    number and first words, footnotes, the lines skipped and why, warnings; a summary last."""
    lines = []
    for chapter, paragraphs in by_chapter(parsed):
        lines.append(f"Chapter: {chapter}" if chapter else "Without a chapter:")
        for paragraph in paragraphs:
            lines.append(f"  {paragraph.number:>4}  {first_words(paragraph.body)}")
            lines.extend(f"        footnote {first_words(note)}" for note in paragraph.footnotes)
    lines.extend(f"Skipped ({item.message}): {first_words(item.line)}" for item in parsed.skipped)
    lines.extend(f"Warning: {warning.message}" for warning in parsed.warnings)
    lines.append(
        f"Found {parsed.numbered} numbered paragraphs and {len(parsed.paragraphs) - parsed.numbered} other sections "
        f"in {len(parsed.chapters)} chapters, {parsed.footnote_count} footnotes; {len(parsed.skipped)} lines skipped, "
        f"{len(parsed.warnings)} warnings."
    )
    return lines


def by_chapter(parsed: ParsedDocument) -> list[tuple[str, list[ParsedParagraph]]]:
    """The paragraphs in order, in runs of the same chapter."""
    runs: list[tuple[str, list[ParsedParagraph]]] = []
    for paragraph in parsed.paragraphs:
        if not runs or runs[-1][0] != paragraph.chapter:
            runs.append((paragraph.chapter, []))
        runs[-1][1].append(paragraph)
    return runs


def first_words(text: str, length: int = 60) -> str:
    """The beginning of a text on one line, with an ellipsis if cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
