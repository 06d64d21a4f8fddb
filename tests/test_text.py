"""Tests for consult.text: safe Markdown, plain text, tokenizing and diffs."""

import html
import random
import re
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from consult.text import diff_html, diff_stats, plain_text, render_markdown, tokenize

ALLOWED_TAGS = {
    "p", "br", "hr", "h3", "h4", "h5", "h6",
    "strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup",
    "blockquote", "code", "pre", "ul", "ol", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td", "abbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"href", "title", "rel", "align", "start"}
SAFE_SCHEMES = {"http", "https", "mailto"}
LINK_REL = 'rel="noopener noreferrer nofollow"'


class ElementCollector(HTMLParser):
    """Collects the elements of an HTML fragment as a browser parses them (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see (WHATWG URL parsing: outer spaces and controls
    are stripped, tabs and newlines removed anywhere, schemes are case-insensitive)."""
    url = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(0x21)))))
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return scheme[1].lower() if scheme else None


def assert_safe(output: str) -> None:
    # Hostile text may stay visible as escaped text; it must never become markup.
    collector = ElementCollector()
    collector.feed(output)
    collector.close()
    for tag, attrs in collector.elements:
        assert tag in ALLOWED_TAGS, output
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES, output  # so no on* handlers and no style
            if name == "href":
                assert url_scheme(value or "") in SAFE_SCHEMES | {None}, output
    for element in ("<script", "<style", "<svg", "<math", "<iframe", "<object", "<form", "<input", "<img"):
        assert element not in output.lower(), output


HOSTILE_INPUTS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](jav\tascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    '<https://example.org/" onmouseover="alert(1)>',
    '[x](https://example.org "t\\" onclick=\\"alert(1)")',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<iframe src="https://evil.example"></iframe>',
    "<object data=x.swf></object>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<style>body{display:none}</style>",
    "<form action=https://evil.example><input name=p></form>",
    "<div><script>alert(1)</script></div>",
    "<!-- <script>alert(1)</script> -->",
    "**<script>alert(1)</script>**",
    "`<script>alert(1)</script>`",
    "    <script>alert(1)</script>",
    # Tags that are let through to the sanitizer, with hostile attributes.
    '<b onclick="alert(1)" style="color:red">bold</b>',
    "<sub onmouseover=alert(1)>2</sub>",
    '<abbr title="UN" onmouseover="alert(1)">UN</abbr>',
    "<b><u><i title='\"><script>alert(1)</script>'>x</i></u></b>",
    "<br/><br onclick=alert(1)>",
    "<b>unclosed <i>tags <sub>everywhere",
    "| a |\n|---|\n| [x](javascript:alert(1)) <img src=x onerror=alert(1)> |",
    "> [x](javascript:alert(1))\n> <script>alert(1)</script>",
    "* " * 5_000 + "<script>alert(1)</script>",  # too deep: the escaped fallback
]


@pytest.mark.parametrize("source", HOSTILE_INPUTS)
def test_hostile_markdown_is_sanitized(source):
    output = render_markdown(source)
    assert isinstance(output, Markup)
    assert_safe(output)


def test_raw_html_is_shown_as_typed():
    output = render_markdown("The <country name> delegation and <img src=x onerror=alert(1)>")
    assert "&lt;country name&gt;" in output
    assert "&lt;img src=x onerror=alert(1)&gt;" in output


def test_inline_formatting_tags_pass_without_attributes():
    output = render_markdown('CO<sub>2</sub>, m<sup>2</sup>, <abbr title="United Nations" class="x">UN</abbr>')
    assert "CO<sub>2</sub>" in output
    assert "m<sup>2</sup>" in output
    assert '<abbr title="United Nations">UN</abbr>' in output
    assert render_markdown('<b title="a > b">kept</b>') == "<p><b>kept</b></p>"


def test_legitimate_markdown_renders():
    source = (
        "Some **bold**, *emphasis* and `code`.\n\n"
        "- first\n- second\n\n"
        "3. three\n4. four\n\n"
        "> quoted\n\n"
        "[UN-Habitat](https://unhabitat.org), [mail](mailto:info@example.org), [section](/sections/4)\n\n"
        "| Goal | Target |\n|:-----|-------:|\n| 1    | 2      |\n"
    )
    output = render_markdown(source)
    assert "<strong>bold</strong>" in output
    assert "<em>emphasis</em>" in output
    assert "<code>code</code>" in output
    assert "<ul>\n<li>first</li>\n<li>second</li>\n</ul>" in output
    assert '<ol start="3">' in output
    assert "<blockquote>" in output
    assert f'<a href="https://unhabitat.org" {LINK_REL}>UN-Habitat</a>' in output
    assert f'<a href="mailto:info@example.org" {LINK_REL}>mail</a>' in output
    assert f'<a href="/sections/4" {LINK_REL}>section</a>' in output
    assert '<th align="left">Goal</th>' in output
    assert '<td align="right">2</td>' in output
    assert_safe(output)


def test_headings_are_demoted_below_the_page_headings():
    output = render_markdown("# One\n\n## Two\n\n### Three\n\n##### Five\n\nSix\n---")
    assert "<h3>One</h3>" in output
    assert "<h4>Two</h4>" in output
    assert "<h5>Three</h5>" in output
    assert "<h6>Five</h6>" in output
    assert "<h4>Six</h4>" in output
    assert "<h1" not in output and "<h2" not in output


def test_images_are_not_loaded():
    output = render_markdown("![site plan](https://tracker.example/pixel.png)")
    assert "<img" not in output
    assert "site plan" in output


@pytest.mark.parametrize("source", ["", "   ", "\n\n\t \n", "\x00", "\u202e"])
def test_empty_input_renders_nothing(source):
    output = render_markdown(source)
    assert output == "" and isinstance(output, Markup)


def test_bidi_controls_are_removed():
    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    output = render_markdown(f"invoice{controls}fdp.exe and &#x202E;gnp.js &#8238;x")
    assert not set(controls) & set(output)
    assert "invoicefdp.exe" in output
    assert plain_text("a\u202eb") == "ab"
    assert diff_html("a", "a\u202eb") == "<p><del>a</del><ins>ab</ins></p>"


def test_joiners_survive_and_zero_width_spaces_do_not():
    persian = "می\u200cخواهم"  # ZWNJ inside a Persian word
    assert persian in render_markdown(persian)
    assert "\u200d" in render_markdown("क्\u200dष")
    assert "\u200b" not in render_markdown("zero\u200bwidth\ufeff")


def test_nul_bytes_and_lone_surrogates():
    output = render_markdown("a\x00b \udc80 c")
    assert "ab" in output
    assert "\ufffd" in output
    output.encode("utf-8")  # would raise on a surrogate
    assert plain_text("x\ud800y") == "x\ufffdy"
    assert diff_stats("a\x00b", "ab") == (0, 0)


def test_megabyte_input_renders():
    paragraph = "The plan **commits** member States to [adequate housing](https://unhabitat.org) for all.\n\n"
    source = paragraph * (1_000_000 // len(paragraph))
    output = render_markdown(source)
    assert output.startswith("<p>")
    assert output.count("adequate housing") == source.count("adequate housing")
    assert_safe(output)


def test_inputs_that_make_markdown_quadratic_still_render():
    output = render_markdown("[" * 100_000)
    assert output.count("[") == 100_000


def test_deep_quote_nesting_is_capped():
    output = render_markdown(">" * 10_000 + " deep")
    assert "deep" in output
    assert output.count("<blockquote>") <= 10


def test_deep_list_nesting_falls_back_to_escaped_text():
    nested_items = "".join("    " * depth + "- item\n" for depth in range(500))
    assert render_markdown(nested_items).count("item") == 500
    assert "x" in render_markdown("* " * 10_000 + "x")
    assert "x" in render_markdown("*" * 10_000 + "x" + "*" * 10_000)


def test_plain_text_removes_markup_and_keeps_paragraphs():
    source = (
        "# Title\n\n"
        "Some **bold** and *em*   text\nwrapped &amp; joined.\n\n"
        "- one\n- two\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "See [the plan](https://example.org) <script>x</script>"
    )
    assert plain_text(source) == (
        "Title\n\nSome bold and em text wrapped & joined.\n\none\n\ntwo\n\na b\n\n1 2\n\n"
        "See the plan <script>x</script>"
    )
    assert plain_text("") == ""
    assert plain_text("Prix\u00a0: 5 €") == "Prix\u00a0: 5 €"


def test_tokenize_is_lossless():
    text = "Hello,  world!\n\n利用城市化的力量。كَتَبَ الطالبُ — 3.5%\t"
    assert "".join(tokenize(text)) == text


def test_tokenize_words_whitespace_and_punctuation():
    assert tokenize("Don't stop...  now\n") == ["Don", "'", "t", " ", "stop", ".", ".", ".", "  ", "now", "\n"]
    assert tokenize("Привет мир") == ["Привет", " ", "мир"]


def test_tokenize_splits_cjk_into_characters():
    assert tokenize("利用城市化的力量，（人居署）《计划》") == list("利用城市化的力量，（人居署）《计划》")
    assert tokenize("東京タワーと서울") == list("東京タワーと서울")


def test_tokenize_keeps_combining_marks_and_joiners_in_words():
    assert tokenize("كَتَبَ الطالبُ") == ["كَتَبَ", " ", "الطالبُ"]
    assert tokenize("नमस्ते दुनिया") == ["नमस्ते", " ", "दुनिया"]
    assert tokenize("می\u200cخواهم") == ["می\u200cخواهم"]


def test_diff_marks_exactly_the_changed_word():
    output = diff_html("The quick brown fox jumps over the lazy dog.", "The quick red fox jumps over the lazy dog.")
    assert output == "<p>The quick <del>brown</del><ins>red</ins> fox jumps over the lazy dog.</p>"
    assert isinstance(output, Markup)


def test_chinese_diff_marks_only_the_deleted_character():
    assert diff_html("利用城市化的力量", "利用城市化力量") == "<p>利用城市化<del>的</del>力量</p>"
    assert diff_stats("利用城市化的力量", "利用城市化力量") == (0, 1)


def test_arabic_word_change():
    output = diff_html("تعزيز التنمية الحضرية المستدامة", "تعزيز التنمية الريفية المستدامة")
    assert output == "<p>تعزيز التنمية <del>الحضرية</del><ins>الريفية</ins> المستدامة</p>"


def test_multi_word_change_is_one_deletion_and_one_insertion():
    output = diff_html("We strongly support the proposal.", "We cannot accept the proposal.")
    assert output == "<p>We <del>strongly support</del><ins>cannot accept</ins> the proposal.</p>"


def test_diff_escapes_html():
    output = diff_html('<script>alert("a")</script> & more', '<script>alert("b")</script> & more')
    assert "<script" not in output
    assert "&lt;script&gt;alert(&#34;<del>a</del><ins>b</ins>&#34;)&lt;/script&gt; &amp; more" in output


def test_diff_keeps_paragraphs_and_line_breaks():
    old = "First paragraph.\n\nSecond paragraph.\n\nThird paragraph,\nsecond line."
    new = "First paragraph.\n\nSecond changed paragraph.\n\nThird paragraph,\nsecond line."
    assert diff_html(old, new) == (
        "<p>First paragraph.</p><p>Second <ins>changed</ins> paragraph.</p><p>Third paragraph,<br>second line.</p>"
    )


def test_deleted_and_inserted_paragraphs_stand_alone():
    assert diff_html("A.\n\nB is gone.\n\nC.", "A.\n\nC.") == "<p>A.</p><p><del>B is gone.</del></p><p>C.</p>"
    assert diff_html("A.\n\nC.", "A.\n\nB is new.\n\nC.") == "<p>A.</p><p><ins>B is new.</ins></p><p>C.</p>"


def test_identical_texts_have_no_changes():
    text = "Same text.\n\n同样的文字。"
    assert diff_html(text, text) == "<p>Same text.</p><p>同样的文字。</p>"
    assert diff_stats(text, text) == (0, 0)
    assert diff_html("", "") == ""


def test_whitespace_only_changes_are_not_marked():
    assert diff_html("a  b\n", "a b") == "<p>a b</p>"
    assert diff_stats("A B", "A\n\nB") == (0, 0)


def test_diff_stats_counts_tokens_not_whitespace():
    assert diff_stats("We strongly support the proposal.", "We cannot accept the proposal fully.") == (3, 2)
    assert diff_stats("", "one two, three") == (4, 0)


def sides(diff: str) -> tuple[str, str]:
    """The old and the new text a diff shows, without whitespace."""

    def text_without(tag: str) -> str:
        kept = re.sub(rf"<{tag}>.*?</{tag}>", "", diff, flags=re.DOTALL)
        return "".join(html.unescape(re.sub(r"<[^>]+>", "", kept)).split())

    return text_without("ins"), text_without("del")


def random_paragraphs(rng: random.Random, size: int) -> list[str]:
    vocabulary = [f"{syllable}{suffix}" for syllable in ("urban", "plan", "city", "land", "home") for suffix in "aeiou"]
    vocabulary += ["the", "of", "and", ",", "."]
    paragraphs, total = [], 0
    while total < size:
        paragraph = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(20, 120)))
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return paragraphs


def test_large_texts_with_scattered_changes():
    rng = random.Random(2026)
    paragraphs = random_paragraphs(rng, 200_000)
    changed = paragraphs[:]
    replacements = {}
    for number, index in enumerate(sorted(rng.sample(range(len(paragraphs)), 40))):
        words = changed[index].split(" ")
        position = rng.randrange(len(words))
        replacements[f"CHANGED{number}"] = words[position]
        words[position] = f"CHANGED{number}"
        changed[index] = " ".join(words)
    old, new = "\n\n".join(paragraphs), "\n\n".join(changed)

    output = diff_html(old, new)
    for marker, original in replacements.items():
        assert f"<del>{html.escape(original)}</del><ins>{marker}</ins>" in output
    assert output.count("<del>") == output.count("<ins>") == 40
    assert sides(output) == ("".join(old.split()), "".join(new.split()))
    assert diff_stats(old, new) == (40, 40)


def test_large_chinese_texts_with_scattered_deletions():
    rng = random.Random(7)
    characters = "利用城市化的力量促进可持续发展人居署战略计划会员国"
    paragraphs = ["".join(rng.choice(characters) for _ in range(rng.randint(30, 200))) for _ in range(1_500)]
    changed = paragraphs[:]
    for index in rng.sample(range(len(paragraphs)), 30):
        changed[index] = changed[index][:10] + changed[index][11:]
    old, new = "\n\n".join(paragraphs), "\n\n".join(changed)

    output = diff_html(old, new)
    assert output.count("<del>") == 30
    assert "<ins>" not in output
    assert sides(output) == ("".join(old.split()), "".join(new.split()))
    assert diff_stats(old, new) == (0, 30)


def test_pathological_diff_stays_correct():
    # Every word the same: too expensive to align word by word, so the diff
    # may be coarse, but it must still show both texts faithfully.
    old = "x " + "a " * 50_000 + "y"
    new = "z " + "a " * 50_000 + "w"
    output = diff_html(old, new)
    assert "<del>" in output and "<ins>" in output
    assert sides(output) == ("".join(old.split()), "".join(new.split()))
