"""Sessions per device, passwords to change at first sign-in, audit events without an object

One row per signed-in browser or device (user_session) replaces the account's single session
nonce, so that one person can be signed in on a laptop and a phone at once. The nonce column is
dropped: every session signed before this migration ends, and everyone signs in once more.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_user_session_secret_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default='0', nullable=False))
        batch_op.drop_column('session_nonce')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('object_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    # Events about no object (failed sign-ins with unknown e-mail addresses) have no place in the older schema.
    audit_event = sa.table('audit_event', sa.column('object_id', sa.Integer()))
    op.execute(audit_event.delete().where(audit_event.c.object_id.is_(None)))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('object_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_nonce', sa.String(length=32), nullable=True))
        batch_op.drop_column('must_change_password')
    user = sa.table('user', sa.column('id', sa.Integer()), sa.column('session_nonce', sa.String()))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(user.update().where(user.c.id == user_id).values(session_nonce=secrets.token_hex(16)))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('session_nonce', existing_type=sa.String(length=32), nullable=False)

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
