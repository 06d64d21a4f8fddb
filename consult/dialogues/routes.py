import zoneinfo

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.dialogues import bp
from consult.dialogues import services as dialogues
from consult.dialogues.forms import BLANK_ROWS, MAX_CONCLUSIONS, DialogueForm, OutcomeForm
from consult.drafts import services as drafts
from consult.drafts.reading import paragraph_label
from consult.errors import Conflict, DomainError
from consult.extensions import db
from consult.models import Document, Section
from consult.models.accounts import organization_sort_key
from consult.models.base import utcnow
from consult.permissions import authorize
from consult.timeutil import utc_to_wall_clock, wall_clock_to_utc
from consult.validation import positive_integer
from consult.web.forms import ConfirmForm, apply_errors, choices, organization_pairs


def _taggable_sections(consultation) -> list[Section]:
    return db.session.scalars(
        select(Section)
        .join(Document)
        .where(Document.consultation_id == consultation.id)
        .options(selectinload(Section.retired_in))
        .order_by(Document.id, Section.position)
    ).all()


def section_choices(consultation):
    """Every paragraph, principle and priority of the consultation, once each, for tagging."""
    sections = _taggable_sections(consultation)
    return choices(
        (
            s.id,
            paragraph_label(s)
            if s.document.kind in ("guiding_principles", "priority_statements")
            else f"{paragraph_label(s)} — {s.document.title[:50]}",
        )
        for s in sections
    )


def section_groups(consultation) -> list[tuple[Document, list[tuple[str, list[tuple[int, str]]]]]]:
    """The same sections for the checkbox picker: per document, per chapter, (id, label) in order."""
    groups: list = []
    for section in _taggable_sections(consultation):
        if not groups or groups[-1][0] is not section.document:
            groups.append((section.document, []))
        chapters = groups[-1][1]
        if not chapters or chapters[-1][0] != section.chapter:
            chapters.append((section.chapter, []))
        chapters[-1][1].append((section.id, paragraph_label(section)))
    return groups


def _prepare(form: DialogueForm, consultation) -> None:
    form.timezone.choices = choices((zone, zone) for zone in sorted(zoneinfo.available_timezones()))
    form.participants.choices = choices(organization_pairs())
    sections = section_choices(consultation)
    for entry in form.agenda:
        entry.section_ids.choices = sections


def _dialogue_data(form: DialogueForm) -> dict:
    zone = form.timezone.data if form.timezone.data in zoneinfo.available_timezones() else "UTC"
    return {
        "title": form.title.data,
        "constituency": form.constituency.data,
        "format": form.format.data,
        "timezone": form.timezone.data,
        "starts_at": wall_clock_to_utc(form.starts_at.data, zone),
        "ends_at": wall_clock_to_utc(form.ends_at.data, zone),
        "place": form.place.data,
        "description": form.description.data,
        "participants": form.participants.data or [],
        "agenda": [
            {"title": entry.title.data, "section_ids": entry.section_ids.data or []}
            for entry in form.agenda
            if (entry.title.data or "").strip()
        ],
    }


@bp.route("/consultations/<slug>/dialogues")
def index(slug):
    """Open to everyone, like the roadmap: the dialogues and their published outcomes."""
    consultation = drafts.get_consultation(slug)
    authorize(current_user, "consultation.view", consultation)
    now = utcnow()
    items = dialogues.dialogues_of(consultation)
    upcoming = [d for d in items if dialogues.dialogue_status(d, now) == "upcoming"]
    past = [d for d in reversed(items) if dialogues.dialogue_status(d, now) == "past"]
    return render_template("dialogues/index.html", consultation=consultation, upcoming=upcoming, past=past)


def _version(value) -> int | None:
    """The row version a form was filled from (a hidden field); None if it sent none."""
    return positive_integer(value, allow_zero=True) if isinstance(value, str) else None


def _show(dialogue, *, attendance: ConfirmForm | None = None, attended=None, publishing=None, status: int = 200):
    """The dialogue's page; after a refused change, with its message where the change was asked for."""
    participants = sorted(dialogue.participants, key=lambda p: organization_sort_key(p.organization))
    page = render_template(
        "dialogues/show.html",
        dialogue=dialogue,
        outcome=dialogues.visible_outcome(current_user, dialogue),
        now=utcnow(),
        participants=participants,
        attendance=attendance or ConfirmForm(),
        attended=set(attended) if attended is not None else {p.organization.code for p in participants if p.attended},
        publishing=publishing or ConfirmForm(),
    )
    return page, status


@bp.route("/dialogues/<int:dialogue_id>")
def show(dialogue_id):
    """Open to everyone; its outcome once published (a draft outcome stays with the staff)."""
    dialogue = dialogues.get_dialogue(dialogue_id)
    authorize(current_user, "dialogue.view", dialogue)
    return _show(dialogue)


@bp.route("/consultations/<slug>/dialogues/new", methods=["GET", "POST"])
@login_required
def create(slug):
    consultation = drafts.get_consultation(slug)
    authorize(current_user, "dialogue.manage", consultation)
    form = DialogueForm()
    _prepare(form, consultation)
    if request.method == "GET":
        form.timezone.data = "Africa/Nairobi"
    if form.validate_on_submit():
        try:
            dialogue = dialogues.create_dialogue(current_user, consultation, _dialogue_data(form))
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("The dialogue is scheduled and appears on the roadmap."), "success")
            return redirect(url_for("dialogues.show", dialogue_id=dialogue.id))
    status = 422 if form.is_submitted() else 200
    return render_template("dialogues/form.html", form=form, consultation=consultation, dialogue=None), status


@bp.route("/dialogues/<int:dialogue_id>/edit", methods=["GET", "POST"])
@login_required
def edit(dialogue_id):
    dialogue = dialogues.get_dialogue(dialogue_id)
    authorize(current_user, "dialogue.manage", dialogue.consultation)
    form = DialogueForm()
    if request.method == "GET":
        form = DialogueForm(
            data={
                "version": str(dialogue.row_version),
                "title": dialogue.title,
                "constituency": dialogue.constituency,
                "format": dialogue.format,
                "timezone": dialogue.timezone,
                "starts_at": utc_to_wall_clock(dialogue.starts_at, dialogue.timezone),
                "ends_at": utc_to_wall_clock(dialogue.ends_at, dialogue.timezone),
                "place": dialogue.place,
                "description": dialogue.description,
                "participants": [p.organization.code for p in dialogue.participants],
                "agenda": [
                    {"title": item.title, "section_ids": [s.id for s in item.sections]} for item in dialogue.agenda
                ]
                + [{}] * BLANK_ROWS,
            }
        )
    _prepare(form, dialogue.consultation)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            dialogues.update_dialogue(
                current_user, dialogue, _dialogue_data(form), expected_version=_version(form.version.data)
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
            if isinstance(error, Conflict):
                # What was typed stays in the form; saving it again replaces the dialogue as it now stands.
                form.version.data = str(dialogue.row_version)
        else:
            db.session.commit()
            flash(_("The dialogue is updated."), "success")
            return redirect(url_for("dialogues.show", dialogue_id=dialogue.id))
    return (
        render_template("dialogues/form.html", form=form, consultation=dialogue.consultation, dialogue=dialogue),
        status,
    )


@bp.route("/dialogues/<int:dialogue_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(dialogue_id):
    """Cancel an upcoming dialogue, after confirming; its invitees are told (and their calendars)."""
    dialogue = dialogues.get_dialogue(dialogue_id)
    authorize(current_user, "dialogue.manage", dialogue.consultation)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            dialogues.cancel_dialogue(current_user, dialogue, expected_version=_version(request.form.get("version")))
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("The dialogue is cancelled. The focal points of the organizations invited are told."), "success")
            return redirect(url_for("dialogues.show", dialogue_id=dialogue.id))
    return render_template("dialogues/cancel.html", form=form, dialogue=dialogue), status


@bp.route("/dialogues/<int:dialogue_id>/attendance", methods=["POST"])
@login_required
def attendance(dialogue_id):
    dialogue = dialogues.get_dialogue(dialogue_id)
    authorize(current_user, "dialogue.manage", dialogue.consultation)
    form = ConfirmForm()
    attended = request.form.getlist("attended")
    if form.validate_on_submit():
        try:
            dialogues.record_attendance(current_user, dialogue, attended)
        except DomainError as error:
            apply_errors(form, error)
            return _show(dialogue, attendance=form, attended=attended, status=error.status)
        db.session.commit()
        flash(_("Attendance is recorded."), "success")
    return redirect(url_for("dialogues.show", dialogue_id=dialogue.id, _anchor="participants"))


@bp.route("/dialogues/<int:dialogue_id>/outcome", methods=["GET", "POST"])
@login_required
def outcome(dialogue_id):
    dialogue = dialogues.get_dialogue(dialogue_id)
    authorize(current_user, "outcome.edit", dialogue)
    existing = dialogue.outcome
    if request.method == "GET":
        form = OutcomeForm(
            data={
                "version": str(existing.row_version if existing else 0),
                "summary": existing.summary if existing else "",
                "conclusions": (
                    [{"text": c.text, "section_ids": [s.id for s in c.sections]} for c in existing.conclusions]
                    if existing
                    else []
                )
                + [{}],
            }
        )
    else:
        form = OutcomeForm()
    added = request.method == "POST" and bool(request.form.get("add_conclusion"))
    if added and len(form.conclusions) < MAX_CONCLUSIONS:
        # One more row, and what was typed stays: nothing is saved until "Save".
        form.conclusions.append_entry()
    sections = section_choices(dialogue.consultation)
    for entry in form.conclusions:
        entry.section_ids.choices = sections
    status = 422 if form.is_submitted() and not added else 200
    if not added and form.validate_on_submit():
        try:
            dialogues.save_outcome(
                current_user,
                dialogue,
                summary=form.summary.data,
                conclusions=[
                    {"text": entry.text.data, "section_ids": entry.section_ids.data or []}
                    for entry in form.conclusions
                    if (entry.text.data or "").strip()
                ],
                expected_version=_version(form.version.data),
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
            if isinstance(error, Conflict):
                # The text stays in the form; saving it again replaces the outcome as it now stands
                # (a published one keeps that text as a revision).
                form.version.data = str(dialogue.outcome.row_version if dialogue.outcome else 0)
        else:
            db.session.commit()
            if dialogue.outcome.status == "published":
                flash(_("The published outcome is updated; the earlier text is kept."), "success")
            else:
                flash(_("The outcome is saved as a draft. Delegations do not see it until you publish it."), "success")
            return redirect(url_for("dialogues.show", dialogue_id=dialogue.id, _anchor="outcome"))
    return render_template(
        "dialogues/outcome_form.html",
        form=form,
        dialogue=dialogue,
        groups=section_groups(dialogue.consultation),
        new_row=len(form.conclusions) - 1 if added else None,
        can_add=len(form.conclusions) < MAX_CONCLUSIONS,
    ), status


@bp.route("/dialogues/<int:dialogue_id>/outcome/publish", methods=["POST"])
@login_required
def publish(dialogue_id):
    dialogue = dialogues.get_dialogue(dialogue_id)
    authorize(current_user, "outcome.edit", dialogue)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            dialogues.publish_outcome(current_user, dialogue)
        except DomainError as error:
            apply_errors(form, error)
            return _show(dialogue, publishing=form, status=error.status)
        db.session.commit()
        flash(_("The outcome is published: participants can read it, with its conclusions."), "success")
    return redirect(url_for("dialogues.show", dialogue_id=dialogue.id, _anchor="outcome"))


@bp.route("/sections/<int:section_id>/synthesis")
@login_required
def synthesis(section_id):
    """Everything the dialogues concluded about one paragraph, principle or priority."""
    section = drafts.get_section(current_user, section_id)
    conclusions = dialogues.published_conclusions([section.id]).get(section.id, [])
    return render_template("dialogues/synthesis.html", section=section, conclusions=conclusions)
