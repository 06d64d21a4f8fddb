from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.comments import bp, proposed_answers
from consult.comments import services as comments
from consult.comments.forms import CommentForm, DispositionForm, GroupForm, ObjectionForm, WithdrawForm
from consult.drafts import services as drafts
from consult.drafts.pages import comment_form, section_page_context
from consult.errors import DomainError
from consult.extensions import db
from consult.main import services as front_door
from consult.models.base import utcnow
from consult.permissions import authorize, can
from consult.positions import services as positions
from consult.validation import positive_integer
from consult.web.forms import ConfirmForm, apply_errors, choices


def _side_by_side() -> bool:
    """The reader previews with the changes side by side (the second Preview button)."""
    return request.form.get("preview") == "side"


def _back_to(comment):
    return redirect(url_for("drafts.section", section_id=comment.section_id, _anchor=f"comment-{comment.id}"))


@bp.route("/sections/<int:section_id>/comments", methods=["POST"])
@login_required
def create(section_id):
    section = drafts.get_section(current_user, section_id)
    authorize(current_user, "comment.create", section)
    form = comment_form()
    status = 422
    preview = None
    valid = form.validate_on_submit()
    if valid and request.form.get("preview"):
        preview, status = _previewed(form, section, language=form.language.data)
    elif valid:
        try:
            comment = comments.create_comment(
                current_user,
                section,
                kind=form.kind.data,
                body=form.body.data,
                proposed_text=form.proposed_text.data,
                quote=form.quote.data,
                language=form.language.data,
                group=form.on_behalf_of.data or None,
                co_signers=form.co_signers.data or [],
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
    return render_template("drafts/section.html", **context, preview=preview, side=_side_by_side()), status


def _previewed(form, section, *, comment=None, language=None):
    """The comment as the form would save it (new on ``section``, or ``comment`` edited), and the
    status to answer: 200, or the error's with the form showing it."""
    try:
        preview = comments.preview_comment(
            current_user,
            section,
            kind=form.kind.data,
            body=form.body.data,
            proposed_text=form.proposed_text.data,
            quote=form.quote.data,
            language=language,
            comment=comment,
        )
    except DomainError as error:
        apply_errors(form, error)
        return None, error.status
    return preview, 200


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
    preview = None
    valid = form.validate_on_submit()
    if valid and request.form.get("preview"):
        preview = _previewed(form, comment.section, comment=comment)[0]
    elif valid:
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
    if not form.is_submitted() and not comment.proposed_text:
        # Switching to an amendment starts from the paragraph as released, in the comment's language.
        form.proposed_text.data = comments.released_text(comment.section, comment.version, comment.language)
    status = 422 if form.is_submitted() and (form.errors or preview is None) else 200
    return render_template(
        "comments/edit.html", form=form, comment=comment, preview=preview, side=_side_by_side()
    ), status


@bp.route("/comments/<int:comment_id>/submit", methods=["GET", "POST"])
@login_required
def submit(comment_id):
    comment = comments.get_comment(current_user, comment_id)
    authorize(current_user, "comment.submit", comment)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            comments.submit_comment(current_user, comment)
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("The comment is submitted on behalf of your delegation."), "success")
            return _back_to(comment)
    return render_template("comments/submit.html", form=form, comment=comment), status


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


@bp.route("/comments/<int:comment_id>/discard", methods=["GET", "POST"])
@login_required
def discard(comment_id):
    comment = comments.get_comment(current_user, comment_id)
    authorize(current_user, "comment.discard", comment)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        section_id = comment.section_id
        try:
            comments.discard_draft(current_user, comment)
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("The draft is discarded."), "success")
            return redirect(url_for("drafts.section", section_id=section_id))
    return render_template("comments/discard.html", form=form, comment=comment), status


@bp.route("/delegation/comments")
@login_required
def delegation():
    grouped = comments.delegation_comments(current_user)
    invitations = positions.invitations(current_user)
    now = utcnow()
    return render_template(
        "comments/delegation.html",
        grouped=grouped,
        invitations=invitations,
        windows=front_door.open_windows(now),
        now=now,
    )


def _position_step(comment_id, action: str, step, done: str, *, back_to_comment: bool = False):
    """A one-button step on a comment (co-signing, aligning, agreeing to or finalizing an answer),
    then back to where it is asked: the delegation's page for co-signing, else the comment."""
    comment = comments.get_comment(current_user, comment_id)
    authorize(current_user, action, comment)
    if ConfirmForm().validate_on_submit():
        try:
            step(current_user, comment)
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(done, "success")
    if back_to_comment:
        return redirect(url_for("comments.show", comment_id=comment.id))
    return redirect(url_for("comments.delegation", _anchor="co-signing"))


@bp.route("/comments/<int:comment_id>/cosign", methods=["POST"])
@login_required
def cosign(comment_id):
    return _position_step(comment_id, "comment.cosign", positions.cosign, _("Your delegation co-signs the comment."))


@bp.route("/comments/<int:comment_id>/decline", methods=["POST"])
@login_required
def decline(comment_id):
    return _position_step(
        comment_id, "comment.decline", positions.decline, _("Your delegation declined to co-sign the comment.")
    )


@bp.route("/comments/<int:comment_id>/withdraw-signature", methods=["POST"])
@login_required
def withdraw_signature(comment_id):
    return _position_step(
        comment_id,
        "comment.withdraw_signature",
        positions.withdraw_signature,
        _("Your delegation no longer co-signs the comment; its support stays on record as withdrawn."),
    )


@bp.route("/comments/<int:comment_id>/align", methods=["POST"])
@login_required
def align(comment_id):
    return _position_step(
        comment_id,
        "comment.align",
        positions.align,
        _("Your delegation is aligned with the comment."),
        back_to_comment=True,
    )


@bp.route("/comments/<int:comment_id>/unalign", methods=["POST"])
@login_required
def unalign(comment_id):
    return _position_step(
        comment_id,
        "comment.unalign",
        positions.unalign,
        _("Your delegation is no longer aligned with the comment; its alignment stays on record as withdrawn."),
        back_to_comment=True,
    )


@bp.route("/comments/<int:comment_id>/agree", methods=["POST"])
@login_required
def agree(comment_id):
    return _position_step(
        comment_id,
        "comment.react",
        lambda actor, comment: proposed_answers.react(actor, comment, reaction="agreed"),
        _("Your delegation agrees to the proposed answer."),
        back_to_comment=True,
    )


@bp.route("/comments/<int:comment_id>/object", methods=["GET", "POST"])
@login_required
def object_to_answer(comment_id):
    comment = comments.get_comment(current_user, comment_id)
    authorize(current_user, "comment.react", comment)
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            proposed_answers.react(current_user, comment, reaction="objected", reason=form.reason.data)
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Your delegation's objection is recorded and shown to the task force."), "success")
            return redirect(url_for("comments.show", comment_id=comment.id))
    status = 422 if form.is_submitted() else 200
    return render_template("comments/object.html", form=form, comment=comment), status


@bp.route("/comments/<int:comment_id>/finalize", methods=["POST"])
@login_required
def finalize_answer(comment_id):
    return _position_step(
        comment_id,
        "comment.finalize_answer",
        proposed_answers.finalize_answer,
        _("The answer is final: every reader of the comment sees it, and its delegation is told."),
        back_to_comment=True,
    )


def _version_choices(comment):
    versions = drafts.visible_versions(current_user, comment.section)
    return choices([("", _("— not resolved in a new version —"))] + [(str(v.number), str(v.number)) for v in versions])


@bp.route("/comments/<int:comment_id>/disposition", methods=["GET", "POST"])
@login_required
def disposition(comment_id):
    comment = comments.get_comment(current_user, comment_id)
    authorize(current_user, "comment.dispose", comment)
    form = DispositionForm(
        data={
            "disposition": comment.disposition or "accepted",
            "rationale": comment.rationale,
            "resolved_in_version": str(comment.resolved_in.number) if comment.resolved_in else "",
        }
        if request.method == "GET"
        else None
    )
    form.resolved_in_version.choices = _version_choices(comment)
    if form.validate_on_submit():
        version = form.resolved_in_version.data
        number = positive_integer(version)
        try:
            if comment.group is not None and request.form.get("scope") == "group":
                comments.dispose_group(
                    current_user,
                    comment.group,
                    disposition=form.disposition.data,
                    rationale=form.rationale.data,
                    resolved_in_version=number,
                )
            else:
                comments.record_disposition(
                    current_user,
                    comment,
                    disposition=form.disposition.data,
                    rationale=form.rationale.data,
                    resolved_in_version=number,
                    also_answer=form.also_answer.data or None,
                )
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            if form.also_answer.data:
                flash(
                    _(
                        "The answer is recorded for %(count)d comments; their delegations' focal points are notified.",
                        count=len(set(form.also_answer.data) | {comment.id}),
                    ),
                    "success",
                )
            else:
                flash(_("The answer is recorded and the delegation's focal point is notified."), "success")
            return _back_to(comment)
    status = 422 if form.is_submitted() else 200
    similar = comments.similar(current_user, comment)
    return render_template("comments/disposition.html", form=form, comment=comment, similar=similar), status


@bp.route("/sections/<int:section_id>/groups", methods=["POST"])
@login_required
def group(section_id):
    section = drafts.get_section(current_user, section_id)
    authorize(current_user, "comments.group", section)
    form = GroupForm()
    if form.validate_on_submit():
        try:
            created = comments.group_comments(current_user, section, form.comment_ids.data or [], form.label.data)
        except DomainError as error:
            flash(" ".join(m for ms in error.field_errors.values() for m in ms) or str(error.message), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "%(count)d comments are grouped; answer one of them for the whole group.",
                    count=len(created.comments),
                ),
                "success",
            )
    return redirect(url_for("drafts.section", section_id=section.id, _anchor="comments"))


@bp.route("/groups/<int:group_id>/ungroup", methods=["POST"])
@login_required
def ungroup(group_id):
    found = comments.get_group(group_id)
    authorize(current_user, "comments.group", found)
    section_id = found.section_id
    if ConfirmForm().validate_on_submit():
        try:
            comments.ungroup(current_user, found)
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The comments are no longer grouped; their answers stay."), "success")
    return redirect(url_for("drafts.section", section_id=section_id, _anchor="comments"))
