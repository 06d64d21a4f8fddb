from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from consult.account import bp
from consult.account.forms import TokenForm
from consult.auth.services import active_token, issue_token, revoke_token
from consult.extensions import db
from consult.forms import ConfirmForm
from consult.models import ApiToken
from consult.permissions import authorize


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
