"""Previews of imports kept on the server until their user confirms them, once.

A comment table, a next draft or a translation is read from a file and shown before anything
changes; what was shown is kept in a row (``CommentImportPreview``, ``DraftImportPreview``)
and the confirmation form carries only a random token for it, of which the table keeps a
SHA-256. A confirmation acts at most once, only for the user and document that previewed, only
until the preview expires.
"""

import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from consult.errors import Conflict, Expired, NotFound
from consult.extensions import db
from consult.models.base import utcnow

# Used and expired previews are deleted this long after they expire; until then a replay is
# told what happened to its preview rather than that there is none.
RETENTION = timedelta(days=1)
_TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hold(model, *, minutes: int, **values) -> tuple[str, object]:
    """A new preview row of ``model`` that expires in ``minutes``; (its token, the row)."""
    now = utcnow()
    # Cleaning up here keeps the table small without a scheduled job.
    db.session.execute(delete(model).where(model.expires_at < now - RETENTION))
    token = secrets.token_urlsafe(32)
    held = model(token_hash=_token_hash(token), created_at=now, expires_at=now + timedelta(minutes=minutes), **values)
    db.session.add(held)
    db.session.flush()
    return token, held


def find(model, actor, document, token, already_used: Conflict, **matching):
    """The preview the token names: NotFound for another user's or document's (or a made-up
    token), ``already_used`` once confirmed, Expired after its time."""
    held = None
    if isinstance(token, str) and len(token) == _TOKEN_LENGTH:
        held = db.session.scalar(select(model).where(model.token_hash == _token_hash(token)))
    mismatch = held is not None and any(getattr(held, name) != value for name, value in matching.items())
    if held is None or held.user_id != actor.id or held.document_id != document.id or mismatch:
        raise NotFound(_l("This import preview does not exist. Upload the file again."))
    now = utcnow()
    if held.used_at is not None:
        raise already_used
    if held.expires_at <= now:
        raise Expired(_l("This import preview has expired. Upload the file again."))
    return held


def claim(model, held, already_used: Conflict) -> None:
    """Mark the preview used, in one atomic UPDATE: of two confirmations racing, one changes the row."""
    now = utcnow()
    claimed = db.session.execute(
        update(model)
        .where(model.id == held.id, model.used_at.is_(None), model.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise already_used
