"""What every answer to hostile input must satisfy, and how to send it byte for byte."""

import csv
import io
import json
import re
import uuid
from html.parser import HTMLParser
from urllib.parse import quote_plus

import docx
import icalendar
import openpyxl

from tests.hostile.payloads import form_value

# Nothing on our pages is ever one of these: any occurrence came from user input.
FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "math",
    "portal", "template", "noscript", "foreignobject",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}
# Attributes that load something: on our pages they only ever point at our own files.
LOADING_ATTRIBUTES = {"src", "data", "poster", "background", "srcset"}
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
# The dashboard's server-drawn charts are the only SVG we emit, built from these elements.
CHART_ELEMENTS = {"svg", "title", "desc", "text", "tspan", "rect", "g", "line"}
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def _compact(url: str) -> str:
    """The URL as a browser parses it (WHATWG URL): outer controls and spaces trimmed,
    tabs and newlines anywhere removed."""
    return re.sub(r"[\t\n\r]", "", url.strip(_C0_AND_SPACE)).lower()


def _local(url: str) -> bool:
    compact = _compact(url)
    return compact.startswith("/") and not compact.startswith(("//", "/\\"))


def _our_script(tag: str, found: dict) -> bool:
    """A script file of ours (static/js), loaded by every page: the CSP runs only such files, never inline code."""
    return tag == "script" and _compact(found.get("src") or "").startswith("/static/js/")


def _qr_code(tag: str, found: dict, name: str, value: str) -> bool:
    """The two-step sign-in page's QR code: a PNG drawn by the server, inline (a picture runs nothing)."""
    return tag == "img" and found.get("class") == "qr-code" and name == "src" and value.startswith("data:image/png;")


class _Inspector(HTMLParser):
    def __init__(self, allow_svg: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.allow_svg = allow_svg
        self.svg_depth = 0
        self.in_our_script = False
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag == "svg":
            self.svg_depth += 1

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "svg" and self.svg_depth:
            self.svg_depth -= 1
        if tag == "script":
            self.in_our_script = False

    def handle_data(self, data):
        if self.in_our_script and data.strip():
            self.problems.append("<script> with inline code")

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if _our_script(tag, found):
            self.in_our_script = True
        elif tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "svg" and not (self.allow_svg and found.get("class") == "chart"):
            self.problems.append("<svg> outside the dashboard charts")
        if self.svg_depth and tag not in CHART_ELEMENTS:
            self.problems.append(f"<{tag}> inside <svg>")
        if tag == "form" and (found.get("method") not in ("get", "post") or not _local(found.get("action") or "/")):
            self.problems.append(f"<form {found}> that is not one of ours")
        if tag == "meta" and "http-equiv" in found:
            self.problems.append("<meta http-equiv>")
        if tag == "link" and not _local(found.get("href") or ""):
            self.problems.append(f"<link href={found.get('href')!r}>")
        for name, value in attrs:
            value = value or ""
            if _qr_code(tag, found, name, value):
                continue
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            elif name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc>")
            elif name == "style" and re.search(r"url\(|expression|javascript|behavior", value, re.IGNORECASE):
                self.problems.append(f"<{tag} style={value[:60]!r}>")
            elif name in URL_ATTRIBUTES and _compact(value).startswith(DANGEROUS_SCHEMES):
                self.problems.append(f"<{tag} {name}={value[:60]!r}>")
            elif name in LOADING_ATTRIBUTES and not _local(value):
                self.problems.append(f"<{tag} {name}={value[:60]!r}> loads from elsewhere")


def markup_problems(html: str, *, allow_svg: bool = False) -> list[str]:
    inspector = _Inspector(allow_svg)
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def assert_inert(html: str, where: str, *, allow_svg: bool = False) -> None:
    problems = markup_problems(html, allow_svg=allow_svg)
    assert not problems, f"{where}: executable markup {problems[:5]}"


# Keys of API JSON whose values are HTML that clients embed as is.
HTML_KEYS = {"html", "summary_html", "snippet"}


def assert_inert_json(data, where: str) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in HTML_KEYS and isinstance(value, str):
                assert_inert(value, f"{where} [{key}]")
            else:
                assert_inert_json(value, where)
    elif isinstance(data, list):
        for item in data:
            assert_inert_json(item, where)


ERROR_MARKERS = ("field__errors", "error-summary", "flash--error")


def assert_sound(response, where: str, *, allow_svg: bool = False) -> None:
    """Never a server error; a refusal says why; what comes back executes nothing."""
    status = response.status_code
    assert status < 500, f"{where}: {status}"
    mimetype = response.mimetype
    if mimetype == "application/json":
        data = response.get_json()
        if status >= 400:
            # An import preview answers 422 with the message of each row it cannot read.
            messages = [data["error"]["message"]] if "error" in data else [row["message"] for row in data["errors"]]
            assert messages and all(m.strip() for m in messages), f"{where}: {status} without a message"
        assert_inert_json(data, where)
    elif mimetype == "text/html":
        html = response.get_data(as_text=True)
        if status >= 400:
            clear = any(marker in html for marker in ERROR_MARKERS) or f"Error {status}" in html
            assert clear, f"{where}: {status} page without an error message"
        assert_inert(html, where, allow_svg=allow_svg)


# -- request bodies, byte for byte ----------------------------------------------------


def _pairs(fields: dict):
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            yield name, item


def urlencoded(fields: dict) -> bytes:
    """An application/x-www-form-urlencoded body; bytes values go out unchanged."""
    return "&".join(f"{quote_plus(name)}={quote_plus(form_value(value))}" for name, value in _pairs(fields)).encode()


def multipart(fields: dict, files: dict[str, tuple[str | bytes, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body; field values and file names may be any bytes."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in _pairs(fields):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        parts.append(form_value(value) + b"\r\n")
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="'.encode())
        parts.append(form_value(filename).replace(b'"', b"%22") + b'"\r\n')
        parts.append(b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def json_bytes(data) -> bytes:
    """JSON text; bytes values are spliced in raw (so the body is not valid UTF-8)."""
    raw: dict[str, bytes] = {}

    def placeholder(value):
        key = f"@@raw{len(raw)}@@"
        raw[key] = value
        return key

    def swap(value):
        if isinstance(value, bytes):
            return placeholder(value)
        if isinstance(value, dict):
            return {key: swap(item) for key, item in value.items()}
        if isinstance(value, list):
            return [swap(item) for item in value]
        return value

    body = json.dumps(swap(data)).encode()
    for key, value in raw.items():
        body = body.replace(key.encode(), value)
    return body


class _HiddenInput(HTMLParser):
    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.value: str | None = None

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "input" and found.get("name") == self.name:
            self.value = found.get("value")


def hidden_value(html: str, name: str) -> str | None:
    """The value of the named input on the page, if there is one."""
    parser = _HiddenInput(name)
    parser.feed(html)
    parser.close()
    return parser.value


FORMULA_TRIGGERS = tuple("=+-@\uff1d\uff0b\uff0d\uff20\t\r")


def _assert_no_formula(value, where: str) -> None:
    assert not (isinstance(value, str) and value.lstrip(" ")[:1] in FORMULA_TRIGGERS and value[:1] != "'"), (
        f"{where}: a spreadsheet would evaluate {value[:40]!r}"
    )


def assert_sound_download(response, where: str) -> None:
    """Files open in the programs they are meant for, and no spreadsheet cell is a formula."""
    data = response.get_data()
    mimetype = response.mimetype
    if mimetype == "text/csv":
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
            for cell in row:
                _assert_no_formula(cell, where)
    elif mimetype.endswith("spreadsheetml.sheet"):
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for cell in row:
                    _assert_no_formula(cell, where)
    elif mimetype.endswith("wordprocessingml.document"):
        docx.Document(io.BytesIO(data))
    elif mimetype == "text/calendar":
        icalendar.Calendar.from_ical(data)
