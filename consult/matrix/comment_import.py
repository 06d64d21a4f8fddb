"""Read delegation comments from an Excel (.xlsx) or Word (.docx) table, and build the Excel template.

Pure functions on bytes, no Flask and no database: the web layer translates the
messages by code (``ImportFileError.code``, ``RowError.message_code``) and
matches the paragraph numbers against the draft it is importing into.

A file is accepted when one of its tables (the first sheet or Word table with a
recognizable header row) has at least a paragraph column and a comment column;
the kind and proposed-text columns are optional and columns may come in any order.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import docx
import openpyxl
from flask_babel import lazy_gettext as _l
from lxml import etree
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from consult.text import clean_characters
from consult.uploads import Deadline, UploadLimits, UploadRefused, check_office_zip, run_isolated

TEMPLATE_COLUMNS = ("paragraph", "kind", "comment", "proposed_text")

MAX_ROWS = 5000

# Messages by code, translated when shown.
ERROR_MESSAGES = {
    "empty": _l("The file contains no comments."),
    "not_xlsx_or_docx": _l(
        "The file is not an Excel workbook (.xlsx) or a Word document (.docx). Older .xls and .doc files, "
        "PDF files and password-protected files cannot be read: save the file as .xlsx or .docx and upload it again."
    ),
    "unreadable": _l(
        "The file is damaged or could not be read. Open it, save it again as .xlsx or .docx and upload it."
    ),
    "too_complex": _l(
        "The file holds too many elements to be read. Split it into several files and upload them one by one."
    ),
    "doctype": _l(
        "The file contains a document type declaration, which Excel and Word files never have. "
        "Open it in Excel or Word, save it again as .xlsx or .docx and upload it."
    ),
    "no_table": _l("The Word document contains no table. Put the comments in a table with one comment per row."),
    "no_header": _l(
        "No table with a header row naming at least a paragraph column and a comment column was found. "
        "Use the template, or put column headings such as “Paragraph” and “Comment” in the first row of the table."
    ),
    "too_many_rows": _l(
        "The file contains too many rows (at most %(max)d). Split it into several files and upload them one by one.",
        max=MAX_ROWS,
    ),
}

ROW_MESSAGES = {
    "missing_paragraph": _l("The paragraph number is missing."),
    "missing_comment": _l("The comment is missing."),
    "unknown_kind": _l("The kind of comment is not recognized."),
    "amendment_without_text": _l("An amendment needs the proposed text."),
    "too_long": _l("The text is too long."),
    "formula": _l("The cell contains a formula; type the text or number instead."),
    "unknown_paragraph": _l("The draft has no paragraph with this number."),
}

HEADER_SEARCH_ROWS = 10
PARAGRAPH_MAX = 50  # longer means the columns are mixed up, not a paragraph reference
DETAIL_MAX = 80

_TEMPLATE_WIDTHS = {"paragraph": 18, "kind": 30, "comment": 70, "proposed_text": 70}
_INSTRUCTIONS_SHEET = "Instructions"

# Headings recognized besides the caller's (translated) labels and the machine names,
# so that a table made from a template in another official language, or by hand, is read.
_HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "paragraph": (
        "Paragraph", "Paragraph number", "Paragraph no.", "Para", "Para.", "Para no.",
        "Paragraphe", "Numéro de paragraphe", "N° de paragraphe", "Párrafo", "Número de párrafo",
        "Пункт", "Номер пункта", "段落", "段次", "段落编号", "الفقرة", "رقم الفقرة",
    ),
    "kind": (
        "Kind", "Type", "Kind of comment", "Type of comment", "Comment type",
        "Type de commentaire", "Nature", "Tipo", "Tipo de comentario",
        "Вид", "Тип", "Тип комментария", "类型", "意见类型", "النوع", "نوع التعليق",
    ),
    "comment": (
        "Comment", "Comments", "Commentaire", "Commentaires", "Observations",
        "Comentario", "Comentarios", "Observaciones", "Комментарий", "Комментарии", "Замечания",
        "意见", "评论", "评注", "التعليق", "التعليقات", "تعليق",
    ),
    "proposed_text": (
        "Proposed text", "Proposed amendment", "Proposed change", "Texte proposé", "Modification proposée",
        "Amendement proposé", "Texto propuesto", "Enmienda propuesta", "Предлагаемый текст",
        "Предлагаемая поправка", "拟议案文", "建议案文", "修改建议", "النص المقترح", "التعديل المقترح",
    ),
}  # fmt: skip

_KIND_SYNONYMS: dict[str, tuple[str, ...]] = {
    "general": (
        "General", "General comment", "Commentaire général", "Comentario general",
        "Общий комментарий", "一般性意见", "一般评论", "تعليق عام",
    ),
    "amendment": (
        "Amendment", "Amendment (proposed text)", "Proposed amendment", "Amendement", "Enmienda",
        "Поправка", "修正", "修改", "تعديل",
    ),
    "question": ("Question", "Pregunta", "Вопрос", "问题", "سؤال"),
}  # fmt: skip

_PARAGRAPH_WORDS = (
    "paragraphs", "paragraph", "paragraphe", "párrafo", "parrafo", "párr.", "parr.", "para.", "para", "par.",
    "§§", "§", "пункт", "п.", "الفقرة", "فقرة", "no.", "n°", "nº",
)  # fmt: skip
# Only a word followed by a number is a prefix: "Paragraph" alone stays as written.
_PARAGRAPH_PREFIX = re.compile(
    "^(?:" + "|".join(re.escape(word) for word in sorted(_PARAGRAPH_WORDS, key=len, reverse=True)) + r")\s*(?=\d)",
    re.IGNORECASE,
)
_CHINESE_PARAGRAPH = re.compile(r"^第\s*(\d+)\s*段")  # 第9段, 第 9 段(b)
_OPEN_PAREN = re.compile(r"\s*\(\s*")
_CLOSE_PAREN = re.compile(r"\s*\)")

# Line breaks other than newlines; everything else unwanted goes through consult.text.clean_characters.
_LINE_BREAKS = re.compile(r"[\x0b\x0c\u2028\u2029]")
# Excel stores some characters in strings as _xHHHH_ (e.g. _x000D_ for a carriage return).
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Deleted and moved-away text of tracked changes, field codes, and the fallback copy of
# text boxes: leaving them out reads the cell as it would print with all changes accepted.
_DOCX_SKIP = frozenset(
    (
        f"{_W}del",
        f"{_W}moveFrom",
        f"{_W}instrText",
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    )
)
_DOCX_CHARS = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}


class ImportFileError(ValueError):
    """The file cannot be imported at all; ``code`` is a key of ``ERROR_MESSAGES`` or an upload
    limit (consult.uploads.refusal_message), told in the reader's language where it is shown."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __reduce__(self):
        # Raised in the process that parses, re-raised in the one that asked (see run_isolated).
        return (ImportFileError, (self.code,))


@dataclass
class ImportedRow:
    row: int  # 1-based, as the user sees it: sheet row in Excel, table row (header included) in Word
    paragraph: str
    kind: str
    body: str
    proposed_text: str | None


@dataclass
class RowError:
    row: int
    message_code: str  # key of ROW_MESSAGES
    detail: str  # English, with the offending value (truncated)


@dataclass
class ParsedUpload:
    rows: list[ImportedRow]
    errors: list[RowError]
    # Further sheets or Word tables that also have a recognizable header; they are not read.
    other_tables: int = 0


@dataclass(frozen=True)
class _Formula:
    text: str


# A cell as read: cleaned text ("" when blank), or a formula that must not be imported.
_Cell = str | _Formula
_Rows = Iterator[tuple[int, list[_Cell]]]


# --- Template --------------------------------------------------------------


def template_xlsx(headers: dict[str, str], kinds: dict[str, str], instructions: str) -> bytes:
    """The workbook delegations fill in: one header row, a drop-down of kinds, and an Instructions sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Comments"
    guide = workbook.create_sheet(_INSTRUCTIONS_SHEET)

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, name in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=column)
        _set_text(cell, headers[name])
        cell.font = bold
        cell.alignment = wrap
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        dimension = sheet.column_dimensions[get_column_letter(column)]
        dimension.width = _TEMPLATE_WIDTHS[name]
        # Column styles apply to the cells the delegation types in.
        dimension.alignment = wrap
        if name == "paragraph":
            # Text format keeps "9.10" from becoming the number 9.1.
            dimension.number_format = "@"
    sheet.freeze_panes = "A2"

    guide.column_dimensions["A"].width = 100
    lines = instructions.splitlines() or [""]
    for number, line in enumerate(lines, start=1):
        cell = guide.cell(row=number, column=1)
        _set_text(cell, line)
        cell.alignment = wrap
    # The drop-down reads the kind labels from this list: unlike an inline list it
    # allows commas in translated labels and has no 255-character limit.
    heading_row = len(lines) + 2
    heading = guide.cell(row=heading_row, column=1)
    _set_text(heading, headers["kind"])
    heading.font = bold
    for offset, label in enumerate(kinds.values(), start=1):
        _set_text(guide.cell(row=heading_row + offset, column=1), label)

    kind_column = get_column_letter(TEMPLATE_COLUMNS.index("kind") + 1)
    first, last = heading_row + 1, heading_row + len(kinds)
    validation = DataValidation(
        type="list", formula1=f"{quote_sheetname(_INSTRUCTIONS_SHEET)}!$A${first}:$A${last}", allow_blank=True
    )
    validation.add(f"{kind_column}2:{kind_column}1048576")
    sheet.add_data_validation(validation)

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _set_text(cell: Any, text: str) -> None:
    cell.value = text
    # openpyxl would store a string starting with "=" as a formula.
    cell.data_type = "s"


# --- Parsing ---------------------------------------------------------------


def parse_upload(
    data: bytes,
    filename: str,
    *,
    kinds: dict[str, str],
    headers: dict[str, str],
    max_rows: int = 5000,
    max_text: int = 100_000,
    limits: UploadLimits = UploadLimits(),  # frozen: one shared default is safe
) -> ParsedUpload:
    """Read the comments of an uploaded .xlsx or .docx; raise ``ImportFileError`` for a file that cannot be read.

    The type is taken from the content: ``filename`` is not trusted and not used to choose the reader.
    ``kinds`` maps kind codes to their labels and ``headers`` column machine names to their labels, as
    given to ``template_xlsx``; codes, labels and common headings in the six official languages are accepted.
    Blank rows are skipped; more than ``max_rows`` non-blank rows raise ``too_many_rows``. The archive
    is checked against ``limits`` before it is parsed, and parsing runs in a process of its own that
    ends at the deadline and within the memory limit.
    """
    deadline = Deadline(limits.seconds)
    file_type = _sniff(data, limits, deadline)
    reader = _Reader(kinds=kinds, headers=headers, max_rows=max_rows, max_text=max_text)
    try:
        return run_isolated(lambda: reader.read(file_type, data), deadline, limits.max_memory)
    except UploadRefused as refused:
        raise ImportFileError(refused.code) from refused


def _sniff(data: bytes, limits: UploadLimits, deadline: Deadline) -> str:
    if not data:
        raise ImportFileError("empty")
    try:
        names = check_office_zip(data, limits, deadline)
    except UploadRefused as refused:
        # Not a ZIP: PDF, legacy or encrypted Office (OLE2), text, images, random bytes.
        raise ImportFileError("not_xlsx_or_docx" if refused.code == "not_zip" else refused.code) from refused
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    # Another ZIP: OpenDocument, .zip, .pages, ...
    raise ImportFileError("not_xlsx_or_docx")


class _Reader:
    def __init__(self, *, kinds: dict[str, str], headers: dict[str, str], max_rows: int, max_text: int) -> None:
        self.kinds = kinds
        self.max_rows = max_rows
        self.max_text = max_text
        self.header_names = _header_lookup(headers)
        self.kind_codes = _kind_lookup(kinds)

    def read(self, file_type: str, data: bytes) -> ParsedUpload:
        try:
            return self.xlsx(data) if file_type == "xlsx" else self.docx(data)
        except ImportFileError:
            raise
        except MemoryError as exc:  # the parsing process's memory limit
            raise ImportFileError("too_complex") from exc
        except etree.XMLSyntaxError as exc:
            # lxml reports the memory limit as a syntax error of its own kind.
            raise ImportFileError(
                "too_complex" if exc.code == etree.ErrorTypes.ERR_NO_MEMORY else "unreadable"
            ) from exc
        except Exception as exc:
            # openpyxl, python-docx, lxml and zipfile raise all manner of exceptions on damaged
            # files (KeyError, ValueError, XMLSyntaxError, BadZipFile, ...); the caller needs one.
            raise ImportFileError("unreadable") from exc

    def xlsx(self, data: bytes) -> ParsedUpload:
        # Not data_only: a formula must be seen as a formula, never imported as its text or cached value.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
        try:
            sheets = [_xlsx_rows(sheet) for sheet in workbook.worksheets]
            return self._first_table(sheets, no_table="no_header")
        finally:
            workbook.close()

    def docx(self, data: bytes) -> ParsedUpload:
        tables = [_docx_rows(table) for table in docx.Document(io.BytesIO(data)).tables]
        return self._first_table(tables, no_table="no_table")

    def _first_table(self, tables: list[_Rows], *, no_table: str) -> ParsedUpload:
        if not tables:
            raise ImportFileError(no_table)
        for index, rows in enumerate(tables):
            columns = self._find_header(rows)
            if columns is not None:
                parsed = self._read_rows(rows, columns)
                parsed.other_tables = sum(self._find_header(other) is not None for other in tables[index + 1 :])
                return parsed
        raise ImportFileError("no_header")

    def _find_header(self, rows: _Rows) -> dict[str, int] | None:
        """Column index of each recognized heading, from the first header row within the first rows."""
        for position, (_, cells) in enumerate(rows):
            if position >= HEADER_SEARCH_ROWS:
                break
            columns: dict[str, int] = {}
            for index, cell in enumerate(cells):
                name = _lookup(cell, self.header_names) if isinstance(cell, str) else None
                if name and name not in columns:
                    columns[name] = index
            if "paragraph" in columns and "comment" in columns:
                return columns
        return None

    def _read_rows(self, rows: _Rows, columns: dict[str, int]) -> ParsedUpload:
        parsed = ParsedUpload(rows=[], errors=[])
        count = 0
        for number, cells in rows:
            values = {name: cells[index] if index < len(cells) else "" for name, index in columns.items()}
            if not any(values.values()):
                continue
            count += 1
            if count > self.max_rows:
                raise ImportFileError("too_many_rows")
            row, errors = self._read_row(number, values)
            if row is not None:
                parsed.rows.append(row)
            parsed.errors.extend(errors)
        if count == 0:
            raise ImportFileError("empty")
        return parsed

    def _read_row(self, number: int, values: dict[str, _Cell]) -> tuple[ImportedRow | None, list[RowError]]:
        errors = [
            RowError(number, "formula", f"{name}: {_clip(value.text)}")
            for name, value in values.items()
            if isinstance(value, _Formula)
        ]
        # A formula cell has already been reported: it is neither missing nor checked further.
        text = {name: value for name, value in values.items() if isinstance(value, str)}
        paragraph = normalize_paragraph(text.get("paragraph", ""))
        body = text.get("comment", "")
        proposed = text.get("proposed_text", "")
        raw_kind = text.get("kind", "")
        kind = _lookup(raw_kind, self.kind_codes) if raw_kind else "general"

        if "paragraph" in text and not paragraph:
            errors.append(RowError(number, "missing_paragraph", f"comment: {_clip(body)}"))
        elif len(paragraph) > PARAGRAPH_MAX:
            errors.append(RowError(number, "too_long", f"paragraph: {_clip(paragraph)}"))
        if "comment" in text and not body:
            errors.append(RowError(number, "missing_comment", f"paragraph: {_clip(paragraph)}"))
        for name, value in (("comment", body), ("proposed_text", proposed)):
            if len(value) > self.max_text:
                errors.append(RowError(number, "too_long", f"{name}: {len(value)} characters (limit {self.max_text})"))
        if not kind:
            known = ", ".join(self.kinds.values())
            errors.append(RowError(number, "unknown_kind", f"{_clip(raw_kind)} (expected one of: {known})"))
        elif kind == "amendment" and not proposed and not isinstance(values.get("proposed_text"), _Formula):
            errors.append(RowError(number, "amendment_without_text", f"paragraph: {_clip(paragraph)}"))

        if errors or not kind:
            return None, errors
        return ImportedRow(number, paragraph, kind, body, proposed or None), []


def normalize_paragraph(value: str) -> str:
    """Normalize a paragraph reference: "para. 9" → "9", "10 (a)" → "10(a)", "第9段" → "9", "§ 9." → "9".

    Anything else (ranges, "Annex I", "General") is returned as written, whitespace collapsed:
    the caller matches the result against the paragraphs of the draft.
    """
    text = unicodedata.normalize("NFKC", value)
    # Arabic-Indic and other decimal digits → ASCII, so "٩" matches paragraph 9.
    text = "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)
    text = " ".join(text.split())
    text = _CHINESE_PARAGRAPH.sub(r"\1", text)
    text = _PARAGRAPH_PREFIX.sub("", text)
    text = _CLOSE_PAREN.sub(")", _OPEN_PAREN.sub("(", text))
    return text.rstrip(".").strip()


# --- Excel -----------------------------------------------------------------


def _xlsx_rows(sheet: Any) -> _Rows:
    # Some writers record a wrong sheet size; without it openpyxl reads every cell present.
    sheet.reset_dimensions()
    # openpyxl fills the gaps of missing rows, so counting gives the sheet row number.
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        yield number, [_xlsx_cell(cell) for cell in cells]


def _xlsx_cell(cell: Any) -> _Cell:
    value = cell.value
    if cell.data_type == "f":
        # Array formulas come as objects holding the formula text.
        return _Formula(str(getattr(value, "text", value)))
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # paragraph 9 is stored as 9.0
    if isinstance(value, str):
        return _clean(_OOXML_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), value))
    return str(value)


# --- Word ------------------------------------------------------------------


def _docx_rows(table: Any) -> _Rows:
    for number, row in enumerate(table.rows, start=1):
        # A row may start after the first grid column; pad so indexes match the header's.
        # python-docx repeats a merged cell in each grid position it spans (across and down).
        yield number, [""] * row.grid_cols_before + [_clean(_docx_text(cell._tc)) for cell in row.cells]


def _docx_text(element: Any) -> str:
    """Cell text with paragraphs joined by newlines, including tracked insertions (python-docx's
    ``cell.text`` skips runs inside ``w:ins`` and content controls)."""
    parts: list[str] = []
    _docx_walk(element, parts)
    return "".join(parts)


def _docx_walk(element: Any, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag in _DOCX_SKIP:
            continue
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag in _DOCX_CHARS:
            parts.append(_DOCX_CHARS[tag])
        else:
            _docx_walk(child, parts)
            if tag == f"{_W}p":
                parts.append("\n")


# --- Text helpers ----------------------------------------------------------


def _clean(text: str) -> str:
    return clean_characters(_LINE_BREAKS.sub("\n", text)).strip()


def _clip(text: str) -> str:
    return text if len(text) <= DETAIL_MAX else text[: DETAIL_MAX - 1] + "…"


def _fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form for matching headings and kind labels."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char))
    return " ".join("".join(kept).split())


def _lookup(text: str, table: dict[str, str]) -> str | None:
    """Match the whole text, else its first line, else what comes before a parenthesis:
    "Paragraph number\\n(e.g. 9(b))" and "Amendment (proposed text)" are still recognized."""
    for candidate in (text, text.split("\n", 1)[0], text.split("(", 1)[0]):
        found = table.get(_fold(candidate))
        if found:
            return found
    return None


def _folded_table(entries: Iterable[tuple[str, str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for text, name in entries:
        # The first entry wins, so the caller's labels take precedence over the synonyms.
        table.setdefault(_fold(text), name)
    table.pop("", None)
    return table


def _header_lookup(headers: dict[str, str]) -> dict[str, str]:
    return _folded_table(
        [(label, name) for name, label in headers.items() if name in TEMPLATE_COLUMNS]
        + [(name, name) for name in TEMPLATE_COLUMNS]
        + [(name.replace("_", " "), name) for name in TEMPLATE_COLUMNS]
        + [(synonym, name) for name, synonyms in _HEADER_SYNONYMS.items() for synonym in synonyms]
    )


def _kind_lookup(kinds: dict[str, str]) -> dict[str, str]:
    return _folded_table(
        [(code, code) for code in kinds]
        + [(label, code) for code, label in kinds.items()]
        + [(synonym, code) for code, synonyms in _KIND_SYNONYMS.items() if code in kinds for synonym in synonyms]
    )
