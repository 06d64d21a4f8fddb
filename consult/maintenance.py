"""What operators ask of the running system: schema state, whether the database takes writes."""

from functools import cache

from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from consult.extensions import db


@cache
def _head_revision(directory: str) -> str | None:
    config = AlembicConfig()
    config.set_main_option("script_location", directory)
    return ScriptDirectory.from_config(config).get_current_head()


def schema_revisions() -> tuple[str | None, str | None]:
    """(the database's migration revision, the newest one the code ships)."""
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, _head_revision(current_app.extensions["migrate"].directory)


# Rewrites the row with its own value: a real write (it takes the write lock on SQLite and the
# row lock on PostgreSQL, and a read-only database refuses it) that changes nothing.
_WRITE_PROBE = text("UPDATE alembic_version SET version_num = version_num")


def database_writable(timeout: float) -> bool:
    """Whether the database takes a write within ``timeout`` seconds; the write is rolled back."""
    milliseconds = max(1, round(timeout * 1000))
    try:
        with db.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            try:
                if sqlite:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {milliseconds}")
                else:  # PostgreSQL: both end with the transaction
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")
                    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
                connection.execute(_WRITE_PROBE)
            finally:
                connection.rollback()
                if sqlite:  # the connection goes back to the pool: give it back its own timeout
                    lock_timeout = round(current_app.config["DATABASE_LOCK_TIMEOUT"] * 1000)
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {lock_timeout}")
    except SQLAlchemyError:
        return False
    return True


# Full-text objects that the migrations create by hand, per database, outside the models.
SEARCH_INDEX_OBJECTS = ("search_fts", "ix_search_entry_tsv", "ix_search_entry_trgm", "ix_search_entry_stems")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's comparisons: leave out the hand-made full-text objects."""
    return not (name and name.startswith(SEARCH_INDEX_OBJECTS))
