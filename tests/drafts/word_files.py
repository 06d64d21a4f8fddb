"""Word documents as a secretariat writes them, built for the tests with python-docx: automatic
numbering (roman chapters, decimal paragraphs, lettered sub-items), heading styles, a real
footnote, a table, bold and italic, a summary before chapter I and an annex."""

import io
import zipfile

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

W = nsdecls("w")

NUMBERING = f"""<w:numbering {W}>
  <w:abstractNum w:abstractNumId="71">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="72">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="71"><w:abstractNumId w:val="71"/></w:num>
  <w:num w:numId="72"><w:abstractNumId w:val="72"/></w:num>
  <w:num w:numId="73"><w:abstractNumId w:val="72"/>
    <w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
</w:numbering>"""

FOOTNOTES = f"""<w:footnotes {W}>
  <w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
  <w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
  {{notes}}
</w:footnotes>"""


class WordDraft:
    """A .docx written paragraph by paragraph."""

    def __init__(self) -> None:
        self.document = docx.Document()
        numbering = self.document.part.numbering_part.element
        for child in list(numbering):
            numbering.remove(child)
        for child in parse_xml(NUMBERING):
            numbering.append(child)
        self.notes: list[str] = []

    def text(self, text: str, style: str | None = None):
        return self.document.add_paragraph(text, style=style)

    def numbered(self, text: str, *, num_id: int = 72, level: int = 0, style: str | None = None):
        paragraph = self.document.add_paragraph(style=style)
        properties = paragraph._p.get_or_add_pPr()
        properties.append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
        if text:
            paragraph.add_run(text)
        return paragraph

    def chapter(self, title: str):
        return self.numbered(title, num_id=71, style="Heading 1")

    def footnote(self, paragraph, text: str) -> None:
        self.notes.append(text)
        paragraph._p.append(
            parse_xml(
                f'<w:r {W}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                f'<w:footnoteReference w:id="{len(self.notes)}"/></w:r>'
            )
        )

    def bytes(self) -> bytes:
        if self.notes:
            notes = "".join(
                f'<w:footnote w:id="{index}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> '
                f"{text}</w:t></w:r></w:p></w:footnote>"
                for index, text in enumerate(self.notes, 1)
            )
            part = Part(
                PackURI("/word/footnotes.xml"),
                CT.WML_FOOTNOTES,
                FOOTNOTES.replace("{notes}", notes).encode(),
                self.document.part.package,
            )
            self.document.part.relate_to(part, RT.FOOTNOTES)
        output = io.BytesIO()
        self.document.save(output)
        return output.getvalue()


SECRETARIAT_TEXTS = {
    "en": {
        "board": "Executive Board of the United Nations Human Settlements Programme",
        "summary": "Summary",
        "1": "The present report updates the Board on the strategic plan.",
        "introduction": "Introduction",
        "2": "The Assembly decided to extend the plan to 2025",
        "note": "See HSP/HA.2/Dec.1.",
        "3": ("The plan is ", "ambitious", " and ", "focused", ":"),
        "3a": "relevant and responsive;",
        "3b": "prioritized.",
        "priorities": "Priorities",
        "4": "The budget is as follows:",
        "table": (("Year", "Amount"), ("2026", "10")),
        "5": "The secretariat will report in 2026.",
        "annex": "Annex",
        "annex title": "Timeline of the consultation",
        "annex 1": "January 2024: first dialogue with member States.",
        "annex 2": "May 2024: second dialogue.",
    },
    "fr": {
        "board": "Conseil exécutif du Programme des Nations Unies pour les établissements humains",
        "summary": "Résumé",
        "1": "Le présent rapport informe le Conseil sur le plan stratégique.",
        "introduction": "Introduction",
        "2": "L'Assemblée a décidé de prolonger le plan jusqu'en 2025",
        "note": "Voir HSP/HA.2/Dec.1.",
        "3": ("Le plan est ", "ambitieux", " et ", "ciblé", " :"),
        "3a": "pertinent et adapté ;",
        "3b": "hiérarchisé.",
        "priorities": "Priorités",
        "4": "Le budget est le suivant :",
        "table": (("Année", "Montant"), ("2026", "10")),
        "5": "Le secrétariat fera rapport en 2026.",
        "annex": "Annexe",
        "annex title": "Calendrier de la consultation",
        "annex 1": "Janvier 2024 : premier dialogue avec les États membres.",
        "annex 2": "Mai 2024 : deuxième dialogue.",
    },
}


def secretariat_draft(language: str = "en") -> bytes:
    """The acceptance draft: a summary with paragraph 1 before chapter I, automatic numbering,
    sub-items, a footnote, a table, bold and italic, running furniture and an annex."""
    texts = SECRETARIAT_TEXTS[language]
    draft = WordDraft()
    draft.text("HSP/EB.2025/3")
    draft.text(texts["board"])
    draft.text(texts["summary"], style="Heading 2")
    draft.numbered(texts["1"])
    draft.chapter(texts["introduction"])
    first = draft.numbered(texts["2"])
    draft.footnote(first, texts["note"])
    first.add_run(".")
    second = draft.numbered("")
    plain, bold, middle, italic, end = texts["3"]
    second.add_run(plain)
    second.add_run(bold).bold = True
    second.add_run(middle)
    second.add_run(italic).italic = True
    second.add_run(end)
    draft.numbered(texts["3a"], level=1)
    draft.numbered(texts["3b"], level=1)
    draft.chapter(texts["priorities"])
    draft.numbered(texts["4"])
    table = draft.document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, texts["table"], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    draft.numbered(texts["5"])
    draft.text(texts["annex"], style="Heading 1")
    draft.text(texts["annex title"])
    draft.numbered(texts["annex 1"], num_id=73)
    draft.numbered(texts["annex 2"], num_id=73)
    return draft.bytes()


def typed_chinese_draft() -> bytes:
    """A Chinese document typed by hand: no numbering definitions, no heading styles, 摘要 with
    paragraph 1 before chapter 一、, a footnote typed as a plain digit at the foot of the page."""
    draft = WordDraft()
    for line in (
        "HSP/EB.2023/12",
        "联合国人类住区规划署执行局",
        "摘要",
        "1. 本报告介绍战略计划的执行情况。",
        "一、 导言",
        "2. 大会决定将计划延长至2025年1。",
        "1 见HSP/HA.2/Dec.1号决定。",
        "3. 秘书处将提出报告：",
        "(a) 关于进展；",
        "(b) 关于预算。",
        "二、 优先事项",
        "4. 执行局不妨注意到本报告。",
    ):
        draft.text(line)
    return draft.bytes()


def note_without_chapters() -> bytes:
    """A secretariat note numbered automatically, without any chapter."""
    draft = WordDraft()
    draft.text("Note by the secretariat")
    draft.numbered("The secretariat has the honour to transmit the report of the Executive Director.")
    draft.numbered("The Board may wish to take note of the report.")
    return draft.bytes()


def without_numbered_paragraphs() -> bytes:
    draft = WordDraft()
    draft.text("Introduction", style="Heading 1")
    draft.text("A letter, with no numbered paragraph at all.")
    return draft.bytes()


def with_parts(data: bytes, extra: dict[str, bytes], drop: tuple[str, ...] = ()) -> bytes:
    """The same archive with parts added (or replaced) and others removed."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in extra and item.filename not in drop:
                target.writestr(item, source.read(item))
        for name, content in extra.items():
            target.writestr(name, content)
    return output.getvalue()


# An older Word document and a password-protected .docx are both OLE2 compound files; the
# protected one holds its encrypted package under this stream name.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
LEGACY_DOC = OLE2 + "WordDocument".encode("utf-16-le") + bytes(64)
ENCRYPTED_DOCX = OLE2 + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le") + bytes(64)
