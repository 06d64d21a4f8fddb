import zoneinfo

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from consult.auth.services import set_preferences
from consult.extensions import db
from consult.main import bp
from consult.main import services as front_door
from consult.main.forms import LanguageForm, SettingsForm
from consult.maintenance import database_writable, schema_revisions
from consult.models.base import utcnow
from consult.notifications import services as notifications
from consult.permissions import authorize
from consult.web.arguments import page_number, safe_next
from consult.web.forms import choices


@bp.route("/")
def index():
    """The front door, open to everyone: each consultation, where it stands and until when."""
    authorize(current_user, "consultation.view")
    now = utcnow()
    return render_template("main/index.html", overviews=front_door.overviews(now), now=now)


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            set_preferences(current_user, locale=form.locale.data)
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm()
    form.timezone.choices = choices((zone, zone) for zone in sorted(zoneinfo.available_timezones()))
    if request.method == "GET":
        form.locale.data = current_user.locale
        form.timezone.data = current_user.timezone or str(get_timezone())
    if form.validate_on_submit():
        set_preferences(current_user, locale=form.locale.data, timezone=form.timezone.data)
        session["locale"] = form.locale.data
        db.session.commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("main.settings"))
    return render_template("main/settings.html", form=form), 422 if form.errors else 200


@bp.route("/healthz")
def healthz():
    """Liveness: the process answers and the database answers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/readyz")
def readyz():
    """Readiness: the database answers, its schema is at the newest migration, and it takes writes."""
    try:
        current, head = schema_revisions()
    except SQLAlchemyError:
        return {"status": "database unavailable", "writable": False}, 503
    writable = database_writable(current_app.config["READINESS_WRITE_TIMEOUT"])
    if current != head:
        status = "migrations pending"
    elif not writable:
        status = "database not writable"
    else:
        status = "ready"
    body = {"status": status, "schema": current, "expected": head, "writable": writable}
    return body, 200 if status == "ready" else 503


@bp.route("/outbox")
@login_required
def outbox():
    """Notifications waiting for the mail sender: everyone's for the Secretariat, one's own otherwise."""
    return render_template("main/outbox.html", page=notifications.outbox(current_user, page_number()))
