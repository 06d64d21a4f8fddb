"""Comment-response matrix exports: CSV, XLSX and DOCX round trips."""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from consult.matrix.exports import COLUMNS, DEFAULT_HEADERS, MatrixRow, csv_chunks, docx_file, xlsx_file
from consult.text import is_rtl

CHAPTER_EN = "IV. Proposed guiding principles"
CHAPTER_ZH = "四、 拟议指导原则"
LONG_BODY = "Adequate housing for all. " * 385  # 10,010 characters
HUGE_BODY = "城市" * 20_000  # past Excel's 32,767-character cell limit
ARABIC_BODY = "\u200fنقترح إضافة إشارة صريحة إلى الحق في السكن اللائق.\nونؤيد الفقرة بصيغتها المعدلة."
FORMULA = '=HYPERLINK("http://evil","x")'
MULTILINE_BODY = "First line\nSecond line\r\n\r\nA new paragraph\twith a tab."
# Markdown: a single line break joins the lines (as on the pages), a blank line starts a paragraph.
MULTILINE_CLEAN = "First line Second line\n\nA new paragraph with a tab."
GENEVA = timezone(timedelta(hours=1), "CET")  # what to_user_timezone gives for Geneva in March
SUBMITTED = datetime(2026, 3, 12, 14, 5, tzinfo=GENEVA)
ANSWERED = datetime(2026, 4, 2, 9, 30, 12, tzinfo=GENEVA)
MARKDOWN_BODY = "We **strongly** support *this* paragraph:\n\n- adequate housing\n- **basic** services"
PARAGRAPH = "Everyone has the right to adequate housing and to basic services."
PROPOSAL = "Everyone has the right to adequate and affordable housing and to services."


def make_row(comment_id: int, **changes: object) -> MatrixRow:
    row = MatrixRow(
        comment_id=comment_id,
        chapter=CHAPTER_EN,
        section_number="9",
        organization="Kenya",
        organization_code="KEN",
        region="African States",
        kind="General comment",
        body="We welcome the paragraph.",
        proposed_text="",
        disposition="Accepted in part",
        rationale="Merged with comment 12.",
        resolved_in_version="3",
        submitted_at=SUBMITTED,
        answered_at=ANSWERED,
        late=False,
        imported=False,
    )
    return replace(row, **changes)


ROWS = [
    make_row(
        1,
        body=MULTILINE_BODY,
        proposed_text="Replace “all” with “every person”.",
        late=True,
    ),
    make_row(
        2,
        section_number="10(a)",
        body=LONG_BODY,
        disposition="",
        rationale="",
        resolved_in_version="",
        answered_at=None,
    ),
    make_row(
        3,
        chapter=CHAPTER_ZH,
        section_number="10(a)",
        organization="中国",
        organization_code="CHN",
        region="亚洲-太平洋国家",
        kind="一般性评论",
        body="建议在第10段中加入“适足住房”。\n第二行。",
        disposition="部分接受",
        rationale="已在第3版中修改。",
        imported=True,
    ),
    make_row(
        4,
        chapter=CHAPTER_ZH,
        section_number="11",
        organization="مصر",
        organization_code="EGY",
        region="",
        kind="تعليق عام",
        body=ARABIC_BODY,
        disposition="مقبول",
        rationale="أُدرج النص المقترح.",
    ),
    make_row(
        5,
        chapter=CHAPTER_ZH,
        section_number="11",
        body=FORMULA,
        proposed_text="+1+1",
        rationale="@SUM(A1)",
        region="-2+3",
        kind="\t=1+1",
        disposition="  =cmd|' /C calc'!A0",
        organization="\r=2",
        organization_code="＝1",
    ),
    make_row(6, chapter=CHAPTER_ZH, section_number="11", body="bell\x07 and nul\x00 here\ud800 \x85end\ufffe"),
    make_row(7, chapter=CHAPTER_ZH, section_number="12", body=HUGE_BODY, proposed_text="-5 % is too little"),
]

# What each dangerous or dirty value must become in a spreadsheet.
SPREADSHEET_TEXT = {
    MULTILINE_BODY: MULTILINE_CLEAN,
    LONG_BODY: LONG_BODY.strip(),
    "建议在第10段中加入“适足住房”。\n第二行。": "建议在第10段中加入“适足住房”。 第二行。",
    ARABIC_BODY: ARABIC_BODY.replace("\n", " "),
    FORMULA: "'" + FORMULA,
    "+1+1": "'+1+1",
    "@SUM(A1)": "'@SUM(A1)",
    "-2+3": "'-2+3",
    "\t=1+1": "'\t=1+1",
    "  =cmd|' /C calc'!A0": "'  =cmd|' /C calc'!A0",
    "\r=2": "'\n=2",
    "＝1": "'＝1",
    "-5 % is too little": "'-5 % is too little",
    # A lone surrogate shows as the replacement character: something was there.
    "bell\x07 and nul\x00 here\ud800 \x85end\ufffe": "bell and nul here\ufffd end",
}
DANGEROUS = [value for value in SPREADSHEET_TEXT.values() if value.startswith("'")]


def expected_csv_record(row: MatrixRow) -> list[str]:
    record = []
    for field, _ in COLUMNS:
        value = getattr(row, field)
        if isinstance(value, bool):
            record.append("Yes" if value else "")
        elif isinstance(value, datetime):
            record.append(value.strftime("%Y-%m-%d %H:%M"))
        elif value is None or (field == "same_text" and value == 0):
            record.append("")
        else:
            record.append(SPREADSHEET_TEXT.get(value, str(value)))
    return record


def counting(rows: list[MatrixRow], pulled: list[int]) -> Iterator[MatrixRow]:
    for row in rows:
        pulled[0] += 1
        yield row


def many_rows(count: int) -> Iterator[MatrixRow]:
    for index in range(1, count + 1):
        yield make_row(
            index,
            section_number=str(9 + index // 100),
            body=f"Comment {index}: " + "sustainable urbanization " * 40,
            proposed_text=f"=SUM({index})" if index % 3 == 0 else "",
        )


# --- CSV ------------------------------------------------------------------------


def test_csv_round_trips_every_row_with_bom_crlf_and_neutralized_formulas():
    data = b"".join(csv_chunks(iter(ROWS), DEFAULT_HEADERS))

    assert data.startswith(codecs.BOM_UTF8)
    text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
    assert text.endswith("\r\n")
    # Records end in CRLF; line breaks inside values are bare LF.
    assert text.count("\r\n") == len(ROWS) + 1
    assert text.count("\r") == len(ROWS) + 1
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert records[0] == [label for _, label in COLUMNS]
    assert records[1:] == [expected_csv_record(row) for row in ROWS]
    cells = {cell for record in records for cell in record}
    assert set(DANGEROUS) <= cells
    assert not [cell for cell in cells if cell and (cell[0] in "=+-@\t\r" or cell.lstrip()[:1] in tuple("=+-@"))]


def test_csv_uses_caller_labels_and_falls_back_to_english():
    data = b"".join(csv_chunks([ROWS[0]], {"body": "评论", "yes": "是", "late": "=逾期"}))

    header, record = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert header[7] == "评论"
    assert header[14] == "'=逾期"  # labels are neutralized like any other value
    assert header[0] == "Comment ID"
    assert record[14] == "是"


def test_csv_streams_without_reading_all_rows_first():
    rows = list(many_rows(2_000))
    pulled = [0]
    chunks = csv_chunks(counting(rows, pulled), DEFAULT_HEADERS)

    first = next(chunks)
    assert pulled[0] < len(rows)
    rest = list(chunks)
    assert first.startswith(codecs.BOM_UTF8)
    assert not any(chunk.startswith(codecs.BOM_UTF8) for chunk in rest)
    records = list(csv.reader(io.StringIO(b"".join([first, *rest]).decode("utf-8-sig"), newline="")))
    assert [record[0] for record in records[1:]] == [str(row.comment_id) for row in rows]


def test_csv_of_no_rows_is_the_header():
    data = b"".join(csv_chunks([], DEFAULT_HEADERS))

    assert data == codecs.BOM_UTF8 + (",".join(label for _, label in COLUMNS) + "\r\n").encode()


# --- XLSX -----------------------------------------------------------------------


def open_xlsx(rows, **options) -> openpyxl.Workbook:
    with xlsx_file(rows, DEFAULT_HEADERS, title="Comments on the draft", **options) as output:
        return openpyxl.load_workbook(io.BytesIO(output.read()))


def sheet_values(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_xlsx_has_bold_frozen_filtered_header_and_every_comment_once():
    workbook = open_xlsx(iter(ROWS))

    assert workbook.sheetnames == ["Comments"]
    assert workbook.properties.title == "Comments on the draft"
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:S{len(ROWS) + 1}"
    header = sheet[1]
    assert [cell.value for cell in header] == [label for _, label in COLUMNS]
    assert all(cell.font.b for cell in header)
    ids = [row[0] for row in sheet_values(sheet)[1:]]
    assert sorted(ids) == [row.comment_id for row in ROWS]
    assert sheet.column_dimensions["H"].width == 70


def test_xlsx_cells_are_wrapped_strings_never_formulas():
    sheet = open_xlsx(ROWS).active
    cells = [cell for row in sheet.iter_rows() for cell in row]

    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert set(DANGEROUS) <= values
    for cell in sheet["H"][1:]:
        assert cell.alignment.wrap_text
        assert cell.alignment.vertical == "top"


def test_xlsx_round_trips_text_and_types():
    rows = {row[0]: row for row in sheet_values(open_xlsx(ROWS).active)[1:]}

    assert rows[1][7] == MULTILINE_CLEAN
    assert rows[1][11] == 3  # a version is a number, so it sorts
    assert rows[1][14] == "Yes"
    assert rows[1][15] is None  # empty, not an empty string
    assert rows[2][7] == LONG_BODY.strip()
    assert rows[2][13] is None
    assert rows[2][9] is None
    assert rows[3][3] == "中国"
    assert rows[3][7] == "建议在第10段中加入“适足住房”。 第二行。"  # one Markdown paragraph, as on the pages
    assert rows[4][3] == "مصر"
    assert rows[4][7] == ARABIC_BODY.replace("\n", " ")
    assert rows[6][7] == "bell and nul here\ufffd end"
    assert len(rows[7][7]) == 32_767
    assert rows[7][7].startswith("城市城市")
    assert rows[7][7].endswith("城 […]")


def test_xlsx_times_are_date_cells_in_the_readers_zone():
    headers = {"submitted_at": "Submitted (Europe/Geneva)"}
    with xlsx_file(ROWS[:2], headers, title="x") as output:
        sheet = openpyxl.load_workbook(io.BytesIO(output.read())).active

    assert sheet["M1"].value == "Submitted (Europe/Geneva)"
    submitted, answered = sheet["M2"], sheet["N2"]
    assert submitted.is_date and answered.is_date
    assert submitted.value == datetime(2026, 3, 12, 14, 5)  # the wall-clock time in Geneva, not UTC
    assert answered.value == datetime(2026, 4, 2, 9, 30, 12)
    assert submitted.number_format == "yyyy-mm-dd hh:mm"
    assert sheet["N3"].value is None  # not answered yet


def test_spreadsheets_hold_the_text_of_markdown_not_its_syntax():
    row = make_row(1, body=MARKDOWN_BODY, proposed_text="We **insist** on [housing](https://unhabitat.org).")
    text = "We strongly support this paragraph:\n\nadequate housing\n\nbasic services"

    record = list(csv.reader(io.StringIO(b"".join(csv_chunks([row], {})).decode("utf-8-sig"), newline="")))[1]
    assert (record[7], record[8]) == (text, "We insist on housing.")
    values = sheet_values(open_xlsx([row]).active)[1]
    assert (values[7], values[8]) == (text, "We insist on housing.")


def test_xlsx_grouped_by_chapter_has_one_sheet_per_chapter_in_first_seen_order():
    chapters = [CHAPTER_EN, "V: Means/implementation [draft]*?", CHAPTER_EN, "'quoted'"]
    rows = [replace(ROWS[0], comment_id=index, chapter=chapter) for index, chapter in enumerate(chapters, 1)]
    rows.append(replace(ROWS[0], comment_id=5, chapter="IV. Proposed guiding principles — addendum"))

    workbook = open_xlsx(rows, group_by_chapter=True)

    assert workbook.sheetnames == [
        CHAPTER_EN,
        "V  Means implementation  draft",
        "quoted",
        "IV. Proposed guiding princi (2)",
    ]
    by_sheet = {name: [row[0] for row in sheet_values(workbook[name])[1:]] for name in workbook.sheetnames}
    assert by_sheet[CHAPTER_EN] == [1, 3]
    assert by_sheet["IV. Proposed guiding princi (2)"] == [5]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:S{sheet.max_row}"
        assert sheet["B2"].value == rows[by_sheet[sheet.title][0] - 1].chapter.strip()


def test_xlsx_of_no_rows_is_one_sheet_with_the_header():
    workbook = open_xlsx([], group_by_chapter=True)

    assert workbook.sheetnames == ["Comments"]
    assert sheet_values(workbook.active) == [tuple(label for _, label in COLUMNS)]
    assert workbook.active.auto_filter.ref == "A1:S1"


def test_xlsx_removes_its_spool_files_when_the_rows_fail(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def failing():
        yield from ROWS
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        xlsx_file(failing(), DEFAULT_HEADERS, title="x", group_by_chapter=True)
    assert list(tmp_path.iterdir()) == []


# --- DOCX -----------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_bytes(rows, **options) -> bytes:
    with docx_file(rows, DEFAULT_HEADERS, title="Comments on the draft", **options) as output:
        return output.read()


def open_docx(rows, **options) -> docx.document.Document:
    return docx.Document(io.BytesIO(docx_bytes(rows, **options)))


def styled(document, style: str) -> list:
    return [paragraph for paragraph in document.paragraphs if paragraph.style.name == style]


def cell_text(cell) -> str:
    """What a cell reads with every tracked change accepted."""
    return "\n".join("".join(t.text for t in p.iter(f"{W}t")) for p in cell._tc.iter(f"{W}p"))


def body_rows(document) -> list[list[str]]:
    return [[cell_text(cell) for cell in row.cells] for table in document.tables for row in table.rows[1:]]


def test_docx_is_a_landscape_a4_table_per_chapter_with_a_header_row_repeated_on_every_page():
    document = open_docx(iter(ROWS), subtitle="Release 2 — 12 March 2026")

    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    assert [p.text for p in styled(document, "Title")] == ["Comments on the draft"]
    assert [p.text for p in styled(document, "Subtitle")] == ["Release 2 — 12 March 2026"]
    assert [p.text for p in styled(document, "Heading 1")] == [CHAPTER_EN, CHAPTER_ZH]
    assert document.core_properties.title == "Comments on the draft"
    assert len(document.tables) == 2
    usable = section.page_width - section.left_margin - section.right_margin
    for table in document.tables:
        header = table.rows[0]
        assert [cell.text for cell in header.cells] == [
            "Paragraph",
            "Delegation",
            "Comment",
            "Proposed change",
            "Response",
        ]
        assert header._tr.trPr.find(f"{W}tblHeader") is not None
        assert all(row._tr.trPr is None for row in table.rows[1:])  # only the header repeats, rows may break
        widths = [cell.width for cell in header.cells]
        assert sum(widths) <= usable
        assert max(widths) < 3 * min(widths[1:])  # no column squeezed to nothing
    assert [len(table.rows) - 1 for table in document.tables] == [2, 5]


def test_docx_has_a_row_for_every_comment_with_its_delegation_and_response():
    rows = body_rows(open_docx(ROWS, format_moment=lambda moment: moment.strftime("%d %B %Y, %H:%M")))

    assert [row[0] for row in rows] == ["9", "10(a)", "10(a)", "11", "11", "11", "12"]
    assert rows[0][1] == "Kenya (KEN)\nGeneral comment\n#1\nsubmitted 12 March 2026, 14:05\nLate"
    assert rows[2][1] == "中国 (CHN)\n一般性评论\n#3\nsubmitted 12 March 2026, 14:05\nImported"
    assert rows[0][4] == "Accepted in part\nMerged with comment 12.\nResolved in version 3"
    assert rows[1][4] == "No response yet"
    assert rows[3][4] == "مقبول\nأُدرج النص المقترح.\nResolved in version 3"
    assert rows[0][2] == MULTILINE_CLEAN.replace("\n\n", "\n")  # a Markdown paragraph a Word paragraph
    assert rows[1][2] == LONG_BODY.strip()
    assert rows[4][2] == FORMULA  # Word does not evaluate text, so no prefix here
    assert rows[5][2] == "bell and nul here\ufffd end"
    assert [row[3] for row in rows if row[3]] == [
        "Replace “all” with “every person”.",
        "+1+1",
        "-5 % is too little",
    ]


def test_docx_formats_markdown_as_runs_and_never_prints_its_syntax():
    row = make_row(1, body=MARKDOWN_BODY, proposed_text="We **insist**.", rationale="Kept *as is*.")
    data = docx_bytes([row])
    document = docx.Document(io.BytesIO(data))

    cells = document.tables[0].rows[1].cells
    texts = [cell_text(cell) for cell in cells]
    assert texts[2] == "We strongly support this paragraph:\n• adequate housing\n• basic services"
    assert not [text for text in texts if "**" in text]
    assert "**" not in re.sub(r"<[^>]+>", "", data.decode("latin-1"))  # nowhere in the file, markup aside
    runs = {run.text.strip(): run for paragraph in cells[2].paragraphs for run in paragraph.runs}
    assert runs["strongly"].bold and not runs["strongly"].italic
    assert runs["this"].italic and not runs["this"].bold
    assert runs["basic"].bold
    assert not runs["We"].bold
    # The rationale is plain text, as the pages show it: asterisks are the task force's own.
    assert texts[4].split("\n")[1] == "Kept *as is*."


def test_docx_shows_the_proposed_change_as_tracked_changes_against_the_paragraph():
    row = make_row(1, kind="Amendment", paragraph_text=PARAGRAPH, proposed_text=PROPOSAL)
    cell = open_docx([row]).tables[0].rows[1].cells[3]._tc

    inserted = ["".join(t.text for t in change.iter(f"{W}t")) for change in cell.iter(f"{W}ins")]
    deleted = ["".join(t.text for t in change.iter(f"{W}delText")) for change in cell.iter(f"{W}del")]
    assert inserted == [" and affordable"]
    assert deleted == [" basic"]
    for change in [*cell.iter(f"{W}ins"), *cell.iter(f"{W}del")]:
        assert change.get(f"{W}author") == "Kenya"
        assert change.get(f"{W}date") == "2026-03-12T13:05:00Z"  # 14:05 in Geneva
    accepted = "".join(t.text for t in cell.iter(f"{W}t"))
    rejected = "".join(t.text for t in cell.iter(f"{W}t", f"{W}delText") if t.getparent().getparent().tag != f"{W}ins")
    assert (accepted, rejected) == (PROPOSAL, PARAGRAPH)


def test_docx_opens_in_libreoffice_landscape_with_changes_it_can_accept_and_reject(libreoffice):
    rows = [
        make_row(1, kind="Amendment", body=MARKDOWN_BODY, paragraph_text=PARAGRAPH, proposed_text=PROPOSAL),
        *many_rows(60),
    ]
    data = docx_bytes(rows)

    flat = libreoffice.convert(data, ".docx", "fodt").decode()
    assert 'style:print-orientation="landscape"' in flat
    size = re.search(r'fo:page-width="([\d.]+)(in|cm|mm)" fo:page-height="([\d.]+)(in|cm|mm)"', flat)
    millimetres = {"in": 25.4, "cm": 10, "mm": 1}
    width, height = (round(float(size[n]) * millimetres[size[n + 1]]) for n in (1, 3))
    assert (width, height) == (297, 210)
    assert flat.count("<table:table-header-rows>") == 1
    pdf = libreoffice.convert(data, ".docx", "pdf")
    pages = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(pages) > 3
    assert all(float(width) > float(height) for width, height in pages)
    assert PROPOSAL in libreoffice.accepted(data)
    rejected = libreoffice.rejected(data)
    assert PARAGRAPH in rejected and PROPOSAL not in rejected
    assert "**" not in rejected and "• adequate housing" in rejected


def test_docx_marks_arabic_right_to_left_and_chinese_east_asian():
    rows = open_docx(ROWS).tables[1].rows
    arabic = rows[2].cells[2].paragraphs[0]
    chinese = rows[1].cells[2].paragraphs[0]
    english = open_docx(ROWS).tables[0].rows[1].cells[2].paragraphs[0]

    assert arabic.text.startswith("\u200fنقترح")
    assert arabic._p.pPr.find(qn("w:bidi")) is not None
    assert all(run.font.rtl for run in arabic.runs)
    assert english._p.pPr.find(qn("w:bidi")) is None
    assert chinese.text.startswith("建议")
    assert chinese._p.pPr.find(qn("w:bidi")) is None
    fonts = chinese.runs[0]._r.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "SimSun"
    assert fonts.get(qn("w:hint")) == "eastAsia"
    assert english.runs[0]._r.rPr is None


def test_docx_uses_caller_labels():
    headers = {"section_number": "段落", "response": "答复", "resolved_in": "已在第%(version)s版中解决"}
    with docx_file([ROWS[2]], headers, title="评论汇编") as output:
        table = docx.Document(output).tables[0]

    assert [cell.text for cell in table.rows[0].cells] == ["段落", "Delegation", "Comment", "Proposed change", "答复"]
    assert cell_text(table.rows[1].cells[4]) == "部分接受\n已在第3版中修改。\n已在第3版中解决"


def test_is_rtl_goes_by_most_letters():
    assert is_rtl(ARABIC_BODY)
    assert is_rtl("مصر (EGY) — تعليق عام")
    assert not is_rtl("Egypt (مصر)")
    assert not is_rtl("中文评论")
    assert not is_rtl("")


# --- Volume ---------------------------------------------------------------------


def test_two_thousand_rows_in_every_format():
    count = 2_000

    records = list(csv.reader(io.StringIO(b"".join(csv_chunks(many_rows(count), {})).decode("utf-8-sig"))))
    assert len(records) == count + 1

    sheet = open_xlsx(many_rows(count)).active
    assert sheet.max_row == count + 1
    assert sheet.auto_filter.ref == f"A1:S{count + 1}"
    assert sheet["I4"].value == "'=SUM(3)"

    document = open_docx(many_rows(count))
    assert len(document.tables) == 1
    assert len(document.tables[0].rows) == count + 1
