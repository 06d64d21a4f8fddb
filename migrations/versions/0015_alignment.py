"""Alignment: States aligning themselves with another delegation's comment

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 13:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('aligned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('aligned_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['aligned_by_id'], ['user.id'], name=op.f('fk_alignment_aligned_by_id_user')),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_alignment_comment_id_comment')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_alignment_organization_id_organization')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user.id'], name=op.f('fk_alignment_withdrawn_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alignment')),
    sa.UniqueConstraint('comment_id', 'organization_id', name=op.f('uq_alignment_comment_id'))
    )
    with op.batch_alter_table('alignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alignment_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alignment_organization_id'), ['organization_id'], unique=False)


def downgrade():
    with op.batch_alter_table('alignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alignment_organization_id'))
        batch_op.drop_index(batch_op.f('ix_alignment_comment_id'))

    op.drop_table('alignment')
