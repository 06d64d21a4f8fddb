"""The similarity sketch in one column; only its 16 smallest values indexed, one row each

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 16:40:00.000000

"""
import struct

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# consult.comments.similarity.INDEXED when this was written; the code may change it later.
INDEXED = 16
# Fingerprints converted per round trip: their values are read, packed and trimmed together.
BATCH = 500

fingerprint = sa.table(
    'comment_fingerprint',
    sa.column('comment_id', sa.Integer),
    sa.column('document_id', sa.Integer),
    sa.column('sketch', sa.LargeBinary),
)
sketch_value = sa.table(
    'comment_sketch_value',
    sa.column('comment_id', sa.Integer),
    sa.column('value', sa.BigInteger),
    sa.column('document_id', sa.Integer),
)


def _packed(values):
    return struct.pack(f'>{len(values)}q', *sorted(values))


def _unpacked(column):
    return sorted(struct.unpack(f'>{len(column) // 8}q', column or b''))


def upgrade():
    with op.batch_alter_table('comment_fingerprint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sketch', sa.LargeBinary(), nullable=True))

    connection = op.get_bind()
    ids = connection.scalars(sa.select(fingerprint.c.comment_id).order_by(fingerprint.c.comment_id)).all()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        values = {comment_id: [] for comment_id in batch}
        rows = connection.execute(
            sa.select(sketch_value.c.comment_id, sketch_value.c.value)
            .where(sketch_value.c.comment_id.in_(batch))
            .order_by(sketch_value.c.comment_id, sketch_value.c.value)
        )
        for comment_id, value in rows:
            values[comment_id].append(value)
        connection.execute(
            fingerprint.update().where(fingerprint.c.comment_id == sa.bindparam('id')).values(sketch=sa.bindparam('packed')),
            [{'id': comment_id, 'packed': _packed(kept)} for comment_id, kept in values.items()],
        )
        beyond = [
            {'id': comment_id, 'largest': kept[INDEXED - 1]} for comment_id, kept in values.items() if len(kept) > INDEXED
        ]
        if beyond:
            connection.execute(
                sketch_value.delete().where(
                    sketch_value.c.comment_id == sa.bindparam('id'), sketch_value.c.value > sa.bindparam('largest')
                ),
                beyond,
            )

    with op.batch_alter_table('comment_fingerprint', schema=None) as batch_op:
        batch_op.alter_column('sketch', existing_type=sa.LargeBinary(), nullable=False)


def downgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(fingerprint.c.comment_id, fingerprint.c.document_id, fingerprint.c.sketch).order_by(
            fingerprint.c.comment_id
        )
    ).all()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        connection.execute(sketch_value.delete().where(sketch_value.c.comment_id.in_([row.comment_id for row in batch])))
        every_value = [
            {'comment_id': row.comment_id, 'value': value, 'document_id': row.document_id}
            for row in batch
            for value in _unpacked(row.sketch)
        ]
        if every_value:
            connection.execute(sketch_value.insert(), every_value)

    with op.batch_alter_table('comment_fingerprint', schema=None) as batch_op:
        batch_op.drop_column('sketch')
