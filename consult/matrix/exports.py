"""Comment-response matrix exports: CSV (streamed), XLSX and DOCX.

Everything here is a pure function of an iterable of `MatrixRow` and a label
mapping, so the web layer decides what to export and in which language.

Rows are consumed once, in the order given: the CSV and XLSX writers never hold
more than one row, and the DOCX compilation starts a new chapter or paragraph
heading whenever the chapter or section changes, so the caller orders rows by
chapter, then section, then whatever order comments should appear in.

Spreadsheet safety (CSV and XLSX): a text value whose first character, or first
character after leading whitespace, is ``= + - @`` (or, defensively, their
full-width forms ＝＋－＠) or which starts with a tab or carriage return is
prefixed with ``'`` so that no spreadsheet evaluates it as a formula
(OWASP "CSV injection"). Legitimate text such as "-5 %" or "+1 vote" gets the
prefix too; that is the accepted trade-off. Numbers (the comment ID, the
resolving version) are written as numbers and are never prefixed.

All formats drop characters XML cannot hold (C0/C1 controls other than tab and
newline, lone surrogates, U+FFFE/U+FFFF) and turn CR/CRLF into LF.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import IO

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.styles.style import ParagraphStyle
from lxml.etree import SubElement
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from consult.text import clean_characters

__all__ = [
    "COLUMNS",
    "CSV_MIMETYPE",
    "DEFAULT_HEADERS",
    "DOCX_MIMETYPE",
    "XLSX_MIMETYPE",
    "MatrixRow",
    "csv_chunks",
    "docx_file",
    "is_rtl",
    "table_csv_chunks",
    "table_xlsx_file",
    "xlsx_file",
]

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One comment and its response, with every label already in the reader's language."""

    comment_id: int
    chapter: str
    section_number: str
    organization: str
    organization_code: str
    region: str
    kind: str
    body: str
    proposed_text: str
    disposition: str
    rationale: str
    resolved_in_version: str
    submitted_at: str
    late: bool
    imported: bool


# (field, English header) in spreadsheet column order.
COLUMNS: list[tuple[str, str]] = [
    ("comment_id", "Comment ID"),
    ("chapter", "Chapter"),
    ("section_number", "Paragraph"),
    ("organization", "Member State or organization"),
    ("organization_code", "Code"),
    ("region", "Region"),
    ("kind", "Type of comment"),
    ("body", "Comment"),
    ("proposed_text", "Proposed text"),
    ("disposition", "Disposition"),
    ("rationale", "Rationale"),
    ("resolved_in_version", "Resolved in version"),
    ("submitted_at", "Submitted"),
    ("late", "Late"),
    ("imported", "Imported"),
]

# Column headers plus the other words the exports print ("late" and "imported"
# double as the flags in the DOCX attribution line). Keys with %(name)s
# placeholders follow the project's gettext convention: pass the translation
# unformatted, e.g. headers["paragraph"] = gettext("Paragraph %(section)s")
# (gettext without keyword arguments leaves the placeholder alone). Callers may
# pass a partial mapping: missing keys fall back to these.
DEFAULT_HEADERS: Mapping[str, str] = MappingProxyType(
    dict(COLUMNS)
    | {
        "yes": "Yes",
        "sheet": "Comments",
        "paragraph": "Paragraph %(section)s",
        "submitted_on": "submitted %(date)s",
        "proposed_label": "Proposed text:",
        "response": "Response:",
        "no_response": "No response yet",
        "resolved_in": "Resolved in version %(version)s",
    }
)


def _labels(headers: Mapping[str, str]) -> dict[str, str]:
    # str() so lazy gettext strings work too.
    return {key: str(value) for key, value in (DEFAULT_HEADERS | dict(headers)).items()}


# --- Text cleaning ------------------------------------------------------------

# XML 1.0 forbids most controls, lone surrogates and U+FFFE/U+FFFF (openpyxl and lxml raise
# on them): every cell goes through consult.text.clean_characters.
_FORMULA_TRIGGERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")


def _spreadsheet_text(text: str) -> str:
    """Clean `text` and neutralize anything a spreadsheet could read as a formula."""
    first = text[:1]
    text = clean_characters(text)
    if first in ("\t", "\r") or text.lstrip()[:1] in _FORMULA_TRIGGERS:
        text = "'" + text
    return text


def _spreadsheet_values(row: MatrixRow, yes: str) -> list[str | int]:
    version = row.resolved_in_version.strip()
    return [
        row.comment_id,
        _spreadsheet_text(row.chapter),
        _spreadsheet_text(row.section_number),
        _spreadsheet_text(row.organization),
        _spreadsheet_text(row.organization_code),
        _spreadsheet_text(row.region),
        _spreadsheet_text(row.kind),
        _spreadsheet_text(row.body),
        _spreadsheet_text(row.proposed_text),
        _spreadsheet_text(row.disposition),
        _spreadsheet_text(row.rationale),
        int(version) if version.isascii() and version.isdigit() else _spreadsheet_text(version),
        _spreadsheet_text(row.submitted_at),
        yes if row.late else "",
        yes if row.imported else "",
    ]


# --- CSV ----------------------------------------------------------------------

_CSV_CHUNK_CHARACTERS = 64 * 1024


def csv_chunks(rows: Iterable[MatrixRow], headers: Mapping[str, str]) -> Iterator[bytes]:
    """Yield the matrix as UTF-8 CSV in chunks of roughly 64 KiB, for a streamed response (see ``table_csv_chunks``)."""
    labels = _labels(headers)
    yes = _spreadsheet_text(labels["yes"])
    values = (_spreadsheet_values(row, yes) for row in rows)
    return table_csv_chunks([labels[field] for field, _ in COLUMNS], values, neutralized=True)


def table_csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[str | int]], *, neutralized: bool = False
) -> Iterator[bytes]:
    """Yield a table as UTF-8 CSV in chunks of roughly 64 KiB, for a streamed response.

    The first chunk starts with a byte-order mark so that Excel detects UTF-8 (Chinese and
    Arabic would otherwise be mojibake); records end in CRLF and multi-line values are quoted
    with LF inside. Text that a spreadsheet could read as a formula is neutralized (see the
    module's notes) unless the caller has done it already; numbers are written as numbers.
    """
    cell = (lambda value: value) if neutralized else _csv_cell
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_spreadsheet_text(str(label)) for label in header)
    pending = codecs.BOM_UTF8
    for row in rows:
        writer.writerow(cell(value) for value in row)
        if buffer.tell() >= _CSV_CHUNK_CHARACTERS:
            yield pending + buffer.getvalue().encode("utf-8")
            pending = b""
            buffer.seek(0)
            buffer.truncate()
    yield pending + buffer.getvalue().encode("utf-8")


def _csv_cell(value: str | int) -> str | int:
    return value if isinstance(value, int) and not isinstance(value, bool) else _spreadsheet_text(str(value))


# --- XLSX ---------------------------------------------------------------------

# Excel refuses cells longer than 32,767 UTF-16 code units; bodies may be longer.
_XLSX_CELL_LIMIT = 32_767
_XLSX_TRUNCATION_MARK = " […]"
_XLSX_WIDTHS = {
    "comment_id": 9,
    "chapter": 28,
    "section_number": 10,
    "organization": 24,
    "organization_code": 8,
    "region": 18,
    "kind": 18,
    "body": 70,
    "proposed_text": 50,
    "disposition": 16,
    "rationale": 50,
    "resolved_in_version": 10,
    "submitted_at": 18,
    "late": 8,
    "imported": 9,
}
_LAST_COLUMN = get_column_letter(len(COLUMNS))
_INVALID_SHEET_TITLE = re.compile(r"[\\*?:/\[\]\n\t]")
_SPOOL_BYTES = 8 * 1024 * 1024


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit_cell(value: str | int) -> str | int:
    # Cheap pre-check: a str can only exceed the limit in UTF-16 units if it has more than half as many characters.
    if isinstance(value, str) and len(value) * 2 > _XLSX_CELL_LIMIT and _utf16_length(value) > _XLSX_CELL_LIMIT:
        keep = _XLSX_CELL_LIMIT - len(_XLSX_TRUNCATION_MARK)
        value = value.encode("utf-16-le")[: keep * 2].decode("utf-16-le", errors="ignore") + _XLSX_TRUNCATION_MARK
    return value


class _Sheet:
    """A write-only worksheet with header, widths, frozen header row and autofilter set up."""

    def __init__(self, workbook: Workbook, title: str, header_labels: list[str], wrap: Alignment) -> None:
        self.worksheet = workbook.create_sheet(title)
        ws = self.worksheet
        # Write-only sheets emit dimensions and views before the first row, so set them now.
        for index, (field, _) in enumerate(COLUMNS, 1):
            ws.column_dimensions[get_column_letter(index)].width = _XLSX_WIDTHS[field]
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        header = []
        for label in header_labels:
            cell = WriteOnlyCell(ws, label)
            cell.font = Font(bold=True)
            cell.alignment = wrap
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            header.append(cell)
        ws.append(header)
        self.last_row = 1
        # One styled cell per column, re-filled for every row: a write-only sheet serializes a row
        # as soon as it is appended, and styling 300,000 fresh cells would dominate the run time.
        self.cells = [WriteOnlyCell(ws) for _ in COLUMNS]
        for cell in self.cells:
            cell.alignment = wrap

    def append(self, values: list[str | int]) -> None:
        for cell, value in zip(self.cells, values, strict=True):
            # None keeps an empty cell blank (still styled) rather than an empty string.
            cell.value = _fit_cell(value) if value != "" else None
        self.worksheet.append(self.cells)
        self.last_row += 1

    def finish(self) -> None:
        # The autofilter is written after the rows, so its extent can be set last.
        self.worksheet.auto_filter.ref = f"A1:{_LAST_COLUMN}{self.last_row}"


def _sheet_title(name: str, taken: set[str], fallback: str) -> str:
    """A valid, unique (case-insensitively) Excel sheet name for `name`."""
    base = _INVALID_SHEET_TITLE.sub(" ", clean_characters(name)).strip().strip("'").strip() or fallback
    title, number = base[:31], 1
    while title.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)].rstrip() + suffix
    taken.add(title.casefold())
    return title


def xlsx_file(
    rows: Iterable[MatrixRow],
    headers: Mapping[str, str],
    *,
    title: str,
    group_by_chapter: bool = False,
) -> IO[bytes]:
    """Write the matrix as an XLSX workbook and return it as a rewound temporary file.

    One sheet of all comments by default; with `group_by_chapter`, one sheet per
    chapter in order of first appearance (rows need not be sorted). Every sheet
    has the same columns, a bold frozen header row and an autofilter. `title`
    becomes the workbook's document title.

    The result is a `SpooledTemporaryFile` (in memory up to 8 MiB, then on
    disk): pass it to `flask.send_file(f, mimetype=XLSX_MIMETYPE,
    download_name=...)`, which closes it after sending; closing deletes it.
    """
    labels = _labels(headers)
    yes = _spreadsheet_text(labels["yes"])
    header_labels = [_spreadsheet_text(labels[field]) for field, _ in COLUMNS]
    wrap = Alignment(wrap_text=True, vertical="top")
    workbook = Workbook(write_only=True)
    workbook.properties.title = clean_characters(title)
    sheets: dict[str, _Sheet] = {}
    taken: set[str] = set()

    def sheet_for(chapter: str) -> _Sheet:
        if chapter not in sheets:
            name = _sheet_title(chapter if group_by_chapter else labels["sheet"], taken, labels["sheet"])
            sheets[chapter] = _Sheet(workbook, name, header_labels, wrap)
        return sheets[chapter]

    output = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - returned to the caller
    try:
        for row in rows:
            sheet_for(row.chapter if group_by_chapter else "").append(_spreadsheet_values(row, yes))
        if not sheets:
            sheet_for("")
        for sheet in sheets.values():
            sheet.finish()
        workbook.save(output)
    except BaseException:
        output.close()
        # Write-only sheets spool rows to named temporary files that only save() removes.
        with contextlib.suppress(Exception):
            workbook.save(io.BytesIO())
        raise
    output.seek(0)
    return output


def table_xlsx_file(
    header: Sequence[str],
    rows: Iterable[Sequence[str | int]],
    *,
    title: str,
    sheet: str,
    widths: Sequence[int] | None = None,
) -> IO[bytes]:
    """Any table as an XLSX workbook of one sheet, with the matrix's safety and layout: text cells
    neutralized (see the module's notes), numbers as numbers, a bold frozen header row, an
    autofilter and wrapped text. Returned as a rewound temporary file, like ``xlsx_file``."""
    wrap = Alignment(wrap_text=True, vertical="top")
    workbook = Workbook(write_only=True)
    workbook.properties.title = clean_characters(title)
    worksheet = workbook.create_sheet(_sheet_title(sheet, set(), "Sheet"))
    for index, width in enumerate(widths or [], 1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    worksheet.print_title_rows = "1:1"
    labels = []
    for label in header:
        cell = WriteOnlyCell(worksheet, _spreadsheet_text(str(label)))
        cell.font = Font(bold=True)
        cell.alignment = wrap
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        labels.append(cell)
    worksheet.append(labels)
    cells = [WriteOnlyCell(worksheet) for _ in header]
    for cell in cells:
        cell.alignment = wrap
    last_row = 1
    output = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - returned to the caller
    try:
        for row in rows:
            for cell, value in zip(cells, row, strict=True):
                value = _csv_cell(value)
                cell.value = _fit_cell(value) if value != "" else None
            worksheet.append(cells)
            last_row += 1
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last_row}"
        workbook.save(output)
    except BaseException:
        output.close()
        with contextlib.suppress(Exception):
            workbook.save(io.BytesIO())
        raise
    output.seek(0)
    return output


# --- DOCX ---------------------------------------------------------------------

_RTL_CHARACTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LETTER = re.compile(r"[^\W\d_]")
_CJK_CHARACTER = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]")
_EAST_ASIAN_FONT = "SimSun"
_RUN_SPECIALS = re.compile("([\n\t])")
_W = {
    tag: qn(f"w:{tag}") for tag in ("pPr", "pStyle", "bidi", "r", "rPr", "rFonts", "b", "bCs", "rtl", "t", "br", "tab")
}
_W_VAL, _W_EAST_ASIA, _W_HINT, _XML_SPACE = qn("w:val"), qn("w:eastAsia"), qn("w:hint"), qn("xml:space")


def is_rtl(text: str) -> bool:
    """Whether most letters in `text` are of a right-to-left script (Arabic, Hebrew…)."""
    if not _RTL_CHARACTER.search(text):
        return False
    return 2 * len(_RTL_CHARACTER.findall(text)) > len(_LETTER.findall(text))


class _Compilation:
    """Builds the DOCX body from a handful of paragraph styles, without tables."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        self.document = docx.Document()
        # The template is US Letter; UN documents are A4.
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Cm(2.5)
        styles = self.document.styles
        self.title, self.subtitle = styles["Title"], styles["Subtitle"]
        self.chapter, self.section = styles["Heading 1"], styles["Heading 2"]
        self.attribution = self._style("Comment Attribution", bold=True, keep_with_next=True, space_before=10)
        self.comment = self._style("Comment Text")
        self.proposed = self._style("Proposed Text", italic=True, indent=0.75)
        self.response = self._style("Comment Response", indent=0.75, space_before=4)
        # Document.add_paragraph looks for the body's closing sectPr by scanning every child, which turns
        # quadratic over 100,000 paragraphs; inserting before the sectPr found once stays linear.
        self.body = self.document.element.body
        self.end = self.body.sectPr

    def _style(
        self,
        name: str,
        *,
        bold: bool = False,
        italic: bool = False,
        keep_with_next: bool = False,
        indent: float = 0.0,
        space_before: float = 2.0,
    ) -> ParagraphStyle:
        style = self.document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = self.document.styles["Normal"]
        style.quick_style = True
        style.font.bold = bold or None
        style.font.italic = italic or None
        # Arabic is complex script in Word, which has its own bold and italic switches.
        if bold:
            style.element.get_or_add_rPr().get_or_add_bCs()
        if italic:
            style.element.get_or_add_rPr().get_or_add_iCs()
        paragraph_format = style.paragraph_format
        paragraph_format.keep_with_next = keep_with_next or None
        paragraph_format.left_indent = Cm(indent) if indent else None
        paragraph_format.space_before = Pt(space_before)
        paragraph_format.space_after = Pt(2)
        return style

    def paragraph(self, style: ParagraphStyle, *runs: tuple[str, bool]) -> None:
        """Add a paragraph of (text, bold) runs, marking right-to-left and Chinese text for Word."""
        texts = [(cleaned, bold) for text, bold in runs if (cleaned := clean_characters(text))]
        # Built with lxml directly: python-docx's per-element bookkeeping tripled the time for 100,000 paragraphs.
        paragraph = OxmlElement("w:p")
        properties = SubElement(paragraph, _W["pPr"])
        SubElement(properties, _W["pStyle"], {_W_VAL: style.style_id})
        if is_rtl("".join(text for text, _ in texts)):
            SubElement(properties, _W["bidi"])
        for text, bold in texts:
            run = SubElement(paragraph, _W["r"])
            rtl, cjk = is_rtl(text), _CJK_CHARACTER.search(text) is not None
            if bold or rtl or cjk:
                run_properties = SubElement(run, _W["rPr"])  # children in schema order: rFonts, b, bCs, rtl
                if cjk:
                    SubElement(run_properties, _W["rFonts"], {_W_EAST_ASIA: _EAST_ASIAN_FONT, _W_HINT: "eastAsia"})
                if bold:
                    SubElement(run_properties, _W["b"])
                    SubElement(run_properties, _W["bCs"])  # bold for Arabic, which Word sets as complex script
                if rtl:
                    SubElement(run_properties, _W["rtl"])
            for piece in _RUN_SPECIALS.split(text):
                if piece == "\n":
                    SubElement(run, _W["br"])
                elif piece == "\t":
                    SubElement(run, _W["tab"])
                elif piece:
                    element = SubElement(run, _W["t"])
                    element.text = piece
                    if piece != piece.strip():
                        element.set(_XML_SPACE, "preserve")
        if self.end is None:
            self.body.append(paragraph)
        else:
            self.end.addprevious(paragraph)

    def add(self, row: MatrixRow) -> None:
        labels = self.labels
        organization = f"{row.organization} ({row.organization_code})" if row.organization_code else row.organization
        parts = [organization, row.kind]
        if row.submitted_at:
            parts.append(labels["submitted_on"] % {"date": row.submitted_at})
        if row.late:
            parts.append(labels["late"])
        if row.imported:
            parts.append(labels["imported"])
        self.paragraph(self.attribution, (f"#{row.comment_id} " + " — ".join(part for part in parts if part), False))
        if row.body:
            self.paragraph(self.comment, (row.body, False))
        if row.proposed_text:
            self.paragraph(self.proposed, (labels["proposed_label"] + " ", True), (row.proposed_text, False))
        resolved = labels["resolved_in"] % {"version": row.resolved_in_version} if row.resolved_in_version else ""
        answer = " — ".join(part for part in (row.rationale, resolved) if part)
        if row.disposition or answer:
            separator = " — " if row.disposition and answer else ""
            self.paragraph(
                self.response,
                (labels["response"] + " ", True),
                (row.disposition, True),
                (separator + answer, False),
            )
        else:
            self.paragraph(self.response, (labels["response"] + " ", True), (labels["no_response"], False))


def docx_file(rows: Iterable[MatrixRow], headers: Mapping[str, str], *, title: str, subtitle: str = "") -> IO[bytes]:
    """Write the comment-response compilation as a Word document and return it as a rewound temporary file.

    Title and subtitle (e.g. the release and its date) come first; then a
    Heading 1 whenever the chapter changes and a Heading 2 ("Paragraph 9")
    whenever the section changes, so pass rows ordered by chapter and section.
    Each comment is its delegation's bold attribution line, the comment, the
    proposed text (italic) and the task force's response.

    python-docx holds the whole document in memory: roughly 15 MB of RSS per
    1,000 comments of typical length while saving. The returned
    `SpooledTemporaryFile` goes to `flask.send_file(f, mimetype=DOCX_MIMETYPE,
    download_name=...)`, which closes (and so deletes) it after sending.
    """
    compilation = _Compilation(_labels(headers))
    compilation.document.core_properties.title = clean_characters(title)[:255]
    compilation.paragraph(compilation.title, (title, False))
    if subtitle:
        compilation.paragraph(compilation.subtitle, (subtitle, False))
    chapter = section = None
    for row in rows:
        if row.chapter != chapter:
            chapter, section = row.chapter, None
            if chapter:
                compilation.paragraph(compilation.chapter, (chapter, False))
        if row.section_number != section:
            section = row.section_number
            if section:
                compilation.paragraph(
                    compilation.section, (compilation.labels["paragraph"] % {"section": section}, False)
                )
        compilation.add(row)
    output = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - returned to the caller
    try:
        compilation.document.save(output)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output
