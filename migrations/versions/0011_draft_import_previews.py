"""Previews of a next draft or a translation read from a file, kept on the server: a single-use, expiring confirmation bound to its user and document

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('draft_import_preview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('basis', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_draft_import_preview_document_id_document')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_draft_import_preview_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_import_preview')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_draft_import_preview_token_hash'))
    )
    with op.batch_alter_table('draft_import_preview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_import_preview_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_draft_import_preview_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_draft_import_preview_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('draft_import_preview', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_import_preview_user_id'))
        batch_op.drop_index(batch_op.f('ix_draft_import_preview_expires_at'))
        batch_op.drop_index(batch_op.f('ix_draft_import_preview_document_id'))

    op.drop_table('draft_import_preview')
