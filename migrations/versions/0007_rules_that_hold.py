"""Rules that hold: row versions, outdated answers, stored amendment diffs, unique revision numbers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

VERSIONED_TABLES = ('comment', 'comment_group', 'section', 'release', 'dialogue', 'outcome')
# (table, parent column): revisions numbered 1, 2, 3 … per parent.
NUMBERED_REVISIONS = (
    ('comment_revision', 'comment_id', 'replaced_at'),
    ('disposition_revision', 'comment_id', 'replaced_at'),
    ('outcome_revision', 'outcome_id', 'replaced_at'),
)


def _renumber(connection, table_name: str, parent: str, order: str) -> None:
    """Races before this migration could store two revisions with one number: number them again, in order."""
    table = sa.table(table_name, sa.column('id'), sa.column(parent), sa.column(order), sa.column('number'))
    rows = connection.execute(sa.select(table.c.id, table.c[parent]).order_by(table.c[parent], table.c[order], table.c.id))
    expected: dict[int, int] = {}
    for row_id, parent_id in rows.all():
        expected[parent_id] = expected.get(parent_id, 0) + 1
        connection.execute(table.update().where(table.c.id == row_id).values(number=expected[parent_id]))


def _store_amendment_diffs(connection) -> None:
    # The same function that diffs new amendments, so that old and new ones read alike.
    from consult.text import diff_html

    comment = sa.table('comment', sa.column('id'), sa.column('version_id'), sa.column('kind'),
                       sa.column('proposed_text'), sa.column('proposed_diff_html'))
    version = sa.table('section_version', sa.column('id'), sa.column('body'))
    rows = connection.execute(
        sa.select(comment.c.id, version.c.body, comment.c.proposed_text)
        .join(version, version.c.id == comment.c.version_id)
        .where(comment.c.kind == 'amendment', comment.c.proposed_text.is_not(None))
    )
    for comment_id, body, proposed in rows.all():
        connection.execute(
            comment.update().where(comment.c.id == comment_id).values(proposed_diff_html=str(diff_html(body, proposed)))
        )


def upgrade():
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('row_version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposed_diff_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('answer_outdated', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.add_column(sa.Column('compilation_override_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('dialogue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    dialogue = sa.table('dialogue', sa.column('created_at'), sa.column('updated_at'))
    op.execute(dialogue.update().values(updated_at=dialogue.c.created_at))
    with op.batch_alter_table('dialogue', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True), nullable=False)

    connection = op.get_bind()
    for table, parent, order in NUMBERED_REVISIONS:
        _renumber(connection, table, parent, order)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_{parent}'), [parent, 'number'])

    _store_amendment_diffs(connection)


def downgrade():
    for table, parent, _order in reversed(NUMBERED_REVISIONS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_{parent}'), type_='unique')

    with op.batch_alter_table('dialogue', schema=None) as batch_op:
        batch_op.drop_column('updated_at')

    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.drop_column('compilation_override_reason')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('answer_outdated')
        batch_op.drop_column('proposed_diff_html')

    for table in reversed(VERSIONED_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('row_version')
