"""The living draft: translations of section versions, retired sections, what each release printed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('section_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('heading', sa.String(length=300), nullable=False),
    sa.Column('chapter', sa.String(length=300), nullable=False),
    sa.Column('subsection', sa.String(length=300), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_section_translation_author_id_user')),
    sa.ForeignKeyConstraint(['section_id'], ['section.id'], name=op.f('fk_section_translation_section_id_section')),
    sa.ForeignKeyConstraint(['version_id'], ['section_version.id'], name=op.f('fk_section_translation_version_id_section_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_section_translation'))
    )
    with op.batch_alter_table('section_translation', schema=None) as batch_op:
        batch_op.create_index('ix_section_translation_section_language', ['section_id', 'language'], unique=False)

    with op.batch_alter_table('section', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retired_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('retired_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('retired_in_release_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_section_retired_by_id_user'), 'user', ['retired_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_section_retired_in_release_id_release'), 'release', ['retired_in_release_id'], ['id'])

    # What each release printed: until now every release printed the section's own number,
    # place and titles, which never changed.
    with op.batch_alter_table('release_section', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('heading', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('chapter', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('subsection', sa.String(length=300), nullable=True))
    section = sa.table('section', sa.column('id'), sa.column('number'), sa.column('position'),
                       sa.column('heading'), sa.column('chapter'), sa.column('subsection'))
    release_section = sa.table('release_section', sa.column('section_id'), sa.column('number'), sa.column('position'),
                               sa.column('heading'), sa.column('chapter'), sa.column('subsection'))
    printed = {
        name: sa.select(section.c[name]).where(section.c.id == release_section.c.section_id).scalar_subquery()
        for name in ('number', 'position', 'heading', 'chapter', 'subsection')
    }
    op.execute(release_section.update().values(**printed))
    with op.batch_alter_table('release_section', schema=None) as batch_op:
        batch_op.alter_column('number', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('position', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('heading', existing_type=sa.String(length=300), nullable=False)
        batch_op.alter_column('chapter', existing_type=sa.String(length=300), nullable=False)
        batch_op.alter_column('subsection', existing_type=sa.String(length=300), nullable=False)


def downgrade():
    with op.batch_alter_table('release_section', schema=None) as batch_op:
        batch_op.drop_column('subsection')
        batch_op.drop_column('chapter')
        batch_op.drop_column('heading')
        batch_op.drop_column('position')
        batch_op.drop_column('number')

    with op.batch_alter_table('section', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_section_retired_in_release_id_release'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_section_retired_by_id_user'), type_='foreignkey')
        batch_op.drop_column('retired_in_release_id')
        batch_op.drop_column('retired_by_id')
        batch_op.drop_column('retired_reason')
        batch_op.drop_column('retired_at')

    with op.batch_alter_table('section_translation', schema=None) as batch_op:
        batch_op.drop_index('ix_section_translation_section_language')

    op.drop_table('section_translation')
