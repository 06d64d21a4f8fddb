"""The demo's plan draft is one document in English and Chinese: comments written in any language
meet on the same paragraph and in one matrix."""

import re

from playwright.sync_api import expect

from tests.e2e.helpers import CHINA, EDITOR, FOCAL, PLAN_DOCUMENT, SLUG, open_paragraph, open_plan_document, path_of

KENYA_IN_CHINESE = "肯尼亚建议在原则(d)中将国家统计局列为证据来源之一"
FRANCE_IN_FRENCH = "La France appuie les principes proposés"


def test_comments_in_chinese_and_in_french_meet_on_paragraph_nine(visit, shot):
    editor = visit(EDITOR)
    editor.goto(f"/consultations/{SLUG}")
    expect(editor.get_by_role("link", name=PLAN_DOCUMENT)).to_have_count(1)
    open_plan_document(editor)
    document = path_of(editor)
    open_paragraph(editor, "9")
    kenya = editor.locator("article.comment", has_text=KENYA_IN_CHINESE)
    france = editor.locator("article.comment", has_text=FRANCE_IN_FRENCH)
    expect(kenya).to_contain_text("Kenya")
    expect(france).to_contain_text("France")
    shot(editor, "1-paragraph-nine")

    editor.goto(f"{document}/matrix?section=9")
    rows = editor.locator("table.matrix tbody tr")
    for text, language in ((KENYA_IN_CHINESE, "zh"), (FRANCE_IN_FRENCH, "fr")):
        row = rows.filter(has_text=text)
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(1)).to_have_text("9")
        expect(row.locator(f"td[lang={language}]")).to_contain_text(text)
    expect(rows.filter(has_text=re.compile("Kenya|France"))).to_have_count(2)
    shot(editor, "2-one-matrix")


def test_a_chinese_reader_reads_the_chinese_text_of_the_same_paragraph(visit, shot):
    english = visit(FOCAL)
    open_paragraph(english, "9")
    paragraph_nine = path_of(english)
    expect(english.locator("main")).to_contain_text("the secretariat proposes that the strategic plan")

    chinese = visit(CHINA, language="zh")
    chinese.goto(f"/consultations/{SLUG}")
    expect(chinese.get_by_role("link", name=PLAN_DOCUMENT)).to_have_count(1)
    chinese.goto(paragraph_nine)
    expect(chinese.locator("main")).to_contain_text("秘书处建议 2026–2029 年战略计划应")
    expect(chinese.locator("main")).to_contain_text("中方支持五项指导原则")  # China's own comment, on the same section
    shot(chinese, "chinese-reader")
