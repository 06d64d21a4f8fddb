"""Uploading the next draft of a document or its translation: upload → preview (held on the server)
→ confirm once. The next draft's plan can be corrected before it is applied."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from consult.drafts import bp, previews
from consult.drafts import services as drafts
from consult.drafts.alignment import MAX_PARAGRAPHS
from consult.drafts.forms import LANGUAGE_CHOICES
from consult.drafts.import_forms import ConfirmTranslationForm, NextDraftForm, PlanForm, TranslationForm
from consult.errors import DomainError
from consult.extensions import db
from consult.permissions import authorize
from consult.validation import positive_integer
from consult.web.forms import apply_errors, choices


def _plan_page(document, plan, form: PlanForm, typed: list[str] | None = None, status: int = 200):
    """The plan with a "continues paragraph" field per paragraph of the file (as typed, if given)."""
    if typed is not None and len(typed) != len(plan.paragraphs):
        typed = None
    form.paragraphs.data = str(len(plan.paragraphs))
    return (
        render_template(
            "drafts/next_draft.html",
            document=document,
            upload=None,
            plan=plan,
            rows=previews.plan_rows(plan),
            typed=typed,
            old_paragraphs=previews.old_paragraphs(document),
            form=form,
        ),
        status,
    )


@bp.route("/documents/<int:document_id>/next-draft", methods=["GET", "POST"])
@login_required
def import_next_draft(document_id):
    document = drafts.get_document(document_id)
    authorize(current_user, "section.revise", document)
    upload, status = NextDraftForm(), 200
    if upload.validate_on_submit():
        try:
            plan = previews.preview_next_draft(current_user, document, upload.file.data.read())
        except DomainError as error:
            apply_errors(upload, error)
            status = error.status
        else:
            form = PlanForm(formdata=None, token=previews.hold_next_draft(current_user, document, plan))
            db.session.commit()
            return _plan_page(document, plan, form)
    elif upload.is_submitted():
        status = 422
    return render_template("drafts/next_draft.html", document=document, upload=upload, plan=None), status


@bp.route("/documents/<int:document_id>/next-draft/apply", methods=["POST"])
@login_required
def apply_next_draft(document_id):
    document = drafts.get_document(document_id)
    authorize(current_user, "section.revise", document)
    form = PlanForm()
    if not form.validate_on_submit():
        return redirect(url_for("drafts.import_next_draft", document_id=document.id))
    token = form.token.data or ""
    count = min(positive_integer(form.paragraphs.data, allow_zero=True) or 0, MAX_PARAGRAPHS)
    typed = [request.form.get(f"continues-{index}", "") for index in range(count)]
    try:
        if form.apply.data:
            counts = previews.apply_next_draft(current_user, document, token, typed)
        else:
            return _plan_page(document, previews.held_plan(current_user, document, token, typed), form, typed)
    except DomainError as error:
        db.session.rollback()
        try:
            plan = previews.held_plan(current_user, document, token)
        except DomainError:
            upload = NextDraftForm(formdata=None)
            upload.form_errors.append(str(error.message))
            page = render_template("drafts/next_draft.html", document=document, upload=upload, plan=None)
            return page, error.status
        apply_errors(form, error)
        return _plan_page(document, plan, form, typed, error.status)
    db.session.commit()
    flash(
        _(
            "The next draft is in the working draft: %(kept)d kept, %(revised)d revised, %(new)d new, "
            "%(retired)d retired, %(moved)d moved. The next release renumbers the paragraphs.",
            **counts,
        ),
        "success",
    )
    return redirect(url_for("drafts.document", document_id=document.id, view="working"))


def _translation_form(document) -> TranslationForm:
    form = TranslationForm()
    form.language.choices = choices(
        (code, label) for code, label in LANGUAGE_CHOICES if code and code != document.language
    )
    return form


@bp.route("/documents/<int:document_id>/translations/import", methods=["GET", "POST"])
@login_required
def import_translation(document_id):
    document = drafts.get_document(document_id)
    authorize(current_user, "section.translate", document)
    form = _translation_form(document)
    preview, confirm, status = None, None, 200
    if form.validate_on_submit():
        try:
            preview = previews.preview_translation(
                current_user, document, language=form.language.data, data=form.file.data.read()
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            confirm = ConfirmTranslationForm(
                formdata=None, token=previews.hold_translation(current_user, document, preview)
            )
            db.session.commit()
    elif form.is_submitted():
        status = 422
    return (
        render_template(
            "drafts/import_translation.html", document=document, form=form, preview=preview, confirm=confirm
        ),
        status,
    )


@bp.route("/documents/<int:document_id>/translations/import/confirm", methods=["POST"])
@login_required
def confirm_translation(document_id):
    document = drafts.get_document(document_id)
    authorize(current_user, "section.translate", document)
    form = ConfirmTranslationForm()
    if not form.validate_on_submit():
        return redirect(url_for("drafts.import_translation", document_id=document.id))
    try:
        language, count = previews.confirm_translation(current_user, document, form.token.data or "")
    except DomainError as error:
        db.session.rollback()
        upload = _translation_form(document)
        upload.form_errors.append(str(error.message))
        page = render_template(
            "drafts/import_translation.html", document=document, form=upload, preview=None, confirm=None
        )
        return page, error.status
    db.session.commit()
    flash(
        ngettext(
            "%(num)d paragraph stored as its translation (%(language)s).",
            "%(num)d paragraphs stored as their translation (%(language)s).",
            count,
            language=language,
        ),
        "success",
    )
    return redirect(url_for("drafts.document", document_id=document.id, view="working"))
