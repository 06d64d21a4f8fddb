"""The front door: what anyone, signed in or not, learns about a consultation at a glance."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from consult.drafts.services import current_release
from consult.extensions import db
from consult.models import Consultation, Dialogue, Outcome, Release
from consult.roadmap.services import TimelineEntry, timeline


@dataclass
class Overview:
    """Where a consultation stands: its phase, its comment windows, and what it has published."""

    consultation: Consultation
    phase: list[TimelineEntry] = field(default_factory=list)  # what is under way today
    next_step: TimelineEntry | None = None
    open_windows: list[Release] = field(default_factory=list)  # current releases not yet closed for comments
    compilations: list[Release] = field(default_factory=list)
    outcomes: list[Dialogue] = field(default_factory=list)


def _open_windows(consultation: Consultation, now: datetime) -> list[Release]:
    return [
        release
        for document in consultation.documents
        if (release := current_release(document)) is not None and not release.has_closed(now)
    ]


def overview(consultation: Consultation, now: datetime) -> Overview:
    """The public facts of a consultation: never a draft paragraph or a comment."""
    entries = timeline(consultation, now.date())
    result = Overview(consultation)
    result.phase = [entry for entry in entries if entry.status == "current" and entry.kind != "release"]
    result.next_step = next((entry for entry in entries if entry.status == "upcoming"), None)
    releases = [release for document in consultation.documents for release in document.releases]
    result.open_windows = _open_windows(consultation, now)
    result.compilations = sorted(
        (release for release in releases if release.compilation_published_at is not None),
        key=lambda release: release.compilation_published_at,
        reverse=True,
    )
    result.outcomes = list(
        db.session.scalars(
            select(Dialogue)
            .join(Outcome)
            .where(Dialogue.consultation_id == consultation.id, Outcome.status == "published")
            .order_by(Outcome.published_at.desc())
        )
    )
    return result


def overviews(now: datetime) -> list[Overview]:
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.created_at))
    return [overview(consultation, now) for consultation in consultations]


def open_windows(now: datetime) -> list[Release]:
    """Every current release, of every consultation, whose comment window has not closed."""
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.created_at))
    return [release for consultation in consultations for release in _open_windows(consultation, now)]
