"""Upgrading an empty database yields exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from consult.extensions import db
from consult.maintenance import include_object
from consult.models import Organization


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, db.metadata) == []


def test_migrations_load_every_state(app):
    kinds = dict(db.session.execute(db.select(Organization.kind, db.func.count()).group_by(Organization.kind)).all())
    assert kinds["member_state"] == 193 and kinds["observer_state"] == 2
