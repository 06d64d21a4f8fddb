from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.admin import bp
from consult.auth.forms import DelegateForm, UserForm
from consult.auth.services import create_user, organization_by_code
from consult.errors import DomainError, NotFound
from consult.extensions import db
from consult.forms import apply_errors, choices, organization_pairs
from consult.models import User
from consult.permissions import authorize


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():
    authorize(current_user, "users.manage")
    form = UserForm()
    form.organization.choices = choices([("", _("— none —")), *organization_pairs()])
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
                organization=organization_by_code(form.organization.data),
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Account created for %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    accounts = db.session.scalars(
        select(User).options(selectinload(User.organization)).order_by(User.role, User.email)
    ).all()
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("admin/users.html", form=form, accounts=accounts), status


@bp.route("/delegation", methods=["GET", "POST"])
@login_required
def delegation():
    organization = current_user.organization
    if organization is None:
        raise NotFound(_("You do not belong to a delegation."))
    authorize(current_user, "delegates.manage", organization.id)
    form = DelegateForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user,
                email=form.email.data,
                name=form.name.data,
                role="delegate",
                password=form.password.data,
                organization=organization,
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s can now sign in as a delegate.", name=user.name), "success")
            return redirect(url_for("admin.delegation"))
    members = db.session.scalars(
        select(User).where(User.organization_id == organization.id).order_by(User.role, User.name)
    ).all()
    status = 422 if form.is_submitted() and form.errors else 200
    return (
        render_template("admin/delegation.html", form=form, members=members, organization=organization),
        status,
    )
