from collections import defaultdict
from datetime import datetime, time, timedelta

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.admin import audit_log, bp
from consult.admin.audit_log import AuditFilters
from consult.admin.forms import AuditFilterForm
from consult.auth.forms import DelegateForm, PasswordResetForm, UserEditForm, UserForm
from consult.auth.services import account, create_user, organization_by_code, reset_password, set_active, update_user
from consult.errors import Conflict, DomainError, NotFound, ValidationFailed
from consult.extensions import db
from consult.matrix.exports import CSV_MIMETYPE
from consult.models import ApiToken, User
from consult.models.accounts import ROLES
from consult.permissions import authorize, can
from consult.timeutil import wall_clock_to_utc
from consult.validation import clean_text
from consult.web.arguments import page_number
from consult.web.forms import ConfirmForm, apply_errors, choices, organization_pairs


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():
    authorize(current_user, "users.manage")
    form = UserForm()
    form.role.choices = _assignable_roles()
    form.organization.choices = choices([("", _("— none —")), *organization_pairs()])
    if not form.is_submitted():
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data or None,
                organization=organization_by_code(form.organization.data),
                locale=form.locale.data or None,
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            if form.password.data:
                flash(_("Account created for %(email)s.", email=user.email), "success")
            else:
                flash(
                    _("Account created for %(email)s, who is mailed a link to choose a password.", email=user.email),
                    "success",
                )
            return redirect(url_for("admin.users"))
    accounts = db.session.scalars(
        select(User).options(selectinload(User.organization)).order_by(User.role, User.email)
    ).all()
    tokens = defaultdict(list)
    for api_token in db.session.scalars(
        select(ApiToken).where(ApiToken.revoked_at.is_(None)).order_by(ApiToken.created_at)
    ):
        tokens[api_token.user_id].append(api_token)
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("admin/users.html", form=form, accounts=accounts, tokens=tokens), status


def _audit_filters(form: AuditFilterForm) -> AuditFilters:
    """The filters as the service takes them: the reader's dates as a UTC range, the last day included."""
    since = form.since.data if not form.since.errors else None
    until = form.until.data if not form.until.errors else None
    return AuditFilters(
        action=clean_text(form.action.data),  # PostgreSQL refuses NUL even in a comparison
        actor=form.user.data or "",
        since=wall_clock_to_utc(datetime.combine(since, time.min)) if since else None,
        until=wall_clock_to_utc(datetime.combine(until + timedelta(days=1), time.min)) if until else None,
    )


@bp.route("/audit")
@login_required
def audit():
    """The audit trail, newest first, filtered by action, by who acted and by date."""
    authorize(current_user, "audit.view")
    form = AuditFilterForm(request.args)
    valid = form.validate()
    filters = _audit_filters(form)
    actions, actors = audit_log.filter_choices(current_user)
    arguments = {name: value for name, value in request.args.items(multi=False) if name != "page" and value}
    return render_template(
        "admin/audit.html",
        form=form,
        page=audit_log.events_page(current_user, filters, page_number()),
        actions=actions,
        actors=actors,
        filters=arguments,
        no_actor=audit_log.NO_ACTOR,
    ), 200 if valid else 422


@bp.route("/audit.csv")
@login_required
def audit_csv():
    """The filtered audit trail as a CSV file (streamed); the export is itself recorded."""
    authorize(current_user, "audit.view")
    form = AuditFilterForm(request.args)
    if not form.validate():
        fields = {form[name].name: [str(error) for error in errors] for name, errors in form.errors.items()}
        message = " ".join(
            f"{form[name].label.text}: {error}" for name, errors in form.errors.items() for error in errors
        )
        raise ValidationFailed(message, field_errors=fields)
    chunks = audit_log.export_csv(current_user, _audit_filters(form))
    db.session.commit()
    return Response(
        stream_with_context(chunks),
        mimetype=CSV_MIMETYPE,
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


@bp.route("/delegation", methods=["GET", "POST"])
@login_required
def delegation():
    organization = current_user.organization
    if organization is None:
        raise NotFound(_("You do not belong to a delegation."))
    authorize(current_user, "delegates.manage", organization.id)
    form = DelegateForm()
    if not form.is_submitted():
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user,
                email=form.email.data,
                name=form.name.data,
                role="delegate",
                password=form.password.data or None,
                organization=organization,
                locale=form.locale.data or None,
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            if form.password.data:
                flash(_("%(name)s can now sign in as a delegate.", name=user.name), "success")
            else:
                flash(
                    _(
                        "%(name)s is mailed a link to choose a password, then can sign in as a delegate.",
                        name=user.name,
                    ),
                    "success",
                )
            return redirect(url_for("admin.delegation"))
    members = db.session.scalars(
        select(User).where(User.organization_id == organization.id).order_by(User.role, User.name)
    ).all()
    status = 422 if form.is_submitted() and form.errors else 200
    return (
        render_template("admin/delegation.html", form=form, members=members, organization=organization),
        status,
    )


def _assignable_roles():
    return choices((code, label) for code, label in ROLES.items() if can(current_user, "role.assign", code))


def _back_to_accounts():
    """The page the manager came from: all users, or a focal point's own delegation."""
    return redirect(url_for("admin.users") if can(current_user, "users.manage") else url_for("admin.delegation"))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    user = account(current_user, user_id)
    authorize(current_user, "user.edit", user)
    form = UserEditForm(obj=user)
    form.role.choices = _assignable_roles()
    form.organization.choices = choices([("", _("— none —")), *organization_pairs()])
    if request.method == "GET":
        form.organization.data = user.organization.code if user.organization else ""
    status = 200
    if form.validate_on_submit():
        try:
            update_user(
                current_user,
                user,
                name=form.name.data,
                role=form.role.data,
                organization=organization_by_code(form.organization.data),
            )
        except (ValidationFailed, Conflict) as error:  # shown on the form; the last administrator: 409
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("The account of %(name)s is saved.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        status = 422
    return render_template("admin/edit_user.html", form=form, account=user), status


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@login_required
def reset_user_password(user_id: int):
    user = account(current_user, user_id)
    authorize(current_user, "user.reset_password", user)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            reset_password(current_user, user, form.password.data)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(
                _("%(name)s signs in with the temporary password and must then choose their own.", name=user.name),
                "success",
            )
            return _back_to_accounts()
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("admin/reset_password.html", form=form, account=user), status


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@login_required
def deactivate_user(user_id: int):
    user = account(current_user, user_id)
    authorize(current_user, "user.deactivate", user)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            set_active(current_user, user, False)
        except Conflict as error:  # the last active administrator
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("%(name)s can no longer sign in.", name=user.name), "success")
            return _back_to_accounts()
    return render_template("admin/deactivate.html", form=form, account=user), status


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@login_required
def reactivate_user(user_id: int):
    user = account(current_user, user_id)
    authorize(current_user, "user.reactivate", user)
    form = ConfirmForm()
    if form.validate_on_submit():
        set_active(current_user, user, True)
        db.session.commit()
        flash(_("%(name)s can sign in again.", name=user.name), "success")
    return _back_to_accounts()
