"""The page of one section (a paragraph, a principle, a priority statement).

Assembled here once, for every blueprint that shows such a page, so that no route module
imports another.
"""

from collections.abc import Callable

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from consult.comments.forms import CommentForm
from consult.comments.services import section_comments
from consult.dialogues.services import published_conclusions
from consult.drafts import services as drafts
from consult.models import Section
from consult.models.base import utcnow
from consult.permissions import authorize, can
from consult.web import pagecache
from consult.web.arguments import page_number, positive_int_arg


def section_page_context(item: Section):
    release = drafts.current_release(item.document)
    released = drafts.released_version(item, release)
    versions = drafts.visible_versions(current_user, item)
    requested = positive_int_arg("version")
    shown = next((v for v in versions if v.number == requested), None) if requested else None
    if shown is None:
        shown = released or versions[-1]
    latest = versions[-1]
    now = utcnow()
    pagecache.expires_by(drafts.next_window_change(item.document, now))
    commentable = bool(release and released and release.takes_comments(now))
    commentable = commentable and can(current_user, "comment.create", item)
    return {
        "section": item,
        "document": item.document,
        "release": release,
        "released": released,
        "shown": shown,
        "latest": latest,
        "versions": versions,
        "comments": section_comments(current_user, item, page=page_number()),
        "conclusions": published_conclusions([item.id]).get(item.id, []),
        "comment_form": CommentForm() if commentable else None,
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

    return pagecache.page(pagecache.section_scopes(section_id), render, ("page", "version"))
