"""Shared column helpers."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator, event
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from consult.text import render_markdown


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC; always hands back timezone-aware datetimes, also on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC values")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Versioned:
    """A row whose every UPDATE checks and advances ``row_version`` (SQLAlchemy's version counter).

    Two requests that read the same row and both change it cannot both win: the second
    UPDATE matches no row, the flush fails, and the request answers 409 (see
    ``consult.extensions.Session``). Whatever a request acknowledged is then on record.
    """

    row_version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.row_version}


def renders_markdown(source, html_attribute: str) -> None:
    """Whenever ``source`` (a Markdown text column) is set, set ``html_attribute`` to its sanitized HTML.

    The one way rendered text is kept: computed once, when the text is written, never when read.
    """

    @event.listens_for(source, "set")
    def render(target, value, _old, _initiator) -> None:
        setattr(target, html_attribute, str(render_markdown(value or "")))
