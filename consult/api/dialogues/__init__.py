"""Stakeholder dialogues: scheduling, attendance and their outcomes."""

from flask import g

from consult.api.common import bp, domain, errors
from consult.api.dialogues.schemas import (
    AttendanceSchema,
    DialogueChangeSchema,
    DialogueSchema,
    DialogueSummarySchema,
    NewDialogueSchema,
    OutcomeRequestSchema,
    OutcomeSchema,
)
from consult.api.schema import Seen, show_sections
from consult.dialogues import services as dialogues
from consult.drafts import services as drafts
from consult.permissions import authorize

route = domain(
    "Dialogues",
    "Structured stakeholder dialogues, who attended them, and their outcomes (a summary and conclusions "
    "tagged to sections). Sections not released yet are named to the staff only.",
)


def _as_seen(dialogue):
    """The dialogue with the outcome the caller may see, naming only sections the caller may see."""
    outcome = dialogues.visible_outcome(g.api_user, dialogue)
    show_sections(dialogues.readable_tags(g.api_user, dialogue, outcome))
    return Seen(dialogue, outcome=outcome)


def _outcome(dialogue, outcome):
    show_sections(dialogues.readable_tags(g.api_user, dialogue, outcome))
    return outcome


@route("/consultations/<slug>/dialogues", methods=["GET"])
@errors(404)
@bp.response(200, DialogueSummarySchema(many=True))
def dialogue_list(slug):
    """The dialogues of a consultation, in date order"""
    return dialogues.dialogues_of(drafts.get_consultation(slug))


@route("/consultations/<slug>/dialogues", methods=["POST"])
@errors(403, 404, 409)
@bp.response(201, DialogueSchema)
@bp.body(NewDialogueSchema)
def create_dialogue(slug, body):
    """Schedule a dialogue (Secretariat)"""
    consultation = drafts.get_consultation(slug)
    authorize(g.api_user, "dialogue.manage", consultation)
    return _as_seen(dialogues.create_dialogue(g.api_user, consultation, body()))


@route("/dialogues/<int:dialogue_id>")
@errors(404)
@bp.response(200, DialogueSchema)
def dialogue(dialogue_id):
    """A dialogue with its agenda, participants (each invited, attended or absent) and outcome"""
    return _as_seen(dialogues.get_dialogue(dialogue_id))


@route("/dialogues/<int:dialogue_id>", methods=["PATCH"])
@errors(403, 404, 409)
@bp.response(200, DialogueSchema)
@bp.body(DialogueChangeSchema)
def update_dialogue(dialogue_id, body):
    """Change a dialogue (Secretariat): only the fields sent change; a lost race is a 409"""
    item = dialogues.get_dialogue(dialogue_id)
    authorize(g.api_user, "dialogue.manage", item.consultation)
    changes = body()
    dialogues.update_dialogue(g.api_user, item, changes, expected_version=changes.pop("expected_version", None))
    return _as_seen(item)


@route("/dialogues/<int:dialogue_id>/attendance", methods=["PUT"])
@errors(403, 404, 409)
@bp.response(200, DialogueSchema)
@bp.body(AttendanceSchema)
def record_attendance(dialogue_id, body):
    """Record which invited organizations attended (Secretariat), once the dialogue has started"""
    item = dialogues.get_dialogue(dialogue_id)
    authorize(g.api_user, "dialogue.attendance", item)
    dialogues.record_attendance(g.api_user, item, **body())
    return _as_seen(item)


@route("/dialogues/<int:dialogue_id>/outcome", methods=["PUT"])
@errors(403, 404, 409)
@bp.response(200, OutcomeSchema)
@bp.body(OutcomeRequestSchema)
def save_outcome(dialogue_id, body):
    """Write the outcome (Secretariat); a new outcome is a draft, a published one keeps its earlier text"""
    item = dialogues.get_dialogue(dialogue_id)
    authorize(g.api_user, "outcome.edit", item)
    return _outcome(item, dialogues.save_outcome(g.api_user, item, **body()))


@route("/dialogues/<int:dialogue_id>/outcome/publish", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, OutcomeSchema)
def publish_outcome(dialogue_id):
    """Publish the outcome (Secretariat), once the dialogue has started"""
    item = dialogues.get_dialogue(dialogue_id)
    authorize(g.api_user, "outcome.publish", item)
    return _outcome(item, dialogues.publish_outcome(g.api_user, item))
