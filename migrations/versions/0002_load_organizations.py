"""Load the 193 member States, the two observer States and the preloaded organizations.

Revision ID: 0002
Revises: 0001
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from consult.geography import GROUPS, MEMBER_STATES, OBSERVER_STATES, country_name

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

organization = sa.table(
    "organization",
    sa.column("kind", sa.String),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("region", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade():
    # English names only as a fallback: pages name States through Babel in the reader's language.
    now = datetime.now(UTC)
    rows = [
        {"kind": "member_state", "code": s.alpha3, "name": country_name(s.alpha3, "en"), "region": s.region}
        for s in MEMBER_STATES
    ]
    rows += [
        {"kind": "observer_state", "code": s.alpha3, "name": country_name(s.alpha3, "en"), "region": None}
        for s in OBSERVER_STATES
    ]
    rows += [{"kind": g.kind, "code": g.code, "name": str(g.name), "region": None} for g in GROUPS]
    for row in rows:
        op.execute(organization.insert().values(**row, created_at=now))


def downgrade():
    codes = [s.alpha3 for s in (*MEMBER_STATES, *OBSERVER_STATES)] + [g.code for g in GROUPS]
    op.execute(organization.delete().where(organization.c.code.in_(codes)))
