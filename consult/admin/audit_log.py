"""Reading the audit trail: the filtered list, page by page or as a CSV file."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime, get_timezone
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from consult import audit
from consult.extensions import db
from consult.matrix import exports
from consult.models import AuditEvent, User
from consult.permissions import authorize
from consult.validation import positive_integer

PER_PAGE = 50
NO_ACTOR = "none"  # the user filter's value for events without a signed-in actor


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""  # a user id, NO_ACTOR, or "" for everyone
    since: datetime | None = None  # UTC, included
    until: datetime | None = None  # UTC, excluded

    def as_details(self) -> dict:
        """What the filters were, for the record of an export."""
        return {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in vars(self).items()
            if value
        }


def _query(filters: AuditFilters) -> Select:
    query = select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor == NO_ACTOR:
        query = query.where(AuditEvent.actor_id.is_(None))
    elif (actor_id := positive_integer(filters.actor)) is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if filters.since is not None:
        query = query.where(AuditEvent.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEvent.created_at < filters.until)
    return query


def details_text(event: AuditEvent) -> str:
    return json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else ""


def events_page(user, filters: AuditFilters, page: int) -> Pagination:
    """The events that match, newest first, each with its details as JSON text."""
    authorize(user, "audit.view")
    query = (
        _query(filters)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    events = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    events.items = [(event, details_text(event)) for event in events.items]
    return events


def filter_choices(user) -> tuple[list[str], list[User]]:
    """The actions on record and the people who acted, for the filter's drop-downs."""
    authorize(user, "audit.view")
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    actors = db.session.scalars(
        select(User).where(User.id.in_(select(AuditEvent.actor_id))).order_by(User.name, User.email)
    ).all()
    return list(actions), list(actors)


def export_csv(user, filters: AuditFilters) -> Iterator[bytes]:
    """The events that match as CSV chunks, newest first; the export itself is recorded first."""
    authorize(user, "audit.view")
    audit.record(user, "audit.export", user, format="csv", filters=filters.as_details())
    header = [
        _("When (%(zone)s)", zone=str(get_timezone())),
        _("Who"),
        _("E-mail"),
        _("Action"),
        _("Object"),
        _("Object ID"),
        _("Details"),
    ]
    return exports.table_csv_chunks(header, _csv_rows(filters))


def _csv_rows(filters: AuditFilters) -> Iterator[list[str | int]]:
    query = (
        _query(filters)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .execution_options(yield_per=500)
    )
    for event in db.session.scalars(query):
        actor = event.actor
        yield [
            format_datetime(event.created_at, "yyyy-MM-dd HH:mm:ss"),
            actor.name if actor else "",
            actor.email if actor else "",
            event.action,
            event.object_type,
            event.object_id,
            details_text(event),
        ]
