from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from consult.account import bp
from consult.account.forms import PasswordCheckForm, PasswordForm, TokenForm, TwoFactorSetupForm, preferences_form
from consult.auth import two_factor as two_step
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
from consult.notifications import services as notifications
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


# -- two-step sign-in ---------------------------------------------------------------------

# While it is being turned on, the new secret waits in the signed session cookie of this browser
# (its owner sees it on the page anyway); the account keeps it once a code from it was right.
SETUP_SECRET = "two_factor_setup"  # noqa: S105  (the session key, not a secret)


def _recovery_codes_page(codes: list[str]):
    page = render_template("account/recovery_codes.html", codes=codes)
    return page, 200, {"Cache-Control": "no-store"}


def _two_factor_page(*, setup: TwoFactorSetupForm | None = None, off=None, replace=None, status: int = 200):
    user = current_user._get_current_object()
    if user.two_factor_on:
        page = render_template(
            "account/two_factor.html",
            unused=two_step.unused_recovery_codes(user),
            required=two_step.required_for(user),
            off=off or PasswordCheckForm(prefix="off"),
            replace=replace or PasswordCheckForm(prefix="replace"),
        )
        return page, status
    secret = session.get(SETUP_SECRET) or two_step.new_secret()
    session[SETUP_SECRET] = secret
    page = render_template(
        "account/two_factor_setup.html",
        secret=secret,
        qr_code=two_step.qr_code(two_step.provisioning_uri(user, secret)),
        required=two_step.required_for(user),
        form=setup or TwoFactorSetupForm(),
    )
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Turn on two-step sign-in: scan the QR code (or type the secret), confirm a code, keep the recovery codes."""
    form = TwoFactorSetupForm()
    if form.validate_on_submit() and session.get(SETUP_SECRET):
        try:
            codes = two_step.turn_on(current_user, session[SETUP_SECRET], form.code.data)
        except DomainError as error:
            apply_errors(form, error)
            return _two_factor_page(setup=form, status=error.status)
        db.session.commit()
        session.pop(SETUP_SECRET, None)
        flash(
            _("Two-step sign-in is on. From now on you sign in with your password and a code from the app."), "success"
        )
        return _recovery_codes_page(codes)
    return _two_factor_page(setup=form, status=422 if form.is_submitted() else 200)


@bp.route("/two-factor/off", methods=["POST"])
@login_required
def two_factor_off():
    if not current_user.two_factor_on:
        return redirect(url_for("account.two_factor"))
    form = PasswordCheckForm(prefix="off")
    if form.validate_on_submit():
        try:
            two_step.turn_off(current_user, form.password.data)
        except DomainError as error:
            apply_errors(form, error)
            return _two_factor_page(off=form, status=error.status)
        db.session.commit()
        flash(_("Two-step sign-in is off: your password alone signs you in."), "info")
        return redirect(url_for("account.two_factor"))
    return _two_factor_page(off=form, status=422)


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@login_required
def recovery_codes():
    """New recovery codes, replacing the old ones (used or not)."""
    if not current_user.two_factor_on:
        return redirect(url_for("account.two_factor"))
    form = PasswordCheckForm(prefix="replace")
    if form.validate_on_submit():
        try:
            codes = two_step.replace_recovery_codes(current_user, form.password.data)
        except DomainError as error:
            apply_errors(form, error)
            return _two_factor_page(replace=form, status=error.status)
        db.session.commit()
        return _recovery_codes_page(codes)
    return _two_factor_page(replace=form, status=422)


# -- what one hears about -------------------------------------------------------------------


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notification_preferences():
    """For each kind of news: at once, in a daily digest, or never."""
    chosen = notifications.preferences(current_user)
    form = preferences_form(chosen.keys(), data=chosen)
    if form.validate_on_submit():
        try:
            notifications.set_preferences(current_user, {kind: form[kind].data for kind in chosen})
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Your choices are saved."), "success")
            return redirect(url_for("account.notification_preferences"))
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("account/notifications.html", form=form, kinds=list(chosen)), status
