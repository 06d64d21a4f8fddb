"""Flask extensions, created unbound and initialised in the app factory."""

from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql, sqlite

# Named constraints keep Alembic migrations reproducible on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
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
