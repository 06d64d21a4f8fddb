"""Stakeholder dialogues and the secretariat's synthesized outcomes."""

import zoneinfo
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult import audit
from consult.drafts.services import readable_section_ids
from consult.errors import Conflict, NotFound, ValidationFailed
from consult.extensions import db
from consult.models import (
    AgendaItem,
    Conclusion,
    Consultation,
    Dialogue,
    Document,
    Organization,
    Outcome,
    OutcomeRevision,
    Participation,
    Section,
)
from consult.models.base import utcnow
from consult.models.dialogues import CONSTITUENCIES, DIALOGUE_FORMATS, conclusion_section
from consult.notifications import messages
from consult.permissions import authorize, can
from consult.validation import clean_text, is_integer, one_of, optional_text, plausible_date, required_text

DIALOGUE_CHANGED = _l(
    "Someone else changed this dialogue meanwhile. What you entered is kept below: "
    "check it against the dialogue as it now stands, then save again."
)
OUTCOME_CHANGED = _l(
    "Someone else saved this outcome meanwhile. Your text is kept below: "
    "compare it with the outcome as it now stands on the dialogue's page, then save again."
)
PUBLISH_CHANGED = _l(
    "The outcome was not published: someone else changed it or the dialogue meanwhile. "
    "Check it as it now stands, then publish it again."
)
DIALOGUE_FIELDS = ("title", "constituency", "format", "starts_at", "ends_at", "timezone", "place", "description")
# What invitees are told about again when it changes (calendars show these).
INVITATION_FIELDS = ("title", "starts_at", "ends_at", "place", "format", "description")
CANCELLED = _l("This dialogue is cancelled: it can no longer be changed.")


def _invalid(field: str, message) -> ValidationFailed:
    return ValidationFailed(field_errors={field: [str(message)]})


def _expect_version(current: int, expected: int | None, message) -> None:
    """A form or client that says which version it started from is refused if that is no longer current."""
    if expected is not None and expected != current:
        raise Conflict(message)


def _changed(dialogue: Dialogue) -> None:
    """Every change of a dialogue, also one of its agenda, participants or attendance only,
    UPDATEs its versioned row: of two racing changes only one can then win."""
    dialogue.updated_at = utcnow()


def _flush(message) -> None:
    """Flush; a write that lost a race says what happened to what the user was changing."""
    try:
        db.session.flush()
    except Conflict as error:
        raise Conflict(message) from error


def get_dialogue(dialogue_id: int) -> Dialogue:
    dialogue = db.session.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise NotFound(_l("No such dialogue."))
    return dialogue


def dialogues_of(consultation: Consultation) -> list[Dialogue]:
    return list(
        db.session.scalars(
            select(Dialogue)
            .where(Dialogue.consultation_id == consultation.id)
            .options(selectinload(Dialogue.outcome))
            .order_by(Dialogue.starts_at)
        )
    )


def dialogue_status(dialogue: Dialogue, now: datetime) -> str:
    return "upcoming" if (dialogue.ends_at or dialogue.starts_at) >= now else "past"


def visible_outcome(user, dialogue: Dialogue) -> Outcome | None:
    """The outcome if the reader may see it: drafts stay with the staff."""
    outcome = dialogue.outcome
    if outcome is None or not can(user, "outcome.view", outcome):
        return None
    return outcome


def readable_tags(user, dialogue: Dialogue, outcome: Outcome | None) -> set[int]:
    """The ids of the sections named by the dialogue's agenda and by the outcome the reader
    may see (also by its earlier texts) that the reader may see too."""
    named = {section.id for item in dialogue.agenda for section in item.sections}
    if outcome is not None:
        named |= {section.id for conclusion in outcome.conclusions for section in conclusion.sections}
        named |= {
            section_id
            for revision in outcome.revisions
            for conclusion in revision.conclusions
            for section_id in conclusion["section_ids"]
        }
    return readable_section_ids(user, named)


def _sections_of(consultation: Consultation, field: str, section_ids) -> list[Section]:
    if not isinstance(section_ids, list) or not all(map(is_integer, section_ids)):
        raise _invalid(field, _l("Give a list of section numbers (ids)."))
    if not section_ids:
        return []
    sections = list(
        db.session.scalars(
            select(Section)
            .join(Document)
            .where(Section.id.in_(set(section_ids)), Document.consultation_id == consultation.id)
        )
    )
    missing = sorted(set(section_ids) - {s.id for s in sections})
    if missing:
        raise _invalid(
            field,
            _l("These are not sections of this consultation: %(ids)s.", ids=", ".join(map(str, missing))),
        )
    return sorted(sections, key=lambda s: section_ids.index(s.id))


def _dialogue_fields(consultation: Consultation, data: dict) -> dict:
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
        raise _invalid("starts_at", _l("Give the date and time it starts, with its time zone."))
    if ends_at is not None and (not isinstance(ends_at, datetime) or ends_at.tzinfo is None):
        raise _invalid("ends_at", _l("Give the date and time it ends, with its time zone."))
    plausible_date("starts_at", starts_at)
    plausible_date("ends_at", ends_at)
    if ends_at is not None and ends_at < starts_at:
        raise _invalid("ends_at", _l("A dialogue cannot end before it starts."))
    timezone = data.get("timezone") or "UTC"
    if timezone not in zoneinfo.available_timezones():
        raise _invalid("timezone", _l("Choose a time zone from the list."))
    if not data.get("constituency"):
        raise _invalid("constituency", _l("Say which constituency the dialogue is with."))
    return {
        "title": required_text("title", data.get("title"), 300),
        "constituency": one_of("constituency", data.get("constituency"), CONSTITUENCIES),
        "format": one_of("format", data.get("format"), DIALOGUE_FORMATS),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "timezone": timezone,
        "place": clean_text(data.get("place"))[:200],
        "description": clean_text(data.get("description")),
    }


def _agenda(consultation: Consultation, items) -> list[AgendaItem]:
    if not isinstance(items, list):
        raise _invalid("agenda", _l("Give the agenda as a list of items."))
    agenda = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise _invalid("agenda", _l("Each agenda item needs a title."))
        agenda.append(
            AgendaItem(
                position=position,
                title=required_text("agenda", item.get("title"), 300),
                sections=_sections_of(consultation, "agenda", item.get("section_ids", [])),
            )
        )
    return agenda


def _organizations(field: str, codes) -> list[Organization]:
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise _invalid(field, _l("Give a list of organization codes."))
    wanted = {clean_text(code).upper() for code in codes}
    organizations = list(db.session.scalars(select(Organization).where(Organization.code.in_(wanted))))
    unknown = sorted(wanted - {o.code for o in organizations})
    if unknown:
        raise _invalid(field, _l("Unknown organization codes: %(codes)s.", codes=", ".join(unknown)))
    return organizations


def _participants(codes, *, started: bool) -> list[Participation]:
    # Those of a past dialogue are taken to have attended until the attendance is recorded;
    # those of a dialogue that has not started are invited: nobody attended it yet.
    return [Participation(organization=o, attended=started) for o in _organizations("participants", codes)]


def create_dialogue(actor, consultation: Consultation, data: dict) -> Dialogue:
    if actor is not None:
        authorize(actor, "dialogue.manage", consultation)
    dialogue = Dialogue(consultation=consultation, **_dialogue_fields(consultation, data))
    dialogue.agenda = _agenda(consultation, data.get("agenda", []))
    dialogue.participants = _participants(data.get("participants", []), started=dialogue.has_started(utcnow()))
    db.session.add(dialogue)
    db.session.flush()
    audit.record(actor, "dialogue.create", dialogue, title=dialogue.title)
    if not dialogue.has_started(utcnow()):
        messages.dialogue_invitation(dialogue, dialogue.participants, "new")
    return dialogue


def update_dialogue(actor, dialogue: Dialogue, data: dict, *, expected_version: int | None = None) -> Dialogue:
    """Change what ``data`` holds (fields it leaves out stay as they are).

    The focal points of the organizations invited to a dialogue that has not started are told:
    an invitation for those newly invited, an update (same UID, higher SEQUENCE) for those still
    invited when its time, place or description changes, a cancellation for those no longer invited.
    """
    authorize(actor, "dialogue.manage", dialogue.consultation)
    _expect_version(dialogue.row_version, expected_version, DIALOGUE_CHANGED)
    if dialogue.cancelled_at is not None:
        raise Conflict(CANCELLED)
    current = {name: getattr(dialogue, name) for name in DIALOGUE_FIELDS}
    was_upcoming = not dialogue.has_started(utcnow())
    invited_before = {p.organization_id: p for p in dialogue.participants}
    fields = _dialogue_fields(dialogue.consultation, {**current, **{k: v for k, v in data.items() if k in current}})
    started = fields["starts_at"] <= utcnow()
    agenda = _agenda(dialogue.consultation, data["agenda"]) if "agenda" in data else dialogue.agenda
    participants = dialogue.participants
    if "participants" in data:
        # Organizations that stay keep their row (and attendance): a new row for the same
        # organization would be inserted before the old one is deleted, breaking uniqueness.
        kept = {p.organization_id: p for p in dialogue.participants}
        participants = [kept.get(p.organization.id, p) for p in _participants(data["participants"], started=started)]
    if not started and dialogue.outcome is not None and dialogue.outcome.status == "published":
        raise Conflict(
            field_errors={
                "starts_at": [str(_l("The outcome of this dialogue is published: it cannot start in the future."))]
            }
        )
    # Everything is valid: only now does the dialogue change.
    for name, value in fields.items():
        setattr(dialogue, name, value)
    dialogue.agenda = agenda
    dialogue.participants = participants
    if not started:  # moved to the future: its participants are invited again
        for participation in dialogue.participants:
            participation.attended = False
    _changed(dialogue)
    _flush(DIALOGUE_CHANGED)
    audit.record(actor, "dialogue.update", dialogue)
    _tell_invitees(dialogue, current, invited_before, was_upcoming=was_upcoming, upcoming=not started)
    return dialogue


def _tell_invitees(dialogue: Dialogue, before: dict, invited_before: dict, *, was_upcoming: bool, upcoming: bool):
    """The invitations, updates and cancellations a change calls for; none once it has started
    (a dialogue moved into the past is a correction of the record)."""
    if not upcoming:
        return
    invited_now = {p.organization_id: p for p in dialogue.participants}
    # Invited before it was upcoming (moved from the past into the future): invited anew.
    told = invited_before if was_upcoming else {}
    messages.dialogue_invitation(dialogue, [p for org, p in invited_now.items() if org not in told], "new")
    if any(before[name] != getattr(dialogue, name) for name in INVITATION_FIELDS):
        messages.dialogue_invitation(dialogue, [p for org, p in invited_now.items() if org in told], "moved")
    messages.dialogue_invitation(dialogue, [p for org, p in told.items() if org not in invited_now], "cancelled")


def cancel_dialogue(actor, dialogue: Dialogue, *, expected_version: int | None = None) -> Dialogue:
    """Cancel a dialogue that has not started; it stays on record, and its invitees get the
    cancellation for their calendars (METHOD:CANCEL)."""
    authorize(actor, "dialogue.cancel", dialogue)
    _expect_version(dialogue.row_version, expected_version, DIALOGUE_CHANGED)
    dialogue.cancelled_at = utcnow()
    dialogue.cancelled_by_id = actor.id
    _changed(dialogue)
    _flush(DIALOGUE_CHANGED)
    audit.record(actor, "dialogue.cancel", dialogue, title=dialogue.title)
    messages.dialogue_invitation(dialogue, dialogue.participants, "cancelled")
    return dialogue


def record_attendance(actor, dialogue: Dialogue, attended_codes, *, expected_version: int | None = None) -> None:
    """Which of the invited organizations attended; only once the dialogue has started."""
    authorize(actor, "dialogue.attendance", dialogue)
    _expect_version(dialogue.row_version, expected_version, DIALOGUE_CHANGED)
    attended = {o.code for o in _organizations("attended", attended_codes)}
    invited = {p.organization.code for p in dialogue.participants}
    if attended - invited:
        raise _invalid(
            "attended",
            _l("These organizations were not invited: %(codes)s.", codes=", ".join(sorted(attended - invited))),
        )
    for participation in dialogue.participants:
        participation.attended = participation.organization.code in attended
    _changed(dialogue)
    _flush(DIALOGUE_CHANGED)
    audit.record(actor, "dialogue.attendance", dialogue, attended=sorted(attended))


# -- outcomes -----------------------------------------------------------------------


def _conclusions(consultation: Consultation, items) -> list[Conclusion]:
    if not isinstance(items, list):
        raise _invalid("conclusions", _l("Give the conclusions as a list."))
    conclusions = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise _invalid("conclusions", _l("Each conclusion needs its text."))
        text = required_text("conclusions", item.get("text"), 20_000)
        conclusions.append(
            Conclusion(
                position=position,
                text=text,
                sections=_sections_of(consultation, "conclusions", item.get("section_ids", [])),
            )
        )
    return conclusions


def _snapshot(outcome: Outcome) -> list[dict]:
    return [{"text": c.text, "section_ids": [s.id for s in c.sections]} for c in outcome.conclusions]


def save_outcome(
    actor, dialogue: Dialogue, *, summary: str, conclusions, expected_version: int | None = None
) -> Outcome:
    """Write the outcome. A new one is a draft; a published one stays published and its
    earlier text is kept as a revision. ``expected_version``: the outcome's row version the
    writer started from, 0 for none yet."""
    authorize(actor, "outcome.edit", dialogue)
    summary = optional_text("summary", summary, 50_000) or ""
    new_conclusions = _conclusions(dialogue.consultation, conclusions)
    if not summary and not new_conclusions:
        raise _invalid("summary", _l("Write a summary or at least one conclusion."))
    outcome = dialogue.outcome
    _expect_version(outcome.row_version if outcome else 0, expected_version, OUTCOME_CHANGED)
    if outcome is None:
        outcome = Outcome(dialogue=dialogue, status="draft")
        db.session.add(outcome)
    elif outcome.status == "published":
        outcome.revisions.append(
            OutcomeRevision(
                number=len(outcome.revisions) + 1,
                summary=outcome.summary,
                conclusions=_snapshot(outcome),
                replaced_by_id=actor.id,
            )
        )
    outcome.summary = summary
    outcome.conclusions = new_conclusions
    outcome.updated_at = utcnow()
    outcome.updated_by_id = actor.id
    # A second first outcome of the dialogue, or a second edit from the same text, loses here.
    _flush(OUTCOME_CHANGED)
    audit.record(actor, "outcome.save", outcome, dialogue=dialogue.id, status=outcome.status)
    return outcome


def publish_outcome(actor, dialogue: Dialogue) -> Outcome:
    """Publish the outcome, once the dialogue has started."""
    authorize(actor, "outcome.publish", dialogue)
    outcome = dialogue.outcome
    if outcome is None:
        raise NotFound(_l("This dialogue has no outcome to publish yet."))
    if outcome.status != "published":
        outcome.status = "published"
        outcome.published_at = utcnow()
        # It was allowed by when the dialogue starts: a move of the start racing it conflicts.
        _changed(dialogue)
        _flush(PUBLISH_CHANGED)
        audit.record(actor, "outcome.publish", outcome, dialogue=dialogue.id)
        messages.outcome_published(dialogue)
    return outcome


def published_conclusions(section_ids: list[int]) -> dict[int, list[Conclusion]]:
    """Section id → the published conclusions tagged to it, newest dialogue first."""
    if not section_ids:
        return {}
    rows = db.session.execute(
        select(conclusion_section.c.section_id, Conclusion)
        .join(Conclusion, Conclusion.id == conclusion_section.c.conclusion_id)
        .join(Outcome, Outcome.id == Conclusion.outcome_id)
        .join(Dialogue, Dialogue.id == Outcome.dialogue_id)
        .where(conclusion_section.c.section_id.in_(section_ids), Outcome.status == "published")
        .options(selectinload(Conclusion.outcome).selectinload(Outcome.dialogue))
        .order_by(Dialogue.starts_at.desc(), Conclusion.position)
    )
    found: dict[int, list[Conclusion]] = {}
    for section_id, conclusion in rows:
        found.setdefault(section_id, []).append(conclusion)
    return found
