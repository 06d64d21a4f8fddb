import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from consult.auth import bp
from consult.auth.forms import ForgotPasswordForm, LoginForm, NewPasswordForm, TwoFactorForm
from consult.auth.ratelimits import RateLimited
from consult.auth.recovery import account_for_link, request_password_reset, set_password_from_link
from consult.auth.services import adopt_guessed_timezone, sign_in, sign_out
from consult.auth.two_factor import WRONG_CODE, complete_sign_in, required_for
from consult.errors import DomainError, Expired
from consult.extensions import db
from consult.models import User
from consult.web.arguments import safe_next
from consult.web.forms import ConfirmForm, apply_errors

# What an account whose password someone else chose may still open before replacing it.
OPEN_BEFORE_PASSWORD_CHANGE = {"account.password", "auth.logout", "main.set_language", "static"}
# What an account that must sign in in two steps may open before it has turned that on.
OPEN_BEFORE_TWO_FACTOR = {"account.two_factor", "auth.logout", "main.set_language", "static"}
# The password was right: the second step must follow within this time, else sign in again.
SECOND_STEP_SECONDS = 300


@bp.before_app_request
def require_password_change():
    """Send an account whose password was set by someone else to choose its own, first; then one
    that must sign in in two steps to turn that on.

    Loading the signed-in user here, before the view, also means that its session's
    last use is written before the request writes anything else.
    """
    if request.endpoint == "static" or request.blueprint == "api" or "_user_id" not in session:
        return None
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return None
    if user.must_change_password and request.endpoint not in OPEN_BEFORE_PASSWORD_CHANGE:
        return redirect(url_for("account.password"))
    if required_for(user) and not user.two_factor_on and request.endpoint not in OPEN_BEFORE_TWO_FACTOR:
        return redirect(url_for("account.two_factor"))
    return None


def _fresh_session() -> None:
    """A new session cookie at each step of sign-in (no fixation); only the chosen language survives."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def _signed_in(user: User, target: str | None):
    login_user(user)
    if user.must_change_password:
        flash(_("Someone else chose your password. Choose your own before you go on."), "info")
        return redirect(url_for("account.password"))
    return redirect(safe_next(target))


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
        if user is not None and not user.two_factor_on:
            adopt_guessed_timezone(user, form.timezone.data)
        db.session.commit()
        if user is None:
            form.form_errors.append(_("The e-mail address or password is not correct."))
        elif user.two_factor_on:
            _fresh_session()
            session["two_factor"] = {
                "user": user.id,
                "since": int(time.time()),
                "next": request.args.get("next"),
                "timezone": form.timezone.data,
            }
            return redirect(url_for("auth.two_factor"))
        else:
            _fresh_session()
            return _signed_in(user, request.args.get("next"))
    return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200


def _waiting_for_second_step() -> User | None:
    """The account whose password was right in this browser moments ago, still waiting for its second step."""
    pending = session.get("two_factor")
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > SECOND_STEP_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    return user if user is not None and user.active and user.two_factor_on else None


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor():
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = _waiting_for_second_step()
    if user is None:
        session.pop("two_factor", None)
        flash(_("Sign in again: the second step must follow the password within five minutes."), "info")
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        try:
            accepted = complete_sign_in(
                user, form.code.data, address=request.remote_addr or "", user_agent=request.user_agent.string
            )
        except RateLimited as error:
            form.form_errors.append(error.message)
            return render_template("auth/two_factor.html", form=form), 429, {"Retry-After": str(error.retry_after)}
        if accepted:
            adopt_guessed_timezone(user, session["two_factor"].get("timezone"))
        db.session.commit()
        if accepted:
            target = session["two_factor"].get("next")
            _fresh_session()
            return _signed_in(user, target)
        form.code.errors = [str(WRONG_CODE)]
    return render_template("auth/two_factor.html", form=form), 422 if form.is_submitted() else 200


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


@bp.route("/reset", methods=["GET", "POST"])
def reset():
    """Forgot your password: a link to choose a new one is mailed to the address, if it has an account.

    The answer is the same whether or not it has one."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            request_password_reset(form.email.data, address=request.remote_addr or "")
        except RateLimited as error:
            form.form_errors.append(error.message)
            return render_template("auth/reset.html", form=form), 429, {"Retry-After": str(error.retry_after)}
        db.session.commit()
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/reset.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_with_token(token):
    """Choose a password from a mailed link (a new account's first, or a forgotten one's replacement)."""
    try:
        user = account_for_link(token)
    except Expired as error:
        return render_template("auth/reset.html", form=ForgotPasswordForm(), unusable=error.message), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            set_password_from_link(token, form.password.data)
        except Expired as error:
            return render_template("auth/reset.html", form=ForgotPasswordForm(), unusable=error.message), 410
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            _fresh_session()
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    page = render_template("auth/new_password.html", form=form, account=user)
    # The link's token is in the address: no browser or proxy keeps the page, and no other site sees it.
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return page, 422 if form.is_submitted() else 200, headers
