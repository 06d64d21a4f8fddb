from datetime import timedelta

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from icalendar import Calendar, Event

from consult.drafts.services import get_consultation
from consult.errors import DomainError
from consult.extensions import db
from consult.models.base import utcnow
from consult.permissions import authorize
from consult.roadmap import bp
from consult.roadmap import services as roadmap
from consult.roadmap.forms import MilestoneForm
from consult.web.forms import ConfirmForm, apply_errors

FIELDS = ("title", "kind", "starts_on", "ends_on", "place", "description", "postponed")


def _today():
    return utcnow().date()


@bp.route("/consultations/<slug>/roadmap")
def timeline(slug):
    consultation = get_consultation(slug)
    authorize(current_user, "roadmap.view", consultation)
    entries = roadmap.timeline(consultation, _today())
    next_index = next((i for i, e in enumerate(entries) if e.status in ("current", "upcoming")), len(entries))
    return render_template(
        "roadmap/timeline.html",
        consultation=consultation,
        entries=entries,
        next_index=next_index,
        today=_today(),
        confirm=ConfirmForm(),
    )


def _form_data(form: MilestoneForm) -> dict:
    return {name: getattr(form, name).data for name in FIELDS}


@bp.route("/consultations/<slug>/roadmap/new", methods=["GET", "POST"])
@login_required
def create(slug):
    consultation = get_consultation(slug)
    authorize(current_user, "roadmap.edit", consultation)
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            roadmap.create_milestone(current_user, consultation, _form_data(form))
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("The milestone is on the roadmap."), "success")
            return redirect(url_for("roadmap.timeline", slug=slug))
    status = 422 if form.is_submitted() else 200
    return render_template("roadmap/form.html", form=form, consultation=consultation, milestone=None), status


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@login_required
def edit(milestone_id):
    milestone = roadmap.get_milestone(milestone_id)
    authorize(current_user, "roadmap.edit", milestone.consultation)
    form = MilestoneForm(obj=milestone)
    if form.validate_on_submit():
        try:
            roadmap.update_milestone(current_user, milestone, _form_data(form))
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("The milestone is updated."), "success")
            return redirect(url_for("roadmap.timeline", slug=milestone.consultation.slug))
    status = 422 if form.is_submitted() else 200
    return (
        render_template("roadmap/form.html", form=form, consultation=milestone.consultation, milestone=milestone),
        status,
    )


@bp.route("/milestones/<int:milestone_id>/delete", methods=["POST"])
@login_required
def delete(milestone_id):
    milestone = roadmap.get_milestone(milestone_id)
    slug = milestone.consultation.slug
    authorize(current_user, "roadmap.edit", milestone.consultation)
    if ConfirmForm().validate_on_submit():
        roadmap.delete_milestone(current_user, milestone)
        db.session.commit()
        flash(_("The milestone is removed from the roadmap."), "success")
    return redirect(url_for("roadmap.timeline", slug=slug))


@bp.route("/consultations/<slug>/roadmap.ics")
def calendar(slug):
    """The roadmap as an iCalendar feed; public like the roadmap page, and calendar programs cannot sign in."""
    consultation = get_consultation(slug)
    authorize(current_user, "roadmap.view", consultation)
    feed = Calendar()
    feed.add("prodid", "-//UN-Habitat//Consult//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", consultation.title)
    host = request.host.split(":")[0] or "consult"
    stamp = utcnow()
    for entry in roadmap.timeline(consultation, _today()):
        event = Event()
        event.add("uid", f"{entry.key}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", entry.title)
        if entry.starts_at is not None:
            event.add("dtstart", entry.starts_at)
            event.add("dtend", entry.ends_at or entry.starts_at + timedelta(hours=3))
        else:
            event.add("dtstart", entry.starts_on)
            # All-day events end on the day after the last one.
            event.add("dtend", entry.last_day + timedelta(days=1))
        if entry.place:
            event.add("location", entry.place)
        if entry.description:
            event.add("description", entry.description)
        event.add("status", {"postponed": "TENTATIVE", "cancelled": "CANCELLED"}.get(entry.status, "CONFIRMED"))
        event.add("url", url_for("roadmap.timeline", slug=slug, _external=True, _anchor=entry.key))
        feed.add_component(event)
    return Response(
        feed.to_ical(),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'inline; filename="{slug}-roadmap.ics"'},
    )
