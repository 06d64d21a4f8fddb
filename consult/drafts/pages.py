"""The page of one section (a paragraph, a principle, a priority statement).

Assembled here once, for every blueprint that shows such a page, so that no route module
imports another.
"""

from collections.abc import Callable

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from consult.comments.forms import NewCommentForm
from consult.comments.services import released_text, section_comments
from consult.dialogues.services import published_conclusions
from consult.drafts import reading, translations
from consult.drafts import services as drafts
from consult.models import Section
from consult.models.accounts import organization_name
from consult.models.base import utcnow
from consult.permissions import authorize, can
from consult.positions import services as positions
from consult.web import pagecache
from consult.web.arguments import page_number, positive_int_arg
from consult.web.forms import choices


def reading_languages(available: list[str]) -> reading.Languages:
    """The languages the reader reads a text in: ``?lang=`` and ``?beside=``, else the interface's."""
    return reading.choose_languages(
        available,
        requested=request.args.get("lang"),
        beside=request.args.get("beside"),
        interface=get_locale().language,
    )


def comment_form() -> NewCommentForm:
    """The comment form; its language is the reader's interface language unless they choose another.
    A delegation that belongs to groups of States may speak for one of them."""
    form = NewCommentForm(language=get_locale().language)
    groups = positions.groups_of(getattr(current_user, "organization_id", None))
    form.on_behalf_of.choices = choices(
        [("", _("for itself alone"))]
        + [(group.code, _("on behalf of %(group)s", group=organization_name(group))) for group in groups]
    )
    form.co_signers.choices = choices(
        (organization.code, name)
        for organization, name in positions.co_signer_choices(getattr(current_user, "organization_id", None))
    )
    return form


def _amendment_ready(form: NewCommentForm, item: Section, released, language: str) -> NewCommentForm:
    """A fresh form's proposed text starts as the paragraph as released, in the language it is read in,
    so that an amendment shows only what it changes."""
    if not form.is_submitted():
        form.proposed_text.data = released_text(item, released, language)
    return form


def section_page_context(item: Section):
    current = drafts.current_release(item.document)
    printings = reading.printings(item)
    # The newest release that printed the section: the current one, or the last one that had a retired section.
    printed = printings[-1] if printings else None
    released = printed.version if printed else None
    versions = drafts.visible_versions(current_user, item)
    requested = positive_int_arg("version")
    shown = next((v for v in versions if v.number == requested), None) if requested else None
    if shown is None:
        shown = released or versions[-1]
    latest = versions[-1]
    now = utcnow()
    pagecache.expires_by(drafts.next_window_change(item.document, now))
    in_current = bool(current and printed and printed.release_id == current.id)
    commentable = in_current and current.takes_comments(now) and can(current_user, "comment.create", item)
    if printed is not None and shown.id == printed.version_id:
        place = reading.Printed.of(printed)
    else:
        place = reading.Printed(item, item.number, item.heading, item.chapter, item.subsection, shown)
    languages = reading_languages(translations.languages_of([item.id], {item.id: shown}, item.document.language))
    return {
        "section": item,
        "document": item.document,
        "release": current,
        "shown_release": printed.release if printed else None,
        "number": printed.number if printed else item.number,
        "printings": printings,
        "released": released,
        "shown": shown,
        "latest": latest,
        "versions": versions,
        "paragraph": reading.paragraphs(item.document, [place], languages.shown)[0],
        "languages": languages,
        "translation_states": reading.translation_states(item) if can(current_user, "section.translate", item) else {},
        "un_languages": translations.UN_LANGUAGES,
        "comments": section_comments(current_user, item, page=page_number()),
        "conclusions": published_conclusions([item.id]).get(item.id, []),
        "comment_form": _amendment_ready(comment_form(), item, released, languages.language) if commentable else None,
        "now": now,
    }


def _readable_section(section_id: int) -> Section:
    return drafts.get_section(current_user, section_id)


def section_page(section_id: int, load: Callable[[int], Section] = _readable_section, **extra) -> ResponseReturnValue:
    """A section's page (a paragraph, a principle, a priority statement) with its comments."""

    def render() -> str:
        item = load(section_id)
        authorize(current_user, "document.view", item.document)
        return render_template("drafts/section.html", **extra, **section_page_context(item))

    return pagecache.page(pagecache.section_scopes(section_id), render, ("page", "version", "lang", "beside", "diff"))
