"""Roadmap: milestones, and the timeline that merges them with releases and dialogues."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult import audit
from consult.errors import NotFound, ValidationFailed
from consult.extensions import db
from consult.models import Consultation, Dialogue, Document, Milestone, Release
from consult.models.roadmap import MILESTONE_KINDS
from consult.permissions import authorize
from consult.validation import clean_text, one_of, plausible_date, required_text


@dataclass
class TimelineEntry:
    """One row of the timeline, whatever it comes from."""

    key: str  # stable across requests: "milestone-3", "release-1", "window-1", "dialogue-2"
    title: str
    kind: str
    starts_on: date
    ends_on: date | None
    place: str
    status: str
    description: str = ""
    milestone: Milestone | None = None
    release: Release | None = None
    dialogue: Dialogue | None = None
    starts_at: datetime | None = None  # dialogues have a time of day
    ends_at: datetime | None = None

    @property
    def last_day(self) -> date:
        return self.ends_on or self.starts_on


def status_on(today: date, starts_on: date, ends_on: date | None, postponed: bool = False) -> str:
    if postponed:
        return "postponed"
    if (ends_on or starts_on) < today:
        return "done"
    if starts_on <= today:
        return "current"
    return "upcoming"


def get_milestone(milestone_id: int) -> Milestone:
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound(_l("No such milestone."))
    return milestone


def timeline(consultation: Consultation, today: date) -> list[TimelineEntry]:
    """Milestones, releases with their comment windows, and dialogues, in date order."""
    entries = [
        TimelineEntry(
            key=f"milestone-{m.id}",
            title=m.title,
            kind=m.kind,
            starts_on=m.starts_on,
            ends_on=m.ends_on,
            place=m.place,
            status=status_on(today, m.starts_on, m.ends_on, m.postponed),
            description=m.description,
            milestone=m,
        )
        for m in db.session.scalars(select(Milestone).where(Milestone.consultation_id == consultation.id))
    ]
    releases = db.session.scalars(select(Release).join(Document).where(Document.consultation_id == consultation.id))
    for release in releases:
        published, opens, closes = (
            release.published_at.date(),
            release.comments_open_at.date(),
            release.comments_close_at.date(),
        )
        title = f"{release.label} — {release.document.title}"
        entries.append(
            TimelineEntry(
                f"release-{release.id}",
                title,
                "release",
                published,
                None,
                "",
                status_on(today, published, None),
                release=release,
            )
        )
        entries.append(
            TimelineEntry(
                f"window-{release.id}",
                title,
                "comment_window",
                opens,
                closes,
                "",
                status_on(today, opens, closes),
                release=release,
            )
        )
    dialogues = db.session.scalars(select(Dialogue).where(Dialogue.consultation_id == consultation.id))
    for dialogue in dialogues:
        starts, ends = dialogue.starts_at.date(), (dialogue.ends_at or dialogue.starts_at).date()
        entries.append(
            TimelineEntry(
                f"dialogue-{dialogue.id}",
                dialogue.title,
                "dialogue",
                starts,
                ends if ends != starts else None,
                dialogue.place,
                "cancelled" if dialogue.cancelled_at else status_on(today, starts, ends),
                dialogue=dialogue,
                starts_at=dialogue.starts_at,
                ends_at=dialogue.ends_at,
            )
        )
    kind_order = list(MILESTONE_KINDS)
    return sorted(entries, key=lambda e: (e.starts_on, e.last_day, kind_order.index(e.kind), e.key))


def _milestone_fields(data: dict) -> dict:
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if not isinstance(starts_on, date):
        raise ValidationFailed(field_errors={"starts_on": [str(_l("Give the date it starts."))]})
    if ends_on is not None and not isinstance(ends_on, date):
        raise ValidationFailed(field_errors={"ends_on": [str(_l("Give a date."))]})
    plausible_date("starts_on", starts_on)
    plausible_date("ends_on", ends_on)
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed(field_errors={"ends_on": [str(_l("The end date cannot be before the start date."))]})
    return {
        "title": required_text("title", data.get("title"), 300),
        "kind": one_of("kind", data.get("kind"), MILESTONE_KINDS),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "place": clean_text(data.get("place"))[:200],
        "description": clean_text(data.get("description")),
        "postponed": bool(data.get("postponed")),
    }


def create_milestone(actor, consultation: Consultation, data: dict) -> Milestone:
    if actor is not None:
        authorize(actor, "roadmap.edit", consultation)
    milestone = Milestone(consultation=consultation, **_milestone_fields(data))
    db.session.add(milestone)
    db.session.flush()
    audit.record(actor, "milestone.create", milestone, title=milestone.title)
    return milestone


def update_milestone(actor, milestone: Milestone, data: dict) -> Milestone:
    authorize(actor, "roadmap.edit", milestone.consultation)
    fields = _milestone_fields(data)
    before = {name: str(getattr(milestone, name)) for name in fields}
    for name, value in fields.items():
        setattr(milestone, name, value)
    db.session.flush()
    audit.record(actor, "milestone.update", milestone, before=before)
    return milestone


def delete_milestone(actor, milestone: Milestone) -> None:
    authorize(actor, "roadmap.edit", milestone.consultation)
    audit.record(actor, "milestone.delete", milestone, title=milestone.title, starts_on=str(milestone.starts_on))
    db.session.delete(milestone)
    db.session.flush()
