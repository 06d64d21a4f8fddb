"""Tests for consult.matrix.comment_import: files are built at run time with openpyxl and python-docx."""

import io
import random
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from openpyxl.utils import range_boundaries

from consult.matrix.comment_import import (
    ERROR_MESSAGES,
    ROW_MESSAGES,
    TEMPLATE_COLUMNS,
    ImportedRow,
    ImportFileError,
    ParsedUpload,
    normalize_paragraph,
    parse_upload,
    template_xlsx,
)
from consult.uploads import UploadLimits, refusal_message

HEADERS = {
    "paragraph": "Paragraph number",
    "kind": "Kind",
    "comment": "Comment",
    "proposed_text": "Proposed text",
}
KINDS = {"general": "General comment", "amendment": "Amendment (proposed text)", "question": "Question"}
INSTRUCTIONS = "Write one comment per row.\nAn amendment needs the proposed text."

CHINESE = "建议在本段中提及城市韧性。"
ARABIC = "نقترح إضافة إشارة إلى الإسكان الميسور التكلفة."


def parse(data: bytes, filename: str = "comments.xlsx", **options: int) -> ParsedUpload:
    return parse_upload(data, filename, kinds=KINDS, headers=HEADERS, **options)


def save_xlsx(tmp_path: Path, rows: list[list[object]], name: str = "comments.xlsx") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path.read_bytes()


def save_docx(tmp_path: Path, document: DocxDocument, name: str = "comments.docx") -> bytes:
    path = tmp_path / name
    document.save(str(path))
    return path.read_bytes()


def docx_with_table(rows: list[list[str]]) -> DocxDocument:
    document = docx.Document()
    document.add_paragraph("Comments of the delegation")
    table = document.add_table(rows=0, cols=len(rows[0]))
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    return document


def error_codes(parsed: ParsedUpload) -> list[tuple[int, str]]:
    return [(error.row, error.message_code) for error in parsed.errors]


def file_error(data: bytes, filename: str = "comments.xlsx", **options: int) -> str:
    with pytest.raises(ImportFileError) as caught:
        parse(data, filename, **options)
    # Every refusal has its message: the parser's own, or an upload limit's.
    assert caught.value.code in ERROR_MESSAGES or refusal_message(caught.value.code, UploadLimits())
    return caught.value.code


# --- Template --------------------------------------------------------------


def test_template_has_one_header_row_a_kind_drop_down_and_instructions() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(HEADERS, KINDS, INSTRUCTIONS)))
    sheet, guide = workbook.worksheets

    assert [cell.value for cell in sheet[1]] == [HEADERS[name] for name in TEMPLATE_COLUMNS]
    assert sheet.max_row == 1
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width > 40
    assert sheet.column_dimensions["C"].alignment.wrap_text

    [validation] = sheet.data_validations.dataValidation
    assert validation.type == "list"
    assert "B2" in validation.sqref and "B1048576" in validation.sqref
    assert "A2" not in validation.sqref and "B1" not in validation.sqref
    # The drop-down lists exactly the kind labels, read from the Instructions sheet.
    sheet_name, cells = validation.formula1.split("!")
    assert sheet_name.strip("'") == guide.title == "Instructions"
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    labels = [row[0] for row in guide.iter_rows(min_row, max_row, min_col, max_col, values_only=True)]
    assert labels == list(KINDS.values())

    assert [guide.cell(row, 1).value for row in (1, 2)] == INSTRUCTIONS.splitlines()


def test_template_text_starting_with_equals_is_not_a_formula() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(HEADERS, KINDS, '=HYPERLINK("x")')))
    cell = workbook["Instructions"]["A1"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("x")'


def test_filled_template_is_imported(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(HEADERS, KINDS, INSTRUCTIONS)))
    sheet = workbook.worksheets[0]
    sheet.append([9, "general", "The plan should mention housing.", None])
    sheet.append(["10 (a)", "Amendment (proposed text)", CHINESE, "城市韧性"])
    sheet.append(["para. 11", "Question", ARABIC, None])
    sheet.append([12, None, "No kind given means a general comment.", None])
    sheet["A6"].value = 13.0  # a number typed in a General-format cell
    sheet["C6"].value = "Stored as a float."
    path = tmp_path / "filled.xlsx"
    workbook.save(path)

    parsed = parse(path.read_bytes())

    assert parsed.errors == []
    assert parsed.other_tables == 0
    assert parsed.rows == [
        ImportedRow(2, "9", "general", "The plan should mention housing.", None),
        ImportedRow(3, "10(a)", "amendment", CHINESE, "城市韧性"),
        ImportedRow(4, "11", "question", ARABIC, None),
        ImportedRow(5, "12", "general", "No kind given means a general comment.", None),
        ImportedRow(6, "13", "general", "Stored as a float.", None),
    ]


def test_numbers_stored_as_floats_become_integers(tmp_path: Path) -> None:
    data = save_xlsx(tmp_path, [["Paragraph", "Comment"], [9.0, "Nine"], [9.5, "Nine and a half"]])
    assert [row.paragraph for row in parse(data).rows] == ["9", "9.5"]


# --- Headers and columns -----------------------------------------------------


def test_columns_in_another_order_with_title_rows_and_extra_columns(tmp_path: Path) -> None:
    data = save_xlsx(
        tmp_path,
        [
            ["Comments of the Republic of Kenya"],
            [],
            ["Remarks", "Texte proposé", "Commentaire", "Type", "Paragraphe"],
            ["internal note", "new wording", "Please amend.", "amendment", "§ 14"],
            ["", None, "Why?", "question", "第15段"],
        ],
    )
    parsed = parse(data)
    assert parsed.errors == []
    assert parsed.rows == [
        ImportedRow(4, "14", "amendment", "Please amend.", "new wording"),
        ImportedRow(5, "15", "question", "Why?", None),
    ]


def test_only_paragraph_and_comment_columns(tmp_path: Path) -> None:
    data = save_xlsx(tmp_path, [["PARA", "Comments:"], ["7", "Fine."]])
    assert parse(data).rows == [ImportedRow(2, "7", "general", "Fine.", None)]


def test_translated_headers_and_kinds_of_the_caller(tmp_path: Path) -> None:
    headers = {"paragraph": "段落编号", "kind": "类别", "comment": "评论意见", "proposed_text": "拟议案文"}
    kinds = {"general": "一般意见", "amendment": "修正（拟议案文）", "question": "提问"}
    data = save_xlsx(
        tmp_path,
        [
            ["类别", "段落编号", "评论意见", "拟议案文"],
            ["修正（拟议案文）", "9", CHINESE, "新案文"],
            ["Question", "10", "?", None],
        ],
    )
    parsed = parse_upload(data, "意见.xlsx", kinds=kinds, headers=headers)
    assert parsed.errors == []
    assert [(row.paragraph, row.kind) for row in parsed.rows] == [("9", "amendment"), ("10", "question")]


def test_header_must_have_paragraph_and_comment_columns(tmp_path: Path) -> None:
    data = save_xlsx(tmp_path, [["Kind", "Comment"], ["general", "No paragraph column."]])
    assert file_error(data) == "no_header"


def test_header_beyond_the_first_ten_rows_is_not_found(tmp_path: Path) -> None:
    data = save_xlsx(
        tmp_path, [[f"title line {number}"] for number in range(10)] + [["Paragraph", "Comment"], [1, "x"]]
    )
    assert file_error(data) == "no_header"


def test_xlsx_without_recognizable_header(tmp_path: Path) -> None:
    data = save_xlsx(tmp_path, [["Country", "Remarks"], ["Kenya", "Paragraph 9 should mention housing."]])
    assert file_error(data) == "no_header"


def test_header_on_a_later_sheet_and_other_sheets_counted(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Cover page"])
    for title in ("Chapter I", "Chapter II"):
        sheet = workbook.create_sheet(title)
        sheet.append(["Paragraph", "Comment"])
        sheet.append([title, f"On {title}"])
    path = tmp_path / "sheets.xlsx"
    workbook.save(path)

    parsed = parse(path.read_bytes())
    assert [row.body for row in parsed.rows] == ["On Chapter I"]
    assert parsed.other_tables == 1


def test_header_only_is_empty(tmp_path: Path) -> None:
    assert file_error(template_xlsx(HEADERS, KINDS, INSTRUCTIONS)) == "empty"


# --- Rows --------------------------------------------------------------------


def test_empty_rows_are_skipped_and_row_numbers_are_sheet_rows(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Paragraph", "Kind", "Comment", "Proposed text", "Note"])
    sheet["A2"] = "1"
    sheet["C2"] = "First."
    sheet["C3"] = "   "  # blank after stripping
    sheet["E4"] = "a note outside the imported columns"
    sheet["A7"] = "2"
    sheet["C7"] = "Seventh row."
    sheet["B9"] = "nonsense"
    sheet["A9"] = "3"
    sheet["C9"] = "Ninth row."
    path = tmp_path / "gaps.xlsx"
    workbook.save(path)

    parsed = parse(path.read_bytes())
    assert [(row.row, row.paragraph) for row in parsed.rows] == [(2, "1"), (7, "2")]
    assert error_codes(parsed) == [(9, "unknown_kind")]


def test_row_errors_carry_codes_and_row_numbers(tmp_path: Path) -> None:
    data = save_xlsx(
        tmp_path,
        [
            ["Paragraph", "Kind", "Comment", "Proposed text"],
            ["9", "general", "Good row.", None],
            ["10", "general", None, None],
            ["11", "observation", "What kind is this?", None],
            ["12", "amendment", "Change the wording.", None],
            [None, "question", "Which paragraph?", None],
            [None, "amendment", None, None],
            ["13", "Amendment", "Accepted.", "New text."],
        ],
    )
    parsed = parse(data)

    assert [(row.row, row.paragraph, row.kind) for row in parsed.rows] == [(2, "9", "general"), (8, "13", "amendment")]
    assert error_codes(parsed) == [
        (3, "missing_comment"),
        (4, "unknown_kind"),
        (5, "amendment_without_text"),
        (6, "missing_paragraph"),
        (7, "missing_paragraph"),
        (7, "missing_comment"),
        (7, "amendment_without_text"),
    ]
    assert "observation" in parsed.errors[1].detail
    assert "Which paragraph?" in parsed.errors[3].detail
    assert all(error.message_code in ROW_MESSAGES for error in parsed.errors)


def test_formula_cells_are_reported_not_imported(tmp_path: Path) -> None:
    data = save_xlsx(
        tmp_path,
        [
            ["Paragraph", "Comment", "Proposed text"],
            ["9", "=1+1", None],
            ["=A2+1", "Numbered by a formula.", None],
            ["11", "Plain text.", '=CONCATENATE("a","b")'],
        ],
    )
    parsed = parse(data)

    assert error_codes(parsed) == [(2, "formula"), (3, "formula"), (4, "formula")]
    assert parsed.errors[0].detail == "comment: =1+1"
    assert parsed.errors[1].detail == "paragraph: =A2+1"
    assert parsed.rows == []


def test_formula_in_an_ignored_column_does_not_matter(tmp_path: Path) -> None:
    data = save_xlsx(tmp_path, [["Paragraph", "Comment", "Total"], ["9", "Fine.", "=SUM(1,2)"]])
    parsed = parse(data)
    assert parsed.errors == []
    assert parsed.rows == [ImportedRow(2, "9", "general", "Fine.", None)]


def test_text_is_cleaned(tmp_path: Path) -> None:
    data = save_xlsx(
        tmp_path,
        [["Paragraph", "Comment"], ["  9 ", "  first line\r\nsecond\rthird_x0007_\tend  "], ["10", "a_x000D_\nb"]],
    )
    assert [row.body for row in parse(data).rows] == ["first line\nsecond\nthird\tend", "a\nb"]


def test_too_long_text(tmp_path: Path) -> None:
    data = save_xlsx(
        tmp_path,
        [
            ["Paragraph", "Comment", "Proposed text"],
            ["9", "x" * 21, None],
            ["10", "ok", "y" * 21],
            ["x" * 60, "ok", None],
        ],
    )
    parsed = parse(data, max_text=20)
    assert error_codes(parsed) == [(2, "too_long"), (3, "too_long"), (4, "too_long")]
    assert parsed.errors[0].detail == "comment: 21 characters (limit 20)"
    assert len(parsed.errors[2].detail) < 100


def test_too_many_rows(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Paragraph", "Comment"])
    for number in range(10_001):
        sheet.append([number % 30 + 1, f"Comment {number}"])
    path = tmp_path / "big.xlsx"
    workbook.save(path)
    assert file_error(path.read_bytes()) == "too_many_rows"


def test_row_limit_counts_non_empty_rows_only(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Paragraph", "Comment"], [1, "a"], [], [], [2, None], [3, "c"]]
    data = save_xlsx(tmp_path, rows)
    parsed = parse(data, max_rows=3)
    assert len(parsed.rows) + len(parsed.errors) == 3
    assert file_error(save_xlsx(tmp_path, [*rows, [4, "d"]], "more.xlsx"), max_rows=3) == "too_many_rows"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("9", "9"),
        ("9(b)", "9(b)"),
        ("10 (a)", "10(a)"),
        ("10 ( a ) (ii)", "10(a)(ii)"),
        ("para. 9", "9"),
        ("Para 9", "9"),
        ("paragraph 9", "9"),
        ("Paragraphe 9 (c)", "9(c)"),
        ("párrafo 9", "9"),
        ("§9", "9"),
        ("§ 9.", "9"),
        ("第9段", "9"),
        ("第 10 段(a)", "10(a)"),
        ("пункт 9", "9"),
        ("الفقرة ٩", "9"),
        ("９（ｂ）", "9(b)"),
        ("Paragraph", "Paragraph"),
        ("Annex I", "Annex I"),
        ("9.1", "9.1"),
    ],
)
def test_normalize_paragraph(written: str, expected: str) -> None:
    assert normalize_paragraph(written) == expected


# --- Word --------------------------------------------------------------------


def test_docx_table(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Comments of the delegation of France")
    layout = document.add_table(rows=1, cols=2)
    layout.cell(0, 0).text = "Delegation"
    layout.cell(0, 1).text = "France"
    table = document.add_table(rows=4, cols=4)
    for cell, text in zip(table.rows[0].cells, ["Comment", "Paragraph", "Kind", "Proposed text"], strict=True):
        cell.text = text
    table.cell(1, 0).text = "First paragraph of the comment."
    table.cell(1, 0).add_paragraph("Second paragraph.")
    table.cell(1, 1).text = "para. 9"
    table.cell(1, 2).text = "Amendment (proposed text)"
    table.cell(1, 3).text = "New text."
    table.cell(3, 0).text = ARABIC
    table.cell(3, 1).text = "10 (b)"

    parsed = parse(save_docx(tmp_path, document), "comments.docx")

    assert parsed.errors == []
    assert parsed.rows == [
        ImportedRow(2, "9", "amendment", "First paragraph of the comment.\nSecond paragraph.", "New text."),
        ImportedRow(4, "10(b)", "general", ARABIC, None),
    ]


def test_docx_row_errors_use_table_row_numbers(tmp_path: Path) -> None:
    document = docx_with_table(
        [["Paragraph", "Kind", "Comment"], ["9", "question", "Why?"], ["10", "rant", "Hmm."], ["", "", "No paragraph."]]
    )
    parsed = parse(save_docx(tmp_path, document), "comments.docx")
    assert [row.row for row in parsed.rows] == [2]
    assert error_codes(parsed) == [(3, "unknown_kind"), (4, "missing_paragraph")]


def test_docx_reads_tracked_insertions_and_drops_deletions(tmp_path: Path) -> None:
    document = docx_with_table([["Paragraph", "Comment", "Proposed text"], ["9", "Amend.", ""]])
    cell = document.tables[0].cell(1, 2)
    paragraph = cell.paragraphs[0]._p
    paragraph.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">Cities </w:t></w:r>'))
    paragraph.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="1" w:author="Delegation" w:date="2025-01-01T00:00:00Z">'
            "<w:r><w:t>shall</w:t></w:r></w:ins>"
        )
    )
    paragraph.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="Delegation" w:date="2025-01-01T00:00:00Z">'
            "<w:r><w:delText>should</w:delText></w:r></w:del>"
        )
    )
    # Text moved elsewhere keeps w:t in its old place: it must not be read twice.
    paragraph.append(
        parse_xml(
            f'<w:moveFrom {nsdecls("w")} w:id="3" w:author="Delegation" w:date="2025-01-01T00:00:00Z">'
            "<w:r><w:t>moved away</w:t></w:r></w:moveFrom>"
        )
    )
    paragraph.append(parse_xml(f"<w:r {nsdecls('w')}><w:tab/><w:t>act.</w:t><w:br/><w:t>Now.</w:t></w:r>"))

    [row] = parse(save_docx(tmp_path, document), "comments.docx").rows
    assert row.proposed_text == "Cities shall\tact.\nNow."


def test_docx_vertically_merged_paragraph_applies_to_each_row(tmp_path: Path) -> None:
    document = docx_with_table([["Paragraph", "Comment"], ["9", "First point."], ["", "Second point."]])
    table = document.tables[0]
    table.cell(1, 0).merge(table.cell(2, 0))
    parsed = parse(save_docx(tmp_path, document), "comments.docx")
    assert [(row.row, row.paragraph, row.body) for row in parsed.rows] == [
        (2, "9", "First point."),
        (3, "9", "Second point."),
    ]


def test_docx_other_tables_with_a_header_are_counted(tmp_path: Path) -> None:
    document = docx_with_table([["Paragraph", "Comment"], ["9", "In the first table."]])
    second = document.add_table(rows=2, cols=2)
    second.cell(0, 0).text = "Paragraph"
    second.cell(0, 1).text = "Comment"
    second.cell(1, 0).text = "20"
    second.cell(1, 1).text = "In the second table."
    parsed = parse(save_docx(tmp_path, document), "comments.docx")
    assert [row.body for row in parsed.rows] == ["In the first table."]
    assert parsed.other_tables == 1


def test_docx_without_table(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Paragraph 9: we propose to mention housing.")
    assert file_error(save_docx(tmp_path, document), "comments.docx") == "no_table"


def test_docx_table_without_header(tmp_path: Path) -> None:
    document = docx_with_table([["9", "We propose to mention housing."]])
    assert file_error(save_docx(tmp_path, document), "comments.docx") == "no_header"


# --- File type and damaged files -------------------------------------------


def test_type_is_taken_from_the_content_not_the_name(tmp_path: Path) -> None:
    xlsx = save_xlsx(tmp_path, [["Paragraph", "Comment"], ["9", "From a workbook."]])
    document = save_docx(tmp_path, docx_with_table([["Paragraph", "Comment"], ["9", "From a document."]]))
    assert parse(xlsx, "renamed.docx").rows[0].body == "From a workbook."
    assert parse(document, "renamed.xlsx").rows[0].body == "From a document."


def zip_bytes(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return output.getvalue()


PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize(
    ("content", "filename", "code"),
    [
        (PDF, "comments.xlsx", "not_xlsx_or_docx"),
        (b"Paragraph\tComment\n9\tA comment.\n", "comments.docx", "not_xlsx_or_docx"),
        (random.Random(0).randbytes(4096), "comments.xlsx", "not_xlsx_or_docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "legacy.xls", "not_xlsx_or_docx"),
        (zip_bytes({"content.xml": b"<office:document/>", "mimetype": b"text"}), "comments.ods", "not_xlsx_or_docx"),
        (b"PK\x03\x04" + random.Random(1).randbytes(200), "comments.xlsx", "unreadable"),
        (zip_bytes({"xl/workbook.xml": b"<not a workbook"}), "comments.xlsx", "unreadable"),
        (zip_bytes({"word/document.xml": b"<w:document/>"}), "comments.docx", "unreadable"),
        (b"", "comments.xlsx", "empty"),
    ],
    ids=["pdf", "text", "random", "ole2", "other-zip", "broken-zip", "broken-xlsx", "broken-docx", "empty"],
)
def test_files_that_are_not_what_they_claim(content: bytes, filename: str, code: str) -> None:
    assert file_error(content, filename) == code


def test_truncated_workbook_is_unreadable(tmp_path: Path) -> None:
    data = save_xlsx(tmp_path, [["Paragraph", "Comment"], ["9", "A comment."]])
    assert file_error(data[: len(data) // 2]) == "unreadable"


def test_zip_bomb_is_refused_before_parsing() -> None:
    huge = zip_bytes({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": bytes(101 * 1024 * 1024)})
    assert len(huge) < 1024 * 1024
    assert file_error(huge) == "too_large"


def test_a_dense_file_within_the_limit_is_read_whatever_its_ratio(tmp_path: Path) -> None:
    # 18 MiB of whitespace between the paragraphs of a real document compresses about a thousandfold:
    # the limit is on what the file expands to, not on how well it compresses.
    data = save_docx(tmp_path, docx_with_table([["Paragraph", "Comment"], ["9", "Dense but honest."]]))
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "word/document.xml":
                # lxml refuses a text node over 10 MB: two of 9 MiB, between empty paragraphs.
                padding = (b" " * (9 * 1024 * 1024) + b"<w:p/>") * 2
                content = content.replace(b"<w:body>", b"<w:body>" + padding)
            target.writestr(member, content)
    assert len(output.getvalue()) < 100_000
    assert parse(output.getvalue(), "comments.docx").rows[0].body == "Dense but honest."


def test_wrong_recorded_sheet_size_is_ignored(tmp_path: Path) -> None:
    # Some exporters record a sheet size smaller than the data; the reader must not trust it.
    data = save_xlsx(tmp_path, [["Paragraph", "Comment"], ["9", "Beyond the recorded size."]])
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:B2"/>' in content
                content = content.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1"/>')
            target.writestr(member, content)
    assert parse(output.getvalue()).rows == [ImportedRow(2, "9", "general", "Beyond the recorded size.", None)]
