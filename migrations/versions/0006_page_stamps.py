"""Page stamps: what lets each worker keep rendered pages and know when they are stale

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_stamp',
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_page_stamp'))
    )


def downgrade():
    op.drop_table('page_stamp')
