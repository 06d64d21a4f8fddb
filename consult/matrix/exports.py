"""Comment-response matrix exports: CSV (streamed), XLSX and DOCX.

Everything here is a pure function of an iterable of `MatrixRow` and a label
mapping, so the web layer decides what to export, in which language and time zone.

Rows are consumed once, in the order given: the CSV and XLSX writers never hold
more than one row, and the DOCX table starts a new chapter heading whenever the
chapter changes, so the caller orders rows by chapter, then section, then
whatever order comments should appear in.

Comments and proposed texts are Markdown: the spreadsheets get their plain text
(``consult.text.plain_text``), the Word table their bold, italic and lists as
runs, and the proposed text as Word tracked changes against the paragraph
(``consult.drafts.redline``). Times are those of the reader's time zone, which
the caller names in the column headers: the spreadsheet has real date cells.

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import IO

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from lxml.etree import SubElement
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from consult.drafts.redline import BREAK, Piece, TrackedDocument, diff_parts, pieces
from consult.text import clean_characters, plain_text, text_of_html

__all__ = [
    "COLUMNS",
    "CSV_MIMETYPE",
    "DEFAULT_HEADERS",
    "DOCX_MIMETYPE",
    "XLSX_MIMETYPE",
    "MatrixRow",
    "csv_chunks",
    "docx_file",
    "table_csv_chunks",
    "table_xlsx_file",
    "xlsx_file",
]

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One comment and its response, with every label already in the reader's language and
    times (aware) in the reader's time zone. ``body`` and ``proposed_text`` are Markdown;
    ``paragraph_text`` is the Markdown of the paragraph the proposed text would replace (in the
    proposal's language), against which the Word table marks the changes."""

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
    submitted_at: datetime | None
    answered_at: datetime | None
    late: bool
    imported: bool
    paragraph_text: str = ""
    # The States aligned with the comment, named in the reader's language ("Brazil, Chile"), or "".
    aligned: str = ""
    # How many delegations sent the same text (2 or more: a campaign), else 0.
    same_text: int = 0
    # ``body`` as rendered when it was written: its text is read from it, not rendered again.
    body_html: str = ""
    # What the delegation said of the answer proposed to it ("Agreed", "Objected: …"), or "".
    reaction: str = ""


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
    ("answered_at", "Answered"),
    ("late", "Late"),
    ("imported", "Imported"),
    # Added last, so that the columns spreadsheets already read keep their places.
    ("aligned", "Aligned"),
    ("same_text", "Delegations with the same text"),
    ("reaction", "Delegation's reaction to the proposed answer"),
]

# Column headers plus the other words the exports print ("late" and "imported"
# double as the flags in the Word table's delegation column). Keys with %(name)s
# placeholders follow the project's gettext convention: pass the translation
# unformatted, e.g. headers["resolved_in"] = gettext("Resolved in version %(version)s")
# (gettext without keyword arguments leaves the placeholder alone). Callers may
# pass a partial mapping: missing keys fall back to these.
DEFAULT_HEADERS: Mapping[str, str] = MappingProxyType(
    dict(COLUMNS)
    | {
        "yes": "Yes",
        "sheet": "Comments",
        "delegation": "Delegation",
        "proposed_change": "Proposed change",
        "response": "Response",
        "submitted_on": "submitted %(date)s",
        "no_response": "No response yet",
        "resolved_in": "Resolved in version %(version)s",
        "aligned_line": "aligned: %(organizations)s",
        "same_text_line": "%(count)s delegations, same text",
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


Cell = str | int | datetime


def _spreadsheet_values(row: MatrixRow, yes: str, moment: Callable[[datetime], Cell]) -> list[Cell]:
    version = row.resolved_in_version.strip()
    return [
        row.comment_id,
        _spreadsheet_text(row.chapter),
        _spreadsheet_text(row.section_number),
        _spreadsheet_text(row.organization),
        _spreadsheet_text(row.organization_code),
        _spreadsheet_text(row.region),
        _spreadsheet_text(row.kind),
        _spreadsheet_text(text_of_html(row.body_html) if row.body_html else plain_text(row.body)),
        _spreadsheet_text(plain_text(row.proposed_text)),
        _spreadsheet_text(row.disposition),
        _spreadsheet_text(row.rationale),
        int(version) if version.isascii() and version.isdigit() else _spreadsheet_text(version),
        moment(row.submitted_at) if row.submitted_at else "",
        moment(row.answered_at) if row.answered_at else "",
        yes if row.late else "",
        yes if row.imported else "",
        _spreadsheet_text(row.aligned),
        row.same_text or "",
        _spreadsheet_text(row.reaction),
    ]


# --- CSV ----------------------------------------------------------------------

_CSV_CHUNK_CHARACTERS = 64 * 1024


def csv_chunks(rows: Iterable[MatrixRow], headers: Mapping[str, str]) -> Iterator[bytes]:
    """Yield the matrix as UTF-8 CSV in chunks of roughly 64 KiB, for a streamed response (see ``table_csv_chunks``).
    Times are written as ``2026-03-12 14:05``, which spreadsheets read as dates."""
    labels = _labels(headers)
    yes = _spreadsheet_text(labels["yes"])
    values = (_spreadsheet_values(row, yes, _iso_minute) for row in rows)
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


def _iso_minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


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
    "submitted_at": 17,
    "answered_at": 17,
    "late": 8,
    "imported": 9,
    "aligned": 20,
    "same_text": 12,
    "reaction": 40,
}
_LAST_COLUMN = get_column_letter(len(COLUMNS))
_DATE_FIELDS = frozenset({"submitted_at", "answered_at"})
_DATE_FORMAT = "yyyy-mm-dd hh:mm"
_INVALID_SHEET_TITLE = re.compile(r"[\\*?:/\[\]\n\t]")
_SPOOL_BYTES = 8 * 1024 * 1024


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit_cell(value: Cell) -> Cell:
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
        for cell, (field, _) in zip(self.cells, COLUMNS, strict=True):
            cell.alignment = wrap
            if field in _DATE_FIELDS:
                cell.number_format = _DATE_FORMAT

    def append(self, values: list[Cell]) -> None:
        for cell, value in zip(self.cells, values, strict=True):
            # None keeps an empty cell blank (still styled) rather than an empty string.
            cell.value = _fit_cell(value) if value != "" else None
        self.worksheet.append(self.cells)
        self.last_row += 1

    def finish(self) -> None:
        # The autofilter is written after the rows, so its extent can be set last.
        self.worksheet.auto_filter.ref = f"A1:{_LAST_COLUMN}{self.last_row}"


def _wall_clock(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None, microsecond=0)


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
    becomes the workbook's document title. Times are date cells showing the
    reader's wall-clock time (Excel has no time zones: name the zone in the headers).

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
            sheet_for(row.chapter if group_by_chapter else "").append(_spreadsheet_values(row, yes, _wall_clock))
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

# Paragraph, delegation, comment, proposed change, response: 26.7 cm, the width of A4 landscape within its margins.
_DOCX_MARGIN = Cm(1.5)
_DOCX_COLUMNS = (
    ("section_number", Cm(1.7)),
    ("delegation", Cm(4.2)),
    ("body", Cm(7.4)),
    ("proposed_change", Cm(7.6)),
    ("response", Cm(5.8)),
)
_HEADER_SHADING = "DDEBF7"
_W_VAL, _W_WIDTH, _W_TYPE = qn("w:val"), qn("w:w"), qn("w:type")


def _lines(found: list[Piece]) -> Iterator[list[Piece]]:
    """Pieces split at their line breaks, without the spaces that end a line: one cell paragraph
    per block of the Markdown."""
    line: list[Piece] = []
    for piece in [*found, BREAK]:
        if piece != BREAK:
            line.append(piece)
            continue
        while line and not line[-1].text.strip():
            line.pop()
        if line:
            line[-1] = replace(line[-1], text=line[-1].text.rstrip())
        yield line
        line = []


class _WordTable:
    """The matrix as Word tables on A4 landscape pages: a heading per chapter, then its comments
    as rows under a header row that Word repeats at the top of every page."""

    def __init__(self, labels: dict[str, str], title: str, format_moment: Callable[[datetime], str]) -> None:
        self.labels = labels
        self.format_moment = format_moment
        self.created = datetime.now(UTC)
        self.writer = TrackedDocument(author="", date=self.created, title=title)
        self.writer.landscape(_DOCX_MARGIN)
        for kind, name, bold in (("cell", "Table Text", False), ("head", "Table Heading", True)):
            style = self.writer.document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = self.writer.document.styles["Normal"]
            style.font.size = Pt(9)
            style.font.bold = bold or None
            style.paragraph_format.space_before = Pt(0)
            style.paragraph_format.space_after = Pt(3)
            self.writer.styles[kind] = style.style_id
        self.table = None

    def text(self, text: str, *, bold: bool = False, italic: bool = False, kind: str = "cell"):
        return self.writer.element(kind, [(None, [Piece(clean_characters(text), bold, italic)])])

    def markdown(self, markdown: str) -> list:
        return [self.writer.element("cell", [(None, line)]) for line in _lines(pieces(markdown, by_word=False))]

    def chapter(self, title: str) -> None:
        """A new chapter: its heading (if it has a title), and a new table."""
        if title:
            self.writer.paragraph("chapter", [(None, [Piece(clean_characters(title))])])
        self.table = None

    def _row(self, cells: list[list], *, header: bool = False) -> None:
        row = SubElement(self.table, qn("w:tr"))
        if header:
            SubElement(SubElement(row, qn("w:trPr")), qn("w:tblHeader"))
        for (_, width), paragraphs in zip(_DOCX_COLUMNS, cells, strict=True):
            cell = SubElement(row, qn("w:tc"))
            properties = SubElement(cell, qn("w:tcPr"))
            SubElement(properties, qn("w:tcW"), {_W_WIDTH: str(width.twips), _W_TYPE: "dxa"})
            if header:
                SubElement(
                    properties, qn("w:shd"), {_W_VAL: "clear", qn("w:color"): "auto", qn("w:fill"): _HEADER_SHADING}
                )
            # A cell holds at least one paragraph.
            for paragraph in paragraphs or [self.text("")]:
                cell.append(paragraph)

    def _start_table(self) -> None:
        self.table = OxmlElement("w:tbl")
        properties = SubElement(self.table, qn("w:tblPr"))
        SubElement(properties, qn("w:tblStyle"), {_W_VAL: self.writer.document.styles["Table Grid"].style_id})
        SubElement(
            properties, qn("w:tblW"), {_W_WIDTH: str(sum(width.twips for _, width in _DOCX_COLUMNS)), _W_TYPE: "dxa"}
        )
        # Fixed: Word keeps the widths given rather than fitting columns to a 10,000-character comment.
        SubElement(properties, qn("w:tblLayout"), {_W_TYPE: "fixed"})
        grid = SubElement(self.table, qn("w:tblGrid"))
        for _, width in _DOCX_COLUMNS:
            SubElement(grid, qn("w:gridCol"), {_W_WIDTH: str(width.twips)})
        self.writer.append(self.table)
        self._row([[self.text(self.labels[field], kind="head")] for field, _ in _DOCX_COLUMNS], header=True)

    def add(self, row: MatrixRow) -> None:
        if self.table is None:
            self._start_table()
        labels = self.labels
        organization = f"{row.organization} ({row.organization_code})" if row.organization_code else row.organization
        delegation = [self.text(organization, bold=True)]
        if row.aligned:
            delegation.append(self.text(labels["aligned_line"] % {"organizations": row.aligned}))
        delegation += [self.text(line) for line in (row.kind, f"#{row.comment_id}") if line]
        if row.submitted_at:
            delegation.append(self.text(labels["submitted_on"] % {"date": self.format_moment(row.submitted_at)}))
        flags = [labels[flag] for flag in ("late", "imported") if getattr(row, flag)]
        if flags:
            delegation.append(self.text(", ".join(flags), italic=True))
        proposal = []
        if row.proposed_text:
            # The paragraph as the proposal would change it, tracked as the delegation's changes.
            changes = diff_parts(pieces(row.paragraph_text), pieces(row.proposed_text))
            by = (row.organization, row.submitted_at or self.created)
            proposal.append(self.writer.element("cell", changes, by=by))
        if row.disposition:
            response = [self.text(row.disposition, bold=True)]
        else:
            response = [self.text(labels["no_response"], italic=True)]
        response += [self.text(line) for line in clean_characters(row.rationale).split("\n") if line.strip()]
        if row.resolved_in_version:
            response.append(self.text(labels["resolved_in"] % {"version": row.resolved_in_version}))
        if row.reaction:
            response.append(self.text(row.reaction, italic=True))
        body = self.markdown(row.body)
        if row.same_text:
            body.insert(0, self.text(labels["same_text_line"] % {"count": row.same_text}, italic=True))
        self._row([[self.text(row.section_number, bold=True)], delegation, body, proposal, response])


def docx_file(
    rows: Iterable[MatrixRow],
    headers: Mapping[str, str],
    *,
    title: str,
    subtitle: str = "",
    format_moment: Callable[[datetime], str] = _iso_minute,
) -> IO[bytes]:
    """Write the comment-response matrix as a Word document and return it as a rewound temporary file.

    Title and subtitle (e.g. the release and its date) come first; then, on A4 landscape pages,
    a Heading 1 and a table whenever the chapter changes, so pass rows ordered by chapter and
    section. Each comment is a row: the paragraph, the delegation (with the kind of comment, its
    number, when it was submitted, as `format_moment` writes it, and whether it came late or was
    imported), the comment, the proposed change as Word tracked changes against the paragraph,
    and the response (disposition, rationale, the version that resolved it).

    python-docx holds the whole document in memory: roughly 25 MB of RSS and 0.7 s
    per 1,000 comments of typical length (most of it rendering their Markdown). The returned
    `SpooledTemporaryFile` goes to `flask.send_file(f, mimetype=DOCX_MIMETYPE,
    download_name=...)`, which closes (and so deletes) it after sending.
    """
    table = _WordTable(_labels(headers), clean_characters(title), format_moment)
    table.writer.paragraph("title", [(None, [Piece(clean_characters(title))])])
    if subtitle:
        table.writer.paragraph("subtitle", [(None, [Piece(clean_characters(subtitle))])])
    chapter = None
    for row in rows:
        if row.chapter != chapter:
            chapter = row.chapter
            table.chapter(chapter)
        table.add(row)
    return table.writer.save()
