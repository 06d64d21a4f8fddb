"""A release as issued, in one of its languages: the United Nations layout as a Word document
(python-docx) and as PDF (WeasyPrint).

The masthead (United Nations, the document symbol, the distribution and date block, the
original's language), the title and the release, then the chapters, subsections and numbered
paragraphs as the release printed them. A paragraph's footnotes (the blocks at the end of its
text that start with a superscript marker, as the importer stores them) become real footnotes,
cited where the marker stands; Word and WeasyPrint number them through the document. Pages are
A4 and numbered. The labels are in the language of the text, not the reader's.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

import docx
from babel import Locale
from babel.dates import format_date
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from lxml import etree
from markupsafe import Markup

from consult.drafts.redline import BREAK, Piece, merged, pieces, release_blocks
from consult.drafts.translations import reading_language
from consult.errors import ValidationFailed
from consult.models import Release
from consult.text import clean_characters, is_rtl, render_markdown
from consult.uploads import Deadline, UploadRefused, run_isolated

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FOOTNOTE_BLOCK = re.compile(f"(?P<marker>[{_SUPERSCRIPTS}]+)\\s*(?P<text>\\S.*)", re.DOTALL)
_BLOCK_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_SPOOL_BYTES = 8 * 1024 * 1024
_STYLESHEET = Path(__file__).with_name("issued.css")
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass
class IssuedParagraph:
    number: str
    text: str  # Markdown, without its footnotes
    footnotes: dict[str, str] = field(default_factory=dict)  # marker → Markdown


@dataclass
class IssuedRelease:
    """What the release prints in one language, with the masthead's words in that language."""

    language: str
    symbol: str
    title: str
    label: str
    date: str
    original: str  # "Original: English"
    blocks: list[tuple[str, str | IssuedParagraph]]  # ("chapter" | "subsection", title) or ("paragraph", …)

    @property
    def rtl(self) -> bool:
        return self.language == "ar"


def _split_footnotes(markdown: str) -> tuple[str, dict[str, str]]:
    blocks = _BLOCK_BREAK.split(markdown.strip())
    footnotes: dict[str, str] = {}
    while blocks and (found := _FOOTNOTE_BLOCK.fullmatch(blocks[-1])):
        footnotes[found["marker"]] = found["text"]
        blocks.pop()
    return "\n\n".join(blocks), dict(reversed(footnotes.items()))


def _date(moment: datetime, language: str) -> str:
    # The United Nations write "14 March 2024" in English; the other languages' long form is theirs.
    return format_date(moment.date(), "d MMMM y" if language == "en" else "long", locale=language)


def issued_release(release: Release, language: str | None) -> IssuedRelease:
    """The release in ``language`` (the original's where not translated; None: the original)."""
    document = release.document
    language = reading_language(language) or document.language
    blocks: list[tuple[str, str | IssuedParagraph]] = []
    for block in release_blocks(release, language):
        if block.kind == "paragraph":
            text, footnotes = _split_footnotes(block.text)
            blocks.append(("paragraph", IssuedParagraph(block.number, text, footnotes)))
        else:
            blocks.append((block.kind, block.text))
    original = Locale.parse(document.language).get_display_name(language) or document.language
    with force_locale(language):
        return IssuedRelease(
            language=language,
            symbol=document.symbol or "",
            title=document.title,
            label=release.label,
            date=_date(release.published_at, language),
            original=_("Original: %(language)s", language=original),
            blocks=blocks,
        )


def _numbered(number: str) -> str:
    return f"{number}." if any(char.isdigit() for char in number) else ""


# -- Word -------------------------------------------------------------------------------


class _WordRelease:
    def __init__(self, issued: IssuedRelease) -> None:
        self.issued = issued
        self.document = docx.Document()
        section = self.document.sections[0]
        # The template is US Letter; UN documents are A4.
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Cm(2.5)
        self.document.core_properties.title = clean_characters(issued.title)[:255]
        self.document.core_properties.language = issued.language
        styles = self.document.styles
        self.paragraph_style = styles.add_style("UN Paragraph", WD_STYLE_TYPE.PARAGRAPH)
        self.paragraph_style.base_style = styles["Normal"]
        self.paragraph_style.paragraph_format.left_indent = Cm(1)
        self.paragraph_style.paragraph_format.first_line_indent = Cm(-1)
        self.paragraph_style.paragraph_format.tab_stops.add_tab_stop(Cm(1))
        self.footnote_style = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
        self.footnote_style.base_style = styles["Normal"]
        self.footnote_style.font.size = Pt(9)
        self.footnote_style.paragraph_format.space_after = Pt(0)
        reference = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
        reference.font.superscript = True
        self.reference_style = reference.style_id
        self.footnotes = etree.fromstring(
            f'<w:footnotes xmlns:w="{_W_NS}">'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
            "</w:footnote></w:footnotes>"
        )
        self.footnote_count = 0

    def _paragraph(self, style=None, text: str = "", *, bold: bool = False, align=None):
        paragraph = self.document.add_paragraph(style=style)
        if self.issued.rtl:
            paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
        if text:
            run = paragraph.add_run(clean_characters(text))
            run.bold = bold or None
        if align is not None:
            paragraph.alignment = align
        return paragraph

    def masthead(self) -> None:
        issued = self.issued
        table = self.document.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = table.rows[0].cells
        left.paragraphs[0].add_run(_("United Nations")).bold = True
        right.paragraphs[0].add_run(issued.symbol).bold = True
        right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for line in (_("Distr.: General"), issued.date, issued.original):
            self._paragraph(text=line, align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.space_after = Pt(0)
        self._paragraph(self.document.styles["Title"], issued.title)
        self._paragraph(self.document.styles["Subtitle"], issued.label)

    def page_numbers(self) -> None:
        footer = self.document.sections[0].footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field_element = OxmlElement("w:fldSimple")
        field_element.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field_element.append(run)
        footer._p.append(field_element)

    def heading(self, kind: str, title: str) -> None:
        self._paragraph(self.document.styles["Heading 1" if kind == "chapter" else "Heading 2"], title)

    def add(self, paragraph: IssuedParagraph) -> None:
        blocks = _BLOCK_BREAK.split(paragraph.text) if paragraph.text else [""]
        number = _numbered(paragraph.number)
        for index, block in enumerate(blocks):
            target = self._paragraph(self.paragraph_style)
            if index == 0 and number:
                target.add_run(f"{number}\t")
            elif index:
                target.paragraph_format.first_line_indent = Cm(0)
            self._runs(target, pieces(block), paragraph.footnotes)

    def _runs(self, target, found: list[Piece], footnotes: dict[str, str]) -> None:
        markers = re.compile("(" + "|".join(sorted(map(re.escape, footnotes), key=len, reverse=True)) + ")")
        for piece in merged(found):
            if piece == BREAK:
                target.add_run().add_break()
                continue
            for part in markers.split(piece.text) if footnotes else [piece.text]:
                if part in footnotes:
                    self._cite(target, footnotes.pop(part))
                elif part:
                    run = target.add_run(part)
                    if piece.bold:
                        run.bold = True
                    if piece.italic:
                        run.italic = True
                    if piece.superscript:
                        run.font.superscript = True
                    if is_rtl(part):
                        run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))

    def _cite(self, target, markdown: str) -> None:
        self.footnote_count += 1
        footnote_id = str(self.footnote_count)
        reference = target.add_run()
        reference.style = self.document.styles["Footnote Reference"]
        element = OxmlElement("w:footnoteReference")
        element.set(qn("w:id"), footnote_id)
        reference._r.append(element)
        note = etree.SubElement(self.footnotes, qn("w:footnote"), {qn("w:id"): footnote_id})
        paragraph = etree.SubElement(note, qn("w:p"))
        properties = etree.SubElement(paragraph, qn("w:pPr"))
        etree.SubElement(properties, qn("w:pStyle"), {qn("w:val"): self.footnote_style.style_id})
        mark = etree.SubElement(paragraph, qn("w:r"))
        etree.SubElement(etree.SubElement(mark, qn("w:rPr")), qn("w:rStyle"), {qn("w:val"): self.reference_style})
        etree.SubElement(mark, qn("w:footnoteRef"))
        space = etree.SubElement(etree.SubElement(paragraph, qn("w:r")), qn("w:t"), {qn("xml:space"): "preserve"})
        space.text = " "
        for piece in pieces(markdown):
            run = etree.SubElement(paragraph, qn("w:r"))
            if piece.bold or piece.italic:
                run_properties = etree.SubElement(run, qn("w:rPr"))
                if piece.bold:
                    etree.SubElement(run_properties, qn("w:b"))
                if piece.italic:
                    etree.SubElement(run_properties, qn("w:i"))
            if piece == BREAK:
                etree.SubElement(run, qn("w:br"))
                continue
            text = etree.SubElement(run, qn("w:t"), {qn("xml:space"): "preserve"})
            text.text = piece.text

    def save(self) -> IO[bytes]:
        if self.footnote_count:
            part = Part(
                PackURI("/word/footnotes.xml"),
                CT.WML_FOOTNOTES,
                etree.tostring(self.footnotes, xml_declaration=True, encoding="UTF-8", standalone=True),
                self.document.part.package,
            )
            self.document.part.relate_to(part, RT.FOOTNOTES)
        output = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - returned to the caller
        self.document.save(output)
        output.seek(0)
        return output


def release_docx(release: Release, language: str | None) -> IO[bytes]:
    """The release as issued, as a Word document, rewound, to send."""
    issued = issued_release(release, language)
    writer = _WordRelease(issued)
    with force_locale(issued.language):
        writer.masthead()
    writer.page_numbers()
    for kind, content in issued.blocks:
        if isinstance(content, IssuedParagraph):
            writer.add(content)
        else:
            writer.heading(kind, content)
    return writer.save()


# -- PDF --------------------------------------------------------------------------------


def _html_with_footnotes(paragraph: IssuedParagraph) -> Markup:
    """The paragraph's HTML, each footnote as a span where its marker stands (CSS floats it to the foot)."""
    html = str(render_markdown(paragraph.text)) if paragraph.text else ""
    for marker, text in paragraph.footnotes.items():
        note = str(render_markdown(text)).removeprefix("<p>").removesuffix("</p>")
        span = f'<span class="footnote">{note}</span>'
        html = html.replace(marker, span, 1) if marker in html else html + span
    return Markup(html)  # noqa: S704 - rendered and sanitized by render_markdown


def _typeset(html: str) -> bytes:
    from weasyprint import CSS, HTML  # loaded on demand: it is large and only this download needs it

    stylesheet = CSS(string=_STYLESHEET.read_text(encoding="utf-8"))
    return HTML(string=html).write_pdf(stylesheets=[stylesheet])


def release_pdf(release: Release, language: str | None) -> bytes:
    """The release as issued, as PDF: typeset in a process of its own, within a time and a memory
    limit (a very long document is refused, with the Word document suggested instead)."""
    issued = issued_release(release, language)
    rows = [
        (kind, _numbered(content.number), _html_with_footnotes(content))
        if isinstance(content, IssuedParagraph)
        else (kind, content, Markup(""))
        for kind, content in issued.blocks
    ]
    with force_locale(issued.language):
        html = render_template("drafts/issued_release.html", issued=issued, rows=rows)
    config = current_app.config
    try:
        return run_isolated(
            lambda: _typeset(html),
            Deadline(config["MAX_PDF_SECONDS"]),
            config["MAX_UPLOAD_PARSE_MEMORY_MB"] * 1024 * 1024,
        )
    except UploadRefused as refused:
        raise ValidationFailed(
            _("This release is too long to be made into a PDF here. Download it as a Word document instead.")
        ) from refused
    except (ImportError, OSError) as missing:  # WeasyPrint without its system libraries (Pango)
        current_app.logger.error("Cannot make a PDF: %s", missing)
        raise ValidationFailed(
            _("PDFs cannot be made on this server at the moment. Download the release as a Word document instead.")
        ) from missing
