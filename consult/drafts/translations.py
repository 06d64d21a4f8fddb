"""One text in six languages: translations of section versions, what a reader reads in which language.

The original is the document's language. Each translation says which version of the original it
translates; when the original is revised the earlier translation still shows, marked outdated,
until a translator supplies the new one. Nothing is ever silently replaced: a missing translation
shows the original, and says so.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from consult import audit
from consult.drafts.importer import (
    ImportFormatError,
    ParsedDocument,
    ParsedParagraph,
    is_annex,
    parse_document,
    sequence_keys,
)
from consult.drafts.structure import lock_document, next_numbers, working_sections
from consult.errors import StaleVersion, ValidationFailed
from consult.extensions import db
from consult.models import Document, Release, ReleaseSection, Section, SectionTranslation, SectionVersion
from consult.permissions import authorize
from consult.validation import clean_text, is_integer, required_text

# The six official languages of the United Nations, in the order the UN lists them.
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
_CODES = ", ".join(UN_LANGUAGES)


def language_name(code: str) -> str:
    """The language's name in the reader's language ("chinois" for a French reader)."""
    return Locale.parse(code).get_display_name(get_locale()) or code


@dataclass(frozen=True)
class Reading:
    """The text of one version of a section as a reader reads it in one language."""

    version: SectionVersion
    language: str  # the language of ``html``
    html: str
    body: str
    heading: str
    chapter: str
    outdated: bool  # a translation of an earlier version than ``version``
    translation: SectionTranslation | None = None

    @property
    def original(self) -> bool:
        return self.translation is None


def _authorize_translation(actor, obj) -> None:
    """``actor`` None is the operator at the command line, who may do anything."""
    if actor is not None:
        authorize(actor, "section.translate", obj)


def _language(field: str, language, document: Document) -> str:
    if language not in UN_LANGUAGES:
        raise ValidationFailed(
            field_errors={field: [str(_l("Choose one of the six UN languages: %(codes)s.", codes=_CODES))]}
        )
    if language == document.language:
        raise ValidationFailed(
            field_errors={field: [str(_l("This is the language of the original: revise the text instead."))]}
        )
    return language


def reading_language(language: str | None, field: str = "lang") -> str | None:
    """A language asked for to read a text in (a query's ``lang``): None, or one of the six."""
    if language is not None and language not in UN_LANGUAGES:
        raise ValidationFailed(
            field_errors={field: [str(_l("Choose one of the six UN languages: %(codes)s.", codes=_CODES))]}
        )
    return language


def store_translation(
    actor,
    section: Section,
    *,
    language: str,
    body: str,
    base_version,
    heading: str | None = None,
    chapter: str | None = None,
    subsection: str | None = None,
) -> SectionTranslation:
    """The text of the section's newest version in ``language``; no new version number.

    ``base_version`` is the version the translator translated: a newer one saved meanwhile
    makes this a translation of a stale text (409), so the translator sees what changed.
    """
    _authorize_translation(actor, section)
    language = _language("language", language, section.document)
    body = required_text("body", body)
    if not is_integer(base_version):
        raise ValidationFailed(field_errors={"base_version": [str(_l("Say which version you translated."))]})
    db.session.refresh(section)
    if base_version != section.latest_version:
        raise StaleVersion(
            _l(
                "Version %(current)s of this paragraph is newer than the version %(base)s you translated. "
                "Translate the newest text.",
                current=section.latest_version,
                base=base_version,
            ),
            details={"current_version": section.latest_version},
        )
    return _store(actor, section, language, body, heading, chapter, subsection)


def _store(actor, section: Section, language: str, body: str, heading, chapter, subsection=None) -> SectionTranslation:
    version = db.session.scalar(
        select(SectionVersion).where(
            SectionVersion.section_id == section.id, SectionVersion.number == section.latest_version
        )
    )
    earlier = newest_translations([section.id], language).get(section.id)
    translation = SectionTranslation(
        section=section,
        version=version,
        language=language,
        body=body,
        heading=clean_text(heading)[:300] if heading is not None else (earlier.heading if earlier else ""),
        chapter=clean_text(chapter)[:300] if chapter is not None else (earlier.chapter if earlier else ""),
        subsection=clean_text(subsection)[:300] if subsection is not None else (earlier.subsection if earlier else ""),
        author_id=getattr(actor, "id", None),
    )
    db.session.add(translation)
    db.session.flush()
    audit.record(actor, "section.translate", section, language=language, version=version.number)
    return translation


def newest_translations(
    section_ids: Iterable[int], language: str, up_to: dict[int, SectionVersion] | None = None
) -> dict[int, SectionTranslation]:
    """Section id → its newest translation into ``language`` (of a version no later than
    ``up_to[section id]``, when given: a release's reader does not read the working draft's)."""
    section_ids = list(section_ids)
    # Any other value (a typo, a hostile query string) reads the original, as a language without text does.
    if not section_ids or language not in UN_LANGUAGES:
        return {}
    rows = db.session.execute(
        select(SectionTranslation, SectionVersion.number)
        .join(SectionVersion, SectionVersion.id == SectionTranslation.version_id)
        .where(SectionTranslation.section_id.in_(section_ids), SectionTranslation.language == language)
        .order_by(SectionTranslation.id)
    )
    newest: dict[int, SectionTranslation] = {}
    for translation, number in rows:
        limit = up_to.get(translation.section_id) if up_to is not None else None
        if limit is None or number <= limit.number:
            newest[translation.section_id] = translation
    return newest


def readings(document: Document, versions: dict[int, SectionVersion], language: str | None) -> dict[int, Reading]:
    """Section id → what the reader reads of each version in ``language``: its translation where
    there is one (marked outdated if it translates an earlier version), else the original."""
    translations = (
        newest_translations(versions, language, versions) if language and language != document.language else {}
    )
    sections = {
        section.id: section for section in db.session.scalars(select(Section).where(Section.id.in_(list(versions))))
    }
    found = {}
    for section_id, version in versions.items():
        translation = translations.get(section_id)
        section = sections[section_id]
        if translation is None:
            found[section_id] = Reading(
                version, document.language, version.body_html, version.body, section.heading, section.chapter, False
            )
        else:
            found[section_id] = Reading(
                version,
                translation.language,
                translation.body_html,
                translation.body,
                translation.heading or section.heading,
                translation.chapter or section.chapter,
                translation.version_id != version.id,
                translation,
            )
    return found


def reading(section: Section, version: SectionVersion, language: str | None) -> Reading:
    return readings(section.document, {section.id: version}, language)[section.id]


def languages_of(section_ids: Iterable[int], versions: dict[int, SectionVersion], original: str) -> list[str]:
    """The original's language and every language some of these versions (or earlier ones) are translated into."""
    section_ids = list(section_ids)
    if not section_ids:
        return [original]
    rows = db.session.execute(
        select(SectionTranslation.section_id, SectionTranslation.language, func.min(SectionVersion.number))
        .join(SectionVersion, SectionVersion.id == SectionTranslation.version_id)
        .where(SectionTranslation.section_id.in_(section_ids))
        .group_by(SectionTranslation.section_id, SectionTranslation.language)
    )
    found = {
        language
        for section_id, language, earliest in rows
        if section_id in versions and earliest <= versions[section_id].number
    }
    return [original, *(code for code in UN_LANGUAGES if code in found and code != original)]


def release_languages(release: Release) -> list[str]:
    """The languages a release can be read in: its original, and those its sections are translated into."""
    versions = dict(
        db.session.execute(
            select(ReleaseSection.section_id, SectionVersion)
            .join(SectionVersion, SectionVersion.id == ReleaseSection.version_id)
            .where(ReleaseSection.release_id == release.id)
        ).all()
    )
    return languages_of(versions, versions, release.document.language)


def checked_body(paragraph: ParsedParagraph) -> str:
    """The text of a paragraph read from a file, cleaned; an empty or too long one is an error naming it."""
    try:
        return required_text("body", paragraph.body)
    except ValidationFailed as error:
        problem = " ".join(error.field_errors["body"])
        message = str(_l("Paragraph %(number)s of the file: %(problem)s", number=paragraph.number, problem=problem))
        raise ValidationFailed(message, field_errors={"file": [message]}) from error


def translation_matches(
    document: Document, *, language: str, text: str | ParsedDocument
) -> list[tuple[Section, ParsedParagraph]]:
    """The working sections and the paragraphs of a UN document file in ``language`` (its text,
    or its structure as read by consult.drafts.word_import) that translate them, matched by the
    number the next release prints (before any change of the structure, the number each paragraph
    has now), an annex's paragraphs within their annex. Nothing is written. A file in another
    language, or a paragraph missing from the file or unknown to the document, is an error
    naming the numbers."""
    language = _language("language", language, document)
    try:
        # The language detected, to catch a file in the wrong one.
        parsed = text if isinstance(text, ParsedDocument) else parse_document(text)
    except ImportFormatError as error:
        raise ValidationFailed(error.message, field_errors={"file": [error.message]}) from error
    if parsed.language != language:
        raise ValidationFailed(
            field_errors={
                "language": [
                    str(
                        _l(
                            "The file is written in “%(found)s”, not in “%(given)s”.",
                            found=parsed.language,
                            given=language,
                        )
                    )
                ]
            }
        )
    order = working_sections(document)
    numbers = next_numbers(order)
    section_keys = sequence_keys([(section.chapter, numbers[section.id]) for section in order])
    sections = dict(zip(section_keys, order, strict=True))
    names = {key: _printed(section.chapter, numbers[section.id]) for key, section in sections.items()}
    paragraph_keys = sequence_keys([(paragraph.chapter, paragraph.number) for paragraph in parsed.paragraphs])
    paragraphs = dict(zip(paragraph_keys, parsed.paragraphs, strict=True))
    names |= {
        key: _printed(paragraph.chapter, paragraph.number) for key, paragraph in paragraphs.items() if key not in names
    }
    missing = [names[key] for key in sections if key not in paragraphs]
    unknown = [names[key] for key in paragraphs if key not in sections]
    if missing or unknown:
        messages = []
        if missing:
            messages.append(str(_l("Paragraphs missing from the file: %(numbers)s.", numbers=", ".join(missing))))
        if unknown:
            messages.append(str(_l("Paragraphs the document does not have: %(numbers)s.", numbers=", ".join(unknown))))
        raise ValidationFailed(" ".join(messages), field_errors={"file": messages})
    for paragraph in paragraphs.values():
        paragraph.body = checked_body(paragraph)  # stored as a translator's typed text would be
    return [(section, paragraphs[key]) for key, section in sections.items()]


def _printed(chapter: str, number: str) -> str:
    """A paragraph as a message names it: its number, within its annex ("Annex II 3") if in one."""
    if is_annex(chapter):
        return f"{chapter.split(' — ')[0]} {number}"
    return number


def import_translation(
    actor, document: Document, *, language: str, text: str | ParsedDocument
) -> list[SectionTranslation]:
    """A UN document file in ``language``: each numbered paragraph stored as the translation of the
    newest version of the working draft's paragraph with that number (see ``translation_matches``).
    All or nothing: a paragraph missing from the file or unknown to the document is an error naming
    the numbers.

    ``actor`` None is the operator at the command line."""
    _authorize_translation(actor, document)
    lock_document(document)
    matches = translation_matches(document, language=language, text=text)
    stored = [
        _store(actor, section, language, paragraph.body, None, paragraph.chapter, paragraph.subsection or "")
        for section, paragraph in matches
    ]
    audit.record(actor, "document.import_translation", document, language=language, paragraphs=len(stored))
    return stored
