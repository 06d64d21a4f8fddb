"""Session nonces, API token endings and sign-in rate-limit counters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counter',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter'))
    )
    with op.batch_alter_table('rate_limit_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_counter_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_four', sa.String(length=4), nullable=True))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_nonce', sa.String(length=32), nullable=True))
    # Every account gets its own random nonce; sessions signed before this migration
    # carry none and end, so everyone signs in once more.
    user = sa.table('user', sa.column('id', sa.Integer()), sa.column('session_nonce', sa.String()))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(
            user.update().where(user.c.id == user_id).values(session_nonce=secrets.token_hex(16))
        )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('session_nonce', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_nonce')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('last_four')

    with op.batch_alter_table('rate_limit_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_counter_expires_at'))

    op.drop_table('rate_limit_counter')
