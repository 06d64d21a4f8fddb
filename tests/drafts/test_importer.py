import codecs
from functools import cache
from pathlib import Path

import pytest

from consult.drafts.importer import (
    ERROR_MESSAGES,
    ImportFormatError,
    ParsedDocument,
    ParsedParagraph,
    decode_upload,
    parse_document,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "consult" / "demo" / "data" / "hsp_eb_2024_5_zh.txt"
FIXTURES = ROOT / "tests" / "fixtures" / "imports"

SEED_CHAPTERS = [
    "一、 导言",
    "二、 筹备进程：关键要素",
    "三、 近期进展",
    "四、 拟议指导原则",
    "五、 阐述优先事项",
    "六、 前进方向",
]


@cache
def seed() -> ParsedDocument:
    return parse_document(SEED.read_text(encoding="utf-8"))


def seed_paragraph(number: int) -> ParsedParagraph:
    return seed().paragraphs[number - 1]


def blocks(paragraph: ParsedParagraph) -> list[str]:
    """The Markdown paragraphs of a body."""
    return paragraph.body.split("\n\n")


# --- The demo document (HSP/EB.2024/5, Chinese) ----------------------------


def test_seed_has_paragraphs_1_to_27_in_order() -> None:
    assert [p.number for p in seed().paragraphs] == [str(n) for n in range(1, 28)]


def test_seed_chapters_and_paragraph_chapters() -> None:
    assert seed().chapters == SEED_CHAPTERS
    by_chapter = {chapter: [p.number for p in seed().paragraphs if p.chapter == chapter] for chapter in SEED_CHAPTERS}
    assert by_chapter["一、 导言"] == ["1", "2", "3"]
    assert by_chapter["四、 拟议指导原则"] == ["9"]
    assert by_chapter["五、 阐述优先事项"] == [str(n) for n in range(10, 26)]
    assert by_chapter["六、 前进方向"] == ["26", "27"]


def test_seed_symbol_and_language() -> None:
    assert seed().symbol == "HSP/EB.2024/5"
    assert seed().language == "zh"


def test_seed_language_can_be_overridden() -> None:
    assert parse_document(SEED.read_text(encoding="utf-8"), language="en").language == "en"


def test_seed_front_matter_is_not_a_paragraph() -> None:
    assert seed_paragraph(1).body.startswith("在 2023 年 6 月举行的联合国人居大会第二届会议期间")
    for paragraph in seed().paragraphs:
        assert "执行主任的报告" not in paragraph.body
        assert "Distr." not in paragraph.body


def test_seed_subsections() -> None:
    subsections = {int(p.number): p.subsection for p in seed().paragraphs}
    assert {subsections[n] for n in range(1, 10)} == {None}
    assert {subsections[n] for n in range(10, 14)} == {"A. 当前的优先事项框架"}
    assert {subsections[n] for n in range(14, 17)} == {"B. 全球和城市趋势"}
    assert subsections[17] == "C. 阐述新出现的优先影响事项"
    assert {subsections[n] for n in range(18, 21)} == {"D. 牢牢基于《新城市议程》制定计划"}
    assert {subsections[n] for n in range(21, 26)} == {"E. 新出现的优先事项和办法"}
    assert subsections[26] is None and subsections[27] is None


def test_seed_page_break_inside_paragraph_4_is_bridged() -> None:
    body = seed_paragraph(4).body
    assert "与会员国、内部工作人员、联合国系统各实体以及其他合作伙伴和利益攸关方持续协商" in body
    assert all("HSP/EB.2024/1" not in p.body for p in seed().paragraphs)


def test_seed_sub_items_stay_inside_their_paragraph() -> None:
    paragraph_9 = blocks(seed_paragraph(9))
    assert paragraph_9[0].startswith("根据从执行工作中汲取的经验教训")
    assert [block[:3] for block in paragraph_9[1:]] == ["(a)", "(b)", "(c)", "(d)", "(e)"]
    assert paragraph_9[1].startswith("(a) **目标远大、紧密相关、反应迅速：** 界定")
    assert [block[:3] for block in blocks(seed_paragraph(4))[1:]] == [f"({c})" for c in "abcdefg"]
    for paragraph in seed().paragraphs:
        assert not any(line.startswith("- ") for line in paragraph.body.splitlines())


def test_seed_paragraph_numbers_are_not_taken_from_dates_or_percentages() -> None:
    assert seed_paragraph(5).body.startswith("2024 年 1 月，即将离任的执行主任")
    assert seed_paragraph(18).body.startswith("2016年10月20日在基多举行")
    assert "(d) 发达区域 79%的人口" in seed_paragraph(15).body


def test_seed_footnotes_follow_their_markers() -> None:
    assert blocks(seed_paragraph(10))[-1].startswith("¹ 人居署还将其工作导向为")
    assert blocks(seed_paragraph(11))[-1].startswith("² <https://unhabitat.org/")
    assert blocks(seed_paragraph(15))[-1].startswith("³ 自愿国别评估")
    assert blocks(seed_paragraph(20))[-1].startswith("⁴ 《新城市议程》的指导原则")
    # Paragraphs 14, 17 and 23 are where the footnotes were printed, not where they are cited.
    assert blocks(seed_paragraph(14)) == [seed_paragraph(14).body]
    assert "³ 自愿国别评估" not in seed_paragraph(17).body
    assert "⁴ 《新城市议程》" not in seed_paragraph(23).body
    # Markers in the text stay as printed; each footnote is attached once.
    assert "其他联合国框架¹是人居署" in seed_paragraph(10).body
    footnote_blocks = [b for p in seed().paragraphs for b in blocks(p) if b[0] in "¹²³⁴"]
    assert len(footnote_blocks) == 4


def test_seed_text_resumes_after_a_footnote_in_the_middle_of_a_sentence() -> None:
    assert "因此，进一步制定计划的进程必须分析证据" in seed_paragraph(17).body


def test_seed_bodies_are_trimmed_markdown() -> None:
    for paragraph in seed().paragraphs:
        assert paragraph.body == paragraph.body.strip()
        assert "\n\n\n" not in paragraph.body
        assert all(line == line.rstrip() for line in paragraph.body.splitlines())


# --- One small document per official language -----------------------------

LANGUAGE_FIXTURES = [
    pytest.param(
        "en.md",
        "en",
        ["I. Introduction", "II. Consultation process", "III. Next steps"],
        ("A. Dialogues with member States", "B. Written submissions"),
        ["(a) **Focus:**", "(b) **Evidence:**", "(c) **Resources:**"],
        "Committee of Permanent Representatives. Each dialogue",
        id="en",
    ),
    pytest.param(
        "fr.txt",
        "fr",
        ["I. Introduction", "II. Processus de consultation", "III. Prochaines étapes"],
        ("A. Dialogues avec les États membres", "B. Contributions écrites"),
        ["a) Le plan", "b) Les priorités", "c) L'ambition"],
        "Comité des représentants permanents. Chaque dialogue",
        id="fr",
    ),
    pytest.param(
        "es.txt",
        "es",
        ["I. Introducción", "II. Proceso de consulta", "III. Próximas etapas"],
        ("A. Diálogos con los Estados miembros", "B. Observaciones por escrito"),
        ["a) El plan", "b) Las prioridades", "c) La ambición"],
        "Comité de Representantes Permanentes. Cada diálogo",
        id="es",
    ),
    pytest.param(
        "ru.txt",
        "ru",
        ["I. Введение", "II. Процесс консультаций", "III. Дальнейшие шаги"],
        ("A. Диалоги с государствами-членами", "B. Письменные замечания"),
        ["а) план", "б) приоритеты", "в) масштаб"],
        "Комитета постоянных представителей. Каждый диалог",
        id="ru",
    ),
    pytest.param(
        "ar.txt",
        "ar",
        ["أولاً - مقدمة", "ثانياً - عملية التشاور", "ثالثا - الخطوات التالية"],
        ("ألف - الحوارات مع الدول الأعضاء", "باء - التعليقات المكتوبة"),
        ["(أ) ينبغي", "(ب) ينبغي", "(ج) ينبغي"],
        "للجنة الممثلين الدائمين. وكان كل حوار",
        id="ar",
    ),
    pytest.param(
        "zh.md",
        "zh",
        ["一、 导言", "二、 协商进程", "三、 下一步工作"],
        ("A. 与会员国的对话", "B. 书面意见"),
        ["(a) **重点：**", "(b) **证据：**", "(c) **资源：**"],
        "并提供联合国六种正式语文的口译服务。",
        id="zh",
    ),
]


@pytest.mark.parametrize(("filename", "language", "chapters", "subsections", "sub_items", "bridged"), LANGUAGE_FIXTURES)
def test_language_fixture(
    filename: str,
    language: str,
    chapters: list[str],
    subsections: tuple[str, str],
    sub_items: list[str],
    bridged: str,
) -> None:
    document = parse_document((FIXTURES / filename).read_text(encoding="utf-8"))
    main = [p for p in document.paragraphs if not p.annex]
    paragraphs = {p.number: p for p in main}

    assert list(paragraphs) == ["1", "2", "3", "4", "5", "6"]
    assert document.chapters[: len(chapters)] == chapters
    assert [p.chapter for p in main] == [chapters[0]] * 2 + [chapters[1]] * 3 + [chapters[2]]
    assert [p.subsection for p in main] == [
        None,
        None,
        subsections[0],
        subsections[0],
        subsections[1],
        None,
    ]
    assert document.symbol == "HSP/EB.2024/9"
    assert document.language == language

    # Sub-items are Markdown paragraphs of paragraph 4, labels as printed, bullets dropped.
    items = blocks(paragraphs["4"])[1:]
    assert [item[: len(label)] for item, label in zip(items, sub_items, strict=True)] == sub_items

    # The page break in paragraph 3 leaves no furniture behind.
    assert bridged in paragraphs["3"].body
    for paragraph in document.paragraphs:
        for furniture in ("GE.24-04567", "HSP/EB.2024/1", "HSP/EB.2024/9", "2/4", "Distr"):
            assert furniture not in paragraph.body

    # The footnote printed inside paragraph 3 belongs to paragraph 2, which cites it.
    assert blocks(paragraphs["2"])[-1].startswith("¹ ")
    assert "HSP/EB.2023/12" in blocks(paragraphs["2"])[-1]
    assert "¹" not in paragraphs["3"].body


def test_wrapped_sub_item_is_one_markdown_paragraph() -> None:
    document = parse_document((FIXTURES / "en.md").read_text(encoding="utf-8"))
    assert blocks(document.paragraphs[3])[-1] == (
        "(c) **Resources:** the ambition of the plan should match the resources that can realistically be mobilized."
    )


def test_annex_is_a_chapter_of_its_own_numbered_as_printed() -> None:
    document = parse_document((FIXTURES / "en.md").read_text(encoding="utf-8"))
    main = [p for p in document.paragraphs if not p.annex]
    assert main[-1].number == "6"
    assert main[-1].body.endswith("at its second session of 2024.")
    annex = [p for p in document.paragraphs if p.annex]
    assert document.chapters[-1] == "Annex — Timeline of the consultation"
    assert [(p.number, p.chapter) for p in annex] == [("1", document.chapters[-1])]
    assert annex[0].body == "January 2024: first dialogue with member States."


# --- Heuristics, on small inline documents ---------------------------------


def test_a_document_without_chapters_is_one_sequence() -> None:
    document = parse_document("Note by the secretariat\n\n1. The report is transmitted.\n\n2. Take note of it.\n")
    assert [(p.number, p.chapter, p.body) for p in document.paragraphs] == [
        ("1", "", "The report is transmitted."),
        ("2", "", "Take note of it."),
    ]
    assert [(item.reason, item.line) for item in document.skipped] == [("front_matter", "Note by the secretariat")]


def test_paragraph_one_under_a_summary_before_chapter_one_is_kept() -> None:
    document = parse_document("执行局\n\n摘要\n\n1. 本报告介绍计划。\n\n一、 导言\n\n2. 大会决定延长计划。\n")
    assert [(p.number, p.chapter) for p in document.paragraphs] == [("1", "摘要"), ("2", "一、 导言")]
    assert document.chapters == ["摘要", "一、 导言"]


def test_unnumbered_text_of_an_annex_is_a_section_named_as_the_annex_is_printed() -> None:
    document = parse_document("I. Intro\n\n1. One.\n\nAnnex II\n\nList of participants\n\nKenya, France.\n")
    assert [(p.number, p.chapter, p.body) for p in document.paragraphs][1:] == [
        ("Annex II", "Annex II — List of participants", "Kenya, France.")
    ]


def test_numbers_out_of_sequence_are_text() -> None:
    document = parse_document(
        "一、 导言\n\n1. 第一段，见第\n\n5. 段和\n\n2024. 年的报告。\n\n2. 第二段。\n\n4. 不是第三段。\n\n3. 第三段。"
    )
    assert [p.number for p in document.paragraphs] == ["1", "2", "3"]
    assert document.paragraphs[0].body == "第一段，见第5. 段和2024. 年的报告。"
    assert document.paragraphs[1].body == "第二段。\n\n4. 不是第三段。"


def test_resumed_text_after_a_finished_sentence_is_a_new_markdown_paragraph() -> None:
    document = parse_document("I. Introduction\n\n1. First sentence.\n\n3\n\nGE.24-01234 (E)\n\nSecond part.")
    assert document.paragraphs[0].body == "First sentence.\n\nSecond part."


def test_hard_wrapped_lines_are_joined() -> None:
    document = parse_document("I. Introduction\n\n1. The plan is\nbased on well-\nestablished data.\nIt is ready.")
    assert document.paragraphs[0].body == "The plan is based on well-established data. It is ready."


def test_wrapped_line_that_looks_like_a_heading_or_number_is_text() -> None:
    document = parse_document(
        "I. Introduction\n\n1. The plan, described in section\nA. of the annex and in chapter"
        "\nII. of the report, has\n2. parts.\n\n2. Next."
    )
    assert [p.number for p in document.paragraphs] == ["1", "2"]
    assert document.paragraphs[0].body == (
        "The plan, described in section A. of the annex and in chapter II. of the report, has 2. parts."
    )
    assert document.chapters == ["I. Introduction"]
    assert document.paragraphs[1].subsection is None


def test_markdown_heading_markup_is_tolerated() -> None:
    document = parse_document(
        "# Title page\n\n# **I. Introduction**\n\n1. Text.\n\n## II\\. Background ##\n\n### **A.** Trends\n\n2. More."
    )
    assert document.chapters == ["I. Introduction", "II. Background"]
    assert document.paragraphs[1].subsection == "A. Trends"


def test_wrapped_heading_is_joined() -> None:
    document = parse_document("I. Proposed guiding principles for\nthe strategic plan\n\n1. Text.")
    assert document.chapters == ["I. Proposed guiding principles for the strategic plan"]


def test_table_of_contents_is_skipped() -> None:
    document = parse_document(
        "Contents\n\nI. Introduction 3\nII. Background 4\n\nI. Introduction\n\n1. Text.\n\nII. Background\n\n2. More."
    )
    assert document.chapters == ["I. Introduction", "II. Background"]
    assert [p.chapter for p in document.paragraphs] == ["I. Introduction", "II. Background"]


def test_roman_letters_are_subsections_when_out_of_chapter_sequence() -> None:
    headings = "".join(f"{letter}. Section {letter}\n\n{n}. Text.\n\n" for n, letter in enumerate("ABCDEFGHI", 1))
    document = parse_document("I. Introduction\n\n" + headings + "II. Next\n\n10. End.")
    assert document.chapters == ["I. Introduction", "II. Next"]
    assert document.paragraphs[8].subsection == "I. Section I"


@pytest.mark.parametrize(
    "numerals",
    [
        ["I.", "II.", "III.", "IV.", "V.", "VI.", "VII.", "VIII.", "IX.", "X.", "XI.", "XII."],
        ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、", "十一、", "十二、"],
        ["أولاً -", "ثانيا -", "ثالثاً –", "رابعا -", "خامسا -", "سادسا -"]
        + ["سابعا -", "ثامنا -", "تاسعا -", "عاشرا -", "حادي عشر -", "ثاني عشر -"],
    ],
    ids=["roman", "chinese", "arabic"],
)
def test_twelve_chapters(numerals: list[str]) -> None:
    text = "\n\n".join(f"{numeral} Heading\n\n{n}. Text." for n, numeral in enumerate(numerals, 1))
    document = parse_document(text)
    assert document.chapters == [f"{numeral} Heading" for numeral in numerals]
    assert [p.number for p in document.paragraphs] == [str(n) for n in range(1, 13)]


def test_arabic_numbering_and_sub_items() -> None:
    document = parse_document(
        "أولاً - مقدمة\n\nألف – السياق\n\n١ - نص الفقرة:\n\n(أ) البند الأول؛\n\n(هـ) البند الخامس.\n\n٢ - فقرة أخرى."
    )
    assert [p.number for p in document.paragraphs] == ["1", "2"]
    assert document.paragraphs[0].subsection == "ألف – السياق"
    assert blocks(document.paragraphs[0]) == ["نص الفقرة:", "(أ) البند الأول؛", "(هـ) البند الخامس."]


def test_footnote_markers_are_matched_whole() -> None:
    document = parse_document(
        "I. Introduction\n\n1. One¹ cited.\n\n2. Ten¹⁰ cited.\n\n¹ First footnote.\n\n¹⁰ Tenth footnote."
    )
    assert blocks(document.paragraphs[0]) == ["One¹ cited.", "¹ First footnote."]
    assert blocks(document.paragraphs[1]) == ["Ten¹⁰ cited.", "¹⁰ Tenth footnote."]


def test_footnote_cited_nowhere_stays_with_the_paragraph_it_interrupted() -> None:
    document = parse_document("I. Introduction\n\n1. One.\n\n2. Two is cut\n\n⁷ Orphan footnote.\n\nhere.")
    assert blocks(document.paragraphs[1]) == ["Two is cut here.", "⁷ Orphan footnote."]


def test_wrapped_footnote_is_joined() -> None:
    document = parse_document("I. Introduction\n\n1. Cited¹.\n\n¹ A footnote that\nwraps.\n\n2. Next.")
    assert blocks(document.paragraphs[0]) == ["Cited¹.", "¹ A footnote that wraps."]


def test_symbol_from_a_front_matter_line() -> None:
    document = parse_document("United Nations    A/RES/77/173\n\nGeneral Assembly\n\nI. Introduction\n\n1. Text.")
    assert document.symbol == "A/RES/77/173"


def test_symbol_is_none_when_absent() -> None:
    assert parse_document("I. Introduction\n\n1. Text.").symbol is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I. Intro\n\n1. The secretariat will report to the Board on the plan and its results.", "en"),
        ("I. Intro\n\n1. Le secrétariat fera rapport au Conseil sur le plan et les résultats.", "fr"),
        ("I. Intro\n\n1. La secretaría informará a la Junta sobre el plan y los resultados.", "es"),
    ],
)
def test_latin_script_language_detection(text: str, language: str) -> None:
    assert parse_document(text).language == language


def test_large_input_is_parsed_quickly() -> None:
    page = "The secretariat proposes that the plan should be ambitious and relevant; " * 10
    parts = ["I. Introduction"]
    for number in range(1, 3001):
        parts += [f"{number}. {page}", "- (a) Item;", "continued", "GE.24-01234 (E)", "3", "text.", "¹ Note."]
    # Long lines that could make a careless regular expression backtrack.
    parts += ["(" * 200_000, "1" * 200_000, "A/" * 100_000, "أولا" * 50_000 + " -"]
    document = parse_document("\n".join(parts))
    assert len(document.paragraphs) == 3000


# --- Errors and decoding ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        (" \n\n\t\n", "empty"),
        ("\ufeff", "empty"),
        ("Just some prose.\nAnd more prose.", "no_paragraphs"),
        ("I. Introduction\n\nText without numbered paragraphs.", "no_paragraphs"),
        ("I. Introduction\n\n1. Text\x00with a NUL.", "binary"),
        (b"I. Introduction\n\n1. Bytes, not text.", "binary"),
    ],
)
def test_parse_errors(text: str, code: str) -> None:
    with pytest.raises(ImportFormatError) as raised:
        parse_document(text)
    assert raised.value.code == code
    assert raised.value.message == str(ERROR_MESSAGES[code])


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"I. Introduction\x00\x00\x01", "binary"),
        (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "binary"),
        (b"I. Introduction\n\n1. Caf\xe9 au lait.", "encoding"),
    ],
)
def test_undecodable_uploads_are_rejected(data: bytes, code: str) -> None:
    with pytest.raises(ImportFormatError) as raised:
        decode_upload(data)
    assert raised.value.code == code
    assert str(raised.value)


@pytest.mark.parametrize(
    "data",
    [
        "I. Introduction\n\n1. Texte é.".encode(),
        codecs.BOM_UTF8 + "I. Introduction\n\n1. Texte é.".encode(),
        "I. Introduction\n\n1. Texte é.".encode("utf-16"),
        codecs.BOM_UTF16_BE + "I. Introduction\n\n1. Texte é.".encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "utf-16-be"],
)
def test_text_uploads_decode(data: bytes) -> None:
    assert decode_upload(data) == "I. Introduction\n\n1. Texte é."


def test_utf16_upload_of_the_seed_imports_like_the_utf8_one() -> None:
    data = SEED.read_text(encoding="utf-8").encode("utf-16")
    assert parse_document(decode_upload(data)) == seed()
