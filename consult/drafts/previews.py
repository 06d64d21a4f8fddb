"""Uploading the next draft of a document, or its translation: upload → preview → confirm.

The preview is kept on the server (``DraftImportPreview``) and the confirmation form carries only
a random token for it, as for comment imports (consult.matrix.imports): a confirmation changes
what the user was shown, at most once, only for that user and document, only until the preview
expires, and only if the working draft is still the one the preview was made from.
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from consult import audit, held_previews
from consult.drafts import alignment
from consult.drafts.services import latest_versions
from consult.drafts.structure import lock_document, next_numbers, working_sections
from consult.drafts.translations import store_translation, translation_matches
from consult.errors import Conflict, StaleVersion, ValidationFailed
from consult.models import Document, DraftImportPreview, Section
from consult.permissions import authorize
from consult.text import AMENDMENT_DIFF_BUDGET, diff_html, plain_text, render_markdown
from consult.validation import clean_text

NEXT_DRAFT, TRANSLATION = "next_draft", "translation"
_PERMISSIONS = {NEXT_DRAFT: "section.revise", TRANSLATION: "section.translate"}


def _hold(actor, document: Document, kind: str, *, language: str, basis: str, payload: dict) -> str:
    token, held = held_previews.hold(
        DraftImportPreview,
        minutes=current_app.config["DRAFT_IMPORT_PREVIEW_MINUTES"],
        kind=kind,
        user_id=actor.id,
        document_id=document.id,
        language=language,
        basis=basis,
        payload=payload,
    )
    audit.record(actor, f"document.{kind}_preview", document, preview=held.id, language=language)
    return token


def _held(actor, document: Document, kind: str, token: str) -> DraftImportPreview:
    """The preview the token names, if it is this user's, for this document, unused and not expired."""
    return held_previews.find(DraftImportPreview, actor, document, token, _already_used(), kind=kind)


def _already_used() -> Conflict:
    return Conflict(_l("This file has already been imported: a preview can be confirmed once."))


def _claim(held: DraftImportPreview) -> None:
    held_previews.claim(DraftImportPreview, held, _already_used())


# -- the next draft -------------------------------------------------------------------


def preview_next_draft(actor, document: Document, data: bytes) -> alignment.Plan:
    """The plan of an uploaded next draft; nothing is written. A file that changes nothing is refused."""
    authorize(actor, _PERMISSIONS[NEXT_DRAFT], document)
    plan = alignment.plan(document, alignment.read(data))
    alignment.refuse_empty(plan)
    return plan


def hold_next_draft(actor, document: Document, plan: alignment.Plan) -> str:
    """Keep the plan until its user applies it; the token for the confirmation form."""
    authorize(actor, _PERMISSIONS[NEXT_DRAFT], document)
    payload = {
        "paragraphs": [paragraph.as_dict() for paragraph in plan.paragraphs],
        "matches": plan.matches(),
    }
    return _hold(actor, document, NEXT_DRAFT, language=document.language, basis=plan.basis, payload=payload)


def _paragraphs(held: DraftImportPreview) -> list[alignment.Paragraph]:
    return [alignment.Paragraph(**paragraph) for paragraph in held.payload["paragraphs"]]


def _matches(document: Document, continues: list[str]) -> list[int | None]:
    """For each paragraph of the file, the section whose number (as the next release would print
    it without the file) was typed as the one it continues; None where nothing was typed."""
    order = working_sections(document)
    sections = {number: section_id for section_id, number in next_numbers(order).items()}
    typed = [clean_text(number) for number in continues]
    unknown = [number for number in typed if number and number not in sections]
    if unknown:
        raise ValidationFailed(
            _l("The working draft has no paragraph %(numbers)s.", numbers=", ".join(dict.fromkeys(unknown)))
        )
    return [sections[number] if number else None for number in typed]


def held_plan(actor, document: Document, token: str, continues: list[str] | None = None) -> alignment.Plan:
    """The held plan, as corrected by hand: ``continues`` gives, for each paragraph of the file,
    the number of the working draft's paragraph it continues, or "" for a new one; None: as
    first proposed."""
    authorize(actor, _PERMISSIONS[NEXT_DRAFT], document)
    held = _held(actor, document, NEXT_DRAFT, token)
    matches = held.payload["matches"] if continues is None else _matches(document, continues)
    return alignment.corrected(document, _paragraphs(held), matches, held.basis)


def apply_next_draft(actor, document: Document, token: str, continues: list[str]) -> dict[str, int]:
    """Apply the held plan as corrected (see ``held_plan``), once; what was done, by kind of step."""
    authorize(actor, _PERMISSIONS[NEXT_DRAFT], document)
    held = _held(actor, document, NEXT_DRAFT, token)
    _claim(held)
    plan = alignment.corrected(document, _paragraphs(held), _matches(document, continues), held.basis)
    return alignment.apply(actor, document, plan)


@dataclass(frozen=True)
class PlanRow:
    """One step of a plan as the page shows it: the text as it will read (changes marked)."""

    step: alignment.Step
    html: Markup
    continues: str  # the number of the working draft's paragraph a paragraph of the file continues, or ""


def plan_rows(plan: alignment.Plan) -> list[PlanRow]:
    versions = latest_versions(plan.document)
    rows = []
    for step in plan.steps:
        old = versions[step.section.id] if step.section is not None else None
        new = plan.paragraphs[step.paragraph].body if step.paragraph is not None else None
        if new is None:
            html = Markup(old.body_html)  # noqa: S704 - sanitized when the version was stored
        elif old is None:
            html = render_markdown(new)
        elif step.text_changed:
            html = diff_html(old.body, new, AMENDMENT_DIFF_BUDGET)
        else:
            html = Markup(old.body_html)  # noqa: S704 - sanitized when the version was stored
        rows.append(PlanRow(step, html, (step.old_number or "") if step.paragraph is not None else ""))
    return rows


def old_paragraphs(document: Document) -> list[tuple[str, str]]:
    """(number, beginning of the text) of the working draft's paragraphs, to choose from."""
    order = working_sections(document)
    numbers = next_numbers(order)
    versions = latest_versions(document)
    return [(numbers[section.id], plain_text(versions[section.id].body)[:80]) for section in order]


# -- a translation --------------------------------------------------------------------


@dataclass(frozen=True)
class TranslatedParagraph:
    section: Section
    number: str
    original: str  # the text of the version translated
    version: int
    body: str
    chapter: str
    subsection: str


@dataclass
class TranslationPreview:
    language: str
    basis: str
    paragraphs: list[TranslatedParagraph]


def preview_translation(actor, document: Document, *, language: str, data: bytes) -> TranslationPreview:
    """The file's paragraphs matched by number to the working draft's, each with the version it
    translates; a file whose numbers do not match is an error naming them. Nothing is written."""
    authorize(actor, _PERMISSIONS[TRANSLATION], document)
    matches = translation_matches(document, language=language, text=alignment.read(data))
    order = working_sections(document)
    numbers = next_numbers(order)
    versions = latest_versions(document)
    return TranslationPreview(
        language,
        alignment.basis(order),
        [
            TranslatedParagraph(
                section,
                numbers[section.id],
                versions[section.id].body,
                versions[section.id].number,
                paragraph.body,
                paragraph.chapter,
                paragraph.subsection or "",
            )
            for section, paragraph in matches
        ],
    )


def hold_translation(actor, document: Document, preview: TranslationPreview) -> str:
    authorize(actor, _PERMISSIONS[TRANSLATION], document)
    payload = {
        "paragraphs": [
            {
                "section_id": item.section.id,
                "number": item.number,
                "version": item.version,
                "body": item.body,
                "chapter": item.chapter,
                "subsection": item.subsection,
            }
            for item in preview.paragraphs
        ]
    }
    return _hold(actor, document, TRANSLATION, language=preview.language, basis=preview.basis, payload=payload)


def confirm_translation(actor, document: Document, token: str) -> tuple[str, int]:
    """Store the held translation, once: (its language, the number of paragraphs stored).

    A paragraph revised since the preview makes it the translation of a stale version (409,
    naming the paragraphs); a working draft otherwise changed, a conflict."""
    authorize(actor, _PERMISSIONS[TRANSLATION], document)
    held = _held(actor, document, TRANSLATION, token)
    _claim(held)
    lock_document(document)
    order = working_sections(document)
    current = {section.id: section for section in order}
    items = held.payload["paragraphs"]
    revised = [
        item["number"]
        for item in items
        if item["section_id"] in current and current[item["section_id"]].latest_version != item["version"]
    ]
    if revised:
        raise StaleVersion(
            _l(
                "These paragraphs were revised after the preview, so the file translates an earlier version: "
                "%(numbers)s. Translate the newest text and upload it again.",
                numbers=", ".join(revised),
            )
        )
    if alignment.basis(order) != held.basis:
        raise Conflict(_l("The working draft changed after the preview. Upload the file again."))
    for item in items:
        store_translation(
            actor,
            current[item["section_id"]],
            language=held.language,
            body=item["body"],
            base_version=item["version"],
            chapter=item["chapter"],
            subsection=item["subsection"],
        )
    audit.record(actor, "document.import_translation", document, language=held.language, paragraphs=len(items))
    return held.language, len(items)
