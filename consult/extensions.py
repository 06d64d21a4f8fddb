"""Flask extensions, created unbound and initialised in the app factory."""

import time

from flask import current_app
from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from consult.errors import Conflict

# Named constraints keep Alembic migrations reproducible on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLSTATEs of a unique and a foreign-key violation (PostgreSQL); SQLite says it in words.
_CONFLICT_STATES = {"23505", "23503"}
_SQLITE_CONFLICTS = ("UNIQUE constraint failed", "FOREIGN KEY constraint failed")


def is_conflict(error: IntegrityError) -> bool:
    """A row another transaction inserted or removed meanwhile, as opposed to a broken rule of ours."""
    state = getattr(error.orig, "sqlstate", None)
    return state in _CONFLICT_STATES or any(text in str(error.orig) for text in _SQLITE_CONFLICTS)


class Session(FlaskSession):
    """The request's session: a write that lost a race ends as ``Conflict`` (409), never a 500.

    A versioned row changed by another transaction since it was read (StaleDataError), or a
    unique key another transaction took first (IntegrityError) both mean that this request
    worked on data that is no longer current. The transaction is rolled back, so nothing of
    it is written, and the caller (a form, the API) says so and keeps what was typed.
    """

    def flush(self, objects=None) -> None:
        try:
            super().flush(objects)
        except StaleDataError as error:
            self.rollback()
            raise Conflict() from error
        except IntegrityError as error:
            if not is_conflict(error):
                raise
            self.rollback()
            raise Conflict() from error


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION), session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()


# The databases Consult runs on both write INSERT … ON CONFLICT, each through its own dialect.
_INSERTS_WITH_CONFLICT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def upsert(dialect: str, table):
    """An INSERT that takes ``.on_conflict_do_update``; None for a database without one."""
    insert = _INSERTS_WITH_CONFLICT.get(dialect)
    return insert(table) if insert else None


# How often a SQLite write waiting for the database's one write lock tries again.
_WRITE_LOCK_POLL_SECONDS = 0.0002


def first_write(statement, parameters: dict):
    """Run a transaction's first write; on SQLite, wait for the write lock by trying every 0.2 ms.

    SQLite's own busy handler sleeps 1, 2, 5, 10 ms … between tries, so a submission waiting for
    another's commit of 2 ms sleeps 8 ms, holding its worker all the while. The wait ends after
    DATABASE_LOCK_TIMEOUT as the busy handler's does ("database is locked", answered 503).
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return db.session.execute(statement, parameters)
    timeout = current_app.config["DATABASE_LOCK_TIMEOUT"]
    deadline = time.monotonic() + timeout
    connection.exec_driver_sql("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                return db.session.execute(statement, parameters)
            except OperationalError as error:
                if "database is locked" not in str(error.orig) or time.monotonic() >= deadline:
                    raise
                time.sleep(_WRITE_LOCK_POLL_SECONDS)
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {round(timeout * 1000)}")
