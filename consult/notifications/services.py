"""The outbox: what each reader may see of the messages waiting for the mail sender."""

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.models import Notification, User
from consult.permissions import authorize, can

PER_PAGE = 50


def outbox(user: User, page: int) -> Pagination:
    """Everyone's messages for the Secretariat, one's own for everyone else; newest first."""
    authorize(user, "outbox.view")
    query = select(Notification).options(selectinload(Notification.recipient)).order_by(Notification.id.desc())
    if not can(user, "users.manage"):
        query = query.where(Notification.recipient_id == user.id)
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
