from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.comments import bp
from consult.comments import services as comments
from consult.comments.forms import CommentForm, WithdrawForm
from consult.drafts import services as drafts
from consult.drafts.routes import section_page_context
from consult.errors import DomainError
from consult.extensions import db
from consult.forms import ConfirmForm, apply_errors
from consult.permissions import authorize, can


def _back_to(comment):
    return redirect(url_for("drafts.section", section_id=comment.section_id, _anchor=f"comment-{comment.id}"))


@bp.route("/sections/<int:section_id>/comments", methods=["POST"])
@login_required
def create(section_id):
    section = drafts.get_section(section_id)
    authorize(current_user, "comment.create", section)
    form = CommentForm()
    status = 422
    if form.validate_on_submit():
        try:
            comment = comments.create_comment(
                current_user,
                section,
                kind=form.kind.data,
                body=form.body.data,
                proposed_text=form.proposed_text.data,
                quote=form.quote.data,
                language=get_locale().language,
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            if can(current_user, "comment.submit", comment):
                flash(_("Your comment is saved as a draft. Submit it when it is ready."), "success")
            else:
                flash(
                    _("Your comment is saved as a draft. Your focal point can now submit it."),
                    "success",
                )
            return _back_to(comment)
    context = section_page_context(section)
    context["comment_form"] = form  # what was typed stays, even if the window has just closed
    return render_template("drafts/section.html", **context), status


@bp.route("/comments/<int:comment_id>")
@login_required
def show(comment_id):
    comment = comments.get_comment(current_user, comment_id)
    versions = drafts.visible_versions(current_user, comment.section)
    return render_template(
        "comments/show.html",
        comment=comment,
        section_versions=[version.number for version in versions],
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id):
    comment = comments.get_comment(current_user, comment_id)
    authorize(current_user, "comment.edit", comment)
    form = CommentForm(obj=comment)
    if form.validate_on_submit():
        try:
            comments.update_comment(
                current_user,
                comment,
                kind=form.kind.data,
                body=form.body.data,
                proposed_text=form.proposed_text.data,
                quote=form.quote.data,
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return _back_to(comment)
    status = 422 if form.is_submitted() else 200
    return render_template("comments/edit.html", form=form, comment=comment), status


@bp.route("/comments/<int:comment_id>/submit", methods=["GET", "POST"])
@login_required
def submit(comment_id):
    comment = comments.get_comment(current_user, comment_id)
    authorize(current_user, "comment.submit", comment)
    form = ConfirmForm()
    if form.validate_on_submit():
        comments.submit_comment(current_user, comment)
        db.session.commit()
        flash(_("The comment is submitted on behalf of your delegation."), "success")
        return _back_to(comment)
    return render_template("comments/submit.html", form=form, comment=comment)


@bp.route("/comments/<int:comment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(comment_id):
    comment = comments.get_comment(current_user, comment_id)
    authorize(current_user, "comment.withdraw", comment)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            comments.withdraw_comment(current_user, comment, reason=form.reason.data)
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("The comment is withdrawn. It stays on record with your reason."), "success")
            return _back_to(comment)
    status = 422 if form.is_submitted() else 200
    return render_template("comments/withdraw.html", form=form, comment=comment), status


@bp.route("/delegation/comments")
@login_required
def delegation():
    grouped = comments.delegation_comments(current_user)
    return render_template("comments/delegation.html", grouped=grouped)
