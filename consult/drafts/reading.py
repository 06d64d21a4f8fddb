"""What a reader reads of a document: in which language, under which numbers and titles.

A release prints its own order, numbers and titles (``ReleaseSection``); the working draft has
the sections' own. Each paragraph is read in the language asked for where it is translated, else
in the original; every piece of text says which language it is in, so that a page can mark a
translation that is missing or outdated instead of silently showing something else.
"""

from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.drafts.structure import working_sections
from consult.drafts.translations import UN_LANGUAGES, Reading, readings
from consult.extensions import db
from consult.models import Document, Release, ReleaseSection, Section, SectionTranslation, SectionVersion


@dataclass(frozen=True)
class Languages:
    """The languages a page is read in."""

    available: list[str]  # the original first, then those it is translated into
    wanted: str  # asked for in the address, else the reader's interface language
    language: str  # the one read: the wanted one if available, else the original
    beside: str | None  # a second language shown side by side, if any

    @property
    def original(self) -> str:
        return self.available[0]

    @property
    def shown(self) -> list[str]:
        return [self.language, self.beside] if self.beside else [self.language]


def choose_languages(available: list[str], *, requested, beside, interface: str) -> Languages:
    """The reading language: the one asked for (``?lang=``), else the reader's interface language,
    when the text has it, else the original; ``beside`` only if available and different."""
    wanted = requested if requested in UN_LANGUAGES else interface
    language = wanted if wanted in available else available[0]
    second = beside if beside in available and beside != language else None
    return Languages(available, wanted, language, second)


@dataclass(frozen=True)
class Titled:
    """A title and the language it is written in."""

    text: str
    language: str


@dataclass(frozen=True)
class Passage:
    """One paragraph in one language, as the reader reads it."""

    reading: Reading
    language: str  # the language asked for: the reading is in the original when it is missing
    heading: Titled
    chapter: Titled
    subsection: Titled
    translated_version: int | None = None  # the number of the version an outdated translation translates

    @property
    def missing(self) -> bool:
        return self.reading.language != self.language


@dataclass(frozen=True)
class Printed:
    """A section where it stands: its number, titles and the version read."""

    section: Section
    number: str
    heading: str
    chapter: str
    subsection: str
    version: SectionVersion

    @classmethod
    def of(cls, row: ReleaseSection) -> "Printed":
        return cls(row.section, row.number, row.heading, row.chapter, row.subsection, row.version)


@dataclass(frozen=True)
class Paragraph:
    place: Printed
    passages: tuple[Passage, ...]  # one per language shown

    @property
    def section(self) -> Section:
        return self.place.section

    @property
    def number(self) -> str:
        return self.place.number


def printed_rows(release: Release) -> list[ReleaseSection]:
    """What a release printed, in its order."""
    return list(
        db.session.scalars(
            select(ReleaseSection)
            .where(ReleaseSection.release_id == release.id)
            .options(
                selectinload(ReleaseSection.section).selectinload(Section.retired_in),
                selectinload(ReleaseSection.version),
            )
            .order_by(ReleaseSection.position)
        )
    )


def printings(section: Section) -> list[ReleaseSection]:
    """What each release that had the section printed of it, oldest release first."""
    return list(
        db.session.scalars(
            select(ReleaseSection)
            .join(Release, Release.id == ReleaseSection.release_id)
            .where(ReleaseSection.section_id == section.id)
            .options(selectinload(ReleaseSection.release))
            .order_by(Release.number)
        )
    )


def working_places(document: Document, versions: dict[int, SectionVersion]) -> list[Printed]:
    """The working draft's sections in order, each with its newest version."""
    return [
        Printed(section, section.number, section.heading, section.chapter, section.subsection, versions[section.id])
        for section in working_sections(document)
        if section.id in versions
    ]


def retired_sections(document: Document) -> list[Section]:
    """Sections retired from the working draft, most recently retired first."""
    return list(
        db.session.scalars(
            select(Section)
            .where(Section.document_id == document.id, Section.retired_at.is_not(None))
            .options(selectinload(Section.retired_in))
            .order_by(Section.retired_at.desc(), Section.id)
        )
    )


def paragraphs(document: Document, places: list[Printed], languages: list[str]) -> list[Paragraph]:
    """Each place read in each of ``languages`` (a translation where there is one, else the original)."""
    versions = {place.section.id: place.version for place in places}
    read = {language: readings(document, versions, language) if versions else {} for language in languages}
    # The numbers of the versions outdated translations translate, in one query.
    outdated = {item.translation.version_id for found in read.values() for item in found.values() if item.outdated}
    numbers = (
        dict(
            db.session.execute(
                select(SectionVersion.id, SectionVersion.number).where(SectionVersion.id.in_(outdated))
            ).all()
        )
        if outdated
        else {}
    )
    found = [
        Paragraph(
            place,
            tuple(
                _passage(place, read[language][place.section.id], language, document.language, numbers)
                for language in languages
            ),
        )
        for place in places
    ]
    return _shared_titles(found, document.language)


def _shared_titles(found: list[Paragraph], original: str) -> list[Paragraph]:
    """A chapter or subsection title translated with one of its paragraphs is the title of all of them."""
    titles: dict[tuple[str, str, str], Titled] = {}
    for paragraph in found:
        for passage in paragraph.passages:
            for field in ("chapter", "subsection"):
                title = getattr(passage, field)
                if title.language != original:
                    titles.setdefault((field, getattr(paragraph.place, field), passage.language), title)
    if not titles:
        return found

    def shared(paragraph: Paragraph, passage: Passage) -> Passage:
        changes = {
            field: titles.get((field, getattr(paragraph.place, field), passage.language), getattr(passage, field))
            for field in ("chapter", "subsection")
            if getattr(passage, field).language == original
        }
        return replace(passage, **changes)

    return [
        Paragraph(paragraph.place, tuple(shared(paragraph, passage) for passage in paragraph.passages))
        for paragraph in found
    ]


def _passage(place: Printed, reading: Reading, language: str, original: str, numbers: dict[int, int]) -> Passage:
    translation = reading.translation

    def titled(field: str) -> Titled:
        translated = getattr(translation, field) if translation is not None else ""
        if translated:
            return Titled(translated, translation.language)
        return Titled(getattr(place, field), original)

    translated_version = numbers.get(translation.version_id) if translation is not None else None
    return Passage(reading, language, titled("heading"), titled("chapter"), titled("subsection"), translated_version)


def translation_states(section: Section) -> dict[str, int]:
    """Language → the number of the version its newest translation translates (languages without one left out)."""
    rows = db.session.execute(
        select(SectionTranslation.language, SectionVersion.number)
        .join(SectionVersion, SectionVersion.id == SectionTranslation.version_id)
        .where(SectionTranslation.section_id == section.id)
        .order_by(SectionTranslation.id)
    )
    return dict(rows.all())


def paragraph_label(section: Section) -> str:
    """A section as tagging lists name it: its number, and whether it is new or retired."""
    if section.document.kind == "guiding_principles":
        label = _("Principle (%(number)s) %(title)s", number=section.number, title=section.heading)
    elif section.document.kind == "priority_statements":
        label = _("Priority %(number)s %(title)s", number=section.number, title=section.heading)
    elif section.number:
        label = _("Paragraph %(number)s", number=section.number)
    else:
        label = _("New paragraph (numbered at the next release)")
    if section.retired_in is not None:
        label = _("%(paragraph)s — not in %(release)s", paragraph=label, release=section.retired_in.label)
    elif section.retired_at is not None:
        label = _("%(paragraph)s — retired from the working draft", paragraph=label)
    return label
