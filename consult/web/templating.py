"""What templates may call: permissions, names, dates in the reader's zone."""

import hashlib
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import current_app, request, url_for
from flask_babel import format_decimal, get_locale, get_timezone
from flask_login import current_user
from markupsafe import Markup

from consult import permissions
from consult.auth.services import MIN_PASSWORD_LENGTH
from consult.drafts.concordance import CHANGE_STATUSES
from consult.drafts.services import readable_sections, section_url
from consult.items.services import PRIORITY_GROUPS
from consult.models.accounts import ORGANIZATION_KINDS, ROLES, organization_name
from consult.models.comments import ANSWER_REACTIONS, COMMENT_KINDS, COMMENT_STATUSES, DISPOSITIONS
from consult.models.dialogues import CONSTITUENCIES, DIALOGUE_FORMATS
from consult.models.drafts import DOCUMENT_KINDS
from consult.models.notifications import MESSAGE_KINDS
from consult.models.positions import CO_SIGNATURE_STATUSES
from consult.models.roadmap import MILESTONE_KINDS, MILESTONE_STATUSES
from consult.positions.services import alignment_line, signatories
from consult.text import diff_sides, plain_text, render_markdown, text_of_html
from consult.web import dates, pagecache

LANGUAGE_NAMES = {code: Locale.parse(code).display_name for code in ("en", "fr", "es", "ru", "zh", "ar")}


def text_direction() -> str:
    return "rtl" if get_locale().language == "ar" else "ltr"


# Of the languages text here is written in, those written right to left.
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})


def direction(language: str | None) -> str:
    """The dir attribute for text in ``language`` ("auto" when the language is not known)."""
    if not language:
        return "auto"
    return "rtl" if language.split("-")[0].lower() in RIGHT_TO_LEFT else "ltr"


def language_label(code: str | None) -> str:
    """The name of a language in the reader's language ("French" in English, "français" in French)."""
    if not code:
        return ""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(get_locale()) or code
    except (UnknownLocaleError, ValueError):
        return code


def can(action: str, obj=None) -> bool:
    return permissions.can(current_user, action, obj)


def earlier_answers(comment) -> list:
    return permissions.earlier_answers(current_user, comment)


def refusal(action: str, obj=None) -> str:
    """Why the reader may not do this (empty if they may): said where the action would be offered."""
    error = permissions.check(current_user, action, obj)
    return "" if error is None else str(error.message)


def readable(sections) -> list:
    """Of the sections, those the reader may see: an unreleased one stays with the staff, heading and number too."""
    return readable_sections(current_user, sections)


def url_with(**changes) -> str:
    """This page's address with some of its query arguments changed (None or "" drops one)."""
    view_args = request.view_args or {}
    args = {name: value for name, value in request.args.items() if name not in view_args and not name.startswith("_")}
    args.update(changes)
    return url_for(request.endpoint, **view_args, **{name: value for name, value in args.items() if value})


def amendment_diff(comment) -> Markup:
    """An amendment's proposed text against the paragraph as released, diffed when it was written."""
    return Markup(comment.proposed_diff_html or "")  # noqa: S704  (escaped text with <del>/<ins>, built by consult.text)


def isolate(text) -> Markup:
    """User or document text set inside a sentence of the interface, isolated so that its direction
    cannot reorder the sentence around it (an English name in an Arabic line, and the reverse)."""
    return Markup("<bdi>{}</bdi>").format(text if text is not None else "")


def diff_view() -> str:
    """How the reader chose to see changes (``?diff=side``): "side" by side, else "inline"."""
    return "side" if request.args.get("diff") == "side" else "inline"


def linkable_here() -> bool:
    """Whether this page's own address can be linked to: not a page answering a form (a POST)."""
    return request.method in ("GET", "HEAD")


# Fields shown as a group of options: the summary links to the first option, which can take focus.
_OPTION_GROUPS = {"RadioField", "MultiCheckboxField"}


def field_errors(form) -> list[tuple[str | None, str, str]]:
    """(anchor, label, message) for every field error of ``form`` (or a list of fields), in their order.

    The anchor is the id of the input the error summary links to; None for a hidden field
    (a stale CSRF token …), whose message is listed without a link.
    """
    found = []
    for field in form:
        if field.type == "FormField":
            found.extend(field_errors(field.form))
            continue
        # A list of rows carries its rows' errors, and a service's error about the list as a whole.
        messages = [message for message in field.errors if isinstance(message, str)]
        if field.type == "FieldList":
            found.extend((None, str(field.label.text), message) for message in messages)
            found.extend(field_errors(field.entries))
            continue
        if not messages:
            continue
        if field.type in ("HiddenField", "CSRFTokenField"):
            anchor = None
        elif field.type in _OPTION_GROUPS:
            anchor = f"{field.id}-0"
        else:
            anchor = field.id
        found.extend((anchor, str(field.label.text), message) for message in messages)
    return found


@cache
def _static_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """URL of a static file with its content hash, so it can be cached for long."""
    return url_for("static", filename=filename, v=_static_hash(str(Path(current_app.static_folder) / filename)))


def register(app) -> None:
    app.jinja_env.globals.update(
        can=can,
        earlier_answers=earlier_answers,
        refusal=refusal,
        organization_name=organization_name,
        text_direction=text_direction,
        direction=direction,
        language_label=language_label,
        url_with=url_with,
        current_locale=get_locale,
        current_timezone=get_timezone,
        language_names=LANGUAGE_NAMES,
        amendment_diff=amendment_diff,
        diff_view=diff_view,
        linkable_here=linkable_here,
        min_password_length=MIN_PASSWORD_LENGTH,
        static_url=static_url,
        section_url=section_url,
        signatories=signatories,
        alignment_line=alignment_line,
        reader_name=pagecache.reader_name,
        reader_delegation=pagecache.reader_delegation,
        closes_in=dates.closes_in,
        reader_zone_name=dates.reader_zone_name,
        is_whole_month=dates.is_whole_month,
        field_errors=field_errors,
    )
    app.jinja_env.filters.update(
        readable=readable,
        markdown=render_markdown,
        plain=plain_text,
        text_of=text_of_html,
        isolate=isolate,
        diff_sides=lambda html: diff_sides(str(html)),
        datetime=dates.moment,
        time_tag=dates.time_tag,
        date=dates.day,
        month=dates.month,
        number=format_decimal,
        role_label=lambda role: ROLES.get(role, role),
        comment_kind_label=lambda kind: COMMENT_KINDS.get(kind, kind),
        comment_status_label=lambda status: COMMENT_STATUSES.get(status, status),
        document_kind_label=lambda kind: DOCUMENT_KINDS.get(kind, kind),
        organization_kind_label=lambda kind: ORGANIZATION_KINDS.get(kind, kind),
        milestone_kind_label=lambda kind: MILESTONE_KINDS.get(kind, kind),
        milestone_status_label=lambda status: MILESTONE_STATUSES.get(status, status),
        constituency_label=lambda code: CONSTITUENCIES.get(code, code),
        dialogue_format_label=lambda code: DIALOGUE_FORMATS.get(code, code),
        priority_group_label=lambda code: PRIORITY_GROUPS.get(code, code),
        disposition_label=lambda code: DISPOSITIONS.get(code, code),
        message_kind_label=lambda kind: MESSAGE_KINDS.get(kind, kind),
        change_status_label=lambda code: CHANGE_STATUSES.get(code, code),
        co_signature_status_label=lambda code: CO_SIGNATURE_STATUSES.get(code, code),
        reaction_label=lambda code: ANSWER_REACTIONS.get(code, code),
    )
