"""Comment import previews kept on the server: a single-use, expiring confirmation bound to its user and document

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('comment_import_preview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_comment_import_preview_document_id_document')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_comment_import_preview_organization_id_organization')),
    sa.ForeignKeyConstraint(['release_id'], ['release.id'], name=op.f('fk_comment_import_preview_release_id_release')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_comment_import_preview_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_import_preview')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_comment_import_preview_token_hash'))
    )
    with op.batch_alter_table('comment_import_preview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_import_preview_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_import_preview_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_import_preview_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('comment_import_preview', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_import_preview_user_id'))
        batch_op.drop_index(batch_op.f('ix_comment_import_preview_expires_at'))
        batch_op.drop_index(batch_op.f('ix_comment_import_preview_document_id'))

    op.drop_table('comment_import_preview')
