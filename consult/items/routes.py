"""Guiding principles and priority statements: two kinds of commentable items, one set of views."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.comments.services import comment_counts
from consult.dialogues.services import published_conclusions
from consult.drafts import services as drafts
from consult.drafts.pages import section_page
from consult.drafts.reading import paragraph_label
from consult.errors import DomainError, NotFound
from consult.extensions import db
from consult.items import principles, priorities
from consult.items import services as items
from consult.items.forms import ItemForm, LinksForm, PriorityForm
from consult.models import Document, Section
from consult.permissions import authorize
from consult.web.forms import apply_errors, choices

PRINCIPLES = "guiding_principles"
PRIORITIES = "priority_statements"


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
        texts = drafts.document_texts(current_user, document, drafts.current_release(document), working=True)
    ids = [s.id for s in sections]
    return {
        "consultation": consultation,
        "document": document,
        "sections": [s for s in sections if s.id in texts],
        "texts": texts,
        "counts": comment_counts(current_user, ids),
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
    return render_template("items/form.html", form=form, consultation=consultation, item_kind=kind), status


@principles.route("/consultations/<slug>/principles", endpoint="index")
@login_required
def principles_index(slug):
    return render_template("items/principles.html", **overview_context(drafts.get_consultation(slug), PRINCIPLES))


@principles.route("/principles/<int:section_id>", endpoint="show")
@login_required
def principle(section_id):
    return section_page(section_id, lambda item_id: item_or_404(item_id, PRINCIPLES), item_kind=PRINCIPLES)


@principles.route("/consultations/<slug>/principles/new", methods=["GET", "POST"], endpoint="create")
@login_required
def create_principle(slug):
    return create_item(slug, PRINCIPLES, ItemForm(), "principles.show")


@priorities.route("/consultations/<slug>/priorities", endpoint="index")
@login_required
def priorities_index(slug):
    context = overview_context(drafts.get_consultation(slug), PRIORITIES)
    groups: dict[str, list[Section]] = {}
    for section in context["sections"]:
        groups.setdefault(section.subsection, []).append(section)
    return render_template("items/priorities.html", groups=groups, **context)


@priorities.route("/priorities/<int:section_id>", endpoint="show")
@login_required
def priority(section_id):
    return section_page(section_id, lambda item_id: item_or_404(item_id, PRIORITIES), item_kind=PRIORITIES)


@priorities.route("/consultations/<slug>/priorities/new", methods=["GET", "POST"], endpoint="create")
@login_required
def create_priority(slug):
    return create_item(slug, PRIORITIES, PriorityForm(), "priorities.show")


@priorities.route("/priorities/<int:section_id>/links", methods=["GET", "POST"])
@login_required
def links(section_id):
    section = item_or_404(section_id, PRIORITIES)
    authorize(current_user, "section.link", section)
    candidates = db.session.scalars(
        select(Section)
        .join(Document)
        .where(Document.consultation_id == section.document.consultation_id, Document.kind == "plan_draft")
        .options(selectinload(Section.retired_in))
        .order_by(Document.id, Section.position)
    ).all()
    form = LinksForm()
    form.related.choices = choices((s.id, f"{s.document.title[:40]} — {paragraph_label(s)}") for s in candidates)
    if not form.is_submitted():
        form.related.data = [s.id for s in section.related]
    if form.validate_on_submit():
        try:
            items.link_sections(current_user, section, form.related.data or [])
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("The links are saved."), "success")
            return redirect(url_for("priorities.show", section_id=section.id))
    status = 422 if form.is_submitted() else 200
    return render_template("items/links.html", form=form, section=section), status
