from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.errors import DomainError
from consult.extensions import db
from consult.models.accounts import organization_name
from consult.permissions import authorize
from consult.positions import bp
from consult.positions import services as positions
from consult.positions.forms import EndMembershipForm, MemberForm
from consult.web.forms import apply_errors, choices, organization_pairs


@bp.route("/groups")
@login_required
def index():
    authorize(current_user, "groups.view")
    return render_template("positions/groups.html", groups=positions.groups(), counts=positions.member_counts())


def _member_form() -> MemberForm:
    form = MemberForm()
    states = [pair for pair in organization_pairs() if len(pair[0]) == 3 and pair[0].isalpha()]
    form.member.choices = choices([("", _("— choose a State —")), *states])
    return form


def _group_page(group, form, status=200):
    return (
        render_template(
            "positions/group.html",
            group=group,
            memberships=positions.memberships(group),
            today=positions.today(),
            form=form,
        ),
        status,
    )


@bp.route("/groups/<code>")
@login_required
def group(code):
    found = positions.get_group(code)
    authorize(current_user, "groups.view", found)
    return _group_page(found, _member_form())


@bp.route("/groups/<code>/members", methods=["POST"])
@login_required
def add_member(code):
    found = positions.get_group(code)
    authorize(current_user, "groups.manage", found)
    form = _member_form()
    status = 422
    if form.validate_on_submit():
        try:
            membership = positions.add_member(
                current_user,
                found,
                member_code=form.member.data,
                valid_from=form.valid_from.data,
                source=form.source.data,
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(
                _(
                    "%(member)s is recorded as a member of %(group)s.",
                    member=organization_name(membership.member),
                    group=organization_name(found),
                ),
                "success",
            )
            return redirect(url_for("positions.group", code=found.code))
    return _group_page(found, form, status)


@bp.route("/groups/<code>/members/<int:membership_id>/end", methods=["POST"])
@login_required
def end_membership(code, membership_id):
    found = positions.get_group(code)
    authorize(current_user, "groups.manage", found)
    membership = positions.get_membership(found, membership_id)
    form = EndMembershipForm()
    if form.validate_on_submit():
        try:
            positions.end_membership(current_user, membership, valid_to=form.valid_to.data)
        except DomainError as error:
            flash(" ".join(m for ms in error.field_errors.values() for m in ms) or str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The membership has ended; it stays on record."), "success")
    else:
        flash(_("Give the last day as a date."), "error")
    return redirect(url_for("positions.group", code=found.code))
