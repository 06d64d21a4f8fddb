"""Guiding principles; priority statements share these views through ``item_views``."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from consult.dialogues.services import published_conclusions
from consult.drafts import services as drafts
from consult.drafts.routes import section_page
from consult.errors import DomainError, NotFound
from consult.extensions import db
from consult.forms import apply_errors
from consult.models import Comment, Section
from consult.permissions import authorize, can, visible_comments
from consult.principles import bp
from consult.principles import services as items
from consult.principles.forms import ItemForm

KIND = "guiding_principles"


def item_or_404(section_id: int, kind: str) -> Section:
    section = drafts.get_section(current_user, section_id)
    if section.document.kind != kind:
        raise NotFound(_("No such item."))
    return section


def overview_context(consultation, kind: str) -> dict:
    """The items of a kind with the text the reader may see and what was said about them."""
    sections = items.items(consultation, kind)
    document = sections[0].document if sections else None
    texts = {}
    if document is not None:
        release = drafts.current_release(document)
        texts = drafts.released_versions(release) if release else {}
        if can(current_user, "section.view_working"):
            texts = drafts.latest_versions(document)
    ids = [s.id for s in sections]
    counts = dict(
        db.session.execute(
            select(Comment.section_id, func.count(Comment.id))
            .where(Comment.section_id.in_(ids), visible_comments(current_user))
            .group_by(Comment.section_id)
        ).all()
    )
    return {
        "consultation": consultation,
        "document": document,
        "sections": [s for s in sections if s.id in texts],
        "texts": texts,
        "counts": counts,
        "conclusions": published_conclusions(ids),
    }


def create_item(slug: str, kind: str, form, endpoint: str):
    consultation = drafts.get_consultation(slug)
    authorize(current_user, "items.manage", consultation)
    if form.validate_on_submit():
        try:
            section = items.add_item(
                current_user,
                consultation,
                kind=kind,
                number=form.number.data,
                title=form.title.data,
                body=form.body.data,
                group=form.group.data if hasattr(form, "group") else "",
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Added. Publish a release of the document to open it for comments."), "success")
            return redirect(url_for(endpoint, section_id=section.id))
    status = 422 if form.is_submitted() else 200
    return render_template("principles/form.html", form=form, consultation=consultation, item_kind=kind), status


@bp.route("/consultations/<slug>/principles")
@login_required
def index(slug):
    return render_template("principles/index.html", **overview_context(drafts.get_consultation(slug), KIND))


@bp.route("/principles/<int:section_id>")
@login_required
def show(section_id):
    return section_page(section_id, lambda item_id: item_or_404(item_id, KIND), item_kind=KIND)


@bp.route("/consultations/<slug>/principles/new", methods=["GET", "POST"])
@login_required
def create(slug):
    return create_item(slug, KIND, ItemForm(), "principles.show")
