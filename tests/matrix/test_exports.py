"""Comment-response matrix exports: CSV, XLSX and DOCX round trips."""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import replace

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from consult.matrix.exports import COLUMNS, DEFAULT_HEADERS, MatrixRow, csv_chunks, docx_file, is_rtl, xlsx_file

CHAPTER_EN = "IV. Proposed guiding principles"
CHAPTER_ZH = "四、 拟议指导原则"
LONG_BODY = "Adequate housing for all. " * 385  # 10,010 characters
HUGE_BODY = "城市" * 20_000  # past Excel's 32,767-character cell limit
ARABIC_BODY = "\u200fنقترح إضافة إشارة صريحة إلى الحق في السكن اللائق.\nونؤيد الفقرة بصيغتها المعدلة."
FORMULA = '=HYPERLINK("http://evil","x")'
MULTILINE_BODY = "First line\nSecond line\r\n\r\nA new paragraph\twith a tab."
MULTILINE_CLEAN = "First line\nSecond line\n\nA new paragraph\twith a tab."


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
        submitted_at="12 March 2026, 14:05",
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
    make_row(2, section_number="10(a)", body=LONG_BODY, disposition="", rationale="", resolved_in_version=""),
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
        submitted_at="2026年3月12日 14:05",
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
    assert header[13] == "'=逾期"  # labels are neutralized like any other value
    assert header[0] == "Comment ID"
    assert record[13] == "是"


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
    assert sheet.auto_filter.ref == f"A1:O{len(ROWS) + 1}"
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
    assert rows[1][13] == "Yes"
    assert rows[1][14] is None  # empty, not an empty string
    assert rows[2][7] == LONG_BODY
    assert rows[2][9] is None
    assert rows[3][3] == "中国"
    assert rows[3][7] == "建议在第10段中加入“适足住房”。\n第二行。"
    assert rows[4][3] == "مصر"
    assert rows[4][7] == ARABIC_BODY
    assert rows[6][7] == "bell and nul here\ufffd end"
    assert len(rows[7][7]) == 32_767
    assert rows[7][7].startswith("城市城市")
    assert rows[7][7].endswith("城 […]")


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
        assert sheet.auto_filter.ref == f"A1:O{sheet.max_row}"
        assert sheet["B2"].value == rows[by_sheet[sheet.title][0] - 1].chapter.strip()


def test_xlsx_of_no_rows_is_one_sheet_with_the_header():
    workbook = open_xlsx([], group_by_chapter=True)

    assert workbook.sheetnames == ["Comments"]
    assert sheet_values(workbook.active) == [tuple(label for _, label in COLUMNS)]
    assert workbook.active.auto_filter.ref == "A1:O1"


def test_xlsx_removes_its_spool_files_when_the_rows_fail(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def failing():
        yield from ROWS
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        xlsx_file(failing(), DEFAULT_HEADERS, title="x", group_by_chapter=True)
    assert list(tmp_path.iterdir()) == []


# --- DOCX -----------------------------------------------------------------------


def open_docx(rows, **options) -> docx.document.Document:
    with docx_file(rows, DEFAULT_HEADERS, title="Comments on the draft", **options) as output:
        return docx.Document(io.BytesIO(output.read()))


def styled(document, style: str) -> list:
    return [paragraph for paragraph in document.paragraphs if paragraph.style.name == style]


def test_docx_has_title_and_a_heading_per_chapter_and_section():
    document = open_docx(iter(ROWS), subtitle="Release 2 — 12 March 2026")

    assert [p.text for p in styled(document, "Title")] == ["Comments on the draft"]
    assert [p.text for p in styled(document, "Subtitle")] == ["Release 2 — 12 March 2026"]
    assert [p.text for p in styled(document, "Heading 1")] == [CHAPTER_EN, CHAPTER_ZH]
    assert [p.text for p in styled(document, "Heading 2")] == [
        "Paragraph 9",
        "Paragraph 10(a)",
        "Paragraph 10(a)",  # the same number again under the next chapter
        "Paragraph 11",
        "Paragraph 12",
    ]
    assert document.core_properties.title == "Comments on the draft"


def test_docx_attributes_every_comment_once_and_answers_it():
    document = open_docx(ROWS)
    attributions = [p.text for p in styled(document, "Comment Attribution")]

    assert attributions[0] == "#1 Kenya (KEN) — General comment — submitted 12 March 2026, 14:05 — Late"
    assert attributions[2] == "#3 中国 (CHN) — 一般性评论 — submitted 2026年3月12日 14:05 — Imported"
    for row in ROWS:
        assert sum(text.startswith(f"#{row.comment_id} ") for text in attributions) == 1
    responses = [p.text for p in styled(document, "Comment Response")]
    assert len(responses) == len(ROWS)
    assert responses[0] == "Response: Accepted in part — Merged with comment 12. — Resolved in version 3"
    assert responses[1] == "Response: No response yet"
    assert responses[3] == "Response: مقبول — أُدرج النص المقترح. — Resolved in version 3"


def test_docx_keeps_line_breaks_and_labels_proposed_text():
    document = open_docx(ROWS)
    comments = [p.text for p in styled(document, "Comment Text")]

    assert comments[0] == MULTILINE_CLEAN
    assert comments[1] == LONG_BODY
    assert comments[4] == FORMULA  # Word does not evaluate text, so no prefix here
    assert comments[5] == "bell and nul here\ufffd end"
    proposed = styled(document, "Proposed Text")
    assert [p.text for p in proposed] == [
        "Proposed text: Replace “all” with “every person”.",
        "Proposed text: +1+1",
        "Proposed text: -5 % is too little",
    ]
    assert proposed[0].runs[0].bold
    assert document.styles["Proposed Text"].font.italic


def test_docx_marks_arabic_right_to_left_and_chinese_east_asian():
    document = open_docx(ROWS)
    arabic = next(p for p in styled(document, "Comment Text") if p.text == ARABIC_BODY)
    english = styled(document, "Comment Text")[0]
    chinese = next(p for p in styled(document, "Comment Text") if p.text.startswith("建议"))

    assert arabic._p.pPr.find(qn("w:bidi")) is not None
    assert all(run.font.rtl for run in arabic.runs)
    assert english._p.pPr.find(qn("w:bidi")) is None
    assert chinese._p.pPr.find(qn("w:bidi")) is None
    fonts = chinese.runs[0]._r.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "SimSun"
    assert fonts.get(qn("w:hint")) == "eastAsia"
    assert english.runs[0]._r.rPr is None


def test_docx_uses_caller_labels():
    headers = {"paragraph": "第%(section)s段", "response": "答复：", "resolved_in": "已在第%(version)s版中解决"}
    with docx_file([ROWS[2]], headers, title="评论汇编") as output:
        document = docx.Document(output)

    assert [p.text for p in styled(document, "Heading 2")] == ["第10(a)段"]
    assert [p.text for p in styled(document, "Comment Response")] == [
        "答复： 部分接受 — 已在第3版中修改。 — 已在第3版中解决"
    ]


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
    assert sheet.auto_filter.ref == f"A1:O{count + 1}"
    assert sheet["I4"].value == "'=SUM(3)"

    document = open_docx(many_rows(count))
    assert len(styled(document, "Comment Attribution")) == count
    assert len(styled(document, "Heading 2")) == len({9 + index // 100 for index in range(1, count + 1)})
