"""What operators ask of the running system: schema state."""

from functools import cache

from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

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


# Full-text objects that the migrations create by hand, per database, outside the models.
SEARCH_INDEX_OBJECTS = ("search_fts", "ix_search_entry_tsv", "ix_search_entry_trgm")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's comparisons: leave out the hand-made full-text objects."""
    return not (name and name.startswith(SEARCH_INDEX_OBJECTS))
