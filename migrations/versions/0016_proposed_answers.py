"""Proposed answers: shared with delegations before final

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('answer_reaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('answer_number', sa.Integer(), nullable=False),
    sa.Column('reaction', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reacted_by_id', sa.Integer(), nullable=True),
    sa.Column('reacted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_answer_reaction_comment_id_comment')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_answer_reaction_organization_id_organization')),
    sa.ForeignKeyConstraint(['reacted_by_id'], ['user.id'], name=op.f('fk_answer_reaction_reacted_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_reaction'))
    )
    with op.batch_alter_table('answer_reaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_reaction_comment_id'), ['comment_id'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_stage', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('answer_shared_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.add_column(sa.Column('propose_answers', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('disposition_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=12), nullable=True))



def downgrade():
    with op.batch_alter_table('disposition_revision', schema=None) as batch_op:
        batch_op.drop_column('stage')

    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.drop_column('propose_answers')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('answer_shared_at')
        batch_op.drop_column('answer_stage')

    with op.batch_alter_table('answer_reaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_reaction_comment_id'))

    op.drop_table('answer_reaction')
