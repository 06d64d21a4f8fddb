"""Search by stems: the stems of every indexed text, beside it, indexed like it

Revision ID: 0014
Revises: 0013

Each search entry gets the stemmer of its Latin-script words (``stem_language``, after the
language of the text: the document's for a version, the comment's, the translation's, else as the
text shows) and the stems of its words (``stems``), computed by ``consult.search.stemming`` exactly
as the services compute them for new entries. SQLite's FTS5 table indexes both columns (it is
rebuilt from the table); PostgreSQL gets a tsvector index of the stems.
"""
from alembic import op
import sqlalchemy as sa

from consult.search.stemming import latin_stemmer, stems
from consult.text import language_of


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

FTS_TRIGGERS = {
    "search_entry_ai": "AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_fts(rowid, text{columns}) VALUES (new.id, new.text{new}); END",
    "search_entry_ad": "AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, text{columns}) VALUES ('delete', old.id, old.text{old}); END",
    "search_entry_au": "AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, text{columns}) VALUES ('delete', old.id, old.text{old}); "
    "INSERT INTO search_fts(rowid, text{columns}) VALUES (new.id, new.text{new}); END",
}

# The language each kind of entry is written in, where the database knows it.
LANGUAGES = {
    'version': 'SELECT v.id, d.language FROM section_version v JOIN section s ON s.id = v.section_id '
               'JOIN document d ON d.id = s.document_id',
    'translation': 'SELECT id, language FROM section_translation',
    'comment': 'SELECT id, language FROM comment',
}


def _sqlite_index(with_stems: bool):
    """The FTS5 table over search_entry and its triggers, with or without the stems column."""
    for name in FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS search_fts")
    columns = "text, stems" if with_stems else "text"
    op.execute(
        f"CREATE VIRTUAL TABLE search_fts USING fts5({columns}, content='search_entry', content_rowid='id', "
        "tokenize='trigram')"
    )
    parts = {"columns": ", stems", "new": ", new.stems", "old": ", old.stems"} if with_stems else {
        "columns": "", "new": "", "old": ""}
    for name, body in FTS_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body.format(**parts)}")
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


def upgrade():
    op.add_column('search_entry', sa.Column('stem_language', sa.String(length=2), server_default='en', nullable=False))
    op.add_column('search_entry', sa.Column('stems', sa.Text(), server_default='', nullable=False))
    connection = op.get_bind()
    languages = {kind: dict(connection.execute(sa.text(query)).all()) for kind, query in LANGUAGES.items()}
    rows = connection.execute(sa.text('SELECT id, kind, ref_id, text FROM search_entry')).all()
    values = []
    for entry_id, kind, ref_id, text in rows:
        latin = latin_stemmer(language_of(text, languages.get(kind, {}).get(ref_id)))
        values.append({'id': entry_id, 'stem_language': latin, 'stems': stems(text, latin)})
    if values:
        connection.execute(
            sa.text('UPDATE search_entry SET stem_language = :stem_language, stems = :stems WHERE id = :id'), values
        )
    if connection.dialect.name == 'sqlite':
        _sqlite_index(with_stems=True)
    else:
        op.execute("CREATE INDEX ix_search_entry_stems ON search_entry USING gin (to_tsvector('simple', stems))")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for name in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_entry_stems")
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.drop_column('stems')
        batch_op.drop_column('stem_language')
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_index(with_stems=False)
