from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from consult.drafts import services as drafts
from consult.drafts.routes import section_page
from consult.errors import DomainError
from consult.extensions import db
from consult.forms import apply_errors, choices
from consult.models import Document, Section
from consult.permissions import authorize
from consult.principles import services as items
from consult.principles.forms import LinksForm, PriorityForm
from consult.principles.routes import create_item, item_or_404, overview_context
from consult.priorities import bp

KIND = "priority_statements"


@bp.route("/consultations/<slug>/priorities")
@login_required
def index(slug):
    context = overview_context(drafts.get_consultation(slug), KIND)
    groups: dict[str, list[Section]] = {}
    for section in context["sections"]:
        groups.setdefault(section.subsection, []).append(section)
    return render_template("priorities/index.html", groups=groups, **context)


@bp.route("/priorities/<int:section_id>")
@login_required
def show(section_id):
    return section_page(section_id, lambda item_id: item_or_404(item_id, KIND), item_kind=KIND)


@bp.route("/consultations/<slug>/priorities/new", methods=["GET", "POST"])
@login_required
def create(slug):
    return create_item(slug, KIND, PriorityForm(), "priorities.show")


@bp.route("/priorities/<int:section_id>/links", methods=["GET", "POST"])
@login_required
def links(section_id):
    section = item_or_404(section_id, KIND)
    authorize(current_user, "section.link", section)
    candidates = db.session.scalars(
        select(Section)
        .join(Document)
        .where(Document.consultation_id == section.document.consultation_id, Document.kind == "plan_draft")
        .order_by(Document.id, Section.position)
    ).all()
    form = LinksForm()
    form.related.choices = choices(
        (s.id, f"{s.document.title[:40]} — {_('Paragraph %(number)s', number=s.number)}") for s in candidates
    )
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
    return render_template("priorities/links.html", form=form, section=section), status
