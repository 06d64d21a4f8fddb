from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from consult.auth import bp
from consult.auth.forms import LoginForm
from consult.auth.ratelimits import RateLimited
from consult.auth.services import sign_in, sign_out
from consult.extensions import db
from consult.web.arguments import safe_next
from consult.web.forms import ConfirmForm

# What an account whose password someone else chose may still open before replacing it.
OPEN_BEFORE_PASSWORD_CHANGE = {"account.password", "auth.logout", "main.set_language", "static"}


@bp.before_app_request
def require_password_change():
    """Send an account whose password was set by someone else to choose its own, first.

    Loading the signed-in user here, before the view, also means that its session's
    last use is written before the request writes anything else.
    """
    if request.endpoint == "static" or request.blueprint == "api" or "_user_id" not in session:
        return None
    user = current_user._get_current_object()
    if user.is_authenticated and user.must_change_password and request.endpoint not in OPEN_BEFORE_PASSWORD_CHANGE:
        return redirect(url_for("account.password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = sign_in(
                form.email.data,
                form.password.data,
                address=request.remote_addr or "",
                user_agent=request.user_agent.string,
            )
        except RateLimited as error:
            form.form_errors.append(error.message)
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(error.retry_after)}
        db.session.commit()
        if user is None:
            form.form_errors.append(_("The e-mail address or password is not correct."))
        else:
            locale = session.get("locale")
            session.clear()  # a fresh session at sign-in: no fixation
            if locale:
                session["locale"] = locale
            login_user(user)
            if user.must_change_password:
                flash(_("Someone else chose your password. Choose your own before you go on."), "info")
                return redirect(url_for("account.password"))
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        sign_out(current_user._get_current_object())
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
