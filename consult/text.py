"""User text: safe Markdown rendering, plain-text extraction and word-level diffs.

Comments and draft texts arrive in all six UN languages, so everything here is
Unicode-aware (Chinese has no spaces between words, Arabic needs ZWJ/ZWNJ) and
treats its input as hostile: any string, of any size, must come back as safe
HTML within a second or two.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Hashable, Iterator, Sequence
from difflib import Match, SequenceMatcher
from html.parser import HTMLParser
from itertools import accumulate
from typing import NamedTuple, ParamSpec, TypeVar

import markdown
import nh3
from markdown.inlinepatterns import HtmlInlineProcessor
from markupsafe import Markup, escape

__all__ = [
    "AMENDMENT_DIFF_BUDGET",
    "clean_characters",
    "diff_html",
    "diff_sides",
    "diff_stats",
    "reading_diff_html",
    "is_rtl",
    "plain_text",
    "render_markdown",
    "text_of_html",
    "tokenize",
]

# --- Cleaning -------------------------------------------------------------

_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
# Characters removed from all input (and from rendered output, where HTML
# entities may have produced them): C0/C1 controls except tab and newline (NUL;
# STX/ETX are Python-Markdown's own placeholder markers), bidi embeddings,
# overrides and isolates (they can make text read differently from what it is),
# zero-width space/word joiner/BOM, and the noncharacters U+FFFE/U+FFFF (which XML
# refuses). ZWNJ/ZWJ (U+200C/D) and the LRM/RLM/ALM marks stay: Arabic, Persian and
# Indic text needs them and they cannot reorder a run of text.
_UNWANTED_CHARACTERS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff\ufffe\uffff]"
)


def clean_characters(text: str) -> str:
    """The text with line endings as newlines, unwanted characters removed and lone surrogates replaced.

    The one cleaning every text gets, whichever way it came in (a form, the API, a file) or goes
    out (a spreadsheet, a Word document).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED_CHARACTERS.sub("", _LONE_SURROGATES.sub("\ufffd", text))


# A blank line: whitespace containing at least two newlines. Starting the match
# at a newline keeps it linear on long runs of spaces.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


# These build escaped HTML as str; Markup's own join/format are several
# times slower and a megabyte of fallback text must stay fast.
def _escape_lines(text: str) -> str:
    return str(escape(text)).replace("\n", "<br>")


def _escaped_paragraphs(text: str) -> str:
    return "".join(
        f"<p>{_escape_lines(paragraph.strip())}</p>" for paragraph in _PARAGRAPH_BREAK.split(text) if paragraph.strip()
    )


# --- Markdown rendering ---------------------------------------------------

_ALLOWED_TAGS = {
    "p", "br", "hr", "h3", "h4", "h5", "h6",
    "strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup",
    "blockquote", "code", "pre", "ul", "ol", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td", "abbr",
}  # fmt: skip
# "*" (any tag) is spelled out: nh3 would otherwise allow lang and title everywhere.
_ALLOWED_ATTRIBUTES = {"*": set(), "a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
_CELL_ALIGNMENTS = {"align": {"left", "center", "right"}}
_ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# Raw HTML is escaped, so users see what they typed ("<country name>" stays
# visible instead of vanishing). The exceptions are inline tags Markdown has no
# syntax for (CO<sub>2</sub>); those reach nh3, which drops their attributes
# (except abbr's title) and closes them.
_PASSTHROUGH_INLINE_HTML = r"""(</?(?:abbr|b|br|del|i|ins|s|sub|sup|u)(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?/?>)"""
_PYTHON_MARKDOWN_HTML_PRIORITY = 90

# The page owns <h1> and <h2>; comment headings move down two levels (h1 -> h3,
# clamped at h6) so the author's hierarchy survives below the page's.
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")

# Python-Markdown parses each nested quote recursively; nobody needs more.
_MAX_QUOTE_DEPTH = 8
_EXCESS_QUOTE_MARKERS = re.compile(rf"^((?:[ ]{{0,3}}>){{{_MAX_QUOTE_DEPTH}}})(?:[ ]{{0,3}}>)+", re.MULTILINE)

# Some inputs make Python-Markdown quadratic (a megabyte of "[" would take
# days), so conversion gets a deadline and such text is shown unformatted.
_MARKDOWN_TIME_BUDGET_SECONDS = 1.0

_P = ParamSpec("_P")
_R = TypeVar("_R")


class _RenderBudgetExceeded(Exception):
    """Python-Markdown ran past its deadline."""


class _Converter(markdown.Markdown):
    """Python-Markdown with the deadline of the conversion under way."""

    deadline = 0.0


def _with_deadline(method: Callable[_P, _R], converter: _Converter) -> Callable[_P, _R]:
    def checked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if time.monotonic() > converter.deadline:
            raise _RenderBudgetExceeded
        return method(*args, **kwargs)

    return checked


def _markdown_converter() -> _Converter:
    converter = _Converter(
        extensions=["tables", "sane_lists"],
        extension_configs={"tables": {"use_align_attribute": True}},  # not style=
    )
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.register(
        HtmlInlineProcessor(_PASSTHROUGH_INLINE_HTML, converter),
        "html",
        _PYTHON_MARKDOWN_HTML_PRIORITY,
    )
    # No images: they would load remote URLs (tracking pixels), and nh3 would
    # drop <img> with its alt text. ![alt](url) stays visible as typed.
    converter.inlinePatterns.deregister("image_link")
    converter.inlinePatterns.deregister("image_reference")
    converter.inlinePatterns.deregister("short_image_ref")
    # Every quadratic path runs through these calls, so checking the clock in
    # them bounds the whole conversion.
    for pattern in converter.inlinePatterns:
        pattern.getCompiledRegExp = _with_deadline(pattern.getCompiledRegExp, converter)
        pattern.handleMatch = _with_deadline(pattern.handleMatch, converter)
    for processor in converter.parser.blockprocessors:
        processor.run = _with_deadline(processor.run, converter)
    return converter


# Building a converter costs more than converting a comment, so each thread keeps one
# (Markdown objects are stateful and not thread-safe) and resets it between texts.
_converters = threading.local()


def _demote_heading(match: re.Match[str]) -> str:
    return f"<{match[1]}h{min(int(match[2]) + 2, 6)}>"


def _markdown_to_html(text: str) -> str | None:
    """The Markdown as HTML, or None when it is too deeply nested or too slow to parse."""
    text = _EXCESS_QUOTE_MARKERS.sub(r"\1", text)
    converter = getattr(_converters, "converter", None) or _markdown_converter()
    _converters.converter = None  # until it is known to have finished cleanly
    converter.reset()
    converter.deadline = time.monotonic() + _MARKDOWN_TIME_BUDGET_SECONDS
    try:
        html = converter.convert(text)
    except (RecursionError, _RenderBudgetExceeded):
        return None  # the converter, left mid-way, is dropped
    _converters.converter = converter
    return _HEADING_TAG.sub(_demote_heading, html)


def _sanitize(html: str) -> str:
    html = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ALLOWED_ATTRIBUTES,
        tag_attribute_values={"th": _CELL_ALIGNMENTS, "td": _CELL_ALIGNMENTS},
        url_schemes=_ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    # Entities such as &#x202E; are decoded by nh3, so clean the output too.
    return _UNWANTED_CHARACTERS.sub("", html)


def render_markdown(source: str) -> Markup:
    """Render user Markdown as sanitized HTML that is safe to embed in a page.

    Links keep only http(s), mailto and relative URLs and get
    rel="noopener noreferrer nofollow"; headings start at <h3>.
    """
    text = clean_characters(source)
    if not text.strip():
        return Markup("")
    try:
        return _rendered(text)
    except _NotRendered:
        # Too deeply nested or too slow to parse: show the text as typed (and try again
        # next time: the deadline depends on how busy the machine is).
        return Markup(_sanitize(_escaped_paragraphs(text)))  # noqa: S704 - sanitized by nh3


class _NotRendered(Exception):
    """Python-Markdown gave up on the text; an exception, so that it is not remembered."""


# A comment is rendered for its page and again for the search index as it is saved: the
# last few texts are remembered (lru_cache is thread-safe), so the second time costs nothing.
@functools.lru_cache(maxsize=32)
def _rendered(text: str) -> Markup:
    html = _markdown_to_html(text)
    if html is None:
        raise _NotRendered
    return Markup(_sanitize(html))  # noqa: S704 - sanitized by nh3


# --- Plain text -----------------------------------------------------------

_BLOCK_TAGS = {
    "p", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr",
    "ul", "ol", "li", "table", "thead", "tbody", "tr",
}  # fmt: skip
_WORD_SEPARATING_TAGS = {"br", "td", "th"}
# No-break spaces are kept: French typography puts them before ":;!?".
_COLLAPSIBLE_SPACE = re.compile(r"[^\S\u00a0\u202f]+")


class _TextExtractor(HTMLParser):
    """Collects the text of sanitized HTML, starting a new paragraph at each block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = [[]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._separate(tag)

    def handle_endtag(self, tag: str) -> None:
        self._separate(tag)

    def handle_data(self, data: str) -> None:
        self.paragraphs[-1].append(data)

    def _separate(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.paragraphs.append([])
        elif tag in _WORD_SEPARATING_TAGS:
            self.paragraphs[-1].append(" ")


def plain_text(source: str) -> str:
    """Markdown source as readable text: markup removed, whitespace collapsed
    within each block, blocks (paragraphs, list items, rows…) separated by a
    blank line."""
    return text_of_html(render_markdown(source))


def text_of_html(html: str) -> str:
    """The text of HTML rendered by render_markdown (kept with the text it renders), as plain_text gives it."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    paragraphs = (_COLLAPSIBLE_SPACE.sub(" ", "".join(parts)).strip() for parts in extractor.paragraphs)
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


# --- Direction ------------------------------------------------------------

_RTL_CHARACTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LETTER = re.compile(r"[^\W\d_]")


def is_rtl(text: str) -> bool:
    """Whether most letters in `text` are of a right-to-left script (Arabic, Hebrew…)."""
    if not _RTL_CHARACTER.search(text):
        return False
    return 2 * len(_RTL_CHARACTER.findall(text)) > len(_LETTER.findall(text))


# --- Tokenizing -----------------------------------------------------------

# Scripts written without spaces between words: every character is a token.
_CJK_CHARACTERS = (
    "\u2e80-\u2fdf"  # CJK and Kangxi radicals
    "\u3005-\u3007"  # 々 〆 〇
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3100-\u312f"  # Bopomofo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK Unified Ideographs Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\uff66-\uff9f"  # Halfwidth Katakana
    "\U00020000-\U0003134f"  # CJK Unified Ideographs Extensions B-G
)


def _combining_mark_ranges() -> str:
    """Character-class body for all combining marks (Unicode category M).

    Python's \\w excludes them, which would split Arabic words at every
    vowel sign (harakat) and Devanagari words at every matra.
    """
    ranges: list[str] = []
    start = previous = -2
    for code_point in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code_point)).startswith("M"):
            if code_point != previous + 1:
                if start >= 0:
                    ranges.append(f"{chr(start)}-{chr(previous)}")
                start = code_point
            previous = code_point
    ranges.append(f"{chr(start)}-{chr(previous)}")
    return "".join(ranges)


@functools.cache
def _word_regex() -> str:
    # Built on first use: scanning the Unicode database takes ~0.1 s.
    return rf"(?:[^\W_{_CJK_CHARACTERS}]|[{_combining_mark_ranges()}\u200c\u200d])+"


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    return re.compile(rf"[{_CJK_CHARACTERS}]|{_word_regex()}|\s+|.", re.DOTALL)


@functools.cache
def _unit_pattern() -> re.Pattern[str]:
    return re.compile(rf"(\s*)([{_CJK_CHARACTERS}]|{_word_regex()}|\S)")


def tokenize(text: str) -> list[str]:
    """Split text into diffable tokens; joining them gives back the text.

    Words (runs of letters, digits and combining marks) and runs of whitespace
    are single tokens; every CJK character and every other character
    (punctuation, symbols, CJK punctuation such as ，。《》) is a token of its own.
    """
    return _token_pattern().findall(text)


# --- Diffing --------------------------------------------------------------


class _Units:
    """The non-whitespace tokens of a text, each with the whitespace before it.

    Diffing these instead of raw tokens ignores whitespace-only changes, keeps
    the whitespace between changed words inside the change, and leaves out
    whitespace tokens: half of all tokens in spaced scripts, they would make
    SequenceMatcher about 25 times slower.
    """

    def __init__(self, text: str) -> None:
        # Trailing whitespace carries nothing to show; stripping it also means
        # every whitespace run is followed by a token, so the pattern never fails.
        pairs = _unit_pattern().findall(clean_characters(text).rstrip())
        self.spaces: list[str] = [space for space, _ in pairs]
        self.tokens: list[str] = [token for _, token in pairs]

    def text(self, start: int, end: int) -> str:
        """Units start..end-1 as text, without the whitespace before the first."""
        if start >= end:
            return ""
        rest = zip(self.spaces[start + 1 : end], self.tokens[start + 1 : end], strict=True)
        return self.tokens[start] + "".join(space + token for space, token in rest)

    def chunk_bounds(self, start: int, end: int, newlines: int) -> list[tuple[int, int]]:
        """Split units start..end-1 where the whitespace holds `newlines` or more newlines."""
        starts = [start] + [index for index in range(start + 1, end) if self.spaces[index].count("\n") >= newlines]
        return list(zip(starts, [*starts[1:], end], strict=True))


class _Opcode(NamedTuple):
    changed: bool
    old_start: int
    old_end: int
    new_start: int
    new_end: int


# SequenceMatcher's longest-match search steps through every occurrence in the
# new text of every old key, once per matching block found: repeated words and
# many scattered changes make it quadratic (a 20,000-word English text takes
# seconds). Each search is charged before it runs (roughly 100-300 ns a step);
# the budget caps a whole diff at a few seconds.
_MATCH_STEP_BUDGET = 10_000_000
# Delegations write amendments: their diffs are computed once, when written, and must stay
# cheap whatever the text (about a quarter of a second at most).
AMENDMENT_DIFF_BUDGET = 1_500_000
# Past this a direct diff costs more than anchoring on unchanged paragraphs first.
_MAX_DIRECT_MATCH_STEPS = 2_000_000
# Newlines in the whitespace before a unit that start a new chunk: anchor on
# unchanged paragraphs first, then on unchanged lines (list items, table rows).
_CHUNK_NEWLINES_BY_LEVEL = (2, 1)


class _MatchBudgetExceeded(Exception):
    """A diff would take more longest-match steps than allowed."""


class _MeteredMatcher(SequenceMatcher):
    """SequenceMatcher that charges each longest-match search before running it."""

    def __init__(self, old: Sequence[Hashable], new: Sequence[Hashable], allowance: int) -> None:
        super().__init__(None, old, new, autojunk=False)
        steps = (1 + len(self.b2j.get(key, ())) for key in old)
        self.steps_before = list(accumulate(steps, initial=0))
        self.allowance = allowance
        self.spent = 0

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None) -> Match:
        end = len(self.a) if ahi is None else ahi
        steps = self.steps_before[end] - self.steps_before[alo]
        if self.spent + steps > self.allowance:
            raise _MatchBudgetExceeded
        self.spent += steps
        return super().find_longest_match(alo, ahi, blo, bhi)


def _span(bounds: list[tuple[int, int]], first: int, last: int, end: int) -> tuple[int, int]:
    """Unit range covered by chunks first..last-1 (if empty: where chunk `first` starts)."""
    start = bounds[first][0] if first < len(bounds) else end
    return start, bounds[last - 1][1] if last > first else start


class _BudgetedDiffer:
    """Diffs unit tokens with SequenceMatcher within a fixed number of steps.

    Ranges too expensive to diff directly are anchored on unchanged
    paragraphs, then on unchanged lines; a range still too expensive after
    that is reported as one replacement.
    """

    def __init__(self, old: _Units, new: _Units, budget: int = _MATCH_STEP_BUDGET) -> None:
        self.old, self.new = old, new
        self.old_keys, self.new_keys = old.tokens, new.tokens
        self.budget = budget

    def opcodes(self) -> list[_Opcode]:
        merged: list[_Opcode] = []
        for opcode in self._diff(0, len(self.old_keys), 0, len(self.new_keys), level=0):
            if opcode.old_start == opcode.old_end and opcode.new_start == opcode.new_end:
                continue
            if merged and merged[-1].changed == opcode.changed:
                # Adjacent changes from different levels become one <del>/<ins> pair.
                merged[-1] = merged[-1]._replace(old_end=opcode.old_end, new_end=opcode.new_end)
            else:
                merged.append(opcode)
        return merged

    def _diff(self, old_lo: int, old_hi: int, new_lo: int, new_hi: int, level: int) -> Iterator[_Opcode]:
        # A common prefix and suffix cost nothing to find: identical texts and
        # single edits never reach SequenceMatcher.
        old_keys, new_keys = self.old_keys, self.new_keys
        start_old, start_new = old_lo, new_lo
        while old_lo < old_hi and new_lo < new_hi and old_keys[old_lo] == new_keys[new_lo]:
            old_lo, new_lo = old_lo + 1, new_lo + 1
        yield _Opcode(False, start_old, old_lo, start_new, new_lo)
        end_old, end_new = old_hi, new_hi
        while old_hi > old_lo and new_hi > new_lo and old_keys[old_hi - 1] == new_keys[new_hi - 1]:
            old_hi, new_hi = old_hi - 1, new_hi - 1
        if old_lo == old_hi or new_lo == new_hi:
            yield _Opcode(True, old_lo, old_hi, new_lo, new_hi)
        else:
            yield from self._diff_differing_ends(old_lo, old_hi, new_lo, new_hi, level)
        yield _Opcode(False, old_hi, end_old, new_hi, end_new)

    def _diff_differing_ends(self, old_lo: int, old_hi: int, new_lo: int, new_hi: int, level: int) -> Iterator[_Opcode]:
        finer_level_left = level < len(_CHUNK_NEWLINES_BY_LEVEL)
        # A direct diff reads best, but while coarser anchors remain it must be cheap.
        allowance = min(self.budget, _MAX_DIRECT_MATCH_STEPS) if finer_level_left else self.budget
        try:
            opcodes = self._match(self.old_keys[old_lo:old_hi], self.new_keys[new_lo:new_hi], allowance)
        except _MatchBudgetExceeded:
            if finer_level_left:
                yield from self._diff_chunks(old_lo, old_hi, new_lo, new_hi, level)
            else:
                yield _Opcode(True, old_lo, old_hi, new_lo, new_hi)
            return
        for changed, old_start, old_end, new_start, new_end in opcodes:
            yield _Opcode(changed, old_lo + old_start, old_lo + old_end, new_lo + new_start, new_lo + new_end)

    def _diff_chunks(self, old_lo: int, old_hi: int, new_lo: int, new_hi: int, level: int) -> Iterator[_Opcode]:
        """Match whole chunks (paragraphs or lines) first, then diff the chunks that differ."""
        newlines = _CHUNK_NEWLINES_BY_LEVEL[level]
        old_bounds = self.old.chunk_bounds(old_lo, old_hi, newlines)
        new_bounds = self.new.chunk_bounds(new_lo, new_hi, newlines)
        # Strings, not tuples: a string caches its hash, SequenceMatcher rehashes keys a lot.
        old_chunks = [" ".join(self.old_keys[start:end]) for start, end in old_bounds]
        new_chunks = [" ".join(self.new_keys[start:end]) for start, end in new_bounds]
        try:
            chunk_opcodes = self._match(old_chunks, new_chunks, self.budget)
        except _MatchBudgetExceeded:
            chunk_opcodes = [_Opcode(True, 0, len(old_chunks), 0, len(new_chunks))]
        for opcode in chunk_opcodes:
            old_start, old_end = _span(old_bounds, opcode.old_start, opcode.old_end, old_hi)
            new_start, new_end = _span(new_bounds, opcode.new_start, opcode.new_end, new_hi)
            if opcode.changed:
                yield from self._diff(old_start, old_end, new_start, new_end, level + 1)
            else:
                yield _Opcode(False, old_start, old_end, new_start, new_end)

    def _match(self, old: Sequence[Hashable], new: Sequence[Hashable], allowance: int) -> list[_Opcode]:
        matcher = _MeteredMatcher(old, new, allowance)
        try:
            return [_Opcode(tag != "equal", *indices) for tag, *indices in matcher.get_opcodes()]
        finally:
            self.budget -= matcher.spent


class _DiffWriter:
    """Collects escaped text, <del> and <ins> into paragraphs split at blank lines."""

    def __init__(self) -> None:
        self.paragraphs: list[list[str]] = [[]]

    def add(self, text: str, tag: str | None = None) -> None:
        for index, piece in enumerate(_PARAGRAPH_BREAK.split(text)):
            if index:
                self.paragraphs.append([])
            if piece:
                html = _escape_lines(piece)
                self.paragraphs[-1].append(f"<{tag}>{html}</{tag}>" if tag else html)

    def html(self) -> Markup:
        paragraphs = ("".join(fragments) for fragments in self.paragraphs)
        return Markup("".join(f"<p>{html}</p>" for html in paragraphs if html.strip()))  # noqa: S704 - all escaped


def diff_html(old: str, new: str, budget: int = _MATCH_STEP_BUDGET) -> Markup:
    """Word-level diff of two Markdown sources, as escaped text with <del>/<ins>.

    Blank lines start a new <p>, line breaks become <br>. Whitespace-only
    changes are not marked; the layout follows the new text. ``budget`` caps the
    longest-match steps: past it the diff gets coarser (whole paragraphs, lines,
    then the whole differing range), never slower.
    """
    old_units, new_units = _Units(old), _Units(new)
    writer = _DiffWriter()
    after_deletion = False
    for changed, old_start, old_end, new_start, new_end in _BudgetedDiffer(old_units, new_units, budget).opcodes():
        if changed:
            # The whitespace before a change is plain text, not struck through.
            writer.add(new_units.spaces[new_start] if new_start < new_end else old_units.spaces[old_start])
            writer.add(old_units.text(old_start, old_end), "del")
            writer.add(new_units.text(new_start, new_end), "ins")
        else:
            # After a pure deletion keep the old spacing: the deleted words sit
            # in the old layout ("A ~~B.~~ C" rather than a paragraph break).
            writer.add(old_units.spaces[old_start] if after_deletion else new_units.spaces[new_start])
            writer.add(new_units.text(new_start, new_end))
        after_deletion = changed and new_start == new_end
    return writer.html()


def reading_diff_html(old: str, new: str, budget: int = _MATCH_STEP_BUDGET) -> Markup:
    """Word-level diff of two Markdown sources as a person reads them: on their text, never on
    their syntax, so bold or a list marker added or removed is not a change of wording."""
    return diff_html(plain_text(old), plain_text(new), budget)


_INSERTION = re.compile(r"<ins>.*?</ins>", re.DOTALL)
_DELETION = re.compile(r"<del>.*?</del>", re.DOTALL)
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")


def diff_sides(html: str) -> tuple[Markup, Markup]:
    """A diff from diff_html split in two: the old text with its deletions, the new one with its insertions."""
    old = _EMPTY_PARAGRAPH.sub("", _INSERTION.sub("", html))
    new = _EMPTY_PARAGRAPH.sub("", _DELETION.sub("", html))
    return Markup(old), Markup(new)  # noqa: S704 - parts of escaped diff_html output


def diff_stats(old: str, new: str) -> tuple[int, int]:
    """(inserted, deleted) non-whitespace tokens between two sources."""
    inserted = deleted = 0
    for changed, old_start, old_end, new_start, new_end in _BudgetedDiffer(_Units(old), _Units(new)).opcodes():
        if changed:
            inserted += new_end - new_start
            deleted += old_end - old_start
    return inserted, deleted


_LANGUAGE_SAMPLE_SIZE = 20_000
_STOP_WORDS = {
    "en": frozenset({"the", "and", "of", "to", "is", "that", "with", "for", "this", "are"}),
    "fr": frozenset(
        {
            "le",
            "les",
            "des",
            "et",
            "du",
            "est",
            "une",
            "dans",
            "pour",
            "sur",
            "aux",
            "au",
        }
    ),
    "es": frozenset({"el", "los", "las", "y", "del", "una", "para", "con", "por", "su", "al"}),
}
_LATIN_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str:
    """Guess zh, ar, ru, en, fr or es from the script, then from common Latin-script words."""
    sample = text[:_LANGUAGE_SAMPLE_SIZE]
    han = arabic = cyrillic = latin = 0
    for char in sample:
        if "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff":
            han += 1
        elif "\u0600" <= char <= "\u06ff" or "\ufb50" <= char <= "\ufeff":
            arabic += 1
        elif "\u0400" <= char <= "\u04ff":
            cyrillic += 1
        elif (char.isascii() and char.isalpha()) or "\u00c0" <= char <= "\u024f":
            latin += 1
    # One Han character carries about as much as a word of three or four letters.
    script = max(
        ("zh", han * 3),
        ("ar", arabic),
        ("ru", cyrillic),
        ("latin", latin),
        key=lambda s: s[1],
    )
    if script[0] != "latin":
        return script[0]
    words = _LATIN_WORD.findall(sample.lower())
    scores = {language: sum(word in stop_words for word in words) for language, stop_words in _STOP_WORDS.items()}
    return max(scores, key=lambda language: scores[language]) if any(scores.values()) else "en"


_SCRIPT_OF = {"zh": "han", "ar": "arabic", "ru": "cyrillic"}


def language_of(text: str, likely: str | None) -> str:
    """The language a passage is in: the likely one when the text is in its script, else as the text shows.

    A delegation writing in Chinese may quote or amend an English paragraph; the quote is English.
    """
    detected = detect_language(text)
    if likely and _SCRIPT_OF.get(likely.split("-")[0], "latin") == _SCRIPT_OF.get(detected, "latin"):
        return likely
    return detected
