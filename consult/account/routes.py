from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from consult.account import bp
from consult.account.forms import PasswordForm, TokenForm
from consult.auth.services import (
    active_token,
    change_password,
    end_session,
    issue_token,
    open_session,
    open_sessions,
    revoke_token,
    sign_out_everywhere,
)
from consult.errors import DomainError
from consult.extensions import db
from consult.models import ApiToken
from consult.permissions import authorize
from consult.web.forms import ConfirmForm, apply_errors


def _signed_out_here():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("")
@login_required
def index():
    """Your account: the devices signed in to it, and where to change the password."""
    return render_template(
        "account/index.html",
        sessions=open_sessions(current_user),
        current_session_id=current_user.current_session_id,
        form=ConfirmForm(),
    )


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_device_session(session_id: int):
    user_session = open_session(session_id)
    authorize(current_user, "session.end", user_session)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("account.index"))
    end_session(current_user, user_session)
    db.session.commit()
    response = _signed_out_here() if user_session.id == current_user.current_session_id else None
    flash(_("That device is signed out."), "success")
    return response or redirect(url_for("account.index"))


@bp.route("/sessions/end", methods=["POST"])
@login_required
def sign_out_everywhere_view():
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("account.index"))
    sign_out_everywhere(current_user)
    db.session.commit()
    response = _signed_out_here()
    flash(_("You are signed out on every device, this one included."), "info")
    return response


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, current=form.current_password.data, new=form.new_password.data)
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Your password is changed. Your other devices are signed out."), "success")
            return redirect(url_for("account.index"))
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("account/password.html", form=form, required=current_user.must_change_password), status


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    if form.validate_on_submit():
        token = issue_token(current_user, form.name.data)
        db.session.commit()
        # The token itself is in this one answer only: no browser or proxy may keep it.
        page = render_template("account/token_created.html", token=token, name=form.name.data)
        return page, 200, {"Cache-Control": "no-store"}
    own = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("account/tokens.html", form=form, tokens=own), status


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(token_id: int):
    api_token = active_token(token_id)
    authorize(current_user, "token.revoke", api_token)
    form = ConfirmForm()
    if form.validate_on_submit():
        revoke_token(current_user, api_token)
        db.session.commit()
        flash(_("The token is revoked: it no longer opens the API."), "success")
        own = api_token.user_id == current_user.id
        return redirect(url_for("account.tokens") if own else url_for("admin.users"))
    return render_template("account/revoke.html", form=form, api_token=api_token)
