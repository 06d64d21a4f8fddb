"""Positions: groups of States with dated members, comments for a group, joint comments, fingerprints of comments

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 10:23:19.409179

The members of the groups are loaded from the lists each group or the United Nations publishes,
cited below with the date each list stands at (``SOURCES``); the Secretariat keeps them up to date
on the groups' pages. Each row stores the source it comes from. ``valid_from`` is left empty where
the source gives the members as of its date without saying since when; a known accession or
departure is dated (``DATED``, days inclusive).

Comments written before this revision get their fingerprints (the hash of their normalized text and
their sketch) computed by ``consult.comments.similarity``, exactly as new comments do.
"""
from datetime import UTC, date, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Groups loaded with their members now (the African Group, the EU and the G77 exist since 0002).
NEW_GROUPS = {'ARAB': 'Arab Group', 'LDC': 'Least Developed Countries', 'SIDS': 'Small Island Developing States'}

SOURCES = {
    'AG': 'United Nations, Department for General Assembly and Conference Management, "United Nations Regional '
          'Groups of Member States" (un.org/dgacm/en/content/regional-groups): the African States, 54 Member States, '
          'unchanged since the admission of South Sudan on 14 July 2011',
    'G77': 'The Group of 77 at the United Nations, "The Member States of the Group of 77" (g77.org/doc/members.html), '
           '134 members, as published in 2024',
    'EU': 'European Union, "EU countries" (european-union.europa.eu/principles-countries-history/eu-countries): '
          '27 member countries with the dates of their accession; the United Kingdom left on 31 January 2020',
    'ARAB': 'League of Arab States, member States (22), as they stand since 7 May 2023; the Arab Group at the '
            'United Nations gathers the same States',
    'LDC': 'United Nations, Committee for Development Policy and UN-OHRLLS, "List of Least Developed Countries" '
           '(un.org/development/desa/dpad/least-developed-country-category.html), 44 countries as of 13 December 2024, '
           'with the graduations of Vanuatu (4 December 2020), Bhutan (13 December 2023) and Sao Tome and Principe '
           '(13 December 2024)',
    'SIDS': 'UN-OHRLLS, "List of Small Island Developing States" (un.org/ohrlls/content/list-sids): the United '
            'Nations Member States on the list, as published in 2024',
}

MEMBERS = {
    'AG': 'DZA AGO BEN BWA BFA BDI CPV CMR CAF TCD COM COG CIV COD DJI EGY GNQ ERI SWZ ETH GAB GMB GHA GIN GNB KEN '
          'LSO LBR LBY MDG MWI MLI MRT MUS MAR MOZ NAM NER NGA RWA STP SEN SYC SLE SOM ZAF SSD SDN TGO TUN UGA TZA '
          'ZMB ZWE',
    'G77': 'AFG DZA AGO ATG ARG AZE BHS BHR BGD BRB BLZ BEN BTN BOL BWA BRA BRN BFA BDI CPV KHM CMR CAF TCD CHL CHN '
           'COL COM COG CRI CIV CUB PRK COD DJI DMA DOM ECU EGY SLV GNQ ERI SWZ ETH FJI GAB GMB GHA GRD GTM GIN GNB '
           'GUY HTI HND IND IDN IRN IRQ JAM JOR KEN KIR KWT LAO LBN LSO LBR LBY MDG MWI MYS MDV MLI MHL MRT MUS FSM '
           'MNG MAR MOZ MMR NAM NRU NPL NIC NER NGA OMN PAK PSE PAN PNG PRY PER PHL QAT RWA KNA LCA VCT WSM STP SAU '
           'SEN SYC SLE SGP SLB SOM ZAF SSD LKA SDN SUR SYR TJK THA TLS TGO TON TTO TUN TKM UGA ARE TZA URY VUT VEN '
           'VNM YEM ZMB ZWE',
    'ARAB': 'DZA BHR COM DJI EGY IRQ JOR KWT LBN LBY MRT MAR OMN PSE QAT SAU SOM SDN SYR TUN ARE YEM',
    'LDC': 'AGO BEN BFA BDI CAF TCD COM COD DJI ERI ETH GMB GIN GNB LSO LBR MDG MWI MLI MRT MOZ NER RWA SEN SLE SOM '
           'SSD SDN TGO UGA TZA ZMB AFG BGD KHM LAO MMR NPL TLS YEM HTI KIR SLB TUV',
    'SIDS': 'ATG BHS BRB BLZ CUB DMA DOM GRD GUY HTI JAM KNA LCA VCT SUR TTO FJI KIR MHL FSM NRU PLW PNG WSM SLB TLS '
            'TON TUV VUT BHR CPV COM GNB MDV MUS STP SYC SGP',
}

# (group, member, valid from, valid to): memberships whose dates the sources give.
DATED = [
    *(('EU', code, date(1958, 1, 1), None) for code in ('BEL', 'DEU', 'FRA', 'ITA', 'LUX', 'NLD')),
    *(('EU', code, date(1973, 1, 1), None) for code in ('DNK', 'IRL')),
    ('EU', 'GBR', date(1973, 1, 1), date(2020, 1, 31)),
    ('EU', 'GRC', date(1981, 1, 1), None),
    *(('EU', code, date(1986, 1, 1), None) for code in ('ESP', 'PRT')),
    *(('EU', code, date(1995, 1, 1), None) for code in ('AUT', 'FIN', 'SWE')),
    *(('EU', code, date(2004, 5, 1), None)
      for code in ('CYP', 'CZE', 'EST', 'HUN', 'LVA', 'LTU', 'MLT', 'POL', 'SVK', 'SVN')),
    *(('EU', code, date(2007, 1, 1), None) for code in ('BGR', 'ROU')),
    ('EU', 'HRV', date(2013, 7, 1), None),
    ('LDC', 'VUT', None, date(2020, 12, 3)),
    ('LDC', 'BTN', None, date(2023, 12, 12)),
    ('LDC', 'STP', None, date(2024, 12, 12)),
]

def upgrade():
    op.create_table('group_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_group_membership_created_by_id_user')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['user.id'], name=op.f('fk_group_membership_ended_by_id_user')),
    sa.ForeignKeyConstraint(['group_id'], ['organization.id'], name=op.f('fk_group_membership_group_id_organization')),
    sa.ForeignKeyConstraint(['member_id'], ['organization.id'], name=op.f('fk_group_membership_member_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_membership'))
    )
    with op.batch_alter_table('group_membership', schema=None) as batch_op:
        batch_op.create_index('ix_group_membership_group_member', ['group_id', 'member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_membership_member_id'), ['member_id'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_comment_on_behalf_of_id'), ['on_behalf_of_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_comment_on_behalf_of_id_organization'), 'organization', ['on_behalf_of_id'], ['id'])

    op.create_table('co_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_co_signature_answered_by_id_user')),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_co_signature_comment_id_comment')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'], name=op.f('fk_co_signature_invited_by_id_user')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_co_signature_organization_id_organization')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user.id'], name=op.f('fk_co_signature_withdrawn_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_co_signature')),
    sa.UniqueConstraint('comment_id', 'organization_id', name=op.f('uq_co_signature_comment_id'))
    )
    with op.batch_alter_table('co_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_co_signature_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_co_signature_organization_id'), ['organization_id'], unique=False)

    op.create_table('comment_fingerprint',
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('text_hash', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_comment_fingerprint_comment_id_comment')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_comment_fingerprint_document_id_document')),
    sa.PrimaryKeyConstraint('comment_id', name=op.f('pk_comment_fingerprint'))
    )
    with op.batch_alter_table('comment_fingerprint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_fingerprint_text_hash'), ['text_hash'], unique=False)

    op.create_table('comment_sketch_value',
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comment_fingerprint.comment_id'], name=op.f('fk_comment_sketch_value_comment_id_comment_fingerprint')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_comment_sketch_value_document_id_document')),
    sa.PrimaryKeyConstraint('comment_id', 'value', name=op.f('pk_comment_sketch_value'))
    )
    with op.batch_alter_table('comment_sketch_value', schema=None) as batch_op:
        batch_op.create_index('ix_comment_sketch_value_document_value', ['document_id', 'value'], unique=False)

    _load_groups(op.get_bind())
    _fingerprint_comments(op.get_bind())


organization = sa.table('organization', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                        sa.column('code', sa.String), sa.column('name', sa.String), sa.column('region', sa.String),
                        sa.column('created_at', sa.DateTime(timezone=True)))
membership = sa.table('group_membership', sa.column('group_id', sa.Integer), sa.column('member_id', sa.Integer),
                      sa.column('valid_from', sa.Date), sa.column('valid_to', sa.Date), sa.column('source', sa.String),
                      sa.column('created_at', sa.DateTime(timezone=True)))


def _load_groups(connection) -> None:
    now = datetime.now(UTC)
    for code, name in NEW_GROUPS.items():
        connection.execute(organization.insert().values(kind='group', code=code, name=name, region=None, created_at=now))
    ids = dict(connection.execute(sa.select(organization.c.code, organization.c.id)).all())
    rows = [(group, code, None, None) for group, codes in MEMBERS.items() for code in codes.split()] + DATED
    connection.execute(membership.insert(), [
        {'group_id': ids[group], 'member_id': ids[code], 'valid_from': valid_from, 'valid_to': valid_to,
         'source': SOURCES[group], 'created_at': now}
        for group, code, valid_from, valid_to in rows
    ])


def _fingerprint_comments(connection) -> None:
    """Comments written before fingerprints get theirs, computed as for new ones."""
    from consult.comments.similarity import compared_text, fingerprint_of

    comment = sa.table('comment', sa.column('id'), sa.column('section_id'), sa.column('body'),
                       sa.column('proposed_text'))
    section = sa.table('section', sa.column('id'), sa.column('document_id'))
    fingerprints = sa.table('comment_fingerprint', sa.column('comment_id'), sa.column('document_id'),
                            sa.column('text_hash'))
    values = sa.table('comment_sketch_value', sa.column('comment_id'), sa.column('value'), sa.column('document_id'))
    rows = connection.execute(
        sa.select(comment.c.id, section.c.document_id, comment.c.body, comment.c.proposed_text)
        .join(section, section.c.id == comment.c.section_id)
    ).all()
    for comment_id, document_id, body, proposed_text in rows:
        found = fingerprint_of(compared_text(body, proposed_text))
        connection.execute(fingerprints.insert().values(
            comment_id=comment_id, document_id=document_id, text_hash=found.text_hash))
        if found.sketch:
            connection.execute(values.insert(), [
                {'comment_id': comment_id, 'value': value, 'document_id': document_id} for value in found.sketch
            ])


def downgrade():
    with op.batch_alter_table('comment_sketch_value', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_sketch_value_document_value')

    op.drop_table('comment_sketch_value')
    with op.batch_alter_table('comment_fingerprint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_fingerprint_text_hash'))

    op.drop_table('comment_fingerprint')
    with op.batch_alter_table('co_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_co_signature_organization_id'))
        batch_op.drop_index(batch_op.f('ix_co_signature_comment_id'))

    op.drop_table('co_signature')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comment_on_behalf_of_id_organization'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_comment_on_behalf_of_id'))
        batch_op.drop_column('on_behalf_of_id')

    with op.batch_alter_table('group_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_membership_member_id'))
        batch_op.drop_index('ix_group_membership_group_member')

    op.drop_table('group_membership')
    op.execute(organization.delete().where(organization.c.code.in_(list(NEW_GROUPS))))
