"""The outbox as people see it, and what each person chooses to hear about."""

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult import audit
from consult.errors import ValidationFailed
from consult.extensions import db, upsert
from consult.models import Notification, NotificationPreference, User
from consult.models.notifications import DEFAULT_DELIVERY, DELIVERIES
from consult.notifications.messages import KINDS_BY_ROLE
from consult.permissions import authorize, can

PER_PAGE = 50


def outbox(user: User, page: int) -> Pagination:
    """Everyone's messages for the Secretariat, one's own for everyone else; newest first."""
    authorize(user, "outbox.view")
    query = (
        select(Notification)
        .options(selectinload(Notification.recipient), selectinload(Notification.digest))
        .order_by(Notification.id.desc())
    )
    if not can(user, "users.manage"):
        query = query.where(Notification.recipient_id == user.id)
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def kinds_for(user: User) -> tuple[str, ...]:
    """The kinds of news this person may hear about, and so choose how to."""
    return KINDS_BY_ROLE.get(user.role, ())


def preferences(user: User) -> dict[str, str]:
    """Kind → how the person hears about it, for every kind they may hear about."""
    stored = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {kind: stored.get(kind, DEFAULT_DELIVERY) for kind in kinds_for(user)}


def set_preferences(user: User, chosen: dict[str, str]) -> None:
    """Keep the person's choices (at once, daily digest, never) for the kinds they may hear about."""
    kinds = kinds_for(user)
    errors = {
        kind: [str(_l("Choose at once, the daily digest or never."))]
        for kind, delivery in chosen.items()
        if kind in kinds and delivery not in DELIVERIES
    }
    if errors:
        raise ValidationFailed(field_errors=errors)
    table = NotificationPreference.__table__
    changed = {}
    for kind in kinds:
        if kind not in chosen:
            continue
        statement = upsert(db.engine.dialect.name, table).values(user_id=user.id, kind=kind, delivery=chosen[kind])
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.user_id, table.c.kind], set_={"delivery": statement.excluded.delivery}
            )
        )
        changed[kind] = chosen[kind]
    audit.record(user, "user.notification_preferences", user, **changed)
